"""How the supervisor starts a process (security review of issue 14): no Python code runs
between fork and exec (``preexec_fn`` may deadlock the child on a lock another thread
held, and the supervisor's output readers are threads); the program is still the leader of
its own process group and still ends with a killed supervisor (tests/unit/test_supervisor.py
proves both)."""

from __future__ import annotations

import subprocess
import sys

from services import supervisor as module
from services.supervisor import Program, Supervisor


def test_processes_are_started_without_code_between_fork_and_exec(monkeypatch):
    started: list[dict] = []
    real = subprocess.Popen

    def popen(argv, **kwargs):
        started.append({"argv": list(argv), **kwargs})
        return real(argv, **kwargs)

    monkeypatch.setattr(module.subprocess, "Popen", popen)
    program = Program("hello", [sys.executable, "-c", "print('hello', flush=True)"])
    runner = Supervisor([program], stop_timeout=5)
    runner._spawn(runner._children[0])
    try:
        assert runner._children[0].process.wait(timeout=30) == 0
    finally:
        runner.stop()
    (kwargs,) = started
    assert kwargs.get("preexec_fn") is None
    assert kwargs.get("process_group") == 0 and not kwargs.get("start_new_session")
    assert kwargs["argv"][-3:] == list(program.argv)  # run as it is, after the launcher
