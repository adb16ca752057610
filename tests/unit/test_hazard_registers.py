"""The registers of the hazard ledger over HTTP (SQLite, no broker): risk points (三),
daily inspections and their coverage (七), special equipment and its due sweep (十)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from itertools import product

import pytest
from sqlalchemy import func, select

from services.hazards import commands
from services.hazards.models import ChecklistTemplate, Hazard, Inspection
from services.hazards.registers.domain import InvalidInput
from services.hazards.registers.equipment import domain as equipment_rules
from services.hazards.registers.equipment.commands import run_equipment_sweep
from services.hazards.registers.inspections import domain as inspection_rules
from services.hazards.registers.inspections.commands import seed_checklists
from services.hazards.registers.risks import domain as risk_rules
from shared.api import state
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")
JWC = bearer("lead_department", unit="JWC", sub="jwc")  # leads lab_chemicals, special_equipment

CELLS = {
    # id: (code, name, level, parent, unit)
    "root": ("LZXD", "兰州现代职业学院", 1, None, None),
    "jd": ("JD", "机电工程学院", 2, "root", "JD"),
    "xx": ("XX", "信息工程学院", 2, "root", "XX"),
    "b1": ("JD-B1", "1号教学楼", 3, "jd", "JD"),
    "f3": ("JD-B1-F3", "1号教学楼3层", 4, "b1", "JD"),
    "lab": ("JD-LAB", "化工实训室", 3, "jd", "JD"),
    "dorm": ("XX-D2", "2号宿舍楼", 3, "xx", "XX"),
}


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem_fields(response, status=422) -> list[str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json()["invalid_params"]]


@pytest.fixture
def app(make_app):
    """The hazards app (migrated: the checklists are seeded) plus a small grid projection."""
    app = make_app("hazards")
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(
            [
                GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1),
                GridUnit(code="XX", name="信息工程学院", kind="college", last_sequence=1),
            ]
        )
        for cell_id, (code, name, level, parent, unit) in CELLS.items():
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=unit,
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                )
            )
        # staff-JD is 网格安全员 of building 1 (and so of its floors).
        session.add(
            GridAssignment(
                assignment_id="a-1",
                cell_id="b1",
                person_id="staff-JD",
                person_name="王安全",
                role="safety_officer",
                effective_from=date(2021, 1, 1),
                effective_to=None,
                last_sequence=1,
            )
        )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def db(app):
    with app.app_context():
        return state().session_factory()


def template_id(app, category: str) -> str:
    with db(app) as session:
        return session.scalar(
            select(ChecklistTemplate.id).where(ChecklistTemplate.category == category)
        )


# -- risk register ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("likelihood", "severity", "level"),
    [
        (5, 5, "red"),
        (4, 5, "red"),  # 20: lowest red
        (4, 4, "orange"),  # 16
        (3, 5, "orange"),  # 15: lowest orange
        (3, 4, "yellow"),  # 12
        (2, 5, "yellow"),  # 10
        (3, 3, "yellow"),  # 9: lowest yellow
        (2, 4, "blue"),  # 8: highest blue
        (1, 1, "blue"),
    ],
)
def test_risk_level_boundaries(likelihood, severity, level):
    assert risk_rules.risk_level(likelihood, severity) == level


def test_every_ls_pair_follows_the_documented_thresholds():
    for likelihood, severity in product(range(1, 6), repeat=2):
        score = likelihood * severity
        expected = (
            "red"
            if score >= 20
            else "orange"
            if score >= 15
            else "yellow"
            if score >= 9
            else "blue"
        )
        assert risk_rules.risk_level(likelihood, severity) == expected, (likelihood, severity)


@pytest.mark.parametrize(
    ("likelihood", "severity", "field"),
    [(0, 3, "likelihood"), (3, 6, "severity"), (True, 3, "likelihood")],
)
def test_ls_factors_outside_1_to_5_are_refused_by_name(likelihood, severity, field):
    with pytest.raises(InvalidInput) as caught:
        risk_rules.risk_level(likelihood, severity)
    assert [p["name"] for p in caught.value.extra["invalid_params"]] == [field]


def risk(client, cell_id: str, name: str, likelihood: int, severity: int, who=JD, **extra):
    body = {
        "cell_id": cell_id,
        "category": "fire",
        "name": name,
        "likelihood": likelihood,
        "severity": severity,
        "control_measures": "每日巡查，定期检测",
        "owner_name": "张伟",
        "next_review_on": "2022-06-30",
        **extra,
    }
    return ok(client.post("/risks", json=body, headers=who), 201)


def test_announcement_lists_the_places_risks_red_to_blue_with_chinese_labels(client):
    risk(client, "b1", "配电室", 2, 3)  # 6 blue
    risk(client, "f3", "实验准备间", 4, 5, category="lab_chemicals")  # 20 red, a room below
    risk(client, "b1", "楼梯间", 3, 3)  # 9 yellow
    risk(client, "b1", "报告厅", 3, 5)  # 15 orange
    risk(client, "b1", "走廊", 5, 5)  # 25 red
    risk(client, "lab", "危化品库", 5, 5)  # another place: not on building 1's board
    board = ok(client.get("/risks/announcement?cell_id=b1", headers=JD))
    assert [(p["name"], p["level"]) for p in board["points"]] == [
        ("走廊", "red"),
        ("实验准备间", "red"),
        ("报告厅", "orange"),
        ("楼梯间", "yellow"),
        ("配电室", "blue"),
    ]
    assert [p["level_label"] for p in board["points"]] == [
        "重大风险",
        "重大风险",
        "较大风险",
        "一般风险",
        "低风险",
    ]
    assert board["points"][1]["cell_name"] == "1号教学楼3层"
    assert board["highest_level_label"] == "重大风险"
    assert board["counts"] == {"red": 2, "orange": 1, "yellow": 1, "blue": 1}


def test_summary_counts_risk_points_by_colour_per_unit(client):
    for name, (likelihood, severity) in {
        "a": (5, 5),
        "b": (4, 5),
        "c": (3, 5),
        "d": (1, 2),
    }.items():
        risk(client, "b1", name, likelihood, severity)
    risk(client, "dorm", "宿舍用电", 3, 3, who=XX)
    jd = ok(client.get("/risks/summary?unit_code=JD", headers=JD))
    assert jd == [
        {
            "unit_code": "JD",
            "unit_name": "机电工程学院",
            "red": 2,
            "orange": 1,
            "yellow": 0,
            "blue": 1,
            "total": 4,
        }
    ]
    everything = {row["unit_code"]: row for row in ok(client.get("/risks/summary", headers=SO))}
    assert (everything["XX"]["yellow"], everything["XX"]["total"]) == (1, 1)
    assert everything["JD"]["total"] == 4
    # A unit manager sees only their own unit.
    assert ok(client.get("/risks/summary", headers=XX)) == [everything["XX"]]
    assert client.get("/risks/summary?unit_code=JD", headers=XX).status_code == 403


def test_risk_scope_and_reassessment(client):
    point = risk(client, "b1", "配电室", 2, 3)
    elsewhere = {
        **{k: point[k] for k in ("category", "name", "control_measures", "owner_name")},
        "cell_id": "b1",
        "likelihood": 1,
        "severity": 1,
        "next_review_on": "2022-01-01",
    }
    assert client.post("/risks", json=elsewhere, headers=XX).status_code == 403
    url = f"/risks/{point['id']}"
    assert client.get(url, headers=XX).status_code == 403
    for who in (XX, STAFF):  # another unit's manager; grid staff only read
        assert client.patch(url, json={"severity": 5}, headers=who).status_code == 403
    assert ok(client.get("/risks?unit_code=JD", headers=STAFF))[0]["id"] == point["id"]
    assert ok(client.get("/risks", headers=XX)) == []
    # Re-assessment recomputes the level; a stale If-Match is refused.
    response = client.patch(
        f"/risks/{point['id']}",
        json={"likelihood": 4, "severity": 5},
        headers={**JD, "If-Match": '"1"'},
    )
    updated = ok(response)
    assert (updated["score"], updated["level"], updated["version"]) == (20, "red", 2)
    assert response.headers["ETag"] == '"2"'
    stale = client.patch(
        f"/risks/{point['id']}", json={"severity": 1}, headers={**JD, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert ok(client.get("/risks?level=red", headers=SO))[0]["id"] == point["id"]


def test_bad_risk_input_is_422_naming_the_field(client):
    body = {
        "cell_id": "b1",
        "category": "fire",
        "name": "配电室",
        "likelihood": 6,
        "severity": 3,
        "control_measures": "巡查",
        "owner_name": "张伟",
        "next_review_on": "2022-01-01",
    }
    assert problem_fields(client.post("/risks", json=body, headers=JD)) == ["likelihood"]
    assert problem_fields(
        client.post("/risks", json={**body, "likelihood": 2, "category": "x"}, headers=JD)
    ) == ["category"]
    unknown = client.post(
        "/risks", json={**body, "likelihood": 2, "cell_id": "nowhere"}, headers=JD
    )
    assert problem_fields(unknown) == ["cell_id"]
    assert problem_fields(client.get("/risks?level=purple", headers=JD)) == ["level"]


# -- checklists ---------------------------------------------------------------------------
def test_seeded_checklists_cover_the_focus_areas_and_seeding_is_idempotent(app, client):
    with db(app) as session, session.begin():
        assert seed_checklists(session) == 0
    templates = ok(client.get("/checklists", headers=STAFF))
    categories = {t["category"] for t in templates}
    assert {
        "fire",
        "lab_chemicals",
        "food",
        "construction",
        "public_security",
        "special_equipment",
    } <= categories
    fire = next(t for t in templates if t["category"] == "fire")
    texts = " ".join(i["text"] for i in fire["items"])
    for expected in ("灭火器在有效期内", "安全出口畅通", "疏散指示标志完好", "消防通道无堆放"):
        assert expected in texts
    lab = next(t for t in templates if t["category"] == "lab_chemicals")
    assert any("危化品登记台账完整" in i["text"] for i in lab["items"])
    assert any("气瓶固定并有标识" in i["text"] for i in lab["items"])


def test_checklists_are_edited_by_the_office_or_the_lead_department(client):
    body = {
        "code": "lab-weekly",
        "category": "lab_chemicals",
        "name": "实验室周检查",
        "items": [{"code": "a", "text": "台账"}, {"code": "a", "text": "重复"}],
    }
    assert problem_fields(client.post("/checklists", json=body, headers=JWC)) == ["items"]
    body["items"] = [{"code": "a", "text": "台账"}]
    assert client.post("/checklists", json=body, headers=JD).status_code == 403
    created = ok(client.post("/checklists", json=body, headers=JWC), 201)
    again = client.post("/checklists", json=body, headers=SO)
    assert problem_fields(again, 409) == ["code"]
    fire_body = {**body, "code": "fire-x", "category": "fire"}
    assert client.post("/checklists", json=fire_body, headers=JWC).status_code == 403
    patched = ok(client.patch(f"/checklists/{created['id']}", json={"active": False}, headers=JWC))
    assert (patched["active"], patched["version"]) == (False, 2)


# -- inspections --------------------------------------------------------------------------
def fire_results(app, fail: tuple[str, ...] = (), na: tuple[str, ...] = ()) -> tuple[str, list]:
    tid = template_id(app, "fire")
    with db(app) as session:
        items = session.get(ChecklistTemplate, tid).items
    results = [
        {
            "code": item["code"],
            "result": "fail" if item["code"] in fail else "na" if item["code"] in na else "pass",
            **({"note": f"{item['code']} 问题"} if item["code"] in fail else {}),
        }
        for item in items
    ]
    return tid, results


def inspect(client, app, cell_id, who=STAFF, fail=(), at="2021-11-22T02:00:00Z", status=201):
    tid, results = fire_results(app, fail)
    body = {"template_id": tid, "cell_id": cell_id, "results": results, "performed_at": at}
    return ok(client.post("/inspections", json=body, headers=who), status)


def test_two_failed_items_open_exactly_two_hazards_linked_to_the_inspection(client, app):
    done = inspect(client, app, "f3", fail=("exit", "fire_lane"))
    assert (done["failed"], done["passed"]) == (2, 6)
    assert len(done["hazard_numbers"]) == 2
    assert done["inspected_on"] == "2021-11-22"
    by_code = {i["code"]: i for i in done["items"]}
    assert {c for c, i in by_code.items() if i["hazard_number"]} == {"exit", "fire_lane"}

    hazards = ok(client.get("/hazards?cell_id=f3", headers=JD))
    assert sorted(h["number"] for h in hazards) == sorted(done["hazard_numbers"])
    assert {h["source"] for h in hazards} == {"inspection"}
    assert {h["source_ref"] for h in hazards} == {f"{done['id']}:exit", f"{done['id']}:fire_lane"}
    assert {h["category"] for h in hazards} == {"fire"}
    assert all("安全出口" in h["description"] or "消防通道" in h["description"] for h in hazards)
    assert {h["found_by"] for h in hazards} == {"staff-JD"}
    assert (
        ok(client.get(f"/inspections/{done['id']}", headers=JD))["hazard_numbers"]
        == done["hazard_numbers"]
    )
    # A clean inspection opens nothing.
    assert inspect(client, app, "b1")["hazard_numbers"] == []
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Hazard)) == 2
        created = [json.loads(b)["type"] for b in session.scalars(select(OutboxMessage.body))]
        assert created.count("hazard.created") == 2


def test_an_inspection_and_its_hazards_commit_together(client, app, monkeypatch):
    real = commands.create_hazard
    calls = []

    def second_one_fails(*args, **kwargs):
        calls.append(kwargs["source_ref"])
        if len(calls) == 2:
            raise commands.UnknownCell("boom", invalid_params=[{"name": "cell_id", "reason": "x"}])
        return real(*args, **kwargs)

    monkeypatch.setattr(commands, "create_hazard", second_one_fails)
    tid, results = fire_results(app, fail=("exit", "fire_lane"))
    response = client.post(
        "/inspections",
        json={"template_id": tid, "cell_id": "f3", "results": results},
        headers=STAFF,
    )
    assert response.status_code == 422
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Inspection)) == 0
        assert session.scalar(select(func.count()).select_from(Hazard)) == 0


def test_a_retry_with_the_same_inspection_id_records_nothing_new(client, app):
    tid, results = fire_results(app, fail=("exit",))
    body = {
        "id": "7b1f8f2e-5f0c-4a53-9d55-8f0b2f1a0c11",
        "template_id": tid,
        "cell_id": "f3",
        "results": results,
    }
    first = ok(client.post("/inspections", json=body, headers=STAFF), 201)
    second = ok(client.post("/inspections", json=body, headers=STAFF), 200)
    assert second["hazard_numbers"] == first["hazard_numbers"]
    assert len(ok(client.get("/hazards?cell_id=f3", headers=SO))) == 1


def test_who_may_inspect_where(client, app):
    tid, results = fire_results(app)
    for who, cell in ((XX, "f3"), (STAFF, "lab"), (JWC, "lab"), (bearer("leadership"), "b1")):
        body = {"template_id": tid, "cell_id": cell, "results": results}
        assert client.post("/inspections", json=body, headers=who).status_code == 403, (who, cell)
    inspect(client, app, "lab", who=JD)
    inspect(client, app, "dorm", who=SO)
    assert client.get("/inspections", headers=XX).get_json()[0]["cell_id"] == "dorm"
    assert [i["cell_id"] for i in ok(client.get("/inspections?unit_code=JD", headers=SO))] == [
        "lab"
    ]


def test_results_must_answer_the_checklist(client, app):
    tid, results = fire_results(app)
    body = {"template_id": tid, "cell_id": "f3"}
    missing = client.post("/inspections", json={**body, "results": results[1:]}, headers=STAFF)
    assert problem_fields(missing) == ["results"]
    unknown = [*results, {"code": "nonsense", "result": "pass"}]
    assert problem_fields(
        client.post("/inspections", json={**body, "results": unknown}, headers=STAFF)
    ) == ["results.8.code"]
    bad = [{**results[0], "result": "maybe"}, *results[1:]]
    assert problem_fields(
        client.post("/inspections", json={**body, "results": bad}, headers=STAFF)
    ) == ["results.0.result"]
    wrong_template = {**body, "template_id": "nope", "results": results}
    assert problem_fields(client.post("/inspections", json=wrong_template, headers=STAFF)) == [
        "template_id"
    ]


def test_coverage_lists_places_not_inspected_on_the_day_and_in_the_week(client, app):
    # Monday 22 Nov 2021 (ISO week 47): building 1 at 10:00 campus time.
    inspect(client, app, "b1", at="2021-11-22T02:00:00Z")
    # 22 Nov 17:30 UTC is already Tuesday 23 Nov 01:30 in Shanghai: counts for the 23rd.
    inspect(client, app, "f3", at="2021-11-22T17:30:00Z")
    inspect(client, app, "dorm", who=XX, at="2021-11-22T03:00:00Z")

    def missing(query: str, who=JD) -> list[str]:
        body = ok(client.get(f"/inspections/coverage?{query}", headers=who))
        return [p["code"] for p in body["uninspected"]]

    assert missing("unit_code=JD&on=2021-11-22") == ["JD-B1-F3", "JD-LAB"]
    assert missing("unit_code=JD&on=2021-11-23") == ["JD-B1", "JD-LAB"]
    assert missing("unit_code=JD&week=2021-W47") == ["JD-LAB"]
    assert missing("unit_code=JD&week=2021-W48") == ["JD-B1", "JD-B1-F3", "JD-LAB"]
    assert missing("on=2021-11-22", who=XX) == []  # a manager's own unit by default
    week = ok(client.get("/inspections/coverage?unit_code=JD&week=2021-W48", headers=SO))
    assert (week["start"], week["end"], week["places_total"]) == ("2021-11-29", "2021-12-05", 3)
    assert {p["code"]: p["last_inspected_on"] for p in week["uninspected"]} == {
        "JD-B1": "2021-11-22",
        "JD-B1-F3": "2021-11-23",
        "JD-LAB": None,
    }
    assert (
        client.get("/inspections/coverage?unit_code=JD&on=2021-11-22", headers=XX).status_code
        == 403
    )
    assert problem_fields(
        client.get("/inspections/coverage?unit_code=JD&week=2021-W60", headers=JD)
    ) == ["week"]
    assert problem_fields(client.get("/inspections/coverage?week=2021-47", headers=JD)) == ["week"]
    assert problem_fields(
        client.get("/inspections/coverage?on=2021-11-22&week=2021-W47", headers=JD)
    ) == ["week"]


# -- special equipment --------------------------------------------------------------------
def equipment(client, number: str, due: str, who=JD, expect=201, **extra):
    body = {
        "registration_no": number,
        "kind": "elevator",
        "name": f"{number}号电梯",
        "cell_id": "b1",
        "keeper_name": "李明",
        "last_inspected_on": "2020-11-10",
        "next_inspection_due": due,
        **extra,
    }
    return ok(client.post("/equipment", json=body, headers=who), expect)


def sweep(app, at: str) -> int:
    with app.app_context():
        return run_equipment_sweep(
            state().session_factory, state().settings, now=datetime.fromisoformat(at)
        )


def equipment_hazards(client) -> list[dict]:
    return ok(client.get("/hazards?category=special_equipment", headers=SO))


def test_the_due_sweep_opens_one_hazard_per_lapsed_equipment_once(client, app):
    lift = equipment(client, "梯11甘A00001(20)", "2021-11-10")
    boiler = equipment(client, "锅11甘A00002(20)", "2021-11-11", kind="boiler")
    equipment(client, "容11甘A00003(20)", "2021-12-31", kind="pressure_vessel")
    equipment(client, "瓶11甘A00004(20)", "2021-11-01", kind="gas_cylinder", status="suspended")

    # 10 Nov 23:00 campus time: the lift's due date has not passed yet.
    assert sweep(app, "2021-11-10T15:00:00+00:00") == 0
    # 11 Nov 00:00 campus time: it has.
    assert sweep(app, "2021-11-10T16:00:00+00:00") == 1
    assert sweep(app, "2021-11-10T16:00:00+00:00") == 0  # same clock: nothing new
    # 12 Nov: the boiler lapses too; the lift keeps its single hazard.
    assert sweep(app, "2021-11-12T02:00:00+00:00") == 1
    assert sweep(app, "2021-11-12T02:00:00+00:00") == 0
    hazards = equipment_hazards(client)
    assert sorted(h["source_ref"] for h in hazards) == sorted(
        [f"{lift['id']}:2021-11-10", f"{boiler['id']}:2021-11-11"]
    )
    assert {(h["source"], h["unit_code"], h["cell_id"]) for h in hazards} == {
        ("equipment", "JD", "b1")
    }
    assert {(h["subcategory"], h["subcategory_label"]) for h in hazards} == {
        ("periodic_inspection", "定期检验")
    }
    assert ok(client.get(f"/equipment/{lift['id']}", headers=JD))["due_state"] == "overdue"


def test_a_recorded_inspection_moves_the_dates_and_a_new_lapse_opens_a_new_hazard(client, app):
    lift = equipment(client, "梯11甘A00001(20)", "2021-11-10")
    assert sweep(app, "2021-11-12T02:00:00+00:00") == 1
    record = {
        "inspected_on": "2021-11-15",
        "result": "pass",
        "next_due": "2022-11-14",
        "agency": "甘肃省特种设备检验检测研究院",
        "report_no": "DT-2021-0001",
    }
    ok(client.post(f"/equipment/{lift['id']}/inspections", json=record, headers=JD), 201)
    after = ok(client.get(f"/equipment/{lift['id']}", headers=JD))
    assert (after["last_inspected_on"], after["next_inspection_due"]) == (
        "2021-11-15",
        "2022-11-14",
    )
    assert sweep(app, "2021-11-20T02:00:00+00:00") == 0
    assert sweep(app, "2022-11-15T02:00:00+00:00") == 1
    assert len(equipment_hazards(client)) == 2
    history = ok(client.get(f"/equipment/{lift['id']}/inspections", headers=JD))
    assert [h["report_no"] for h in history] == ["DT-2021-0001"]
    # A failed inspection takes the lift out of use: no more due hazards for it.
    failed = {"inspected_on": "2021-11-20", "result": "fail"}
    ok(client.post(f"/equipment/{lift['id']}/inspections", json=failed, headers=JD), 201)
    assert ok(client.get(f"/equipment/{lift['id']}", headers=JD))["status"] == "suspended"


def test_equipment_register_rules_and_scope(client):
    lift = equipment(client, "梯11甘A00001(20)", "2022-11-10")
    duplicate = client.post(
        "/equipment",
        json={
            "registration_no": "梯11甘A00001(20)",
            "kind": "elevator",
            "name": "x",
            "cell_id": "f3",
            "keeper_name": "李明",
            "next_inspection_due": "2022-01-01",
        },
        headers=SO,
    )
    assert problem_fields(duplicate, 409) == ["registration_no"]
    no_kind = {
        "registration_no": "N-1",
        "name": "x",
        "cell_id": "b1",
        "keeper_name": "李明",
        "next_inspection_due": "2022-01-01",
    }
    assert problem_fields(client.post("/equipment", json=no_kind, headers=JD)) == ["kind"]
    backwards = {**no_kind, "kind": "boiler", "last_inspected_on": "2022-02-01"}
    assert problem_fields(client.post("/equipment", json=backwards, headers=JD)) == [
        "next_inspection_due"
    ]
    assert (
        client.post("/equipment", json={**no_kind, "kind": "boiler"}, headers=XX).status_code == 403
    )
    assert client.get(f"/equipment/{lift['id']}", headers=XX).status_code == 403
    assert ok(client.get(f"/equipment/{lift['id']}", headers=JWC))["kind_label"] == "电梯"
    bad_dates = {"inspected_on": "2021-11-15", "result": "pass", "next_due": "2021-11-01"}
    response = client.post(f"/equipment/{lift['id']}/inspections", json=bad_dates, headers=JD)
    assert problem_fields(response) == ["next_due"]
    no_due = {"inspected_on": "2021-11-15", "result": "pass"}
    response = client.post(f"/equipment/{lift['id']}/inspections", json=no_due, headers=JD)
    assert problem_fields(response) == ["next_due"]
    patched = ok(client.patch(f"/equipment/{lift['id']}", json={"keeper_name": "赵强"}, headers=JD))
    assert (patched["keeper_name"], patched["version"]) == ("赵强", 2)
    assert problem_fields(
        client.patch(
            f"/equipment/{lift['id']}", json={"next_inspection_due": "2030-01-01"}, headers=JD
        )
    ) == ["next_inspection_due"]  # dates move only by recorded inspections
    assert ok(client.get("/equipment?due=due_soon", headers=JD)) == []
    assert problem_fields(client.get("/equipment?due=later", headers=JD)) == ["due"]


@pytest.mark.parametrize(
    ("due", "today", "state"),
    [
        (None, date(2021, 11, 10), "unknown"),
        (date(2021, 11, 10), date(2021, 11, 11), "overdue"),
        (date(2021, 11, 10), date(2021, 11, 10), "due_soon"),
        (date(2021, 12, 10), date(2021, 11, 10), "due_soon"),
        (date(2021, 12, 11), date(2021, 11, 10), "ok"),
    ],
)
def test_due_state(due, today, state):
    assert equipment_rules.due_state(due, today) == state


def test_only_equipment_in_use_needs_a_due_hazard():
    late, today = date(2021, 11, 1), date(2021, 11, 20)
    assert equipment_rules.needs_due_hazard("in_use", late, today)
    assert not equipment_rules.needs_due_hazard("suspended", late, today)
    assert not equipment_rules.needs_due_hazard("in_use", today, today)
    assert not equipment_rules.needs_due_hazard("in_use", None, today)


def test_iso_week_periods():
    week = inspection_rules.week_period("2021-W47")
    assert (week.start, week.end) == (date(2021, 11, 22), date(2021, 11, 28))
    assert inspection_rules.week_period("2020-W53").start == date(2020, 12, 28)
    with pytest.raises(ValueError):
        inspection_rules.week_period("2021-W53")
    assert inspection_rules.uninspected(["a", "b", "c"], ["b", "x"]) == ["a", "c"]
    assert inspection_rules.campus_date(
        datetime(2021, 11, 22, 16, tzinfo=UTC), "Asia/Shanghai"
    ) == date(2021, 11, 23)


def test_one_unroutable_equipment_does_not_block_the_others(client, app):
    lost = equipment(client, "梯11甘A00009(20)", "2021-11-01", cell_id="lab")
    equipment(client, "梯11甘A00001(20)", "2021-11-01")
    with db(app) as session, session.begin():
        session.get(GridCell, "lab").unit_code = None  # the place left the grid projection
    assert sweep(app, "2021-11-12T02:00:00+00:00") == 1
    refs = [h["source_ref"] for h in equipment_hazards(client)]
    assert len(refs) == 1 and not refs[0].startswith(lost["id"])
    with db(app) as session:  # the failed attempt took no hazard number
        assert session.scalar(select(Hazard.number)) == "YH-2021-00001"
