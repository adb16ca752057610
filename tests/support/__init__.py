"""pytest fixtures and helpers shared by every service's tests (see fixtures.py)."""
