"""The four services of the suite. See services/registry.py for how they are wired."""
