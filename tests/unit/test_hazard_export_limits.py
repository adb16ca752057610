"""Background exports cannot be queued without end (security review of issue 14): while a
person's export is queued or running, asking again answers that one; and a person starts
at most ``commands.MAX_PER_DAY`` exports in 24 hours (429, in Chinese)."""

from __future__ import annotations

from datetime import timedelta

from services.hazards.export_jobs import commands
from services.hazards.models import ExportJob
from shared.api import state
from shared.timeutil import utcnow
from tests.unit.test_hazard_export_jobs import (  # noqa: F401 (fixtures)
    JD,
    JD2,
    app,
    client,
    run_worker_step,
)


def jobs(service) -> list[ExportJob]:
    with service.app_context(), state().session_factory() as session:
        return list(session.query(ExportJob).order_by(ExportJob.created_at))


def test_asking_again_while_an_export_waits_answers_the_same_export(app, client):  # noqa: F811
    first = client.post("/hazards/exports", json={}, headers=JD)
    assert first.status_code == 202
    for body in ({}, {"category": "fire"}):
        again = client.post("/hazards/exports", json=body, headers=JD)
        assert again.status_code == 202, again.get_json()
        assert again.headers["Location"] == first.headers["Location"]
        assert again.get_json()["id"] == first.get_json()["id"]
    other = client.post("/hazards/exports", json={}, headers=JD2)  # another person: their own
    assert other.headers["Location"] != first.headers["Location"]
    assert len(jobs(app)) == 2
    while run_worker_step(app):
        pass
    after = client.post("/hazards/exports", json={}, headers=JD)  # done: a new one
    assert after.status_code == 202
    assert after.headers["Location"] != first.headers["Location"]


def test_a_person_starts_a_limited_number_of_exports_a_day(app, client):  # noqa: F811
    now = utcnow()
    with app.app_context(), state().session_factory.begin() as session:
        for hours in [25] * 5 + [1] * (commands.MAX_PER_DAY - 1):  # 5 of yesterday's
            created = now - timedelta(hours=hours)
            session.add(
                ExportJob(
                    requested_by="manager-JD",
                    roles=["unit_manager"],
                    unit="JD",
                    filters={},
                    title="t",
                    status=commands.DONE,
                    created_at=created,
                    finished_at=created,
                )
            )
    last = client.post("/hazards/exports", json={}, headers=JD)
    assert last.status_code == 202, last.get_json()
    run_worker_step(app)
    refused = client.post("/hazards/exports", json={}, headers=JD)
    assert refused.status_code == 429, refused.get_json()
    assert refused.content_type == "application/problem+json"
    assert str(commands.MAX_PER_DAY) in refused.get_json()["detail"]
    assert "导出" in refused.get_json()["detail"]
    assert len(jobs(app)) == 5 + commands.MAX_PER_DAY  # nothing queued
    assert client.post("/hazards/exports", json={}, headers=JD2).status_code == 202
