"""HTTP load benchmark: the hazards web app beside a bare Flask + SQLAlchemy baseline.

Run from the repository root (needs wrk: ``apt-get install -y wrk``)::

    .venv/bin/python bench/api_load.py [--seconds 15] [--warmup 3] [--rounds 1]
                                       [--workers 4] [--connections 32] [--threads 2]

Everything runs against the real PostgreSQL of this machine, in a database of the run's
own (``bench_api_<pid>``), migrated with the hazards service's Alembic migrations and
dropped at the end. Two gunicorn apps are served on 127.0.0.1, both with the project's
settings (``deploy/gunicorn_conf.py``: sync workers, keepalive, max_requests …) and the
same worker count (``--workers``, default 2 per core: sync workers wait on every database
round trip), with the access log switched off (``accesslog = None``) so that log
formatting is not what is measured, and without gunicorn's control socket (a shared
``~/.gunicorn/gunicorn.ctl`` otherwise):

- bare: ``bare_app()`` below, Flask + SQLAlchemy 2 ORM on the same database, no auth,
  no schema, no middleware. ``GET /item/<id>`` reads one row and returns it as JSON;
  ``POST /item`` inserts a row and an outbox-like row in one transaction;
- project: ``services.hazards:create_app()`` (CAMPUS_LOG_FORMAT=json), called with a
  ``security_office`` bearer token: ``GET /hazards/<id>`` and ``POST /hazards`` (hazard,
  number counter, transition and outbox rows in one transaction).

Each scenario is a short wrk warm-up, then wrk with ``--latency`` for ``--seconds``
(32 connections, 2 threads by default), in the order bare GET, project GET, bare POST,
project POST; ``--rounds N`` repeats that sequence and reports each scenario's median
run, which helps on a shared machine. POST bodies vary per request (a counter in the wrk
Lua script); the outbox rows written are counted against wrk's responses. The report
gives req/s, p50, p99, the ratio to the bare baseline, the targets, the CPU the app got
and how busy the machine was, and each gunicorn process's resident memory after the
runs.

It is a benchmark, not a test: the exit code is 0 whether or not the targets are met,
1 when something failed (including any non-2xx response or socket error during a
measured run), 2 when wrk is missing.

The module doubles as the bare app's module: gunicorn imports it as
``bench.api_load:bare_app()`` from the repository root, which is why the top level imports
only the standard library, Flask and SQLAlchemy; the project is imported by ``main()``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, abort, request
from sqlalchemy import BigInteger, DateTime, String, Text, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

if __package__:  # imported as bench.api_load
    from bench.scratch_db import create_database, drop_database
else:  # run as bench/api_load.py: bench/ is sys.path[0]
    from scratch_db import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"
BARE_URL_ENV = "BENCH_BARE_DATABASE_URL"

READ_RPS_TARGET = 1000.0
READ_RATIO_TARGET = 0.70
READ_P99_TARGET_MS = 50.0
WRITE_RPS_TARGET = 500.0
WRITE_P99_TARGET_MS = 100.0
RSS_TARGET_MB = 150.0
# Figures of the issue, measured earlier on this machine, for comparison with this run's.
ISSUE_BARE_READ = "1,150-1,500 req/s"
ISSUE_BARE_WRITE = "770-890 req/s"

# Sync workers block on every database round trip, so 2 per core keeps the cores busy
# (deploy/gunicorn_conf.py defaults to 2 workers in all, GUNICORN_WORKERS).
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1)

UNITS = ("JD", "XX", "CW", "TY", "WY")
CATEGORIES = ("fire", "traffic", "food", "lab_chemicals", "construction")


# -- the bare baseline app ----------------------------------------------------------------


class BareBase(DeclarativeBase):
    pass


class BareItem(BareBase):
    __tablename__ = "bare_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "unit_code": self.unit_code,
            "category": self.category,
            "description": self.description,
            "created_at": self.created_at.isoformat(),
        }


class BareOutbox(BareBase):
    __tablename__ = "bare_outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def bare_app() -> Flask:
    """The baseline: what one row read / one row + outbox write costs with no framework."""
    engine = create_engine(os.environ[BARE_URL_ENV])
    factory = sessionmaker(engine, expire_on_commit=False)
    app = Flask("bare")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/item/<item_id>")
    def read_item(item_id: str):
        with factory() as session:
            item = session.get(BareItem, item_id)
            if item is None:
                abort(404)
            return item.as_dict()

    @app.post("/item")
    def create_item():
        data = request.get_json(silent=True) or {}
        if not isinstance(data.get("description"), str) or not data["description"]:
            abort(422)
        now = datetime.now(UTC)
        item = BareItem(
            id=str(uuid.uuid4()),
            unit_code=str(data.get("unit_code", "")),
            category=str(data.get("category", "")),
            description=data["description"],
            created_at=now,
        )
        body = item.as_dict()
        with factory.begin() as session:
            session.add(item)
            session.add(
                BareOutbox(
                    event_id=str(uuid.uuid4()),
                    event_type="item.created",
                    subject=item.id,
                    body=json.dumps(body, ensure_ascii=False),
                    created_at=now,
                )
            )
        return body, 201

    return app


# -- infrastructure -----------------------------------------------------------------------


class BenchError(RuntimeError):
    pass


def count_rows(database: str, table: str) -> int:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def settled_count(database: str, table: str, timeout: float = 30.0) -> int:
    """Row count once it stops moving: gunicorn finishes the requests wrk left in flight."""
    deadline = time.monotonic() + timeout
    last = count_rows(database, table)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = count_rows(database, table)
        if current == last:
            return current
        last = current
    raise BenchError(f"{table}: row count still moving {timeout:.0f} s after the run")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")[:500]


# -- processes ----------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the fields after the parenthesised command: state, ppid, …
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes and of their reaped children, in seconds: a worker
    that gunicorn replaced (max_requests) moves from its own times into the master's
    cutime/cstime, so the sum over master + current workers keeps counting it."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                after = fh.read().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(n) for n in after[11:15])  # fields 14-17 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


def host_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass
class GunicornApp:
    name: str
    spec: str
    port: int
    env: dict[str, str]
    extra_args: list[str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    seen_pids: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, config_path: Path, workers: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(config_path),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            *self.extra_args,
            self.spec,
        ]

    def start(self, config_path: Path, workers: int) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115 (the child keeps writing to it)
        try:
            self.proc = subprocess.Popen(
                self.command(config_path, workers),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def wait_ready(self, workers: int, timeout: float = 90.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name}: gunicorn exited early\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as resp:
                    if resp.status == 200 and len(self.workers()) >= workers:
                        self.seen_pids.update(self.workers())
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name}: not ready after {timeout:.0f} s\n{self.log_tail()}")

    def workers(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc is not None else []

    def pids(self) -> list[int]:
        return [self.proc.pid, *self.workers()] if self.proc is not None else []

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        workers = self.workers()
        self.proc.send_signal(signal.SIGTERM)  # graceful: workers finish, master exits
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in [self.proc.pid, *workers]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# -- wrk ----------------------------------------------------------------------------------

WRK_MISSING = """\
api_load: wrk is not installed (it drives the HTTP load).
  Debian/Ubuntu:  apt-get update && apt-get install -y wrk
  macOS:          brew install wrk
then run this benchmark again."""

POST_LUA = """\
-- generated by bench/api_load.py: POST {path} with a description that varies per request
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

local units = {units}
local categories = {categories}
local counter = 0
function request()
  counter = counter + 1
  local unit = units[counter % #units + 1]
  local category = categories[counter % #categories + 1]
  local body = string.format(
    '{{"unit_code":"%s","category":"%s","description":"压测隐患 bench t%d-%d",' ..
    '"location":"%d号楼"}}',
    unit, category, tid or 0, counter, counter % 20 + 1)
  return wrk.format(nil, "{path}", nil, body)
end
"""

GET_LUA = """\
-- generated by bench/api_load.py: GET with a bearer token (a static request)
wrk.method = "GET"
{auth}
"""

SOCKET_ERRORS = ("connect", "read", "write", "timeout")
_DURATION = re.compile(r"([\d.]+)(us|ms|s|m|h)$")
_DURATION_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_ms(text: str) -> float:
    match = _DURATION.match(text.strip())
    if not match:
        raise BenchError(f"cannot parse wrk duration {text!r}")
    return float(match.group(1)) * _DURATION_MS[match.group(2)]


def lua_list(values: tuple[str, ...]) -> str:
    return "{" + ", ".join(f'"{v}"' for v in values) + "}"


def write_lua(directory: Path, name: str, path: str, token: str | None, post: bool) -> Path:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    if post:
        text = POST_LUA.format(
            path=path,
            auth=auth,
            units=lua_list(UNITS),
            categories=lua_list(CATEGORIES),
        )
    else:
        text = GET_LUA.format(auth=auth)
    script = directory / f"{name}.lua"
    script.write_text(text, encoding="utf-8")
    return script


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: dict[str, int]
    output: str

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())


def parse_wrk(output: str) -> WrkResult:
    def need(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise BenchError(f"wrk output without {pattern!r}:\n{output}")
        return match

    done = need(r"^\s*(\d+) requests in ([\d.]+\w+),")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(done.group(1)),
        seconds=duration_ms(done.group(2)) / 1000.0,
        rps=float(need(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=duration_ms(need(r"^\s+50%\s+(\S+)").group(1)),
        p99_ms=duration_ms(need(r"^\s+99%\s+(\S+)").group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=(
            dict(zip(SOCKET_ERRORS, map(int, sockets.groups()), strict=True)) if sockets else {}
        ),
        output=output,
    )


def run_wrk(url: str, script: Path | None, seconds: float, args: argparse.Namespace) -> WrkResult:
    cmd = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
    ]
    if script is not None:
        cmd += ["--script", str(script)]
    cmd.append(url)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if result.returncode != 0 or result.stderr.strip():
        # wrk reports a broken Lua script on stderr and then runs its default request
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


# -- scenarios ----------------------------------------------------------------------------


@dataclass
class Run:
    result: WrkResult
    app_cores: float  # CPU of the app's gunicorn processes / wall time
    host_busy: float  # busy share of the whole machine
    rows_added: int | None  # outbox rows written by a POST run
    recycled: int  # workers replaced (max_requests) during the run


@dataclass
class Scenario:
    label: str
    app: GunicornApp
    url: str
    script: Path | None
    write_table: str | None = None  # outbox table counted before/after a POST run
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> Run:
        """The run with the median req/s (the lower middle one for an even count)."""
        ordered = sorted(self.runs, key=lambda run: run.result.rps)
        return ordered[(len(ordered) - 1) // 2]


def measure(scenario: Scenario, args: argparse.Namespace, database: str) -> Run:
    app = scenario.app
    print(f"{scenario.label}: warm-up {args.warmup:g} s, then {args.seconds:g} s …", flush=True)
    if args.warmup > 0:
        run_wrk(scenario.url, scenario.script, args.warmup, args)
    if scenario.write_table:
        rows_before = settled_count(database, scenario.write_table)
    else:
        rows_before = 0
        time.sleep(0.5)  # let the requests in flight when wrk stopped finish
    workers_before = set(app.workers())
    pids = app.pids()
    cpu_before, (busy_before, total_before) = cpu_seconds(pids), host_cpu()
    started = time.monotonic()
    result = run_wrk(scenario.url, scenario.script, args.seconds, args)
    wall = time.monotonic() - started
    cpu_after, (busy_after, total_after) = cpu_seconds(app.pids()), host_cpu()
    workers_after = set(app.workers())
    app.seen_pids.update(workers_after)
    run = Run(
        result=result,
        app_cores=(cpu_after - cpu_before) / wall,
        host_busy=(busy_after - busy_before) / max(1, total_after - total_before),
        rows_added=(
            settled_count(database, scenario.write_table) - rows_before
            if scenario.write_table
            else None
        ),
        recycled=len(workers_after - workers_before),
    )
    scenario.runs.append(run)
    note = f", errors {result.errors}" if result.errors else ""
    print(
        f"  {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"app CPU {run.app_cores:.2f} cores, host busy {run.host_busy:.0%}{note}",
        flush=True,
    )
    return run


def seed(app: GunicornApp, path: str, count: int, token: str | None) -> list[str]:
    ids = []
    for i in range(count):
        status, body = http_json(
            "POST",
            f"{app.base_url}{path}",
            {
                "unit_code": UNITS[i % len(UNITS)],
                "category": CATEGORIES[i % len(CATEGORIES)],
                "description": f"种子隐患 seed {i}：灭火器过期",
                "location": f"{i % 20 + 1}号楼",
            },
            token,
        )
        if status != 201:
            raise BenchError(f"seeding {app.name}: POST {path} answered {status}: {body}")
        ids.append(body["id"])
    return ids


# -- report -------------------------------------------------------------------------------


def verdict(checks: list[tuple[str, bool]]) -> str:
    missed = [name for name, ok in checks if not ok]
    return "PASS" if not missed else "MISS (" + ", ".join(missed) + ")"


def report(scenarios: dict[str, Scenario], apps: list[GunicornApp]) -> bool:
    """Print the table and the memory figures; False when a measured run had errors."""
    ok = True
    baselines = {"GET": scenarios["bare GET"].median, "POST": scenarios["bare POST"].median}
    rows = []
    for label, scenario in scenarios.items():
        run = scenario.median
        r = run.result
        base = baselines[label.split()[-1]].result
        ratio = r.rps / base.rps if base.rps else 0.0
        if label == "project GET":
            target = (
                f">= {READ_RPS_TARGET:,.0f} req/s, >= {READ_RATIO_TARGET:.0%} of bare, "
                f"p99 < {READ_P99_TARGET_MS:.0f} ms"
            )
            result = verdict(
                [
                    ("req/s", r.rps >= READ_RPS_TARGET),
                    ("ratio", ratio >= READ_RATIO_TARGET),
                    ("p99", r.p99_ms < READ_P99_TARGET_MS),
                ]
            )
        elif label == "project POST":
            target = f">= {WRITE_RPS_TARGET:,.0f} req/s, p99 < {WRITE_P99_TARGET_MS:.0f} ms"
            result = verdict(
                [("req/s", r.rps >= WRITE_RPS_TARGET), ("p99", r.p99_ms < WRITE_P99_TARGET_MS)]
            )
        else:
            target, result = "baseline", "-"
        errors = sum(each.result.errors for each in scenario.runs)
        if errors:
            ok = False
            non_2xx = sum(each.result.non_2xx for each in scenario.runs)
            result = f"ERROR ({non_2xx} non-2xx, {errors - non_2xx} socket errors)"
        rows.append(
            (
                label,
                f"{r.rps:,.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                f"{ratio:.2f}",
                str(errors),
                f"{run.app_cores:.2f}",
                f"{run.host_busy:.0%}",
                target,
                result,
            )
        )
    header = (
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "x bare",
        "errors",
        "app CPU",
        "host busy",
        "target",
        "result",
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = (0, 8, 9)  # scenario, target, result
    line = "  ".join(f"{{:{'<' if i in left else '>'}{w}}}" for i, w in enumerate(widths))
    rounds = len(scenarios["bare GET"].runs)
    print()
    print("=" * 100)
    if rounds > 1:
        print(f"median of {rounds} interleaved rounds (the run with the median req/s):")
    print(line.format(*header).rstrip())
    for row in rows:
        print(line.format(*row).rstrip())
    print(
        "errors: non-2xx responses + socket errors (all runs); app CPU: cores used by that "
        "app's gunicorn processes;\nhost busy: the whole machine (wrk, PostgreSQL and the other "
        "users of this 2-core box included)."
    )
    print(
        f"issue's earlier figures for the bare app: read {ISSUE_BARE_READ}, "
        f"write {ISSUE_BARE_WRITE}"
    )
    if rounds > 1:
        for method in ("GET", "POST"):
            bare, project = scenarios[f"bare {method}"].runs, scenarios[f"project {method}"].runs
            ratios = ", ".join(
                f"{p.result.rps / b.result.rps:.2f}" for b, p in zip(bare, project, strict=True)
            )
            print(f"  project/bare {method} per round: {ratios}")
    for label, scenario in scenarios.items():
        notes = []
        for run in scenario.runs:
            r = run.result
            if run.rows_added is not None:
                notes.append(f"{scenario.write_table} +{run.rows_added:,} for {r.requests:,}")
                if run.rows_added < r.requests - r.non_2xx:
                    ok = False
                    notes.append("FEWER ROWS THAN 2xx RESPONSES")
            if run.recycled:
                notes.append(f"{run.recycled} worker(s) recycled by max_requests")
        if notes:
            print(f"  {label}: " + "; ".join(notes))

    print()
    print(f"resident memory after the runs (VmRSS; target < {RSS_TARGET_MB:.0f} MB per process):")
    for app in apps:
        if app.proc is None:
            continue
        for pid in app.pids():
            try:
                status = proc_status(pid)
            except OSError:
                continue
            rss = int(status["VmRSS"].split()[0]) / 1024
            peak = int(status["VmHWM"].split()[0]) / 1024
            role = "master" if pid == app.proc.pid else "worker"
            mark = "PASS" if rss < RSS_TARGET_MB else "MISS"
            print(
                f"  {app.name:<8} {role:<6} pid {pid:<7} VmRSS {rss:6.1f} MB "
                f"(peak {peak:6.1f} MB)  {mark}"
            )
        replaced = len(app.seen_pids - set(app.workers()))
        if replaced:
            print(f"  {app.name}: {replaced} worker(s) were replaced during the runs")
    print("=" * 100)
    return ok


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from deploy import gunicorn_conf

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured run per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up run per scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn sync workers of each app (default: 2 x cores = {DEFAULT_WORKERS}; "
        f"deploy/gunicorn_conf.py says {gunicorn_conf.workers})",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat the four scenarios, interleaved, and report each one's median run",
    )
    parser.add_argument("--seed", type=int, default=100, help="rows created before the runs")
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.warmup < 0 or min(args.workers, args.rounds, args.seed) < 1:
        parser.error("--seconds >= 1, --warmup >= 0, --workers, --rounds and --seed >= 1")
    if args.connections < args.threads or args.threads < 1:
        parser.error("--connections must be at least --threads, which must be positive")
    return args


def gunicorn_config(directory: Path) -> Path:
    """The project's gunicorn settings with the access log off, as a config file."""
    path = directory / "gunicorn_bench_conf.py"
    path.write_text(
        "# generated by bench/api_load.py: deploy/gunicorn_conf.py, access log off\n"
        "from deploy.gunicorn_conf import *  # noqa: F403\n"
        "accesslog = None\n"
        "control_socket_disable = True  # not ~/.gunicorn/gunicorn.ctl, which others use\n"
    )
    return path


def describe_settings(workers: int) -> str:
    from deploy import gunicorn_conf as c

    return (
        f"gunicorn (both apps): deploy/gunicorn_conf.py with --workers {workers} "
        f"(deploy default {c.workers}) "
        f"--worker-class {c.worker_class} --threads {c.threads}, keepalive {c.keepalive}, "
        f"timeout {c.timeout}, max_requests {c.max_requests}±{c.max_requests_jitter}; "
        "access log OFF (accesslog = None, not /dev/null: no formatting either); "
        "control socket off; error log to a file of the run"
    )


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # clean up (processes, database) as on Ctrl-C
    if shutil.which("wrk") is None:
        print(WRK_MISSING, file=sys.stderr)
        return 2
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    args = parse_args(argv)

    from shared.auth import mint_token
    from shared.config import DEV_JWT_SECRET
    from shared.migrations import upgrade
    from shared.principal import SECURITY_OFFICE

    database = f"bench_api_{os.getpid()}"
    db_url = f"{PG_BASE}/{database}"
    tmp = Path(tempfile.mkdtemp(prefix="bench_api_"))
    created = False
    apps: list[GunicornApp] = []
    status = 0
    try:
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (1 min)")
        print(describe_settings(args.workers))
        print(
            f"wrk: {args.threads} threads, {args.connections} connections, warm-up "
            f"{args.warmup:g} s + {args.seconds:g} s per scenario, --latency"
        )
        print(f"setting up database {database} …", flush=True)
        create_database(database)
        created = True
        upgrade("hazards", db_url)
        engine = create_engine(db_url)
        BareBase.metadata.create_all(engine)
        engine.dispose()

        base_env = {
            k: v for k, v in os.environ.items() if k not in ("CAMPUS_JWT_SECRET", "CAMPUS_ENV")
        }
        base_env["PYTHONUNBUFFERED"] = "1"
        config_path = gunicorn_config(tmp)
        bare = GunicornApp(
            "bare",
            "bench.api_load:bare_app()",
            free_port(),
            {**base_env, BARE_URL_ENV: db_url},
            [],
            tmp / "bare.log",
        )
        project = GunicornApp(
            "project",
            "services.hazards:create_app()",
            free_port(),
            {
                **base_env,
                "HAZARDS_DATABASE_URL": db_url,
                "CAMPUS_LOG_FORMAT": "json",
                "CAMPUS_FILES_DIR": str(tmp / "files"),
            },
            [],
            tmp / "project.log",
        )
        apps = [bare, project]
        for app in apps:
            print(f"{app.name}: {' '.join(app.command(config_path, args.workers)[1:])}")
            app.start(config_path, args.workers)
        for app in apps:
            app.wait_ready(args.workers)

        token = mint_token(DEV_JWT_SECRET, "bench-so", [SECURITY_OFFICE], name="安全保卫处 (bench)")
        print(f"seeding {args.seed} rows through each API …", flush=True)
        bare_ids = seed(bare, "/item", args.seed, None)
        hazard_ids = seed(project, "/hazards", args.seed, token)
        bare_id, hazard_id = bare_ids[len(bare_ids) // 2], hazard_ids[len(hazard_ids) // 2]
        for app, path, tok in (
            (bare, f"/item/{bare_id}", None),
            (project, f"/hazards/{hazard_id}", token),
        ):
            code, body = http_json("GET", f"{app.base_url}{path}", token=tok)
            if code != 200:
                raise BenchError(f"{app.name}: GET {path} answered {code}: {body}")

        scenarios = {
            "bare GET": Scenario("bare GET", bare, f"{bare.base_url}/item/{bare_id}", None),
            "project GET": Scenario(
                "project GET",
                project,
                f"{project.base_url}/hazards/{hazard_id}",
                write_lua(tmp, "project_get", f"/hazards/{hazard_id}", token, post=False),
            ),
            "bare POST": Scenario(
                "bare POST",
                bare,
                f"{bare.base_url}/item",
                write_lua(tmp, "bare_post", "/item", None, post=True),
                write_table="bare_outbox",
            ),
            "project POST": Scenario(
                "project POST",
                project,
                f"{project.base_url}/hazards",
                write_lua(tmp, "project_post", "/hazards", token, post=True),
                write_table="outbox",
            ),
        }
        for round_no in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_no}/{args.rounds}", flush=True)
            for scenario in scenarios.values():
                measure(scenario, args, database)
        for table, outbox in (("bare_items", "bare_outbox"), ("hazards", "outbox")):
            # one event per create, committed together: the two counts must agree
            rows, events = count_rows(database, table), count_rows(database, outbox)
            if rows != events:
                raise BenchError(f"{rows} rows in {table} but {events} in {outbox}")
        if not report(scenarios, apps):
            status = 1
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min)")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except Exception as exc:
        traceback.print_exc()
        print(f"benchmark failed: {exc}", file=sys.stderr)
        for app in apps:
            print(f"--- {app.name} log (last lines) ---\n{app.log_tail()}", file=sys.stderr)
        status = 1
    finally:
        problems = []
        for app in apps:
            try:
                app.stop()
            except Exception as exc:
                problems.append(f"stop {app.name}: {exc}")
        if created:
            try:
                drop_database(database)
            except Exception as exc:
                problems.append(f"drop database {database}: {exc}")
        shutil.rmtree(tmp, ignore_errors=True)
        for problem in problems:
            print(f"cleanup: {problem}", file=sys.stderr)
        if problems and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
