"""The local supervisor of `campus-safety run`: starts the web apps and workers, prefixes
their output with their names, restarts one that exits (with growing delays), and stops
them all on Ctrl-C or SIGTERM.

Production runs each process under systemd (deploy/systemd: ``Restart=always``); this is
the same spirit on a developer's machine: a crashed worker is started again and the log
says so, instead of the whole suite going down with it. The restart policy (``Backoff``)
is pure and apart from the process handling (``Supervisor``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TextIO

# What each program is started through: a fresh interpreter that asks Linux to SIGTERM it
# when the supervisor dies (prctl PR_SET_PDEATHSIG, kept across exec), even by SIGKILL,
# then execs the program in its place (same pid). Nothing runs between fork and exec in
# the supervisor's child (``preexec_fn`` may deadlock there: the output readers are
# threads). Elsewhere (macOS) prctl is absent: a killed supervisor may leave processes.
_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"  # the supervisor died before prctl
    "    sys.exit(0)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _launched(argv: Sequence[str]) -> list[str]:
    """``argv`` started through ``_LAUNCHER`` (-I -S: nothing of the environment's)."""
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(os.getpid()), *argv]


@dataclass(frozen=True)
class Backoff:
    """How long to wait before starting an exited process again: ``first`` seconds after
    its first quick exit, ``factor`` times longer after each further one, at most
    ``ceiling``; a run that stayed up ``stable_after`` seconds starts the count again."""

    first: float = 1.0
    factor: float = 2.0
    ceiling: float = 30.0
    stable_after: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait before the restart that follows ``failures`` quick exits in a row."""
        return min(self.ceiling, self.first * self.factor ** max(0, failures - 1))

    def failures_after(self, previous: int, uptime: float) -> int:
        """Quick exits in a row, counting one after ``uptime`` seconds up."""
        return 1 if uptime >= self.stable_after else previous + 1


@dataclass(frozen=True)
class Program:
    """A process to keep running: its name in the log, its command and environment."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] | None = None


@dataclass
class _Child:
    program: Program
    process: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0
    restart_at: float | None = None
    readers: list[threading.Thread] = field(default_factory=list)


def exit_reason(returncode: int) -> str:
    """An exit status as a person reads it: an exit code, or the signal that killed it."""
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


class Supervisor:
    """Runs ``programs`` until asked to stop; restarts each one that exits (``Backoff``).

    Each program is the leader of its own process group, so stopping it reaches what it
    started too (gunicorn's workers): SIGTERM to the group, SIGKILL after ``stop_timeout``.
    """

    def __init__(
        self,
        programs: Sequence[Program],
        *,
        backoff: Backoff | None = None,
        out: TextIO | None = None,
        stop_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backoff = backoff or Backoff()
        self.out = out or sys.stdout
        self.stop_timeout = stop_timeout
        self.clock = clock
        self._children = [_Child(p) for p in programs]
        self._width = max([len(p.name) for p in programs] + [len("supervisor")])
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # -- output ---------------------------------------------------------------------------
    def say(self, name: str, line: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            self.out.write(f"{stamp} {name:<{self._width}} | {line.rstrip()}\n")
            self.out.flush()

    def _pump(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self.say(name, line)
        stream.close()

    # -- the processes --------------------------------------------------------------------
    def _spawn(self, child: _Child) -> None:
        program = child.program
        process = subprocess.Popen(
            _launched(program.argv),
            env=dict(program.env) if program.env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            process_group=0,  # its own group: Ctrl-C reaches us, we stop it in order
        )
        child.process, child.started_at, child.restart_at = process, self.clock(), None
        reader = threading.Thread(
            target=self._pump, args=(program.name, process.stdout), daemon=True
        )
        reader.start()
        child.readers = [t for t in child.readers if t.is_alive()] + [reader]
        self.say("supervisor", f"{program.name} started (pid {process.pid})")

    def _exited(self, child: _Child, returncode: int, now: float) -> None:
        uptime = now - child.started_at
        _signal_group(child.process, signal.SIGKILL)  # what it left behind, as systemd does
        child.failures = self.backoff.failures_after(child.failures, uptime)
        child.restarts += 1
        delay = self.backoff.delay(child.failures)
        child.process, child.restart_at = None, now + delay
        self.say(
            "supervisor",
            f"{child.program.name} {exit_reason(returncode)} after {uptime:.1f} s; "
            f"restarting in {delay:g} s (restart {child.restarts})",
        )

    def step(self) -> None:
        """Notice exited processes and start those whose restart delay is over."""
        now = self.clock()
        for child in self._children:
            if child.process is not None:
                returncode = child.process.poll()
                if returncode is not None:
                    self._exited(child, returncode, now)
            elif child.restart_at is not None and now >= child.restart_at:
                self._spawn(child)

    def pids(self) -> dict[str, int]:
        """The running processes by program name."""
        return {c.program.name: c.process.pid for c in self._children if c.process is not None}

    # -- running and stopping -------------------------------------------------------------
    def request_stop(self, *_: object) -> None:
        """Ask the loop to stop everything (safe from a signal handler or another thread)."""
        self._stop.set()

    def supervise(self, poll: float = 0.1) -> int:
        """Start every program, keep them running until ``request_stop``, stop them all."""
        try:
            for child in self._children:
                self._spawn(child)
            while not self._stop.wait(poll):
                self.step()
        finally:
            self.stop()
        return 0

    def run(self) -> int:
        """``supervise`` with SIGINT (Ctrl-C) and SIGTERM stopping everything."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.request_stop)
        return self.supervise()

    def stop(self) -> None:
        """SIGTERM to every process group; SIGKILL to what is left after ``stop_timeout``."""
        running = [c for c in self._children if c.process is not None]
        if running:
            self.say("supervisor", "stopping " + ", ".join(c.program.name for c in running))
        for child in running:
            _signal_group(child.process, signal.SIGTERM)
        deadline = self.clock() + self.stop_timeout
        for child in running:
            try:
                child.process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                self.say("supervisor", f"{child.program.name} did not stop in time; killing it")
        for child in running:
            _signal_group(child.process, signal.SIGKILL)  # also what it left behind
            child.process.wait()
            child.process = None
        for child in self._children:
            child.restart_at = None
            for reader in child.readers:
                reader.join(timeout=1.0)


def _signal_group(process: subprocess.Popen[str] | None, signum: int) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(process.pid, signum)
