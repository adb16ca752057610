"""A driver's safety education attended in education lets the driver drive again, end to
end (education outbox → relay → RabbitMQ → hazards consumer): a trip refused for want of
education (409) is accepted once the driver has signed in to a safety lecture with the
room's code; the same event delivered twice changes nothing more."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pika
import pytest
from sqlalchemy import text

from services.registry import create_app
from shared.events.topology import connect
from shared.timeutil import campus_today, utcnow
from tests.support.fixtures import bearer, suite_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

SO = bearer("security_office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
DRIVER = bearer("grid_staff", unit="JD", sub="D0042")
UNITS = "('BWC', '安全保卫处', 'office', 1), ('JD', '机电工程学院', 'college', 1)"


def test_an_attended_safety_lecture_lets_the_driver_drive(databases, amqp_url, processes, tmp_path):
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
                "('garage', 'JD-G1', '机电工程学院车库', 3, NULL, 'JD', 'teaching', NULL, 1)"
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

    today = campus_today("Asia/Shanghai")
    far = (today + timedelta(days=700)).isoformat()
    vehicle = haz.post(
        "/vehicles",
        json={
            "plate_no": "甘A12345",
            "kind": "commuter",
            "cell_id": "garage",
            "inspection_due": far,
            "insurance_due": far,
        },
        headers=JD,
    )
    assert vehicle.status_code == 201, vehicle.get_json()
    lapsed_on = (today - timedelta(days=400)).isoformat()  # educated over a year ago
    driver = haz.post(
        "/drivers",
        json={
            "name": "张师傅",
            "staff_no": "D0042",
            "cell_id": "garage",
            "licence_class": "A1",
            "licence_expiry": far,
            "last_education_on": lapsed_on,
        },
        headers=JD,
    )
    assert driver.status_code == 201, driver.get_json()
    driver_id = driver.get_json()["id"]
    trip = {
        "vehicle_id": vehicle.get_json()["id"],
        "driver_id": driver_id,
        "trip_on": today.isoformat(),
        "purpose": "接送实训学生",
    }
    refused = haz.post("/trips", json=trip, headers=JD)
    assert refused.status_code == 409, refused.get_json()
    assert [p["name"] for p in refused.get_json()["invalid_params"]] == ["driver_id"]
    assert "安全教育" in refused.get_json()["detail"]

    now = utcnow()
    lecture = edu.post(
        "/activities",
        json={
            "kind": "lecture",
            "title": "驾驶员交通安全教育",
            "theme": "交通安全",
            "organiser_unit": "BWC",
            "targets": [{"unit_code": "JD"}],
            "venue": "保卫处会议室",
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(minutes=50)).isoformat(),
        },
        headers=SO,
    )
    assert lecture.status_code == 201, lecture.get_json()
    path = f"/activities/{lecture.get_json()['id']}"
    person = {"person_ref": "D0042", "name": "张师傅", "unit_code": "JD"}
    enrolled = edu.post(f"{path}/enrolments", json={"people": [person]}, headers=SO)
    assert enrolled.status_code == 200, enrolled.get_json()
    code = edu.get(f"{path}/sign-in", headers=SO).get_json()["code"]
    signed = edu.post(f"{path}/check-in", json={"code": code}, headers=DRIVER)
    assert signed.status_code == 200, signed.get_json()

    def educated() -> dict:
        return haz.get(f"/drivers/{driver_id}", headers=JD).get_json()

    wait_until(
        lambda: educated()["last_education_on"] != lapsed_on,
        timeout=30,
        message="the attended lecture taken as the driver's safety education",
    )
    got = educated()
    held_on = campus_today("Asia/Shanghai", now - timedelta(minutes=10)).isoformat()
    assert got["last_education_on"] == held_on
    assert got["education_source"] == "教育活动《驾驶员交通安全教育》"
    accepted = haz.post("/trips", json=trip, headers=JD)
    assert accepted.status_code == 201, accepted.get_json()

    # The same event again (a broker's redelivery) and the same attendance announced again
    # under a new event id: neither changes the driver (its version stays).
    with databases.engine("education").connect() as conn:
        body = conn.execute(
            text("SELECT body FROM outbox WHERE event_type = 'attendance.recorded'")
        ).scalar_one()
    again = json.loads(body)
    again["id"] = str(uuid.uuid4())
    publish(amqp_url, [body.encode(), json.dumps(again, ensure_ascii=False).encode()])

    def consumed() -> bool:
        with databases.engine("hazards").connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT count(*) FROM inbox WHERE event_id = :id"), {"id": again["id"]}
                ).scalar()
            )

    wait_until(consumed, timeout=30, message="the second announcement consumed")
    assert educated() == got


def publish(amqp_url: str, bodies: list[bytes]) -> None:
    connection = connect(amqp_url)
    channel = connection.channel()
    channel.confirm_delivery()
    for body in bodies:
        channel.basic_publish(
            "campus.events",
            "attendance.recorded",
            body,
            pika.BasicProperties(delivery_mode=2),
            mandatory=True,
        )
    connection.close()
