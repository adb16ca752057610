import os

pytest_plugins = ["tests.support.fixtures", "tests.support.databases"]

# Issue 16: a head or safety officer needs a valid background check (the grid's
# ``checked_posts`` setting, on by default). The suites' builders assign people without
# checks, so tests run with the rule off unless they turn it on themselves
# (make_app("grid", checked_posts="head,safety_officer"): tests/unit/test_grid_checks.py).
os.environ.setdefault("CAMPUS_CHECKED_POSTS", "")
