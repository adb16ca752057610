"""Where a write's time goes: cProfile over POST /hazards and a transition, in process.

Run from the repository root::

    .venv/bin/python bench/profile_writes.py [--requests 2000] [--top 25]

The hazards app (``services.hazards:create_app()``, JSON logs as in production) and the bare
app of ``api_load.py`` (one row plus an outbox row, no framework) are driven through Flask's
test client against one scratch PostgreSQL database of the run (``bench_prof_<pid>``,
migrated, dropped at the end), one request after another, under ``cProfile``. No HTTP server
and no load generator take a share of the two cores, so the profile shows the app's own CPU:
what the issue asks to remove is what is *not* the database (``psycopg`` waiting, execute).

It prints, for each of bare POST, project POST, project register (登记评估, a transition
with its outbox row), bare GET and project GET, the mean wall time and the process's CPU time
per request and the ratios to the bare app (the CPU ratio is the one other load on a shared
machine hardly moves), then, for POST and register under cProfile, the project's top entries
by own time (tottime) and the cumulative time of the hot path's stages.
It is a profile, not a test: exit code 0 unless something failed. bench/README.md records its
top entries before and after the write path was trimmed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432"

if __package__:
    from bench.scratch_db import create_database, drop_database
else:
    from scratch_db import create_database, drop_database

UNITS = ("JD", "XX", "CW", "TY", "WY")
CATEGORIES = ("fire", "traffic", "food", "lab_chemicals", "construction")
# Stages of the hot path whose cumulative share is printed (function name substrings).
STAGES = (
    ("flask dispatch", "full_dispatch_request"),
    ("authentication", "current_principal"),
    ("request schema (marshmallow load)", "_load"),
    ("response schema (marshmallow dump)", "_serialize"),
    ("ORM flush", "flush"),
    ("commit", "commit"),
    ("psycopg execute", "execute"),
    ("logging", "callHandlers"),
)


def body(i: int) -> dict:
    return {
        "unit_code": UNITS[i % len(UNITS)],
        "category": CATEGORIES[i % len(CATEGORIES)],
        "description": f"剖析隐患 profile {i}：灭火器过期",
        "location": f"{i % 20 + 1}号楼",
    }


def timed(label: str, count: int, call: Callable[[int], None], prof: cProfile.Profile | None):
    """Mean wall time per request (ms), printed with the process's CPU time per request,
    which other load on the machine hardly changes (the app's own cost, not the wait)."""
    for i in range(min(50, count)):  # warm-up: first-request imports, pools, caches
        call(-1 - i)
    started, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    for i in range(count):
        call(i)
    if prof:
        prof.disable()
    per = (time.perf_counter() - started) / count * 1000
    cpu_per = (time.process_time() - cpu) / count * 1000
    print(
        f"  {label:<28} {per:7.2f} ms per request, CPU {cpu_per:5.2f} ms ({count} requests)",
        flush=True,
    )
    return per, cpu_per


def stage_lines(stats: pstats.Stats, total: float) -> list[str]:
    lines = []
    entries = stats.stats  # type: ignore[attr-defined]
    for label, needle in STAGES:
        cum = max(
            (v[3] for (_f, _l, name), v in entries.items() if name == needle or needle in name),
            default=0.0,
        )
        lines.append(f"  {label:<36} {cum:7.2f} s  ({cum / total:5.1%} of the profiled time)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CAMPUS_LOG_FORMAT", "json")

    from sqlalchemy import create_engine

    from bench.api_load import BARE_URL_ENV, BareBase, bare_app
    from services.hazards import create_app
    from shared.auth import mint_token
    from shared.config import DEV_JWT_SECRET
    from shared.migrations import upgrade
    from shared.principal import SECURITY_OFFICE

    database = f"bench_prof_{os.getpid()}"
    url = f"{PG_BASE}/{database}"
    created = False
    try:
        print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f} (1 min)")
        create_database(database)
        created = True
        upgrade("hazards", url)
        engine = create_engine(url)
        BareBase.metadata.create_all(engine)
        engine.dispose()
        os.environ[BARE_URL_ENV] = url
        bare = bare_app().test_client()
        files = tempfile.mkdtemp(prefix="bench_prof_")
        project = create_app({"database_url": url, "files_dir": files}).test_client()
        token = mint_token(DEV_JWT_SECRET, "bench-so", [SECURITY_OFFICE], name="安全保卫处")
        auth = {"Authorization": f"Bearer {token}"}
        created_ids: list[str] = []

        bare_ids: list[str] = []

        def bare_post(i: int) -> None:
            resp = bare.post("/item", json=body(i))
            assert resp.status_code == 201, resp.get_data(as_text=True)
            bare_ids.append(resp.get_json()["id"])

        def project_post(i: int) -> None:
            resp = project.post("/hazards", json=body(i), headers=auth)
            assert resp.status_code == 201, resp.get_data(as_text=True)
            if i >= 0:
                created_ids.append(resp.get_json()["id"])

        def project_register(i: int) -> None:
            # the warm-up registers the last hazards created, the measured run the first n
            hazard_id = created_ids[i] if i >= 0 else created_ids[i]
            resp = project.post(
                f"/hazards/{hazard_id}/register",
                json={"severity": "general", "comment": "登记", "deadline": deadline},
                headers=auth,
            )
            assert resp.status_code == 200, resp.get_data(as_text=True)

        n = args.requests
        deadline = (date.today() + timedelta(days=30)).isoformat()

        def bare_get(i: int) -> None:
            resp = bare.get(f"/item/{bare_ids[i % len(bare_ids)]}")
            assert resp.status_code == 200, resp.get_data(as_text=True)

        def project_get(i: int) -> None:
            resp = project.get(f"/hazards/{created_ids[i % len(created_ids)]}", headers=auth)
            assert resp.status_code == 200, resp.get_data(as_text=True)

        n = args.requests
        deadline = (date.today() + timedelta(days=30)).isoformat()
        print("mean time per request (in process, one at a time, no profiler):")
        bare_ms, bare_cpu = timed("bare POST", n, bare_post, None)
        post_ms, post_cpu = timed("project POST", n, project_post, None)
        reg_ms, reg_cpu = timed("project register", n - 50, project_register, None)
        bare_get_ms, bare_get_cpu = timed("bare GET", n, bare_get, None)
        get_ms, get_cpu = timed("project GET", n, project_get, None)
        print("ratios to the bare app (bare is 1.00), by wall time and by CPU time:")
        for label, wall, cpu, base_wall, base_cpu in (
            ("project POST / bare POST", post_ms, post_cpu, bare_ms, bare_cpu),
            ("project register / bare POST", reg_ms, reg_cpu, bare_ms, bare_cpu),
            ("project GET / bare GET", get_ms, get_cpu, bare_get_ms, bare_get_cpu),
        ):
            print(f"  {label:<30} {base_wall / wall:5.2f} wall, {base_cpu / cpu:5.2f} CPU")
        print("the same again under cProfile:")
        prof = cProfile.Profile()
        created_ids.clear()
        timed("project POST", n, project_post, prof)
        timed("project register", n - 50, project_register, prof)

        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"\nprofiled: {total:.2f} s over {2 * n - 50} project requests")
        print("\n".join(stage_lines(stats, total)))
        stats.sort_stats("tottime").print_stats(args.top)
        own = io.StringIO()
        pstats.Stats(prof, stream=own).sort_stats("cumulative").print_stats(
            r"/(services|shared)/", args.top
        )
        print(f"\ntop {args.top} by own time (tottime):")
        print(
            "\n".join(
                line
                for line in out.getvalue().splitlines()
                if line.strip() and not line.startswith(("   Ordered", "         "))
            )
        )
        print(f"\ntop {args.top} of the project's own functions by cumulative time:")
        print(
            "\n".join(
                line
                for line in own.getvalue().splitlines()
                if line.strip() and not line.startswith(("   Ordered", "         "))
            )
        )
        print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
        return 0
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        if created:
            drop_database(database)


if __name__ == "__main__":
    sys.exit(main())
