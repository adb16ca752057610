"""`campus-safety run`'s supervisor (issue 14, item 13): a process that exits is started
again after a growing delay and the log says so; the others are left alone; a stop (or
SIGTERM) ends every process, and what they started."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from services.supervisor import Backoff, Program, Supervisor

ROOT = Path(__file__).resolve().parents[2]
# A process that starts a child of its own (as gunicorn starts its workers), says both pids
# and waits to be stopped.
STEADY = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print('pids', child.pid, flush=True)\n"
    "time.sleep(600)\n"
)
CRASHER = "import sys; print('crashing', flush=True); sys.exit(3)"


def wait_for(predicate, timeout: float = 20.0, message: str = "condition"):
    """Poll ``predicate`` until it returns something true, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_backoff_doubles_from_one_second_to_thirty_and_resets_after_a_stable_run():
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.failures_after(5, uptime=2.0) == 6  # crashed again soon: keep growing
    assert backoff.failures_after(5, uptime=61.0) == 1  # was up a minute: start again at 1 s


def test_a_crashing_process_is_restarted_with_growing_delays_and_the_other_left_alone():
    out = io.StringIO()  # read while the supervisor writes (under its lock)
    programs = [
        Program("crasher", [sys.executable, "-c", CRASHER]),
        Program("steady", [sys.executable, "-c", STEADY]),
    ]
    supervisor = Supervisor(
        programs, backoff=Backoff(first=0.1, factor=2, ceiling=0.4), out=out, stop_timeout=5
    )
    loop = threading.Thread(target=supervisor.supervise, kwargs={"poll": 0.02})
    loop.start()
    try:
        steady_pid = wait_for(lambda: supervisor.pids().get("steady"), message="steady")
        grandchild = int(
            wait_for(lambda: re.findall(r"steady\s+\| pids (\d+)", out.getvalue()), message="pids")[
                0
            ]
        )
        restarts = wait_for(
            lambda: (
                found
                if len(found := re.findall(r"crasher exited with code 3 .*", out.getvalue())) >= 5
                else None
            ),
            message="five restarts of the crasher",
        )
        delays = [float(re.search(r"restarting in ([\d.]+) s", r).group(1)) for r in restarts]
        assert delays[:5] == [0.1, 0.2, 0.4, 0.4, 0.4], restarts  # doubling, up to the ceiling
        assert all(f"(restart {n})" in r for n, r in enumerate(restarts[:5], start=1))
        wait_for(  # its own output, prefixed with its name
            lambda: len(re.findall(r"crasher\s+\| crashing", out.getvalue())) >= 5,
            message="the crasher's output",
        )
        assert supervisor.pids()["steady"] == steady_pid  # never restarted
        assert "steady exited" not in out.getvalue() and "steady started" in out.getvalue()
    finally:
        supervisor.request_stop()
        loop.join(timeout=15)
    assert not loop.is_alive()
    assert supervisor.pids() == {}
    wait_for(lambda: not alive(steady_pid) and not alive(grandchild), message="all stopped")


def _start_runner() -> tuple[subprocess.Popen[str], int, int]:
    """A supervisor of STEADY in a process of its own; it, STEADY's pid and its child's."""
    script = (
        "import sys\n"
        "from services.supervisor import Program, Supervisor\n"
        f"steady = Program('steady', [sys.executable, '-c', {STEADY!r}])\n"
        "sys.exit(Supervisor([steady], stop_timeout=5).run())\n"
    )
    runner = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []

    def pids() -> list[int] | None:
        seen.append(runner.stdout.readline())
        found = re.findall(r"started \(pid (\d+)\)|pids (\d+)", "".join(seen))
        numbers = [int(a or b) for a, b in found]
        return numbers if len(numbers) == 2 else None

    try:
        leader, grandchild = wait_for(pids, message="both pids")
    except BaseException:
        runner.kill()
        raise
    return runner, leader, grandchild


def test_sigterm_stops_the_supervisor_and_every_process():
    runner, leader, grandchild = _start_runner()
    try:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=15) == 0
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "stopping steady" in runner.stdout.read()
    wait_for(lambda: not alive(leader) and not alive(grandchild), message="all stopped")


def test_a_killed_supervisor_takes_its_processes_with_it():
    runner, leader, grandchild = _start_runner()
    runner.kill()  # no chance to stop anything itself
    runner.wait(timeout=15)
    wait_for(lambda: not alive(leader), message="the supervised process to end")
    with contextlib.suppress(ProcessLookupError):  # STEADY does not pass SIGTERM on (gunicorn
        os.kill(grandchild, signal.SIGKILL)  # does): its child is this test's to end
