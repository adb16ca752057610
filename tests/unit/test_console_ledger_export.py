"""The console's ledger export (issue 14 item 1), against the real hazard service: a ledger
too large to answer at once offers the background export; its page shows the progress and
reloads itself until the 下载 link appears, and the link hands over the worker's file."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from services.console.client import Reply, ServiceError
from services.hazards.export_jobs import commands
from shared.api import state
from tests.support.fixtures import bearer
from tests.unit.test_console_app import client, csrf, fake, sign_in  # noqa: F401
from tests.unit.test_hazard_export_jobs import app, numbers_in  # noqa: F401

JD = bearer("unit_manager", unit="JD", sub="manager-JD")  # the signed-in person, as a token


@pytest.fixture
def hazards(app, fake, monkeypatch):  # noqa: F811
    """The console's hazard calls answered by the real service (the rest by the fake)."""
    service = app.test_client()

    def call(name, method, path, *, token, params=None, json_body=None, headers=None, **kw):
        if name != "hazards" or path == "/labels":
            return fake(name, method, path, token=token, params=params, json_body=json_body, **kw)
        answer = service.open(
            path, method=method, query_string=params, json=json_body, headers={**JD}
        )
        if answer.status_code >= 400:
            raise ServiceError(answer.status_code, answer.get_json() or {}, "hazards")
        sent = {k.lower(): v for k, v in answer.headers.items()}
        return Reply(answer.status_code, sent, answer.data, answer.content_type)

    monkeypatch.setattr("services.console.views.common.call", call)
    return app


def test_a_large_ledger_is_exported_in_the_background_with_progress(client, fake, hazards):  # noqa: F811
    sign_in(client, fake)
    fake.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]
    # Five of JD's hazards, over the limit: the 导出 link offers the background export.
    offer = client.get("/hazards/export.xlsx?category=fire").get_data(as_text=True)
    assert "超过直接导出的上限" in offer and "开始后台导出" in offer
    assert 'name="category" value="fire"' in offer  # the ledger's filters go along

    token = csrf(client, "/hazards/export.xlsx?category=fire")
    started = client.post("/hazards/exports", data={"csrf_token": token, "category": "fire"})
    assert started.status_code == 302
    progress_url = started.location
    waiting = client.get(progress_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in waiting  # reloads itself
    assert "排队中" in waiting and "export-download" not in waiting

    with hazards.app_context():
        factory, settings = state().session_factory, state().settings
    commands.run_next(factory, settings)  # the worker's step

    ready = client.get(progress_url).get_data(as_text=True)
    assert "http-equiv" not in ready and "已完成" in ready and "100%" in ready
    link = re.search(r'id="export-download"[^>]*href="([^"]+)"', ready).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert numbers_in(download.data) == [f"YH-2021-{i:05d}" for i in range(5)]
    assert openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames == ["隐患台账"]
