"""Seed data of the hazard ledger (a package so the JSON files ship with the wheel)."""
