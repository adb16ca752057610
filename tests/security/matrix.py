"""The access matrix's campus and the request each documented operation gets.

The campus is the seeded one of campus.py (JD's and XX's data) plus what a successful call
of every operation needs: hazards at each stage of the loop (the rectified one rectified by
someone who is none of the callers), a rectification plan JD wrote awaiting approval, an
extension asked by another of the security office's people (JD's hazards are past their
deadlines: issue 12; one request waits per hazard), a person who signs in with a
password, drills past and present, a second due date JD submitted.
Every request names JD's resources and carries a body an allowed caller gets a 2xx for.

Writes change the campus, so it is snapshotted once seeded (SQLite's online backup) and a
service's database is put back before any request that follows a write to it: each cell
of the matrix starts from the same data, whoever went before.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.registry import SERVICES
from services.reporting.commands import SEED_CAMPAIGN
from shared.timeutil import utcnow
from tests.security.access_policy import CALLERS
from tests.security.campus import BWC, JD, PNG, PSYCH, SO, XX, Campus
from tests.support.fixtures import bearer

PDF = b"%PDF-1.4\n%%EOF\n"  # an evidence file of a ledger entry
PASSWORD = "Campus-2021x"  # of the sign-in person and of the grid staff's people
RECTIFIER = bearer("unit_manager", unit="JD", sub="rectifier-jd")  # none of the callers
# JD's hazard is past its deadline: only the security office asks for an extension now.
REQUESTER = bearer("security_office", sub="requester-office")  # none of the callers
# A hazard at each stage but the last, for the step out of it.
STAGES = (
    "discovered",
    "registered",
    "reported",
    "in_remediation",
    "rectified",
    "accepted",
    "closed",
)
REMEDIATION = {
    "responsible_person": "张伟",
    "measures": "更换过期灭火器",
    "deadline": "2021-12-20",
    "contingency_plan": "临时调配灭火器",
}
PLAN = {  # not fixable at once: a plan with interim measures, to be approved by a judge
    **REMEDIATION,
    "quick_fix": False,
    "rectification_plan": "更换整套消防设施",
    "interim_measures": "临时调配灭火器，每日巡查",
}
# The steps that bring a new hazard to each stage, and who takes them.
LOOP = (
    ("register", JD, {"deadline": "2021-12-20", "severity": "general"}),
    ("report", JD, {}),
    ("start-remediation", JD, REMEDIATION),
    ("rectify", RECTIFIER, {"evidence": "已更换灭火器"}),
    ("accept", SO, {}),
    ("close", SO, {}),
)


def caller_subs(campus: Campus) -> dict[str, str]:
    """The token subject of each caller of the matrix (grid staff: the person holding the
    unit's place, so "in the cells they hold" is true for JD's place)."""
    ids = campus.ids
    return {
        "security_office": "office",
        "leadership": "leader",
        "lead_department_own": "bwc",
        "lead_department_other": "xcb",
        "unit_manager_own": "manager-jd",
        "unit_manager_other": "manager-xx",
        "grid_staff_own": ids["person_jd"],
        "grid_staff_other": ids["person_xx"],
        "psych_centre": "psych",
        "portal": "portal",
    }


def headers(campus: Campus) -> dict[str, dict[str, str]]:
    """The bearer header of each caller of the matrix (subjects: ``caller_subs``)."""
    subs = caller_subs(campus)
    out = {"no_token": {}}
    for caller in CALLERS:
        if caller.role is not None:
            out[caller.name] = bearer(caller.role, unit=caller.unit, sub=subs[caller.name])
    # the campus.py tokens are the same principals (same sub, role and unit)
    for name, same in (
        ("security_office", SO),
        ("lead_department_own", BWC),
        ("unit_manager_own", JD),
        ("unit_manager_other", XX),
        ("psych_centre", PSYCH),
    ):
        out[name] = same
    return out


# -- the extra data ---------------------------------------------------------------------------
def seed_for_matrix(campus: Campus) -> Campus:
    _seed_grid(campus)
    _seed_grid_ledgers(campus)
    _seed_hazards(campus)
    _seed_education(campus)
    _seed_reporting(campus)
    _seed_incidents(campus)
    _seed_office(campus)
    _seed_placements(campus)
    _seed_buildings(campus)
    _seed_vehicles(campus)
    _seed_chemicals(campus)  # issue 17: hazardous chemicals
    _seed_plans(campus)  # issue 17: emergency plans
    _seed_food(campus)
    campus.pump()
    return campus


def _seed_grid(campus: Campus) -> None:
    ids = campus.ids
    place = campus.json(
        "grid",
        "POST",
        "/cells",
        headers=JD,
        json={
            "code": "JD-B2",
            "name": "2号教学楼",
            "area_type": "teaching",
            "parent_id": ids["cell_unit_jd"],
        },
        expect=201,
    )
    ids["cell_jd2"] = place["id"]
    person = campus.json(
        "grid",
        "POST",
        "/people",
        json={
            "name": "JD王登",
            "phone": "13700002222",
            "unit_code": "JD",
            "staff_no": "T2021001",
            "roles": ["unit_manager"],
        },
        expect=201,
    )
    ids["person_login"] = person["id"]
    for key in ("person_login", "person_jd", "person_xx"):
        path = f"/people/{ids[key]}/password"
        campus.call("grid", "PUT", path, SO, expect=204, json={"password": PASSWORD})


def _seed_grid_ledgers(campus: Campus) -> None:
    """Issue 16: a background check of JD's head and the 2021 letter of JD's head's post
    with its scan."""
    ids = campus.ids
    check = {
        "person_id": ids["person_jd"],
        "kind": "onboarding",
        "checked_on": "2021-08-01",
        "result": "passed",
        "valid_until": "2031-08-01",
        "note": "入职查询无异常",
    }
    ids["check_jd"] = campus.json("grid", "POST", "/checks", headers=SO, json=check, expect=201)[
        "id"
    ]
    letter = {"assignment_id": ids["assignment_jd"], "year": 2021, "signed_on": "2021-10-08"}
    ids["letter_jd"] = campus.json("grid", "POST", "/letters", headers=JD, json=letter, expect=201)[
        "id"
    ]
    scan = {"file": (io.BytesIO(PNG), "scan.png")}
    campus.call(
        "grid",
        "POST",
        f"/letters/{ids['letter_jd']}/scan",
        JD,
        expect=201,
        data=scan,
        content_type="multipart/form-data",
    )


def _new_hazard(campus: Campus) -> str:
    return campus.json(
        "hazards",
        "POST",
        "/hazards",
        headers=JD,
        json={
            "cell_id": campus.ids["cell_jd"],
            "category": "fire",
            "description": "灭火器压力不足",
            "location": "1号楼1层",
            "found_at": "2021-11-12T09:00:00+08:00",
        },
        expect=201,
    )["id"]


def _seed_hazards(campus: Campus) -> None:
    ids = campus.ids
    for reached, stage in enumerate(STAGES):
        hazard_id = _new_hazard(campus)
        for step, who, body in LOOP[:reached]:
            campus.json("hazards", "POST", f"/hazards/{hazard_id}/{step}", headers=who, json=body)
        ids[f"hazard_{stage}"] = hazard_id
    # A rectification plan (整改计划) JD wrote, awaiting a judge's approval.
    ids["hazard_plan"] = _new_hazard(campus)
    for step, who, body in LOOP[:2] + (("start-remediation", JD, PLAN),):
        path = f"/hazards/{ids['hazard_plan']}/{step}"
        campus.json("hazards", "POST", path, headers=who, json=body)
    # One extension request waits at a time per hazard (JD's own has the campus's).
    extension = campus.json(
        "hazards",
        "POST",
        f"/hazards/{ids['hazard_in_remediation']}/extensions",
        headers=REQUESTER,
        json={"new_deadline": "2022-01-31", "reason": "设备停产，等待替代型号"},
        expect=201,
    )
    ids["extension_other"] = extension["id"]
    # A ledger export JD's manager asked for (only they may watch and download it).
    ids["export_jd"] = campus.json(
        "hazards", "POST", "/hazards/exports", headers=JD, json={"unit_code": "JD"}, expect=202
    )["id"]
    template = campus.json("hazards", "GET", f"/checklists/{ids['template_fire']}")
    ids["template_fire_items"] = json.dumps([item["code"] for item in template["items"]])


def _activity(campus: Campus, kind: str, title: str, venue: str, starts: str, ends: str) -> str:
    return campus.json(
        "education",
        "POST",
        "/activities",
        headers=JD,
        json={
            "kind": kind,
            "title": title,
            "organiser_unit": "JD",
            "targets": [{"unit_code": "JD"}],
            "venue": venue,
            "starts_at": starts,
            "ends_at": ends,
        },
        expect=201,
    )["id"]


def _seed_education(campus: Campus) -> None:
    ids = campus.ids
    ids["activity_past_jd"] = _activity(
        campus,
        "drill",
        "JD 火灾疏散逃生演练",
        "JD 操场",
        "2021-11-09T15:00:00+08:00",
        "2021-11-09T16:00:00+08:00",
    )
    drilled = _activity(
        campus,
        "drill",
        "JD 宿舍楼疏散演练",
        "JD 操场",
        "2021-11-10T15:00:00+08:00",
        "2021-11-10T16:00:00+08:00",
    )
    campus.json(
        "education",
        "POST",
        f"/activities/{drilled}/drill-result",
        headers=JD,
        json={"participants": 300, "evacuation_seconds": 210},
        expect=201,
    )
    ids["activity_drilled_jd"] = drilled
    now = utcnow().astimezone(UTC)
    current = _activity(
        campus,
        "lecture",
        "JD 实验室安全讲座",
        "JD 多功能厅",
        (now - timedelta(minutes=10)).isoformat(),
        (now + timedelta(hours=3)).isoformat(),
    )
    campus.json(
        "education",
        "POST",
        f"/activities/{current}/enrolments",
        headers=JD,
        json={"people": [{"person_ref": "2021010101", "name": "李明", "unit_code": "JD"}]},
    )
    # Every caller attends it too, so each may check itself in (no one checks in another).
    attendees = [
        {"person_ref": sub, "name": name, "unit_code": "JD"}
        for name, sub in caller_subs(campus).items()
    ]
    campus.json(
        "education",
        "POST",
        f"/activities/{current}/enrolments",
        headers=JD,
        json={"people": attendees},
    )
    sign_in = campus.json("education", "GET", f"/activities/{current}/sign-in", headers=JD)
    ids["activity_now_jd"], ids["sign_in_code"] = current, sign_in["code"]


def _seed_reporting(campus: Campus) -> None:
    ids = campus.ids
    campaign = campus.json("reporting", "GET", f"/campaigns/{ids['campaign']}")
    ids["due2"] = campaign["reporting_dues"][1]["id"]  # JD submitted its table for it
    ids["phase2"] = campaign["phases"][1]["id"]  # BWC reported on JD for phase 1 only
    # JD's own phase work on the task: an entry in each units' phase; the first phase's is
    # open (JD submits it), the second's submitted (a lead department confirms or returns it).
    task = f"/campaigns/{ids['campaign']}/tasks/{ids['task']}"
    for key in ("phase", "phase2"):
        entry = campus.json(
            "reporting",
            "POST",
            f"{task}/ledger",
            headers=JD,
            json={"kind": "work_plan", "content": "专项整治工作方案", "phase_id": ids[key]},
            expect=201,
        )
        ids[f"work_entry_jd_{key}"] = entry["id"]
    campus.json("reporting", "POST", f"{task}/phases/{ids['phase2']}/work/JD/submit", headers=JD)


# -- snapshots --------------------------------------------------------------------------------
@dataclass
class Snapshots:
    """The seeded SQLite databases, copied back into a service after a write to it (with
    SQLite's online backup, so connections still open on the file see the copy too)."""

    campus: Campus
    root: Path
    dirty: set[str] = field(default_factory=set)

    def _database(self, service: str) -> str:
        return str(self.campus.apps[service].extensions["campus"].engine.url.database)

    def _snapshot(self, service: str) -> str:
        return str(self.root / f"{service}.snapshot.db")

    @staticmethod
    def _copy(source: str, target: str) -> None:
        src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    def take(self) -> None:
        for service in SERVICES:
            self._copy(self._database(service), self._snapshot(service))

    def restore(self, service: str) -> None:
        if service in self.dirty:
            self.campus.apps[service].extensions["campus"].engine.dispose()
            self._copy(self._snapshot(service), self._database(service))
            self.dirty.discard(service)


# -- the requests -----------------------------------------------------------------------------
Body = Mapping[str, Any] | Callable[[Campus], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Req:
    """What an operation is sent: path ids (parameter -> key of ``Campus.ids``, instead of
    JD's default resource), a query, a JSON body or an upload (``{key}`` in strings is
    filled from ``Campus.ids``), and the clock of the reporting work endpoints."""

    ids: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    json: Body = None
    upload: tuple[str, bytes] | None = None
    clock: datetime | None = None


def roster_csv() -> bytes:
    return "姓名,联系电话,网格编码,角色\n王芳,13700001111,JD-B1,网格安全员\n".encode("utf-8-sig")


def _inspection(campus: Campus) -> dict[str, Any]:
    codes = json.loads(campus.ids["template_fire_items"])
    return {
        "template_id": campus.ids["template_fire"],
        "cell_id": campus.ids["cell_jd"],
        "performed_at": "2021-11-23T02:00:00Z",
        "results": [{"code": code, "result": "pass"} for code in codes],
    }


def _check_in(campus: Campus) -> dict[str, Any]:
    return {"code": campus.ids["sign_in_code"]}  # the caller checks itself in


def _campaign(_campus: Campus) -> dict[str, Any]:
    data = json.loads(Path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    return {**data, "code": "LZXD-2022", "name": "校园安全专项整治工作（2022 演示）"}


JD_ONLY = {"unit_code": "JD"}


def _step(stage: str, body: Mapping[str, Any]) -> Req:
    return Req(ids={"hazard_id": f"hazard_{stage}"}, json=body)


REQUESTS: dict[tuple[str, str, str], Req] = {
    # -- grid
    ("grid", "POST", "/units"): Req(json={"code": "ZZ", "name": "测试学院", "kind": "college"}),
    ("grid", "PATCH", "/units/{code}"): Req(json={"name": "机电工程学院（更名）"}),
    ("grid", "POST", "/people"): Req(
        json={"name": "JD李四", "phone": "13711112222", "unit_code": "JD"}
    ),
    ("grid", "GET", "/people"): Req(query=JD_ONLY),
    ("grid", "PATCH", "/people/{person_id}"): Req(json={"name": "JD张伟伟"}),
    ("grid", "POST", "/cells"): Req(
        json={
            "code": "JD-B9",
            "name": "9号楼",
            "area_type": "teaching",
            "parent_id": "{cell_unit_jd}",
        }
    ),
    ("grid", "GET", "/cells"): Req(query=JD_ONLY),
    ("grid", "GET", "/cells/gaps"): Req(query=JD_ONLY),
    ("grid", "PATCH", "/cells/{cell_id}"): Req(json={"location": "东区"}),
    ("grid", "POST", "/cells/{cell_id}/move"): Req(json={"parent_id": "{cell_jd2}"}),
    ("grid", "POST", "/cells/{cell_id}/end"): Req(
        json={"ended_on": "2021-10-02", "reason": "教学楼拆除"}
    ),
    ("grid", "POST", "/assignments"): Req(
        json={
            "cell_id": "{cell_jd}",
            "person_id": "{person_jd}",
            "role": "safety_officer",
            "effective_from": "2021-10-01",
        }
    ),
    ("grid", "POST", "/assignments/{assignment_id}/end"): Req(json={"effective_to": "2031-01-01"}),
    ("grid", "GET", "/rosters"): Req(query=JD_ONLY),
    ("grid", "POST", "/checks"): Req(
        json={
            "person_id": "{person_jd}",
            "kind": "qualification",
            "checked_on": "2021-09-01",
            "result": "passed",
            "valid_until": "2031-09-01",
        }
    ),
    ("grid", "GET", "/checks/{check_id}"): Req(ids={"check_id": "check_jd"}),
    ("grid", "PATCH", "/checks/{check_id}"): Req(
        ids={"check_id": "check_jd"}, json={"note": "复核"}
    ),
    ("grid", "GET", "/letters"): Req(query={"year": "2021", "unit_code": "JD"}),
    ("grid", "POST", "/letters"): Req(
        json={"assignment_id": "{assignment_jd}", "year": 2022, "signed_on": "2022-01-05"}
    ),
    ("grid", "GET", "/letters/{letter_id}"): Req(ids={"letter_id": "letter_jd"}),
    ("grid", "POST", "/letters/{letter_id}/scan"): Req(
        ids={"letter_id": "letter_jd"}, upload=("scan.png", PNG)
    ),
    ("grid", "GET", "/letters/{letter_id}/scan"): Req(ids={"letter_id": "letter_jd"}),
    ("grid", "POST", "/units/{code}/roster-import"): Req(upload=("roster.csv", roster_csv())),
    ("grid", "POST", "/auth/login"): Req(json={"login": "T2021001", "password": PASSWORD}),
    ("grid", "POST", "/auth/cas"): Req(
        json={"ticket": "ST-1-matrix", "service": "http://127.0.0.1:5000/login/cas"}
    ),
    ("grid", "POST", "/auth/logout"): Req(json={}),
    ("grid", "POST", "/auth/password"): Req(
        json={"current_password": PASSWORD, "new_password": "Campus-2022y"}
    ),
    ("grid", "PUT", "/people/{person_id}/password"): Req(json={"password": "Campus-2022y"}),
    ("grid", "DELETE", "/people/{person_id}/password"): Req(json={}),
    # -- hazards
    ("hazards", "POST", "/hazards"): Req(
        json={
            "unit_code": "JD",
            "cell_id": "{cell_jd}",
            "category": "fire",
            "description": "消防通道堆放杂物",
            "location": "1号楼北侧",
            "found_at": "2021-11-10T09:00:00+08:00",
        }
    ),
    ("hazards", "GET", "/hazards"): Req(query=JD_ONLY),
    ("hazards", "POST", "/hazards/{hazard_id}/register"): _step(
        "discovered", {"deadline": "2021-12-20", "severity": "general"}
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/report"): _step("registered", {"comment": "上报"}),
    ("hazards", "POST", "/hazards/{hazard_id}/start-remediation"): _step("reported", REMEDIATION),
    ("hazards", "POST", "/hazards/{hazard_id}/rectify"): _step(
        "in_remediation", {"evidence": "已更换灭火器"}
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/accept"): _step("rectified", {"comment": "合格"}),
    ("hazards", "POST", "/hazards/{hazard_id}/reject"): _step(
        "rectified", {"reason": "压力仍不足"}
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/close"): _step("accepted", {"comment": "销号"}),
    ("hazards", "POST", "/hazards/{hazard_id}/archive"): _step("closed", {"comment": "存档"}),
    ("hazards", "POST", "/hazards/{hazard_id}/severity"): Req(
        json={"severity": "major", "reason": "灭火器失效且位于疏散通道"}
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/extensions"): Req(
        ids={"hazard_id": "hazard_reported"},  # none pending (one at a time)
        json={"new_deadline": "2022-03-01", "reason": "配件需要定制"},
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/plan-approval"): Req(
        ids={"hazard_id": "hazard_plan"}, json={"comment": "计划可行"}
    ),
    ("hazards", "POST", "/hazards/extensions/{request_id}/decision"): Req(
        ids={"request_id": "extension_other"}, json={"approve": True, "comment": "同意延期"}
    ),
    ("hazards", "POST", "/hazards/{hazard_id}/attachments"): Req(upload=("photo.png", PNG)),
    ("hazards", "GET", "/hazards/{hazard_id}/acceptance.pdf"): Req(
        ids={"hazard_id": "hazard_accepted"}
    ),
    ("hazards", "GET", "/hazards/export.xlsx"): Req(query=JD_ONLY),
    ("hazards", "POST", "/hazards/exports"): Req(json=JD_ONLY),
    ("hazards", "GET", "/hazards/exports/{export_id}"): Req(ids={"export_id": "export_jd"}),
    ("hazards", "GET", "/hazards/exports/{export_id}/file"): Req(ids={"export_id": "export_jd"}),
    ("hazards", "POST", "/risks"): Req(
        json={
            "cell_id": "{cell_jd}",
            "category": "fire",
            "name": "消防控制室",
            "likelihood": 2,
            "severity": 4,
            "control_measures": "专人值守",
            "owner_name": "张伟",
            "next_review_on": "2022-06-30",
        }
    ),
    ("hazards", "GET", "/risks"): Req(query=JD_ONLY),
    ("hazards", "GET", "/risks/announcement"): Req(query={"cell_id": "{cell_jd}"}),
    ("hazards", "GET", "/risks/summary"): Req(query=JD_ONLY),
    ("hazards", "PATCH", "/risks/{risk_id}"): Req(json={"control_measures": "每日巡查，每月检测"}),
    ("hazards", "POST", "/checklists"): Req(
        json={
            "code": "FIRE-EXTRA",
            "category": "fire",
            "name": "消防补充检查表",
            "items": [{"code": "EXIT", "text": "安全出口畅通"}],
        }
    ),
    ("hazards", "GET", "/checklists"): Req(query={"category": "fire"}),
    ("hazards", "PATCH", "/checklists/{template_id}"): Req(json={"name": "消防日检查表（修订）"}),
    ("hazards", "POST", "/inspections"): Req(json=_inspection),
    ("hazards", "GET", "/inspections"): Req(query=JD_ONLY),
    ("hazards", "GET", "/inspections/coverage"): Req(query=JD_ONLY),
    ("hazards", "POST", "/equipment"): Req(
        json={
            "registration_no": "TS-JD-009",
            "kind": "pressure_vessel",
            "name": "空压机储气罐",
            "cell_id": "{cell_jd}",
            "keeper_name": "李明",
            "next_inspection_due": "2022-06-10",
        }
    ),
    ("hazards", "GET", "/equipment"): Req(query=JD_ONLY),
    ("hazards", "PATCH", "/equipment/{equipment_id}"): Req(json={"keeper_name": "王五"}),
    ("hazards", "POST", "/equipment/{equipment_id}/inspections"): Req(
        json={"inspected_on": "2021-11-01", "result": "pass", "next_due": "2022-11-01"}
    ),
    # -- education
    ("education", "POST", "/activities"): Req(
        json={
            "kind": "lecture",
            "title": "JD 交通安全讲座",
            "organiser_unit": "JD",
            "targets": [{"unit_code": "JD"}],
            "venue": "JD 小礼堂",
            "starts_at": "2031-12-02T09:00:00+08:00",
            "ends_at": "2031-12-02T10:00:00+08:00",
        }
    ),
    ("education", "GET", "/activities"): Req(query=JD_ONLY),
    ("education", "PATCH", "/activities/{activity_id}"): Req(
        json={"title": "JD 消防安全知识讲座（调整）"}
    ),
    ("education", "POST", "/activities/{activity_id}/cancel"): Req(json={"reason": "报告厅维修"}),
    ("education", "POST", "/activities/{activity_id}/held"): Req(
        ids={"activity_id": "activity_past_jd"}, json={"participants": 80}
    ),
    ("education", "POST", "/activities/{activity_id}/enrolments"): Req(
        json={"people": [{"person_ref": "2021010102", "name": "王小明", "unit_code": "JD"}]}
    ),
    ("education", "POST", "/activities/{activity_id}/enrolments/import"): Req(
        upload=("class.csv", "学号,姓名,单位\n2021010102,王小明,JD\n".encode())
    ),
    ("education", "POST", "/activities/{activity_id}/check-in"): Req(
        ids={"activity_id": "activity_now_jd"}, json=_check_in
    ),
    ("education", "GET", "/activities/{activity_id}/attendance"): Req(
        ids={"activity_id": "activity_now_jd"}
    ),
    ("education", "GET", "/activities/{activity_id}/attendance.xlsx"): Req(
        ids={"activity_id": "activity_now_jd"}
    ),
    ("education", "POST", "/activities/{activity_id}/drill-result"): Req(
        ids={"activity_id": "activity_past_jd"},
        json={"participants": 120, "evacuation_seconds": 180, "observations": "疏散有序"},
    ),
    ("education", "GET", "/activities/{activity_id}/drill-result"): Req(
        ids={"activity_id": "activity_drilled_jd"}
    ),
    ("education", "POST", "/activities/{activity_id}/problems"): Req(
        ids={"activity_id": "activity_drilled_jd"},
        json={"problems": [{"category": "fire", "description": "安全出口指示灯不亮"}]},
    ),
    ("education", "GET", "/calendar"): Req(query=JD_ONLY),
    ("education", "POST", "/themed-dates"): Req(
        json={"name": "校园安全宣传周", "starts_on": "2021-11-15", "ends_on": "2021-11-21"}
    ),
    ("education", "GET", "/themed-dates/suggestions"): Req(query={"year": "2021"}),
    ("education", "GET", "/coverage"): Req(
        query={"kind": "drill", "from": "2021-11-01", "to": "2021-12-31"}
    ),
    ("education", "GET", "/attendance"): Req(
        query={"from": "2021-11-01", "to": "2031-12-31", "unit_code": "JD"}
    ),
    ("education", "POST", "/psych/records"): Req(
        json={
            "unit_code": "JD",
            "student_ref": "2021010188",
            "student_name": "钱七",
            "risk_level": "medium",
        }
    ),
    ("education", "PATCH", "/psych/records/{record_id}"): Req(json={"risk_level": "medium"}),
    ("education", "POST", "/psych/records/{record_id}/interventions"): Req(
        json={"happened_on": "2021-11-12", "measure": "谈心谈话"}
    ),
    # -- reporting
    ("reporting", "GET", "/statistics"): Req(query=JD_ONLY),
    ("reporting", "GET", "/statistics/export.xlsx"): Req(query=JD_ONLY),
    ("reporting", "GET", "/statistics/periods"): Req(
        query={"unit_code": "JD", "campaign_id": "{campaign}"}
    ),
    ("reporting", "GET", "/statistics/periods.xlsx"): Req(
        query={"unit_code": "JD", "campaign_id": "{campaign}"}
    ),
    ("reporting", "GET", "/statistics/weekly"): Req(query={"unit_code": "JD", "week": "2021-W47"}),
    ("reporting", "GET", "/statistics/weekly.xlsx"): Req(query=JD_ONLY),
    ("reporting", "GET", "/statistics/monthly"): Req(query=JD_ONLY),
    ("reporting", "GET", "/statistics/monthly.xlsx"): Req(query=JD_ONLY),
    ("reporting", "POST", "/campaigns"): Req(json=_campaign),
    ("reporting", "GET", "/campaigns/{campaign_id}/dues/{due_id}/table"): Req(query=JD_ONLY),
    ("reporting", "POST", "/campaigns/{campaign_id}/dues/{due_id}/submissions"): Req(
        json={"unit_code": "JD"}
    ),
    ("reporting", "GET", "/campaigns/{campaign_id}/dues/{due_id}/submissions/{unit_code}"): Req(
        ids={"due_id": "due2"}
    ),
    ("reporting", "GET", "/flags"): Req(query=JD_ONLY),
    ("reporting", "GET", "/flags/export.xlsx"): Req(query=JD_ONLY),
    ("reporting", "GET", "/campaigns/{campaign_id}/dues/{due_id}/table/view"): Req(query=JD_ONLY),
    ("reporting", "POST", "/campaigns/{campaign_id}/dues/{due_id}/reminders"): Req(
        json={"unit_code": "JD"}
    ),
    ("reporting", "POST", "/flags/{flag_id}/decision"): Req(
        json={"status": "explained", "reason": "已整改并书面说明"}
    ),
    ("reporting", "POST", "/flags/{flag_id}/explanation"): Req(
        json={"text": "已采取临时管控措施，整改材料附后"}
    ),
    ("reporting", "POST", "/flags/{flag_id}/appeal"): Req(json={"text": "申诉理由"}),
    ("reporting", "POST", "/flags/{flag_id}/files"): Req(upload=("evidence.pdf", PDF)),
    ("reporting", "GET", "/flags/{flag_id}/files/{file_id}"): Req(ids={"file_id": "flag_file_jd"}),
    ("reporting", "POST", "/campaigns/{campaign_id}/tasks/{task_id}/ledger"): Req(
        json={"kind": "action", "content": "逐楼检查", "unit_code": "JD", "phase_id": "{phase}"}
    ),
    ("reporting", "POST", "/campaigns/{campaign_id}/tasks/{task_id}/ledger/{entry_id}/files"): Req(
        ids={"entry_id": "work_entry_jd_phase"}, upload=("evidence.pdf", PDF)
    ),
    (
        "reporting",
        "POST",
        "/campaigns/{campaign_id}/tasks/{task_id}/phases/{phase_id}/work/{unit_code}/submit",
    ): Req(json={}),
    (
        "reporting",
        "POST",
        "/campaigns/{campaign_id}/tasks/{task_id}/phases/{phase_id}/work/{unit_code}/confirm",
    ): Req(ids={"phase_id": "phase2"}, json={}),
    (
        "reporting",
        "POST",
        "/campaigns/{campaign_id}/tasks/{task_id}/phases/{phase_id}/work/{unit_code}/return",
    ): Req(ids={"phase_id": "phase2"}, json={"reason": "工作方案未明确整改时限"}),
    ("reporting", "POST", "/campaigns/{campaign_id}/supervision"): Req(
        json={"phase_id": "{phase2}", "unit_code": "JD", "findings": "整改到位", "score": 88}
    ),
    ("reporting", "PUT", "/campaigns/{campaign_id}/supervision/{report_id}"): Req(
        json={"findings": "复查：整改到位", "score": 92},
        clock=datetime(2021, 12, 1, 2, tzinfo=UTC),  # before the report locks (deadline + 1 month)
    ),
}


# issue 16: the incidents ledger (an incident of JD's place, seeded below)
INCIDENT = {"incident_id": "incident_jd"}
REQUESTS.update(
    {
        ("hazards", "POST", "/incidents"): Req(
            json={
                "occurred_at": "2021-11-16T09:00:00+08:00",
                "cell_id": "{cell_jd}",
                "kind": "injury",
                "severity": "general",
                "title": "JD 实训中划伤手指",
                "narrative": "实训时被金属边角划伤",
                "injuries": 1,
            }
        ),
        ("hazards", "GET", "/incidents"): Req(query=JD_ONLY),
        ("hazards", "GET", "/incidents/{incident_id}"): Req(ids=INCIDENT),
        ("hazards", "PATCH", "/incidents/{incident_id}"): Req(
            ids=INCIDENT, json={"severity": "larger"}
        ),
        ("hazards", "POST", "/incidents/{incident_id}/reports"): Req(
            ids=INCIDENT, json={"told": "安全保卫处值班室", "told_at": "2021-11-15T10:30:00+08:00"}
        ),
        ("hazards", "PUT", "/incidents/{incident_id}/investigation"): Req(
            ids=INCIDENT, json={"causes": "电气线路老化"}
        ),
        ("hazards", "POST", "/incidents/{incident_id}/hazards"): Req(
            ids=INCIDENT, json={"category": "fire", "description": "配电箱线路老化"}
        ),
        ("hazards", "POST", "/incidents/{incident_id}/finding"): Req(
            ids=INCIDENT,
            json={"unit_code": "JD", "text": "日常检查不到位", "found_on": "2021-11-25"},
        ),
        ("reporting", "GET", "/statistics/incidents"): Req(query=JD_ONLY),
    }
)


def _seed_incidents(campus: Campus) -> None:
    """Issue 16: an incident at JD's place (JD's manager recorded it)."""
    campus.ids["incident_jd"] = campus.json(
        "hazards",
        "POST",
        "/incidents",
        headers=JD,
        json={
            "occurred_at": "2021-11-15T10:00:00+08:00",
            "cell_id": campus.ids["cell_jd"],
            "kind": "fire",
            "severity": "general",
            "title": "JD 配电箱冒烟",
            "narrative": "配电箱冒烟，值班人员断电处置",
        },
        expect=201,
    )["id"]


def fill(value: Any, ids: Mapping[str, str]) -> Any:
    """``{key}`` in the strings of ``value`` replaced by ``ids[key]``."""
    if isinstance(value, str):
        return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], value)
    if isinstance(value, Mapping):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def url(campus: Campus, service: str, path: str, req: Req) -> str:
    values = dict(campus.path_values(service))
    values.update({name: campus.ids[key] for name, key in req.ids.items()})
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def request_kwargs(campus: Campus, req: Req) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if req.query:
        kwargs["query_string"] = fill(req.query, campus.ids)
    body = req.json(campus) if callable(req.json) else req.json
    if body is not None:
        kwargs["json"] = fill(body, campus.ids)
    if req.upload is not None:
        name, content = req.upload
        kwargs["data"] = {"file": (io.BytesIO(content), name)}
        kwargs["content_type"] = "multipart/form-data"
    return kwargs


# issue 16: the security office's registers (clues at each step, a joint inspection of JD's
# place, JD's patrol route and a patrol of it run by JD's manager), seeded below
CLUE = {"clue_id": "clue_jd"}
JOINT = {"joint_id": "joint_jd"}
ROUTE = {"route_id": "route_jd"}
PATROL = {"patrol_id": "patrol_jd"}
CLUE_BODY = {
    "kind": "fraud",
    "unit_code": "JD",
    "content": "有人冒充教务处收取补考费",
    "received_on": "2021-11-01",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/clues"): Req(json=CLUE_BODY),
        ("hazards", "GET", "/clues/{clue_id}"): Req(ids=CLUE),
        ("hazards", "PATCH", "/clues/{clue_id}"): Req(ids=CLUE, json={"origin": "来信"}),
        ("hazards", "POST", "/clues/{clue_id}/verification"): Req(
            ids={"clue_id": "clue_recorded"},
            json={"verification": "confirmed", "verified_on": "2021-11-02"},
        ),
        ("hazards", "POST", "/clues/{clue_id}/handling"): Req(
            ids={"clue_id": "clue_verified"},
            json={"handling": "in_house", "handled_on": "2021-11-03"},
        ),
        ("hazards", "POST", "/clues/{clue_id}/receipts"): Req(ids=CLUE, upload=("回执.pdf", PDF)),
        ("hazards", "GET", "/clues/{clue_id}/receipts/{receipt_id}"): Req(
            ids={**CLUE, "receipt_id": "clue_receipt"}
        ),
        ("hazards", "POST", "/clues/{clue_id}/follow-ups"): Req(
            ids=CLUE, json={"happened_on": "2021-11-04", "note": "派出所已受理"}
        ),
        ("hazards", "POST", "/clues/{clue_id}/close"): Req(
            ids=CLUE, json={"closed_on": "2021-11-05", "outcome": "已依法处理"}
        ),
        ("hazards", "POST", "/joint-inspections"): Req(
            json={
                "inspected_on": "2021-11-20",
                "agencies": ["城关区消防救援大队"],
                "members": ["张保卫"],
                "cell_ids": ["{cell_jd}"],
            }
        ),
        ("hazards", "GET", "/joint-inspections/{joint_id}"): Req(ids=JOINT),
        ("hazards", "PATCH", "/joint-inspections/{joint_id}"): Req(
            ids=JOINT, json={"note": "补充"}
        ),
        ("hazards", "POST", "/joint-inspections/{joint_id}/findings"): Req(
            ids=JOINT,
            json={"cell_id": "{cell_jd}", "category": "fire", "description": "消防通道堆放杂物"},
        ),
        ("hazards", "POST", "/patrol-routes"): Req(
            json={"name": "JD 夜间巡查", "unit_code": "JD", "cell_ids": ["{cell_jd}"]}
        ),
        ("hazards", "GET", "/patrol-routes"): Req(query=JD_ONLY),
        ("hazards", "GET", "/patrol-routes/{route_id}"): Req(ids=ROUTE),
        ("hazards", "PATCH", "/patrol-routes/{route_id}"): Req(ids=ROUTE, json={"name": "JD 夜巡"}),
        ("hazards", "POST", "/patrols"): Req(json={"route_id": "{route_jd}"}),
        ("hazards", "GET", "/patrols"): Req(query=JD_ONLY),
        ("hazards", "GET", "/patrols/{patrol_id}"): Req(ids=PATROL),
        ("hazards", "POST", "/patrols/{patrol_id}/check-ins"): Req(
            ids=PATROL, json={"cell_id": "{cell_jd}"}
        ),
        ("hazards", "POST", "/patrols/{patrol_id}/finish"): Req(ids=PATROL, json={}),
        ("hazards", "POST", "/patrols/{patrol_id}/findings"): Req(
            ids=PATROL,
            json={"cell_id": "{cell_jd}", "category": "fire", "description": "灭火器压力不足"},
        ),
    }
)


def _seed_office(campus: Campus) -> None:
    ids = campus.ids
    campus.pump()  # JD's places in the hazards service's copy of the grid

    def clue(*steps: tuple[str, dict[str, Any]]) -> str:
        made = campus.json("hazards", "POST", "/clues", json=CLUE_BODY, expect=201)["id"]
        for step, body in steps:
            campus.json("hazards", "POST", f"/clues/{made}/{step}", json=body)
        return made

    verify = ("verification", {"verification": "confirmed", "verified_on": "2021-11-02"})
    hand_over = (
        "handling",
        {
            "handling": "handed_over",
            "handled_on": "2021-11-03",
            "receiving_agency": "police",
            "receiving_officer": "王警官",
        },
    )
    ids["clue_recorded"] = clue()
    ids["clue_verified"] = clue(verify)
    ids["clue_jd"] = clue(verify, hand_over)
    receipt = campus.json(
        "hazards",
        "POST",
        f"/clues/{ids['clue_jd']}/receipts",
        data={"file": (io.BytesIO(PDF), "回执.pdf")},
        content_type="multipart/form-data",
        expect=201,
    )
    ids["clue_receipt"] = receipt["id"]
    joint = REQUESTS[("hazards", "POST", "/joint-inspections")].json
    body = {**joint, "cell_ids": [ids["cell_jd"]]}  # type: ignore[dict-item]
    ids["joint_jd"] = campus.json("hazards", "POST", "/joint-inspections", json=body, expect=201)[
        "id"
    ]
    route = {
        "name": "JD 夜间巡查",
        "unit_code": "JD",
        "cell_ids": [ids["cell_jd"], ids["cell_jd2"]],
    }
    ids["route_jd"] = campus.json(
        "hazards", "POST", "/patrol-routes", headers=JD, json=route, expect=201
    )["id"]
    patrol = {"route_id": ids["route_jd"]}
    ids["patrol_jd"] = campus.json(
        "hazards", "POST", "/patrols", headers=JD, json=patrol, expect=201
    )["id"]


# issue 17: the vehicles register (JD's vehicle and driver, in force in 2031)
VEHICLE_BODY = {
    "plate_no": "甘A-JD009",
    "kind": "official",
    "cell_id": "{cell_jd}",
    "inspection_due": "2031-06-30",
    "insurance_due": "2031-06-30",
}
DRIVER_BODY = {
    "name": "张师傅",
    "staff_no": "JD-D009",
    "cell_id": "{cell_jd}",
    "licence_class": "A1",
    "licence_expiry": "2035-01-01",
    "last_education_on": "2030-12-01",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/vehicles"): Req(json=VEHICLE_BODY),
        ("hazards", "GET", "/vehicles"): Req(query=JD_ONLY),
        ("hazards", "GET", "/vehicles/export.xlsx"): Req(query=JD_ONLY),
        ("hazards", "PATCH", "/vehicles/{vehicle_id}"): Req(json={"model": "丰田 考斯特"}),
        ("hazards", "POST", "/drivers"): Req(json=DRIVER_BODY),
        ("hazards", "GET", "/drivers"): Req(query=JD_ONLY),
        ("hazards", "PATCH", "/drivers/{driver_id}"): Req(json={"phone": "13800000000"}),
        ("hazards", "POST", "/trips"): Req(
            json={
                "vehicle_id": "{vehicle_jd}",
                "driver_id": "{driver_jd}",
                "trip_on": "2031-01-05",
                "purpose": "公务接待",
            }
        ),
        ("hazards", "GET", "/trips"): Req(query=JD_ONLY),
    }
)


def _seed_vehicles(campus: Campus) -> None:
    """JD's vehicle and driver (JD's manager registered them)."""
    ids = campus.ids
    vehicle = {**fill(VEHICLE_BODY, ids), "plate_no": "甘A-JD001"}
    driver = {**fill(DRIVER_BODY, ids), "staff_no": "JD-D001"}
    ids["vehicle_jd"] = campus.json(
        "hazards", "POST", "/vehicles", headers=JD, json=vehicle, expect=201
    )["id"]
    ids["driver_jd"] = campus.json(
        "hazards", "POST", "/drivers", headers=JD, json=driver, expect=201
    )["id"]


# issue 17: buildings on file (JD's building at its place, with its evacuation drawing; a new
# one goes on file at JD's second place)
BUILDING_BODY = {
    "name": "1号教学楼",
    "structure": "frame",
    "use": "teaching",
    "appraised_on": "2021-06-01",
    "appraisal_grade": "B",
    "appraisal_due": "2031-06-01",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/buildings"): Req(json={**BUILDING_BODY, "cell_id": "{cell_jd2}"}),
        ("hazards", "GET", "/buildings"): Req(query=JD_ONLY),
        ("hazards", "GET", "/buildings/export.xlsx"): Req(query=JD_ONLY),
        ("hazards", "PATCH", "/buildings/{building_id}"): Req(json={"floors": 6}),
        ("hazards", "POST", "/buildings/{building_id}/drawing"): Req(upload=("疏散图.png", PNG)),
        ("hazards", "POST", "/buildings/{building_id}/sites"): Req(
            json={
                "project": "外墙维修",
                "isolated": True,
                "starts_on": "2031-11-01",
                "ends_on": "2031-12-01",
            }
        ),
    }
)


def _seed_buildings(campus: Campus) -> None:
    ids = campus.ids
    body = {**BUILDING_BODY, "cell_id": ids["cell_jd"]}
    ids["building_jd"] = campus.json(
        "hazards", "POST", "/buildings", headers=JD, json=body, expect=201
    )["id"]
    campus.json(
        "hazards",
        "POST",
        f"/buildings/{ids['building_jd']}/drawing",
        headers=JD,
        data={"file": (io.BytesIO(PNG), "疏散图.png")},
        content_type="multipart/form-data",
        expect=200,
    )


# issue 17: the hazardous chemicals register (JD's store at its place, ethanol bought into it)
CHEM_ITEM = {"name": "无水乙醇", "cas_no": "64-17-5", "hazard_class": "flammable", "measure": "mL"}
CHEM_STORE = {
    "name": "JD 危化品柜",
    "cell_id": "{cell_jd}",
    "capacity": 10000,
    "segregation_class": "flammable",
    "keeper_name": "李明",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/chemicals"): Req(
            json={**CHEM_ITEM, "name": "丙酮", "cas_no": "67-64-1"}
        ),
        ("hazards", "GET", "/chemicals"): Req(),
        ("hazards", "GET", "/chemicals/keeper"): Req(),
        ("hazards", "GET", "/chemicals/{item_id}"): Req(),
        ("hazards", "PATCH", "/chemicals/{item_id}"): Req(json={"name": "乙醇（无水）"}),
        ("hazards", "PATCH", "/chemical-stores/{store_id}"): Req(json={"keeper_name": "王芳"}),
        ("hazards", "POST", "/chemical-stores"): Req(json=CHEM_STORE),
        ("hazards", "GET", "/chemical-stores"): Req(query=JD_ONLY),
        ("hazards", "GET", "/chemical-stores/report.xlsx"): Req(
            query={"from": "2021-11-01", "to": "2021-11-30"}
        ),
        ("hazards", "POST", "/chemical-stores/{store_id}/movements"): Req(
            json={
                "item_id": "{chem_item}",
                "kind": "issue",
                "quantity": 10,
                "occurred_on": "2021-11-20",
                "counterparty": "张老师",
                "purpose": "有机化学实验",
            }
        ),
        ("hazards", "POST", "/chemical-stores/{store_id}/counts"): Req(
            json={
                "item_id": "{chem_item}",
                "counted": 500,
                "counted_on": "2021-11-30",
                "counted_by": "李明",
            }
        ),
    }
)


def _seed_chemicals(campus: Campus) -> None:
    """The catalogue's ethanol, and JD's store holding 500 mL of it."""
    ids = campus.ids
    ids["chem_item"] = campus.json(
        "hazards", "POST", "/chemicals", headers=SO, json=CHEM_ITEM, expect=201
    )["id"]
    store = fill(CHEM_STORE, ids)
    ids["chem_store_jd"] = campus.json(
        "hazards", "POST", "/chemical-stores", headers=JD, json=store, expect=201
    )["id"]
    purchase = {
        "item_id": ids["chem_item"],
        "kind": "purchase",
        "quantity": 500,
        "occurred_on": "2021-11-05",
        "counterparty": "兰州化学试剂公司",
    }
    campus.json(
        "hazards",
        "POST",
        f"/chemical-stores/{ids['chem_store_jd']}/movements",
        headers=JD,
        json=purchase,
        expect=201,
    )


# issue 17: the placement register (JD's placement ready to start, another under way)
PLACEMENT = {"placement_id": "placement_jd"}
PLACEMENT_BODY = {
    "kind": "internship",
    "title": "JD 跟岗实习",
    "cell_id": "{cell_jd}",
    "host_name": "兰州机床厂",
    "leader_name": "李老师",
    "starts_on": "2031-11-15",
    "ends_on": "2031-12-15",
    "student_count": 2,
    "students": ["2021001", "2021002"],
    "insurance_policy_no": "PICC-2031-001",
    "insurance_from": "2031-11-15",
    "insurance_to": "2031-12-15",
    "briefing_activity_id": "act-jd",
    "briefing_held_on": "2031-11-10",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/placements"): Req(json=PLACEMENT_BODY),
        ("hazards", "GET", "/placements"): Req(query=JD_ONLY),
        ("hazards", "GET", "/placements/export.xlsx"): Req(query=JD_ONLY),
        ("hazards", "GET", "/placements/{placement_id}"): Req(ids=PLACEMENT),
        ("hazards", "PATCH", "/placements/{placement_id}"): Req(
            ids=PLACEMENT, json={"host_contact": "王经理"}
        ),
        ("hazards", "POST", "/placements/{placement_id}/agreement"): Req(
            ids=PLACEMENT, upload=("安全协议.pdf", PDF)
        ),
        ("hazards", "GET", "/placements/{placement_id}/agreement"): Req(ids=PLACEMENT),
        ("hazards", "POST", "/placements/{placement_id}/start"): Req(ids=PLACEMENT, json={}),
        ("hazards", "POST", "/placements/{placement_id}/finish"): Req(
            ids={"placement_id": "placement_under_way"}, json={}
        ),
    }
)


def _seed_placements(campus: Campus) -> None:
    """Two placements of JD's, each with its agreement: one ready, one under way."""
    ids = campus.ids
    body = fill(PLACEMENT_BODY, ids)
    for key in ("placement_jd", "placement_under_way"):
        created = campus.json("hazards", "POST", "/placements", headers=JD, json=body, expect=201)
        ids[key] = created["id"]
        campus.json(
            "hazards",
            "POST",
            f"/placements/{ids[key]}/agreement",
            headers=JD,
            data={"file": (io.BytesIO(PDF), "安全协议.pdf")},
            content_type="multipart/form-data",
            expect=201,
        )
    campus.json(
        "hazards",
        "POST",
        f"/placements/{ids['placement_under_way']}/start",
        headers=JD,
        json={},
        expect=200,
    )


# issue 17: the emergency-plan register (JD's fire plan)
EMERGENCY_PLAN = {"plan_id": "plan_jd"}
EMERGENCY_PLAN_BODY = {
    "unit_code": "JD",
    "scenario": "fire",
    "title": "机电工程学院火灾事故应急预案",
    "edition": "2031版",
    "approved_on": "2021-01-10",
    "review_due": "2032-01-10",
    "drill_period_days": 180,
}
REQUESTS.update(
    {
        ("hazards", "POST", "/emergency-plans"): Req(
            json={**EMERGENCY_PLAN_BODY, "edition": "2031修订"}
        ),
        ("hazards", "GET", "/emergency-plans"): Req(query=JD_ONLY),
        ("hazards", "GET", "/emergency-plans/summary"): Req(query=JD_ONLY),
        ("hazards", "GET", "/emergency-plans/export.xlsx"): Req(query=JD_ONLY),
        ("hazards", "GET", "/emergency-plans/{plan_id}"): Req(ids=EMERGENCY_PLAN),
        ("hazards", "PATCH", "/emergency-plans/{plan_id}"): Req(
            ids=EMERGENCY_PLAN, json={"approved_by": "王院长"}
        ),
        ("hazards", "GET", "/emergency-plans/{plan_id}/drills"): Req(ids=EMERGENCY_PLAN),
    }
)


def _seed_plans(campus: Campus) -> None:
    campus.ids["plan_jd"] = campus.json(
        "hazards", "POST", "/emergency-plans", headers=JD, json=EMERGENCY_PLAN_BODY, expect=201
    )["id"]


# issue 17: the food-safety register (JD's canteen, seeded below)
OUTLET = {"outlet_id": "food_outlet_jd"}
OUTLET_BODY = {
    "name": "JD 第一食堂",
    "kind": "canteen",
    "cell_id": "{cell_jd}",
    "manager_name": "李明",
}
REQUESTS.update(
    {
        ("hazards", "POST", "/food-outlets"): Req(json=OUTLET_BODY),
        ("hazards", "GET", "/food-outlets"): Req(query=JD_ONLY),
        ("hazards", "GET", "/food-outlets/export.xlsx"): Req(query=JD_ONLY),
        ("hazards", "GET", "/food-outlets/{outlet_id}"): Req(ids=OUTLET),
        ("hazards", "PATCH", "/food-outlets/{outlet_id}"): Req(
            ids=OUTLET, json={"operator": "兰州某餐饮公司"}
        ),
        ("hazards", "POST", "/food-outlets/{outlet_id}/certificates"): Req(
            ids=OUTLET, json={"kind": "health", "holder_name": "王厨师", "expires_on": "2031-06-30"}
        ),
        ("hazards", "GET", "/food-outlets/{outlet_id}/certificates"): Req(ids=OUTLET),
        ("hazards", "POST", "/food-outlets/{outlet_id}/records"): Req(
            ids=OUTLET, json={"day": "2021-11-15", "kind": "sample", "person_name": "张师傅"}
        ),
        ("hazards", "GET", "/food-outlets/{outlet_id}/records"): Req(ids=OUTLET),
    }
)


def _seed_food(campus: Campus) -> None:
    """Issue 17: JD's canteen (JD's manager registered it)."""
    body = fill(OUTLET_BODY, campus.ids)
    campus.ids["food_outlet_jd"] = campus.json(
        "hazards", "POST", "/food-outlets", headers=JD, json=body, expect=201
    )["id"]
