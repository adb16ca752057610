"""docs/security.md is the threat model a newcomer reads: its table of who may do what must
name every role the code knows, and the code homes it points to must exist."""

from __future__ import annotations

import re
from pathlib import Path

from shared.principal import KIOSK, ROLES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs/security.md").read_text(encoding="utf-8")


def test_every_role_of_the_code_has_a_row_in_the_threat_model() -> None:
    rows = set(re.findall(r"^\| `([a-z_]+)`", DOC, re.MULTILINE))
    assert rows == {*ROLES, KIOSK}


def test_the_files_the_threat_model_names_exist() -> None:
    named = set(re.findall(r"`((?:shared|services|tests|deploy|docs)/[\w./-]+)`", DOC))
    assert named, "the page names the homes of its rules"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing
