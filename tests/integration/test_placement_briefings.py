"""A pre-departure briefing held in education confirms the placement's briefing in the
hazards register, end to end (education outbox → relay → RabbitMQ → hazards consumer):
the placement that could not start for want of it then starts."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.registry import create_app
from shared.timeutil import campus_today, utcnow
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
UNITS = "('BWC', '安全保卫处', 'office', 1), ('JD', '机电工程学院', 'college', 1)"
PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_held_briefing_lets_the_placement_start(databases, amqp_url, processes, tmp_path):
    for service in ("education", "hazards"):
        with databases.engine(service).begin() as conn:
            conn.execute(
                text(f"INSERT INTO grid_units (code, name, kind, last_sequence) VALUES {UNITS}")
            )
    with databases.engine("hazards").begin() as conn:
        conn.execute(
            text(
                "INSERT INTO grid_cells (cell_id, code, name, level, parent_id, unit_code, "
                "area_type, location, last_sequence) VALUES "
                "('jd', 'JD', '机电工程学院', 2, NULL, 'JD', 'teaching', NULL, 1)"
            )
        )
    env = suite_env(databases, amqp_url)
    processes.worker("education", env)
    processes.worker("hazards", env)
    edu = create_app(
        "education", {"amqp_url": amqp_url, "database_url": databases.urls["education"]}
    ).test_client()
    haz = create_app(
        "hazards",
        {
            "amqp_url": amqp_url,
            "database_url": databases.urls["hazards"],
            "files_dir": str(tmp_path / "files"),
        },
    ).test_client()

    now = utcnow()
    briefing = edu.post(
        "/activities",
        json={
            "kind": "lecture",
            "title": "跟岗实习行前安全教育",
            "organiser_unit": "JD",
            "targets": [{"unit_code": "JD"}],
            "venue": "JD 小礼堂",
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
        headers=SO,
    )
    assert briefing.status_code == 201, briefing.get_json()
    activity_id = briefing.get_json()["id"]
    today = campus_today("Asia/Shanghai")
    body = {
        "kind": "internship",
        "title": "跟岗实习",
        "cell_id": "jd",
        "host_name": "兰州机床厂",
        "leader_name": "李老师",
        "starts_on": (today + timedelta(days=3)).isoformat(),
        "ends_on": (today + timedelta(days=33)).isoformat(),
        "student_count": 30,
        "insurance_policy_no": "PICC-001",
        "insurance_from": (today + timedelta(days=3)).isoformat(),
        "insurance_to": (today + timedelta(days=33)).isoformat(),
        "briefing_activity_id": activity_id,
    }
    made = haz.post("/placements", json=body, headers=JD)
    assert made.status_code == 201, made.get_json()
    pid = made.get_json()["id"]
    sent = haz.post(
        f"/placements/{pid}/agreement",
        data={"file": (io.BytesIO(PDF), "安全协议.pdf")},
        headers=JD,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_json()
    refused = haz.post(f"/placements/{pid}/start", json={}, headers=JD)
    assert refused.status_code == 409
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["briefing"]

    held = edu.post(f"/activities/{activity_id}/held", json={"participants": 30}, headers=SO)
    assert held.status_code == 200, held.get_json()

    def briefed() -> str | None:
        return haz.get(f"/placements/{pid}", headers=JD).get_json()["briefing_held_on"]

    wait_until(lambda: briefed() is not None, timeout=30, message="the briefing confirmed")
    assert briefed() == campus_today("Asia/Shanghai", now - timedelta(hours=2)).isoformat()
    started = haz.post(f"/placements/{pid}/start", json={}, headers=JD)
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["status"] == "under_way"
