"""Restore drill: back up, wipe, restore; the ledger, attachments and statistics are identical.

Runs deploy/backup.sh and deploy/restore.sh as an operator would, against this test
session's PostgreSQL databases and a temporary attachments directory. The web apps are
used in-process (no workers): the reporting projection is fed the grid's and the hazard
service's outbox events directly through its handlers, as its consumer would.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from services.registry import SERVICES, create_app
from shared.db import make_session_factory
from shared.events.consumer import ACK, Delivery, apply_batch
from shared.events.outbox import OutboxMessage
from tests.support.fixtures import ROOT, bearer
from tests.support.handlers import handlers_of
from tests.support.workflow import STEPS_TO_CLOSE, headers

REPORTING_HANDLERS = handlers_of("reporting")

pytestmark = pytest.mark.integration

BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"
SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 4096
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4


def script_env(databases, files_dir: Path) -> dict[str, str]:
    """What the scripts read: the services' database URLs and attachments directory."""
    return {
        **os.environ,
        **{f"{s.upper()}_DATABASE_URL": url for s, url in databases.urls.items()},
        "CAMPUS_FILES_DIR": str(files_dir),
    }


@pytest.fixture
def drill(databases, amqp_url, tmp_path):
    files_dir = tmp_path / "files"
    config = {"amqp_url": amqp_url, "files_dir": str(files_dir)}
    apps = {
        service: create_app(service, {**config, "database_url": databases.urls[service]})
        for service in ("grid", "hazards", "reporting")
    }
    return {
        "databases": databases,
        "clients": {name: app.test_client() for name, app in apps.items()},
        "files_dir": files_dir,
        "env": script_env(databases, files_dir),
        "backups": tmp_path / "backups",
    }


def ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def populate(drill) -> None:
    grid, hazards = drill["clients"]["grid"], drill["clients"]["hazards"]

    def post(path, body):
        return ok(grid.post(path, json=body, headers=SO), 201)

    post("/units", {"code": "JD", "name": "机电工程学院", "kind": "college"})
    post("/units", {"code": "XX", "name": "信息工程学院", "kind": "college"})
    root = post("/cells", {"code": "C", "name": "学院", "area_type": "campus"})
    for code in ("JD", "XX"):
        unit = post(
            "/cells",
            {
                "code": code,
                "name": code,
                "area_type": "unit",
                "parent_id": root["id"],
                "unit_code": code,
            },
        )
        post(
            "/cells",
            {
                "code": f"{code}-D1",
                "name": "1号宿舍楼",
                "area_type": "dormitory",
                "parent_id": unit["id"],
            },
        )

    created = []
    for i, (unit, category) in enumerate(
        [("JD", "fire"), ("JD", "lab_chemicals"), ("XX", "fire"), ("XX", "traffic")]
    ):
        body = {"unit_code": unit, "category": category, "description": f"演练隐患 #{i} 灭火器过期"}
        created.append(ok(hazards.post("/hazards", json=body, headers=SO), 201))
    for path, body, role, sub in STEPS_TO_CLOSE:  # the first one goes round the loop
        who = headers(role, sub, "JD")
        ok(hazards.post(f"/hazards/{created[0]['id']}/{path}", json=body, headers=who))
    ok(
        hazards.post(
            f"/hazards/{created[2]['id']}/register",
            json={"deadline": "2030-06-30", "severity": "major"},
            headers=headers("unit_manager", "manager", "XX"),
        )
    )
    for hazard, content, name in ((created[1], JPEG, "现场.jpg"), (created[1], PDF, "整改.pdf")):
        ok(
            hazards.post(
                f"/hazards/{hazard['id']}/attachments",
                data={"file": (io.BytesIO(content), name)},
                content_type="multipart/form-data",
                headers=JD,
            ),
            201,
        )

    # The reporting consumer's work, without a worker: every grid and hazard event, in order.
    databases = drill["databases"]
    deliveries = []
    for source in ("grid", "hazards"):
        with databases.engine(source).connect() as conn:
            bodies = conn.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
        deliveries += [Delivery(len(deliveries) + i, b.encode(), 0) for i, b in enumerate(bodies)]
    factory = make_session_factory(databases.engine("reporting"))
    with factory() as session:
        outcomes = apply_batch(session, REPORTING_HANDLERS, deliveries)
        session.commit()
    assert set(outcomes.values()) == {ACK}
    assert databases.scalar("reporting", "SELECT count(*) FROM hazard_projection") == 4


def snapshot(drill) -> dict:
    """What an auditor would compare: the ledger, its files, the grid and the statistics."""
    grid, hazards, reporting = (drill["clients"][s] for s in ("grid", "hazards", "reporting"))
    ledger = hazards.get("/hazards?page_size=100", headers=SO)
    state = {
        "ledger": ok(ledger),
        "ledger_pagination": ledger.headers.get("X-Pagination"),
        "histories": {},
        "attachments": {},
        "units": ok(grid.get("/units", headers=SO)),
        "cells": ok(grid.get("/cells", headers=SO)),
        "statistics": {
            group: ok(reporting.get(f"/statistics?group_by={group}", headers=SO))
            for group in ("unit", "category", "severity")
        },
    }
    for hazard in state["ledger"]:
        hazard_id = hazard["id"]
        state["histories"][hazard_id] = ok(hazards.get(f"/hazards/{hazard_id}/history", headers=SO))
        for attachment in ok(hazards.get(f"/hazards/{hazard_id}/attachments", headers=SO)):
            download = hazards.get(
                f"/hazards/{hazard_id}/attachments/{attachment['id']}", headers=SO
            )
            assert download.status_code == 200
            state["attachments"][attachment["id"]] = (attachment, download.get_data())
            download.close()
    return state


def run(script: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )


def backup(drill) -> Path:
    result = run(BACKUP, str(drill["backups"]), env=drill["env"])
    assert result.returncode == 0, result.stderr
    (directory,) = drill["backups"].glob("campus-safety-*Z")
    return directory


def wipe(drill) -> None:
    """Lose everything: every table of every database (Alembic's too), every file."""
    databases = drill["databases"]
    for service in SERVICES:
        engine = databases.engine(service)
        engine.dispose()  # no pooled session should outlive the wipe
        with engine.begin() as conn:
            tables = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    shutil.rmtree(drill["files_dir"])


def test_backup_wipe_restore_gives_back_the_same_ledger_files_and_statistics(drill):
    populate(drill)
    before = snapshot(drill)
    assert len(before["ledger"]) == 4 and len(before["attachments"]) == 2
    assert {content for _, content in before["attachments"].values()} == {JPEG, PDF}
    assert before["statistics"]["unit"]["total"] == 4

    directory = backup(drill)
    manifest = (directory / "manifest").read_text(encoding="utf-8")
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [*(f"{s}.pgdump" for s in SERVICES), "files.tar", "manifest"]
    )
    for service in SERVICES:
        revision = drill["databases"].scalar(service, "SELECT version_num FROM alembic_version")
        assert f"database {service} postgresql {revision} {service}.pgdump" in manifest

    wipe(drill)
    hazards = drill["clients"]["hazards"]
    assert ok(hazards.get("/hazards", headers=SO)) == []
    assert ok(drill["clients"]["grid"].get("/units", headers=SO)) == []
    assert ok(drill["clients"]["reporting"].get("/statistics", headers=SO))["total"] == 0
    assert not drill["files_dir"].exists()
    for service in SERVICES:
        assert drill["databases"].scalar(service, "SELECT count(*) FROM alembic_version") == 0

    result = run(RESTORE, str(directory), env=drill["env"])
    assert result.returncode == 0, result.stderr
    for service in SERVICES:
        assert f"{service}: restored {service}.pgdump" in result.stdout
    assert "attachments: extracted 2 files" in result.stdout

    after = snapshot(drill)
    assert json.dumps(after["ledger"], sort_keys=True) == json.dumps(
        before["ledger"], sort_keys=True
    )
    assert after["attachments"] == before["attachments"]  # metadata and bytes, via the API
    assert after["statistics"] == before["statistics"]
    assert after == before


def test_restore_refuses_a_backup_with_one_byte_changed(drill, tmp_path):
    populate(drill)
    pristine = backup(drill)
    ledger_before = ok(drill["clients"]["hazards"].get("/hazards", headers=SO))
    for victim in ("hazards.pgdump", "files.tar", "manifest"):
        directory = tmp_path / f"damaged-{victim}"
        shutil.copytree(pristine, directory)
        path = directory / victim
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))

        result = run(RESTORE, str(directory), env=drill["env"])
        assert result.returncode != 0, victim
        assert "refusing" in result.stderr, victim
        if victim != "manifest":
            assert f"{victim} (sha256 mismatch)" in result.stderr
        assert "restored" not in result.stdout  # nothing was touched
    assert ok(drill["clients"]["hazards"].get("/hazards", headers=SO)) == ledger_before
    assert run(RESTORE, "--verify-only", str(pristine), env=drill["env"]).returncode == 0


def test_the_scripts_refuse_to_run_without_the_services_environment(databases, tmp_path):
    env = script_env(databases, tmp_path / "files")
    without = {k: v for k, v in env.items() if k != "HAZARDS_DATABASE_URL"}
    result = run(BACKUP, str(tmp_path / "out"), env=without)
    assert result.returncode == 2
    assert "HAZARDS_DATABASE_URL" in result.stderr and "not set" in result.stderr
    assert not (tmp_path / "out").exists()

    result = run(BACKUP, str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    (directory,) = (tmp_path / "out").glob("campus-safety-*Z")
    without = {k: v for k, v in env.items() if k != "CAMPUS_FILES_DIR"}
    result = run(RESTORE, str(directory), env=without)
    assert result.returncode == 2
    assert "CAMPUS_FILES_DIR" in result.stderr and "not set" in result.stderr
