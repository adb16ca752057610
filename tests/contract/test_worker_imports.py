"""A worker imports only its own service's code: of the other services, only their
subscription data (to declare every queue's bindings) and their packages' light
``__init__``. Checked in a fresh interpreter, as ``python -m services.<name>.worker`` starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from services.registry import SERVICES
from tests.support.fixtures import ROOT

PROGRAM = """
import json, sys
from services.{service}.worker import main
from services.registry import make_handlers, periodic_tasks, subscriptions
from shared.config import Settings

make_handlers("{service}", Settings(service="{service}", database_url="sqlite://"))
periodic_tasks("{service}")
subscriptions()
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("service", SERVICES)
def test_a_worker_imports_no_other_service(service):
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(service=service)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    others = [s for s in (*SERVICES, "console") if s != service]
    allowed = {f"services.{s}" for s in others} | {f"services.{s}.subscriptions" for s in others}
    foreign = [
        name
        for name in loaded
        if any(name == f"services.{s}" or name.startswith(f"services.{s}.") for s in others)
        and name not in allowed
    ]
    assert not foreign, f"the {service} worker imports {foreign}"
    assert f"services.{service}.handlers" in loaded
    assert "services.console" not in loaded
