"""Large ledger exports (issue 14 item 1): the web answers at once for a small ledger and
points a large one to the background export, which the hazards worker writes as a file
its requester downloads when ready, watching the progress; nobody else sees or gets it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from services.hazards import ledger_export
from services.hazards.export_jobs import commands
from services.hazards.models import Hazard
from shared.api import state
from tests.support.fixtures import bearer

JD = bearer("unit_manager", unit="JD", sub="manager-JD")
JD_AS_STAFF = bearer("grid_staff", unit="JD", sub="manager-JD")  # the same person, new role
JD2 = bearer("unit_manager", unit="JD", sub="deputy-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
SO = bearer("security_office", sub="office")
LIMIT = 3  # CAMPUS_EXPORT_SYNC_ROWS of these tests
FOUND = datetime(2021, 11, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app("hazards", files_dir=str(tmp_path / "files"), export_sync_rows=LIMIT)
    with app.app_context(), state().session_factory() as session, session.begin():
        for i in range(7):  # five of JD's, two of XX's
            unit = "JD" if i < 5 else "XX"
            session.add(
                Hazard(
                    number=f"YH-2021-{i:05d}",
                    unit_code=unit,
                    category="fire",
                    lead_department="BWC",
                    severity="general",
                    status="discovered",
                    description=f"{unit}的第{i}号隐患",
                    found_by="u-1",
                    found_at=FOUND + timedelta(hours=i),
                )
            )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def run_worker_step(app) -> str | None:
    """What the worker's export thread does once: claim a queued job and write it."""
    with app.app_context():
        factory, settings = state().session_factory, state().settings
    return commands.run_next(factory, settings)  # outside the app: the worker is a process


def numbers_in(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["隐患台账"]
    return [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]


def test_a_ledger_over_the_limit_is_pointed_to_the_background_export(client):
    response = client.get("/hazards/export.xlsx", headers=JD)  # five rows, limit three
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert "后台导出" in problem["detail"] and "5" in problem["detail"]
    assert problem["background_export"] == "/hazards/exports"
    assert (problem["rows"], problem["limit"]) == (5, LIMIT)


def test_a_small_ledger_is_still_answered_at_once(client):
    response = client.get("/hazards/export.xlsx", headers=XX)
    assert response.status_code == 200
    assert numbers_in(response.data) == ["YH-2021-00005", "YH-2021-00006"]
    disposition = unquote(response.headers["Content-Disposition"])
    today = datetime.now(ZoneInfo("Asia/Shanghai"))  # the campus day of the export
    # 隐患台账-<单位>-<日期>.xlsx; the unit's code where the grid's copy has no name for it
    assert f"隐患台账-XX-{today:%Y-%m-%d}.xlsx" in disposition


def test_the_background_export_runs_in_the_worker_and_only_its_requester_downloads_it(app, client):
    asked = client.post("/hazards/exports", json={"category": "fire"}, headers=JD)
    assert asked.status_code == 202
    location = asked.headers["Location"]
    queued = client.get(location, headers=JD).get_json()
    assert (queued["status"], queued["percent"], queued["status_label"]) == ("queued", 0, "排队中")
    assert client.get(f"{location}/file", headers=JD).status_code == 409  # not yet written
    for stranger in (JD2, XX, SO):  # the same unit, another unit, the whole campus
        assert client.get(location, headers=stranger).status_code == 403
        assert client.get(f"{location}/file", headers=stranger).status_code == 403

    assert run_worker_step(app) == asked.get_json()["id"]
    assert run_worker_step(app) is None  # nothing else waits

    done = client.get(location, headers=JD).get_json()
    assert (done["status"], done["rows_total"], done["rows_done"], done["percent"]) == (
        "done",
        5,
        5,
        100,
    )
    download = client.get(f"{location}/file", headers=JD)
    assert download.status_code == 200
    assert numbers_in(download.data) == [f"YH-2021-{i:05d}" for i in range(5)]  # JD's only
    assert done["file_name"] in unquote(download.headers["Content-Disposition"])
    for stranger in (JD2, XX, SO):
        assert client.get(f"{location}/file", headers=stranger).status_code == 403
    # The file was written for a unit manager's scope: the same person with another role
    # exports again.
    assert client.get(f"{location}/file", headers=JD_AS_STAFF).status_code == 403


def test_progress_is_visible_while_the_worker_writes(app, client, monkeypatch):
    monkeypatch.setattr(ledger_export, "PROGRESS_EVERY", 2)
    location = client.post("/hazards/exports", json={}, headers=JD).headers["Location"]
    seen: list[tuple[str, int, int]] = []
    record = commands._set

    def watched(factory, job_id, **values):
        record(factory, job_id, **values)
        status = client.get(location, headers=JD).get_json()  # what the person's page shows
        seen.append((status["status"], status["rows_done"], status["percent"]))

    monkeypatch.setattr(commands, "_set", watched)
    run_worker_step(app)
    assert ("running", 2, 40) in seen and ("running", 4, 80) in seen
    assert seen[-1] == ("done", 5, 100)


def test_a_finished_export_is_removed_after_a_day(app, client):
    location = client.post("/hazards/exports", json={}, headers=JD).headers["Location"]
    job_id = run_worker_step(app)
    with app.app_context():
        settings, factory = state().settings, state().session_factory
        path = commands.file_path(settings.files_dir, job_id)
        assert path.is_file()
        assert commands.purge(factory, settings) == {"removed": 0}  # still fresh
        later = datetime.now(UTC) + commands.KEEP + timedelta(minutes=1)
        assert commands.purge(factory, settings, later) == {"removed": 1}
    assert not path.exists()
    assert client.get(location, headers=JD).status_code == 404


def test_bad_filters_and_unknown_exports_are_problems(client):
    bad = client.post("/hazards/exports", json={"status": "nonsense"}, headers=JD)
    assert bad.status_code == 422 and "status" in bad.get_data(as_text=True)
    missing = client.get("/hazards/exports/00000000-0000-0000-0000-000000000000", headers=JD)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
