"""Benchmark of the province's view (issue 19): three campuses publish, RabbitMQ federation
carries, the province ingests.

Run from the repository root (needs the rabbitmq_federation plugin, as .ci/run enables)::

    .venv/bin/python bench/province.py [--messages 2000] [--samples 40]

Everything runs on this machine's PostgreSQL and RabbitMQ, in resources of the run's own
(three campus vhosts with their broker users and reporting databases, a province vhost and
database, linked by the federation plugin: tests/support/province.py), removed at the end.
The real processes run: one reporting worker per campus (``--relay-only``: its province
publisher) and the province worker. Two figures:

1. ingest: ``--messages`` major-hazard messages are committed to each campus's province
   outbox, then the three campus workers start at once; the figure is the messages the
   province applied per second, from its first inbox row to its last (``processed_at``);
2. submission → province figure: one unit's table submitted at a time, round robin over
   the campuses, with everything idle; the time from the submission's commit to the
   province's row holding that campus's new figures (polled every 2 ms), p50 and p99.

It is a benchmark, not a test: exit code 0 whether or not the targets are met.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text  # noqa: E402

from services.province.models import CollegeFigures  # noqa: E402
from services.reporting.models import CampaignUnit, ReportingDue  # noqa: E402
from services.reporting.province import messages  # noqa: E402
from services.reporting.province.link import province_link  # noqa: E402
from shared.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from tests.support.province import (  # noqa: E402
    OFFICE,
    TZ,
    Installation,
    campus_env,
    ctl,
    federated,
    province_env,
    province_worker_args,
)

# messages/s (100 colleges × a campaign ≈ 20,000 messages: under 4 minutes), ms, ms
TARGETS = {"ingest": 100.0, "p50": 1000.0, "p99": 3000.0}


def spawn(name: str, args: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait(probe, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def preload(campus: Installation, count: int) -> None:
    link = province_link(campus.settings)
    with unit_of_work(campus.factory) as session:
        for n in range(count):
            messages.record(
                session,
                link,
                "province.major_hazard",
                f"bench:{n}",
                {
                    "number": f"YH-B-{n:05d}",
                    "category": "fire",
                    "place": None,
                    "responsible_unit": "机电工程学院",
                    "found_on": date(2021, 11, 10),
                    "deadline": None,
                    "closed_on": None,
                    "stage": "registered",
                },
                sequence=1,
            )


def ingest_rate(province_engine, total: int) -> tuple[float, float]:
    with province_engine.connect() as conn:
        first, last = conn.execute(
            text("SELECT min(processed_at), max(processed_at) FROM inbox")
        ).one()
    seconds = max((last - first).total_seconds(), 1e-6)
    return total / seconds, seconds


def submission_latencies(campuses: list[Installation], factory, samples: int) -> list[float]:
    plan = []
    with campuses[0].factory() as session:
        dues = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).all()
        units = sorted(session.scalars(select(CampaignUnit.unit_code)))
    for due_index, _ in enumerate(dues):
        for unit in units:
            plan.append((due_index, unit))
    latencies: list[float] = []
    submitted: dict[tuple[int, int], int] = {}  # (campus, due) → submissions: the sequence
    for n in range(samples):
        index = n % len(campuses)
        campus = campuses[index]
        due_index, unit = plan[n // len(campuses)]
        link = province_link(campus.settings)
        with unit_of_work(campus.factory) as session:
            due = session.scalars(select(ReportingDue).order_by(ReportingDue.due_on)).all()[
                due_index
            ]
            at = datetime(2021, 11, 20, 2, tzinfo=UTC)
            commands_submit(session, due, unit, at, link)
            period_end = due.period_end
        started = time.perf_counter()
        key = (index, due_index)
        submitted[key] = want = submitted.get(key, 0) + 1

        def arrived(campus_id=campus.campus.campus_id, want=want, end=period_end) -> bool:
            with factory() as s:
                row = s.get(CollegeFigures, (campus_id, "LZXD-2021", end))
            return row is not None and row.last_sequence >= want

        wait(arrived, 30, "the province's figure", interval=0.002)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def commands_submit(session, due, unit, at, link) -> None:
    from services.reporting import commands

    commands.submit(session, OFFICE, due.campaign_id, due.id, unit, at, TZ, link)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per campus, for ingest")
    parser.add_argument("--samples", type=int, default=40, help="submissions timed")
    args = parser.parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="bench-province-"))
    processes: list[subprocess.Popen] = []
    with federated("bench") as (province, campuses):
        installs = [Installation(c) for c in campuses]
        province_engine = make_engine(province.db_url)
        try:
            processes.append(
                spawn("province", province_worker_args(), province_env(province, campuses), logs)
            )
            wait(
                lambda: (
                    "province.events\t1"
                    in ctl("list_queues", "-q", "-p", province.vhost, "name", "consumers")
                ),
                60,
                "the province consumer",
            )
            for install in installs:
                preload(install, args.messages)
            total = args.messages * len(installs)
            print(f"ingest: {total} messages from {len(installs)} campuses at once …", flush=True)
            started = time.monotonic()
            for n, campus in enumerate(campuses):
                worker = [sys.executable, "-m", "services.reporting.worker", "--relay-only"]
                processes.append(spawn(f"campus-{n}", worker, campus_env(campus), logs))
            with province_engine.connect() as conn:
                count = lambda: conn.execute(text("SELECT count(*) FROM inbox")).scalar() >= total  # noqa: E731
                wait(count, 600, "the province's inbox", interval=0.2)
            rate, seconds = ingest_rate(province_engine, total)
            wall = time.monotonic() - started
            print(f"  {rate:.0f} messages/s ({seconds:.1f} s applying; {wall:.1f} s with start-up)")
            with province_engine.connect() as conn:
                inbox, hazards, database = conn.execute(
                    text(
                        "SELECT pg_total_relation_size('inbox'), "
                        "pg_total_relation_size('major_hazards'), "
                        "pg_database_size(current_database())"
                    )
                ).one()
            print(
                f"  stored: inbox {inbox / total:.0f} B and major_hazards {hazards / total:.0f} B "
                f"per message; database {database / 2**20:.1f} MiB"
            )
            print(f"submission → province figure: {args.samples} submissions …", flush=True)
            factory = make_session_factory(province_engine)
            latencies = submission_latencies(installs, factory, args.samples)
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
            print(f"  p50 {p50:.0f} ms, p99 {p99:.0f} ms (max {max(latencies):.0f} ms)")
            print(f"  mean {sum(latencies) / len(latencies):.0f} ms")
            one, five, _ = os.getloadavg()
            print(f"load average {one:.2f} {five:.2f} on {os.cpu_count()} cores")
            verdicts = {
                f"ingest ≥ {TARGETS['ingest']:.0f}/s": rate >= TARGETS["ingest"],
                f"p50 < {TARGETS['p50']:.0f} ms": p50 < TARGETS["p50"],
                f"p99 < {TARGETS['p99']:.0f} ms": p99 < TARGETS["p99"],
            }
            met = "; ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in verdicts.items())
            print(f"targets: {met}")
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            province_engine.dispose()
            for install in installs:
                install.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
