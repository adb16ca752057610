"""The import contracts of pyproject.toml ([tool.importlinter]) hold on the repository, and
do catch a wrong import: one is written into a copy of the packages (never the checkout)
and lint-imports, run in that copy, names the contract it breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    c["id"]: c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports in ``cwd``: its pyproject.toml, and its packages first on the path."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "300", "PYTHONPATH": str(cwd)},  # one line a contract
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_repository_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract", "broken"),
    [
        (
            "shared/errors.py",
            "import flask",
            "pure-domain",
            "shared.errors is not allowed to import flask",
        ),
        (
            "services/console/__init__.py",
            "from services.hazards import domain",
            "services-independent",
            "services.console is not allowed to import services.hazards",
        ),
        (
            "services/hazards/api/__init__.py",
            "import shared.events.consumer",
            "web-never-consumes",
            "services.hazards.api is not allowed to import shared.events.consumer",
        ),
    ],
    ids=["domain-imports-flask", "console-imports-a-service", "api-imports-the-consumer"],
)
def test_a_wrong_import_breaks_its_contract(tmp_path, module, wrong_import, contract, broken):
    copy = tmp_path / "repo"
    for package in ("services", "shared"):
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    with (copy / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{wrong_import}  # the wrong import under test\n")

    result = lint_imports(copy)

    assert result.returncode != 0, result.stdout
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout, result.stdout
    assert broken in result.stdout, result.stdout
    assert wrong_import not in (ROOT / module).read_text(encoding="utf-8")  # checkout untouched
