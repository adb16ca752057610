"""The demo campus (演示校园): what `campus-safety run` seeds into empty databases (unless
`--no-demo`) and `campus-safety seed-demo` on purpose, so a newcomer can try the console at
once — units, places, people of every role with demo passwords, hazards in every stage,
activities. Part of the composition root: it may use every service's use cases (the
services never import each other). Production settings are refused (``check_allowed``)."""

from services.demo.seed import (
    Account,
    DemoRefused,
    DemoResult,
    check_allowed,
    data_held,
    demo_wanted,
    seed_demo,
)
from services.demo.table import accounts_table

__all__ = [
    "Account",
    "DemoRefused",
    "DemoResult",
    "accounts_table",
    "check_allowed",
    "data_held",
    "demo_wanted",
    "seed_demo",
]
