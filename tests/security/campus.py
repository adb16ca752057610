"""A small campus for the security tests, built through the public HTTP APIs.

The four apps run in-process (Flask test clients, no network). The event pipeline is
simulated: ``pump`` hands every unsent outbox row of each service to the handlers of the
services subscribed to its type (``shared.events.consumer.apply_batch``, as the workers'
consumers do) and marks it sent, so the projections (hazards' grid copy, reporting's hazard
counts and flags, education's units) are filled as in production.

Two units hold data: JD (机电工程学院, "ours") and XX (信息工程学院, "theirs"). ``Campus.ids``
names what was created, e.g. ``hazard_jd``, ``cell_jd``, ``person_jd``, ``flag_jd``.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from services.hazards.sweeps import run_sweep as hazard_sweep
from services.registry import SERVICES, create_app, subscriptions
from services.reporting.commands import SEED_CAMPAIGN
from services.reporting.flags import add_file as add_flag_file
from services.reporting.sweeps import run_sweep as reporting_sweep
from shared.events.consumer import ACK, Delivery, apply_batch
from shared.events.outbox import OutboxMessage
from shared.files import Upload
from shared.principal import UNIT_MANAGER, Principal
from shared.timeutil import utcnow
from tests.support.fixtures import bearer
from tests.support.handlers import handlers_of

UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"

# A 1x1 PNG: the smallest real image the upload check accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-jd")
XX = bearer("unit_manager", unit="XX", sub="manager-xx")
BWC = bearer("lead_department", unit="BWC", sub="bwc")  # leads fire safety and task 一
PSYCH = bearer("psych_centre", unit="XLZX", sub="psych")


class Campus:
    def __init__(self, urls: dict[str, str], files_dir: Path, **config: Any) -> None:
        self.files_dir = files_dir
        self.apps: dict[str, Flask] = {
            service: create_app(
                service,
                {
                    "database_url": urls[service],
                    "amqp_url": UNREACHABLE_BROKER,
                    "files_dir": str(files_dir),
                    **config,
                },
            )
            for service in SERVICES
        }
        self.clients: dict[str, FlaskClient] = {s: a.test_client() for s, a in self.apps.items()}
        self.ids: dict[str, str] = {}

    def close(self) -> None:
        for app in self.apps.values():
            app.extensions["campus"].engine.dispose()

    # -- plumbing -------------------------------------------------------------------------
    def factory(self, service: str):
        return self.apps[service].extensions["campus"].session_factory

    def settings(self, service: str):
        return self.apps[service].extensions["campus"].settings

    def call(
        self,
        service: str,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
        **kwargs: Any,
    ):
        response = self.clients[service].open(path, method=method, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                method,
                path,
                response.status_code,
                response.get_data(as_text=True)[:500],
            )
        return response

    def json(self, service: str, method: str, path: str, headers=SO, expect=200, **kwargs):
        return self.call(service, method, path, headers, expect, **kwargs).get_json()

    def pump(self) -> int:
        """Deliver every unsent event to its subscribers, until no service has any left."""
        wanted = subscriptions()
        moved = 0
        while True:
            progressed = False
            for source in SERVICES:
                with self.factory(source)() as session:
                    rows = session.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.published_at.is_(None))
                        .order_by(OutboxMessage.id)
                    ).all()
                    if not rows:
                        continue
                    for target in SERVICES:
                        batch = [r for r in rows if r.event_type in wanted[target]]
                        if not batch:
                            continue
                        deliveries = [Delivery(i, r.body, 0) for i, r in enumerate(batch, 1)]
                        handlers = handlers_of(target, self.settings(target))
                        with self.factory(target)() as target_session:
                            outcomes = apply_batch(target_session, handlers, deliveries)
                            target_session.commit()
                        assert set(outcomes.values()) == {ACK}, (target, outcomes)
                    for row in rows:
                        row.published_at = utcnow()
                    session.commit()
                    moved += len(rows)
                    progressed = True
            if not progressed:
                return moved

    def path_values(self, service: str) -> dict[str, str]:
        """A value for every path parameter of ``service``: JD's resources."""
        ids = self.ids
        return {
            "grid": {
                "code": "JD",
                "person_id": ids["person_jd"],
                "cell_id": ids["cell_jd"],
                "assignment_id": ids["assignment_jd"],
                # issue 16's grid ledgers (seeded for the matrix; any id elsewhere)
                "check_id": ids.get("check_jd", "00000000-0000-4000-8000-000000000000"),
                "letter_id": ids.get("letter_jd", "00000000-0000-4000-8000-000000000000"),
            },
            "hazards": {
                "hazard_id": ids["hazard_jd"],
                "request_id": ids["extension_jd"],
                "attachment_id": ids["attachment_jd"],
                "cell_id": ids["cell_jd"],
                "risk_id": ids["risk_jd"],
                "template_id": ids["template_fire"],
                "inspection_id": ids["inspection_jd"],
                "equipment_id": ids["equipment_jd"],
                # JD's manager's ledger export (seeded for the matrix; any id elsewhere)
                "export_id": ids.get("export_jd", "00000000-0000-4000-8000-000000000000"),
                # the incidents ledger (issue 16; seeded for the matrix, any id elsewhere)
                "incident_id": ids.get("incident_jd", "00000000-0000-4000-8000-000000000000"),
                # the office's registers (issue 16; seeded for the matrix, any id elsewhere)
                **{
                    name: ids.get(key, "00000000-0000-4000-8000-000000000000")
                    for name, key in (
                        ("clue_id", "clue_jd"),
                        ("receipt_id", "clue_receipt"),
                        ("joint_id", "joint_jd"),
                        ("route_id", "route_jd"),
                        ("patrol_id", "patrol_jd"),
                        ("outlet_id", "food_outlet_jd"),  # issue 17
                        ("plan_id", "plan_jd"),  # issue 17: emergency plans
                        ("placement_id", "placement_jd"),  # issue 17
                        ("store_id", "chem_store_jd"),  # issue 17: 危化品
                        ("item_id", "chem_item"),  # issue 17: 危化品目录
                        ("building_id", "building_jd"),  # issue 17
                        ("vehicle_id", "vehicle_jd"),  # issue 17
                        ("driver_id", "driver_jd"),  # issue 17
                    )
                },
            },
            "education": {
                "activity_id": ids["activity_jd"],
                "unit_code": "JD",
                "record_id": ids["psych_jd"],
            },
            "reporting": {
                "campaign_id": ids["campaign"],
                "due_id": ids["due"],
                "flag_id": ids["flag_jd"],
                "task_id": ids["task"],
                "phase_id": ids["phase"],
                "report_id": ids["supervision_jd"],
                "entry_id": ids["ledger_jd"],
                "file_id": ids["ledger_file_jd"],
                "unit_code": "JD",
            },
        }[service]

    def files(self) -> set[Path]:
        return {p for p in self.files_dir.rglob("*") if p.is_file()}

    # -- the data -------------------------------------------------------------------------
    def seed(self) -> Campus:
        self._seed_grid()
        self.pump()
        self._seed_hazards()
        self._seed_education()
        self._seed_reporting()
        self.pump()
        return self

    def _seed_grid(self) -> None:
        ids = self.ids
        for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
            body = {"code": code, "name": name, "kind": "college"}
            self.json("grid", "POST", "/units", json=body, expect=201)
        root = self.json(
            "grid",
            "POST",
            "/cells",
            json={"code": "LZXD", "name": "兰州现代职业学院", "area_type": "campus"},
            expect=201,
        )
        ids["cell_root"] = root["id"]
        for unit, who in (("JD", JD), ("XX", XX)):
            low = unit.lower()
            unit_cell = self.json(
                "grid",
                "POST",
                "/cells",
                json={
                    "code": unit,
                    "name": f"{unit} 单位网格",
                    "area_type": "unit",
                    "parent_id": root["id"],
                    "unit_code": unit,
                },
                expect=201,
            )
            ids[f"cell_unit_{low}"] = unit_cell["id"]
            place = self.json(
                "grid",
                "POST",
                "/cells",
                headers=who,
                json={
                    "code": f"{unit}-B1",
                    "name": "1号教学楼",
                    "area_type": "teaching",
                    "parent_id": unit_cell["id"],
                    "location": "校园东区",
                },
                expect=201,
            )
            ids[f"cell_{low}"] = place["id"]
            phone = "13812345678" if unit == "JD" else "13987654321"
            person = self.json(
                "grid",
                "POST",
                "/people",
                headers=who,
                json={"name": f"{unit}张伟", "phone": phone, "unit_code": unit},
                expect=201,
            )
            ids[f"person_{low}"] = person["id"]
            assignment = self.json(
                "grid",
                "POST",
                "/assignments",
                headers=who,
                json={
                    "cell_id": place["id"],
                    "person_id": person["id"],
                    "role": "head",
                    "effective_from": "2021-09-01",
                },
                expect=201,
            )
            ids[f"assignment_{low}"] = assignment["id"]

    def _seed_hazards(self) -> None:
        ids = self.ids
        for unit, who in (("JD", JD), ("XX", XX)):
            low = unit.lower()
            hazard = self.json(
                "hazards",
                "POST",
                "/hazards",
                headers=who,
                json={
                    "unit_code": unit,
                    "cell_id": ids[f"cell_{low}"],
                    "category": "fire",
                    "description": "3号楼灭火器过期",
                    "location": "3号楼2层",
                    "found_at": "2021-11-10T09:00:00+08:00",
                },
                expect=201,
            )
            ids[f"hazard_{low}"] = hazard["id"]
            ids[f"hazard_number_{low}"] = hazard["number"]
            self.json(
                "hazards",
                "POST",
                f"/hazards/{hazard['id']}/register",
                headers=who,
                json={"deadline": "2021-11-20", "severity": "general"},
            )
            risk = self.json(
                "hazards",
                "POST",
                "/risks",
                headers=who,
                json={
                    "cell_id": ids[f"cell_{low}"],
                    "category": "fire",
                    "name": "配电室",
                    "likelihood": 3,
                    "severity": 4,
                    "control_measures": "每日巡查，定期检测",
                    "owner_name": "张伟",
                    "next_review_on": "2022-06-30",
                },
                expect=201,
            )
            ids[f"risk_{low}"] = risk["id"]
            equipment = self.json(
                "hazards",
                "POST",
                "/equipment",
                headers=who,
                json={
                    "registration_no": f"TS-{unit}-001",
                    "kind": "elevator",
                    "name": "1号电梯",
                    "cell_id": ids[f"cell_{low}"],
                    "keeper_name": "李明",
                    "last_inspected_on": "2021-06-10",
                    "next_inspection_due": "2022-06-10",
                },
                expect=201,
            )
            ids[f"equipment_{low}"] = equipment["id"]
        # The overdue sweep announces hazard.overdue: reporting raises a flag of each unit.
        with self.apps["hazards"].app_context():
            hazard_sweep(
                self.factory("hazards"),
                self.settings("hazards"),
                now=datetime(2021, 12, 1, 2, tzinfo=UTC),
            )
        extension = self.json(
            "hazards",
            "POST",
            f"/hazards/{ids['hazard_jd']}/extensions",
            headers=SO,  # past the deadline: only the security office asks (issue 12)
            json={"new_deadline": "2021-12-31", "reason": "配件到货需要时间"},
            expect=201,
        )
        ids["extension_jd"] = extension["id"]
        attachment = self.json(
            "hazards",
            "POST",
            f"/hazards/{ids['hazard_jd']}/attachments",
            headers=JD,
            data={"file": (io.BytesIO(PNG), "photo.png", "image/png")},
            content_type="multipart/form-data",
            expect=201,
        )
        ids["attachment_jd"] = attachment["id"]
        templates = self.json("hazards", "GET", "/checklists?category=fire")
        template = self.json("hazards", "GET", f"/checklists/{templates[0]['id']}")
        ids["template_fire"] = template["id"]
        inspection = self.json(
            "hazards",
            "POST",
            "/inspections",
            headers=JD,
            json={
                "template_id": template["id"],
                "cell_id": ids["cell_jd"],
                "performed_at": "2021-11-22T02:00:00Z",
                "results": [{"code": i["code"], "result": "pass"} for i in template["items"]],
            },
            expect=201,
        )
        ids["inspection_jd"] = inspection["id"]

    def _seed_education(self) -> None:
        ids = self.ids
        for unit, who, hour in (("JD", JD, "09"), ("XX", XX, "14")):
            activity = self.json(
                "education",
                "POST",
                "/activities",
                headers=who,
                json={
                    "kind": "lecture",
                    "title": f"{unit} 消防安全知识讲座",
                    "organiser_unit": unit,
                    "targets": [{"unit_code": unit}],
                    "venue": f"{unit} 报告厅",
                    "starts_at": f"2031-11-09T{hour}:00:00+08:00",
                    "ends_at": f"2031-11-09T{hour}:50:00+08:00",
                },
                expect=201,
            )
            ids[f"activity_{unit.lower()}"] = activity["id"]
        record = self.json(
            "education",
            "POST",
            "/psych/records",
            headers=PSYCH,
            json={
                "unit_code": "JD",
                "student_ref": "2021010199",
                "student_name": "赵六六",
                "class_name": "机电2101班",
                "risk_level": "high",
                "screening": "UPI 筛查阳性",
                "next_follow_up_on": "2021-11-20",
            },
            expect=201,
        )
        ids["psych_jd"] = record["id"]

    def _seed_reporting(self) -> None:
        ids = self.ids
        seed = json.loads(Path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
        campaign = self.json("reporting", "POST", "/campaigns", json=seed, expect=201)
        ids["campaign"] = campaign["id"]
        ids["due"] = campaign["reporting_dues"][0]["id"]
        ids["phase"] = campaign["phases"][0]["id"]
        task = next(t for t in campaign["tasks"] if "BWC" in t["lead_units"])
        ids["task"] = task["id"]
        self.pump()  # the overdue hazards: flags of JD and XX
        with self.apps["reporting"].app_context():
            reporting_sweep(
                self.factory("reporting"),
                self.settings("reporting"),
                now=datetime(2021, 11, 23, 2, tzinfo=UTC),  # the first due date has passed
            )
        flags = self.json("reporting", "GET", "/flags?unit_code=JD&page_size=100")
        ids["flag_jd"] = next(f["id"] for f in flags if f["rule"] == "overdue_hazard")
        base = f"/campaigns/{ids['campaign']}"
        self.json(
            "reporting",
            "POST",
            f"{base}/dues/{campaign['reporting_dues'][1]['id']}/submissions",
            headers=JD,
            json={"unit_code": "JD"},
            expect=201,
        )
        entry = self.json(
            "reporting",
            "POST",
            f"{base}/tasks/{ids['task']}/ledger",
            headers=BWC,
            json={"kind": "action", "content": "逐楼检查责任落实", "unit_code": "JD"},
            expect=201,
        )
        ids["ledger_jd"] = entry["id"]
        evidence = self.json(
            "reporting",
            "POST",
            f"{base}/tasks/{ids['task']}/ledger/{entry['id']}/files",
            headers=BWC,
            data={"file": (io.BytesIO(PNG), "photo.png", "image/png")},
            content_type="multipart/form-data",
            expect=201,
        )
        ids["ledger_file_jd"] = evidence["id"]
        # JD's manager added a photo to its explanation while the review window was open
        # (the flag was raised on 2021-12-01; the matrix runs long after it closed).
        settings = self.settings("reporting")
        with self.apps["reporting"].app_context(), self.factory("reporting")() as session:
            flag_file = add_flag_file(
                session,
                Principal("m-JD", "机电工程学院", frozenset({UNIT_MANAGER}), "JD"),
                ids["flag_jd"],
                Upload("整改照片.png", "image/png", PNG, settings.files_dir, 1 << 20),
                now=datetime(2021, 12, 2, 2, tzinfo=UTC),
                window=timedelta(days=settings.flag_review_days),
            )
            session.commit()
            ids["flag_file_jd"] = flag_file.id
        report = self.json(
            "reporting",
            "POST",
            f"{base}/supervision",
            headers=BWC,
            json={
                "phase_id": ids["phase"],
                "unit_code": "JD",
                "findings": "责任已落实",
                "score": 90,
            },
            expect=201,
        )
        ids["supervision_jd"] = report["id"]


# The province installation (issue 19, tests/security/test_province_access.py): its one
# path parameter names a college linked to it.
PROVINCE_PATH_VALUES = {"campus_id": "lzxd"}
# A member of the province's staff (the fixture adds them) and what each body-taking
# province operation is sent.
PROVINCE_LOGIN = {"login": "wang.li", "password": "Province-2021x"}
PROVINCE_BODIES = {("POST", "/auth/login"): PROVINCE_LOGIN}
