"""Chaos: 5,000 hazard transitions through the public HTTP API while RabbitMQ is SIGKILLed
and restarted, every service's worker is SIGKILLed and restarted, and PostgreSQL is
restarted (cleanly, then as a crash). Afterwards the reporting statistics, the hazard
projection and the accountability flags equal what the hazard ledger says; the outbox is
drained; every event is in the consumers' inboxes exactly once.

The suite runs as processes, the way ``campus-safety run --web-workers 2`` starts it (four
gunicorn apps, four workers), but each process is started separately so that one worker can
be killed and restarted without the process manager ending the whole suite.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pytest

from services.registry import SERVICES
from shared.principal import SECURITY_OFFICE, UNIT_MANAGER
from tests.chaos.conftest import backoff, call, cli, gunicorn_args
from tests.support import infra
from tests.support.fixtures import Processes, suite_env
from tests.support.waiting import wait_until
from tests.support.workflow import STEPS_TO_CLOSE, headers

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        os.geteuid() != 0 or not shutil.which("pg_createcluster"),
        reason="needs root and Debian's pg_createcluster for a private PostgreSQL cluster",
    ),
]

TRANSITIONS = int(os.environ.get("CHAOS_TRANSITIONS", "5000"))  # creates + workflow steps
CLIENTS = int(os.environ.get("CHAOS_CLIENTS", "4"))
UNITS = ("JD", "XX", "CW")
PAST_DEADLINE = "2021-11-20"  # registered with this deadline, a hazard is overdue at once
TARGET = {
    "register": "registered",
    "report": "reported",
    "start-remediation": "in_remediation",
    "rectify": "rectified",
    "accept": "accepted",
    "close": "closed",
}
FIXED = ("accepted", "closed", "archived")
# The unit's stages: rectified (awaiting acceptance) is no longer the unit's time (issue 12).
OPEN_NOT_FIXED = "'discovered', 'registered', 'reported', 'in_remediation'"
OFFICE = headers(SECURITY_OFFICE, "office", "JD")


# -- the workload ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HazardPlan:
    n: int
    unit: str
    steps: int  # workflow steps after the create (0: stays discovered … 6: closed)
    late: bool  # registered with a past deadline: the sweep raises an overdue flag

    @property
    def pause_after(self) -> int:
        """Late hazards that will be accepted stop in remediation and come back at the end
        of the queue, after a sweep has flagged them: their flags end resolved late (the
        lateness stays on record)."""
        return 3 if self.late and self.steps >= 5 else self.steps

    @property
    def replays(self) -> bool:
        """Every 20th portal resends each request once, as if the first answer was lost."""
        return self.n % 20 == 7

    def workflow(self) -> list[tuple[str, dict, str, str]]:
        steps = list(STEPS_TO_CLOSE[: self.steps])
        if self.late and steps:
            path, _, role, sub = steps[0]
            steps[0] = (path, {"deadline": PAST_DEADLINE, "severity": "general"}, role, sub)
        return steps


def workload(total: int) -> list[HazardPlan]:
    """Hazards spread over three units and every stage, ``total`` transitions in all."""
    plans, count = [], 0
    while count < total:
        i = len(plans)
        steps = min(i % 7, total - count - 1)
        plans.append(HazardPlan(i, UNITS[i % 3], steps, late=i % 4 == 1))
        count += 1 + steps
    return plans


@dataclass
class Task:
    plan: HazardPlan
    hazard_id: str | None = None
    version: int = 0
    done: int = 0  # workflow steps applied


@lru_cache(maxsize=64)
def auth(role: str, sub: str, unit: str) -> dict[str, str]:
    return headers(role, sub, unit)


@dataclass
class Tally:
    """What the clients saw, updated by several threads."""

    applied: int = 0  # transitions the ledger took (each counted once)
    creates: int = 0
    steps: int = 0
    retries: Counter = field(default_factory=Counter)  # by cause: connection, 5xx, 412
    replayed_creates: int = 0  # a resent create answered 200 by its Idempotency-Key
    refused_replays: int = 0  # a resent step refused with 412 by If-Match
    lost_responses: int = 0  # step applied, its answer lost (server down): seen on re-read
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def retry(self, status: int) -> None:
        with self.lock:
            self.retries["connection" if status == 0 else str(status)] += 1


class HazardClient:
    """A department portal: creates with an Idempotency-Key, steps with If-Match, and
    retries what failed because a server was down (after re-reading the hazard)."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally

    def work(self, task: Task, todo: queue.Queue) -> None:
        plan = task.plan
        if task.hazard_id is None:
            task.hazard_id, task.version = self.create(plan)
        workflow = plan.workflow()
        stop = plan.pause_after if task.done == 0 else plan.steps
        while task.done < stop:
            path, body, role, sub = workflow[task.done]
            task.version = self.step(task, path, body, auth(role, sub, plan.unit))
            task.done += 1
        if task.done < plan.steps:
            todo.put(task)  # the rest later

    def create(self, plan: HazardPlan) -> tuple[str, int]:
        key = {"Idempotency-Key": str(uuid.uuid4()), **auth(UNIT_MANAGER, "manager", plan.unit)}
        body = {"unit_code": plan.unit, "category": "fire", "description": f"混沌隐患 {plan.n}"}
        for _ in backoff():
            status, data, _ = call(self.port, "POST", "/hazards", key, body)
            if status in (200, 201):
                self.tally.add(applied=1, creates=1, replayed_creates=int(status == 200))
                break
            assert status == 0 or status >= 500, (status, data)
            self.tally.retry(status)
        if plan.replays:
            again = self.answered("POST", "/hazards", key, body)
            assert again[:2] == (200, data), again
            self.tally.add(replayed_creates=1)
        return data["id"], int(data["version"])

    def step(self, task: Task, path: str, body: dict, auth: dict[str, str]) -> int:
        url, version = f"/hazards/{task.hazard_id}/{path}", task.version
        for _ in backoff():
            status, data, head = call(
                self.port, "POST", url, {**auth, "If-Match": f'"{version}"'}, body
            )
            if status == 200:
                self.tally.add(applied=1, steps=1)
                if task.plan.replays:  # the same request again: If-Match must refuse it
                    again = self.answered("POST", url, {**auth, "If-Match": f'"{version}"'}, body)
                    assert again[0] == 412, again
                    self.tally.add(refused_replays=1)
                return int(head["etag"].removeprefix("W/").strip('"'))
            assert status in (0, 412) or status >= 500, (path, status, data)
            self.tally.retry(status)
            # Server down (was it applied?) or a sweep bumped the version: read, then decide.
            current = self.read(task.hazard_id, auth)
            if current["status"] == TARGET[path]:
                self.tally.add(applied=1, steps=1, lost_responses=1)
                return int(current["version"])
            version = int(current["version"])
        raise AssertionError("unreachable")

    def read(self, hazard_id: str, auth: dict[str, str]) -> dict:
        status, data, _ = self.answered("GET", f"/hazards/{hazard_id}", auth)
        assert status == 200, (status, data)
        return data

    def answered(self, method: str, path: str, head: dict[str, str], body=None):
        """The first answer that is not "server down" (no connection, 5xx)."""
        for _ in backoff():
            answer = call(self.port, method, path, head, body)
            if 0 < answer[0] < 500:
                return answer
            self.tally.retry(answer[0])
        raise AssertionError("unreachable")


# -- the suite as processes ------------------------------------------------------------------
class Suite:
    def __init__(self, processes: Processes, env: dict[str, str], port_base: int) -> None:
        self.processes = processes
        self.env = env
        self.ports = {service: port_base + i for i, service in enumerate(SERVICES)}
        self.workers: dict[str, subprocess.Popen] = {}
        self.webs: dict[str, subprocess.Popen] = {}

    def start(self, web_workers: int = 2) -> None:
        for service, port in self.ports.items():
            self.webs[service] = self.processes.spawn(
                f"{service}-web", gunicorn_args(service, port, web_workers), self.env
            )
            self.start_worker(service)

    def start_worker(self, service: str) -> None:
        self.workers[service] = self.processes.worker(service, self.env)

    def kill_worker(self, service: str) -> None:
        worker = self.workers[service]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def ready(self) -> bool:
        return all(call(p, "GET", "/readyz", {})[0] == 200 for p in self.ports.values())

    def alive(self) -> dict[str, bool]:
        procs = {f"{s}.web": p for s, p in self.webs.items()}
        procs |= {f"{s}.worker": p for s, p in self.workers.items()}
        return {name: p.poll() is None for name, p in procs.items()}


def queue_depths(broker: infra.PrivateBroker) -> dict[str, int]:
    """Messages (ready + unacked) per queue, from ``rabbitmqctl list_queues``."""
    out = infra.rabbitmqctl(
        *("list_queues", "name", "messages", "--quiet", "--no-table-headers"),
        node=broker.name,
        check=False,
    )
    depths = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths


def fetch_flags(port: int) -> list[dict]:
    flags, page = [], 1
    while True:
        path = f"/flags?rule=overdue_hazard&page={page}&page_size=100"
        status, data, _ = call(port, "GET", path, OFFICE)
        assert status == 200, (status, data)
        flags += data
        if len(data) < 100:
            return flags
        page += 1


# -- the test --------------------------------------------------------------------------------
def test_transitions_survive_broker_worker_and_database_faults(
    private_pg, chaos_databases, chaos_broker, processes
):
    started = time.monotonic()
    dbs, broker, pg = chaos_databases, chaos_broker, private_pg
    env = suite_env(dbs, broker.url, CAMPUS_SWEEP_SECONDS="3600")
    env["CAMPUS_FILES_DIR"] = str(processes.log_dir / "files")
    cli(env, "migrate")  # what `campus-safety run` does before it starts the processes
    cli(env, "seed-campaign")
    port_base = infra.free_port(7000, 9000, also=(1, 2, 3))
    suite = Suite(processes, env, port_base)
    suite.start(web_workers=2)
    wanted = {f"{s}.events" for s in ("hazards", "education", "reporting")}
    wait_until(
        lambda: wanted <= set(queue_depths(broker)), timeout=90, interval=0.5, message="topology"
    )
    # RabbitMQ 3.10: quorum queues declared moments ago do not survive a SIGKILL of their
    # node (their Ra registration is synced to disk lazily). One clean restart persists it.
    broker.stop()
    broker.start()
    wait_until(suite.ready, timeout=90, interval=0.2, message="suite ready")
    setup_seconds = time.monotonic() - started

    # -- the load: CLIENTS portals drive the plans concurrently --------------------------
    plans = workload(TRANSITIONS)
    tally = Tally()
    todo: queue.Queue[Task] = queue.Queue()
    for plan in plans:
        todo.put(Task(plan))
    errors: list[BaseException] = []

    def client() -> None:
        portal = HazardClient(suite.ports["hazards"], tally)
        try:
            while True:
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                portal.work(task, todo)
        except BaseException as exc:  # surfaced by the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=client, name=f"portal-{i}", daemon=True) for i in range(CLIENTS)
    ]
    load_started = time.monotonic()
    for thread in threads:
        thread.start()

    def done() -> bool:
        return not any(t.is_alive() for t in threads)

    sweeps: list[str] = []
    notes: list[str] = []

    def outbox_total() -> int:
        return dbs.scalar("hazards", "SELECT count(*) FROM outbox")

    def unsent() -> int:
        return sum(
            dbs.scalar(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
            for s in SERVICES
        )

    def inbox(service: str) -> int:
        return dbs.scalar(service, "SELECT count(*) FROM inbox WHERE source = 'hazards'")

    def sweep() -> None:
        sweeps.append(cli(env, "sweep", "hazards").splitlines()[0])

    def kill_broker() -> None:
        broker.kill()
        t0 = time.monotonic()
        broker.start()
        notes.append(
            f"RabbitMQ back {time.monotonic() - t0:.1f}s after its SIGKILL, "
            f"{unsent()} events waiting in the outboxes"
        )

    def kill_broker_and_pipeline() -> None:
        broker.kill()
        suite.kill_worker("hazards")
        suite.kill_worker("reporting")
        broker.start()
        suite.start_worker("hazards")  # publishes what piled up in the outbox meanwhile
        backlog = wait_until(
            lambda: (depth := queue_depths(broker).get("reporting.events", 0)) >= 100 and depth,
            timeout=120,
            interval=0.2,
            message="a backlog in reporting.events",
        )
        before = inbox("reporting")
        suite.start_worker("reporting")
        wait_until(lambda: inbox("reporting") >= before + 20, timeout=60, message="consuming")
        suite.kill_worker("reporting")  # again, in the middle of the backlog
        applied = inbox("reporting") - before
        suite.start_worker("reporting")
        notes.append(
            f"reporting worker SIGKILLed after applying {applied} of a {backlog}-message backlog"
        )

    def kill_and_restart(service: str):
        def fault() -> None:
            suite.kill_worker(service)
            suite.start_worker(service)

        return fault

    faults = [
        (0.05, "RabbitMQ SIGKILL, restart", kill_broker),
        (0.15, "hazards worker SIGKILL, restart", kill_and_restart("hazards")),
        (0.22, "reporting worker SIGKILL, restart", kill_and_restart("reporting")),
        (0.28, "grid worker SIGKILL, restart", kill_and_restart("grid")),
        (0.34, "education worker SIGKILL, restart", kill_and_restart("education")),
        (0.40, "PostgreSQL restart -m fast", lambda: pg.restart("fast")),
        (0.50, "campus-safety sweep hazards", sweep),
        (0.58, "RabbitMQ + hazards, reporting workers SIGKILL", kill_broker_and_pipeline),
        (0.72, "PostgreSQL restart -m immediate (crash)", lambda: pg.restart("immediate")),
        (0.80, "campus-safety sweep hazards", sweep),
        (0.88, "reporting worker SIGKILL, restart", kill_and_restart("reporting")),
    ]
    timeline = []
    for fraction, name, inject in faults:
        wait_until(
            lambda f=fraction: tally.applied >= f * TRANSITIONS or done(),
            timeout=600,
            interval=0.02,
            message=f"{fraction:.0%} of the transitions",
        )
        at, t0 = tally.applied, time.monotonic()
        inject()
        timeline.append((name, at, time.monotonic() - t0))
    for thread in threads:
        thread.join(timeout=600)
    load_seconds = time.monotonic() - load_started
    assert not errors, errors
    assert tally.applied == TRANSITIONS
    sweep()  # the last one: hazards still late once the load is over get their flags

    # -- recovery: the pipeline drains; poll with deadlines --------------------------------
    recovery_started = time.monotonic()
    wait_until(
        lambda: unsent() == 0 and inbox("reporting") == inbox("education") == outbox_total(),
        timeout=240,
        interval=0.5,
        message="outboxes drained and inboxes complete",
    )
    recovery_seconds = time.monotonic() - recovery_started

    # -- the ledger, the single source of truth ------------------------------------------
    ledger_rows = dbs.rows(
        "hazards",
        "SELECT id, unit_code, status, version, COALESCE(overdue_notified_for = deadline "
        f"AND status IN ({OPEN_NOT_FIXED}), false) FROM hazards",
    )
    ledger_by_id = {r[0]: r for r in ledger_rows}
    ledger_counts = Counter((unit, status) for _, unit, status, _, _ in ledger_rows)
    ledger_steps = dbs.scalar(
        "hazards",
        "SELECT count(*) FROM hazard_transitions WHERE action NOT IN "
        "('overdue', 'acceptance_overdue', 'major_unresolved')",
    )
    outbox_ids = {r[0] for r in dbs.rows("hazards", "SELECT event_id FROM outbox")}
    overdue_subjects = [
        r[0]
        for r in dbs.rows(
            "hazards", "SELECT subject FROM outbox WHERE event_type = :t", t="hazard.overdue"
        )
    ]

    # 1. every transition a client saw applied is in the ledger once, none twice
    assert len(ledger_rows) == len(plans)
    assert ledger_steps == tally.applied == TRANSITIONS

    # 2. reporting's statistics (over HTTP) and its projection equal the ledger
    status, stats, _ = call(suite.ports["reporting"], "GET", "/statistics?group_by=unit", OFFICE)
    assert status == 200, stats
    api_counts = Counter(
        {
            (unit, st): n
            for unit, body in stats["by_unit"].items()
            for st, n in body["by_status"].items()
        }
    )
    assert api_counts == ledger_counts
    projection = dbs.rows(
        "reporting",
        "SELECT hazard_id, unit_code, status, last_sequence, overdue FROM hazard_projection",
    )
    assert sorted(projection) == sorted(ledger_rows)
    measures = {
        row["key"]: (row["found"], row["rectified"], row["in_remediation"], row["overdue"])
        for row in stats["rows"]
    }
    expected_measures = {
        unit: (
            sum(n for (u, _), n in ledger_counts.items() if u == unit),
            sum(n for (u, s), n in ledger_counts.items() if u == unit and s in FIXED),
            sum(
                n
                for (u, s), n in ledger_counts.items()
                if u == unit and s in ("in_remediation", "rectified")
            ),
            sum(1 for r in ledger_rows if r[1] == unit and r[4]),
        )
        for unit in UNITS
    }
    assert measures == expected_measures

    # 3. the outbox is drained; each consumer holds every hazard event exactly once
    assert unsent() == 0
    for service in ("reporting", "education"):
        ids = {
            r[0] for r in dbs.rows(service, "SELECT event_id FROM inbox WHERE source = 'hazards'")
        }
        assert ids == outbox_ids, f"{service}: {len(outbox_ids - ids)} missing"

    # 4. accountability: one overdue flag per hazard.overdue event in the ledger, resolved
    #    late exactly when the unit fixed the hazard afterwards (rectified or beyond)
    flags = fetch_flags(suite.ports["reporting"])
    flagged = Counter(flag["evidence"]["hazard_id"] for flag in flags)
    assert max(flagged.values(), default=1) == 1, "a hazard flagged twice"
    assert set(flagged) == set(overdue_subjects)
    assert len(overdue_subjects) == len(set(overdue_subjects))
    flag_status = {flag["evidence"]["hazard_id"]: flag["status"] for flag in flags}
    expected_status = {
        hazard_id: "resolved_late"
        if ledger_by_id[hazard_id][2] in (*FIXED, "rectified")
        else "open"
        for hazard_id in overdue_subjects
    }
    assert flag_status == expected_status
    assert all(suite.alive().values()), suite.alive()
    dead = {q: n for q, n in queue_depths(broker).items() if q.endswith(".dead")}
    assert set(dead) == {f"{s}.dead" for s in ("hazards", "education", "reporting")}
    assert not any(dead.values()), dead  # no message was parked as poison

    # -- the figures ---------------------------------------------------------------------
    total = time.monotonic() - started
    by_unit_status = ", ".join(f"{u}/{st} {n}" for (u, st), n in sorted(ledger_counts.items()))
    print()
    print(f"chaos: {TRANSITIONS} transitions by {CLIENTS} portals over HTTP, {len(plans)} hazards")
    print(
        f"  load {load_seconds:.1f}s ({TRANSITIONS / load_seconds:.0f} transitions/s with "
        f"faults); setup {setup_seconds:.1f}s; drained {recovery_seconds:.1f}s after the last "
        f"sweep; total {total:.1f}s"
    )
    for name, at, seconds in timeline:
        print(f"  fault at {at:>5} applied: {name} ({seconds:.1f}s)")
    for line in sweeps + notes:
        print(f"  {line}")
    print(
        f"  client retries {dict(tally.retries)}; steps applied with the answer lost "
        f"{tally.lost_responses}; resent creates answered by Idempotency-Key "
        f"{tally.replayed_creates}; resent steps refused by If-Match {tally.refused_replays}"
    )
    print(
        f"  transitions: client-counted {tally.applied} ({tally.creates} creates + "
        f"{tally.steps} steps) == ledger {ledger_steps}; hazards {len(ledger_rows)}"
    )
    print(f"  ledger == /statistics == projection by unit/status: {by_unit_status}")
    print(
        f"  projection rows == ledger rows (id, unit, status, version, overdue): "
        f"{len(projection)} == {len(ledger_rows)}"
    )
    print(f"  /statistics rows (found, rectified, in remediation, overdue): {measures}")
    print(
        f"  hazards outbox {len(outbox_ids)} events, unsent 0; inbox ids (source hazards): "
        f"reporting {inbox('reporting')}, education {inbox('education')}, the same set"
    )
    print(
        f"  overdue flags {len(flags)} == hazard.overdue events {len(overdue_subjects)}, "
        f"one per hazard; status {dict(Counter(flag_status.values()))} as the ledger says"
    )
    print(f"  dead letters: {dead}")
