"""Buildings on file (建筑建档) over HTTP (SQLite, no broker): the record by its unit's
manager, 4xx naming the field, the drawing, sites, the building page's lists, the .xlsx,
and the sweep opening one major hazard per unsafe or lapsed appraisal."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from services.hazards.registers.buildings import domain
from services.hazards.registers.buildings.commands import run_building_sweep
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CELLS = {
    "root": ("LZXD", "兰州现代职业学院", 1, None, None),
    "jd": ("JD", "机电工程学院", 2, "root", "JD"),
    "xx": ("XX", "信息工程学院", 2, "root", "XX"),
    "b1": ("JD-B1", "1号教学楼", 3, "jd", "JD"),
    "b2": ("JD-B2", "2号实训楼", 3, "jd", "JD"),
    "dorm": ("XX-D2", "2号宿舍楼", 3, "xx", "XX"),
}


@pytest.fixture
def app(make_app):
    return seed_places(make_app("hazards"))


def seed_places(app):
    """JD's and XX's places in the hazard service's copy of the grid."""
    with app.app_context(), state().session_factory() as session, session.begin():
        for code, name in (("JD", "机电工程学院"), ("XX", "信息工程学院")):
            session.add(GridUnit(code=code, name=name, kind="college", last_sequence=1))
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
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem(response, status=422) -> tuple[list[str], str]:
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    return [p["name"] for p in body.get("invalid_params", [])], body["detail"]


def building(client, cell="b1", who=JD, expect=201, **extra):
    body = {
        "cell_id": cell,
        "name": CELLS[cell][1],
        "built_year": 1998,
        "structure": "brick_concrete",
        "floors": 5,
        "area": 4200.5,
        "use": "teaching",
        "appraised_on": "2021-06-01",
        "appraisal_grade": "B",
        "appraisal_due": "2029-06-01",
        "fire_facilities": "室内消火栓、灭火器、应急照明",
        "risk_flags": ["lightning"],
        **extra,
    }
    return (
        client.post("/buildings", json=body, headers=who)
        if expect is None
        else ok(client.post("/buildings", json=body, headers=who), expect)
    )


def sweep(app, at: str) -> int:
    with app.app_context():
        return run_building_sweep(
            state().session_factory, state().settings, now=datetime.fromisoformat(at)
        )


# -- pure rules ---------------------------------------------------------------------------
def test_appraisal_state_orders_unsafe_before_lapsed_before_due_soon():
    day = date(2026, 12, 6)
    assert domain.appraisal_state("D", date(2030, 1, 1), day) == "unsafe"
    assert domain.appraisal_state("B", date(2026, 12, 5), day) == "lapsed"
    assert domain.appraisal_state("B", date(2026, 12, 6), day) == "due_soon"  # to the day's end
    assert domain.appraisal_state("A", date(2028, 1, 1), day) == "ok"
    assert domain.appraisal_state(None, None, day) == "unknown"


# -- CRUD and scope -----------------------------------------------------------------------
def test_a_unit_manager_puts_its_building_on_file_and_edits_it(client):
    made = building(client)
    assert made["unit_code"] == "JD" and made["structure_label"] == "砖混结构"
    assert (
        made["risk_flag_labels"] == ["雷击"] and made["appraisal_grade_label"] == "B级（基本安全）"
    )
    # another unit's manager may neither write nor read it
    assert building(client, who=XX, expect=None).status_code == 403
    assert client.get(f"/buildings/{made['id']}", headers=XX).status_code == 403
    # one record per place
    fields, detail = problem(building(client, expect=None), 409)
    assert fields == ["cell_id"] and "已建档" in detail
    got = client.get(f"/buildings/{made['id']}", headers=JD)
    assert got.headers["ETag"] == '"1"'
    changed = client.patch(
        f"/buildings/{made['id']}",
        json={"floors": 6, "risk_flags": ["lightning", "low_lying"]},
        headers={**JD, "If-Match": '"1"'},
    )
    assert ok(changed)["floors"] == 6 and changed.headers["ETag"] == '"2"'
    stale = client.patch(
        f"/buildings/{made['id']}", json={"floors": 7}, headers={**JD, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert [b["name"] for b in ok(client.get("/buildings", headers=SO))] == ["1号教学楼"]
    assert ok(client.get("/buildings", headers=XX)) == []
    flagged = ok(client.get("/buildings?risk_flag=low_lying", headers=JD))
    assert [b["id"] for b in flagged] == [made["id"]]
    assert ok(client.get("/buildings?risk_flag=subsidence", headers=JD)) == []


def test_the_due_list_finds_lapsed_soon_and_unsafe_buildings(client, app):
    lapsed = building(client, "b1", appraisal_due="2020-01-01", appraised_on="2015-01-01")
    unsafe = building(client, "b2", appraisal_grade="C")
    listed = ok(client.get("/buildings?due=lapsed", headers=JD))
    assert [b["id"] for b in listed] == [lapsed["id"]]
    assert listed[0]["appraisal_state_label"] == "鉴定已过期"
    assert [b["id"] for b in ok(client.get("/buildings?due=unsafe", headers=JD))] == [unsafe["id"]]
    ordered = ok(client.get("/buildings?sort=due", headers=JD))
    assert [b["id"] for b in ordered] == [lapsed["id"], unsafe["id"]]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"structure": "straw"}, "structure"),
        ({"use": "x"}, "use"),
        ({"appraisal_grade": "E"}, "appraisal_grade"),
        ({"risk_flags": ["flood"]}, "risk_flags"),
        ({"floors": 0}, "floors"),
        ({"appraised_on": None}, "appraised_on"),  # a grade without its day
        ({"appraisal_grade": None}, "appraisal_grade"),  # a day without its grade
        ({"appraisal_due": "2021-05-01"}, "appraisal_due"),  # before the appraisal
        ({"appraised_on": "2999-01-01", "appraisal_due": None}, "appraised_on"),
        ({"built_year": 2199}, "built_year"),
        ({"cell_id": "nowhere"}, "cell_id"),
    ],
)
def test_bad_input_is_422_naming_the_field_in_chinese(client, extra, field):
    fields, detail = problem(building(client, expect=None, **extra))
    assert fields and fields[0].startswith(field), fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail


def test_the_drawing_is_uploaded_and_downloaded(client):
    made = building(client)
    assert client.get(f"/buildings/{made['id']}/drawing", headers=JD).status_code == 404
    upload = {"file": (io.BytesIO(PNG), "疏散图.png")}
    refused = client.post(
        f"/buildings/{made['id']}/drawing",
        data=upload,
        headers=XX,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    upload = {"file": (io.BytesIO(PNG), "疏散图.png")}
    stored = client.post(
        f"/buildings/{made['id']}/drawing",
        data=upload,
        headers=JD,
        content_type="multipart/form-data",
    )
    assert ok(stored)["drawing_filename"]
    got = client.get(f"/buildings/{made['id']}/drawing", headers=JD)
    assert got.status_code == 200 and got.data == PNG


def test_construction_sites_with_isolation_and_end_dates(client):
    made = building(client)
    site = {"project": "实训楼加固工程", "isolated": True, "starts_on": "2026-11-01"}
    added = ok(
        client.post(
            f"/buildings/{made['id']}/sites", json={**site, "ends_on": "2027-03-01"}, headers=JD
        ),
        201,
    )
    assert added["isolated"] is True
    bad = client.post(
        f"/buildings/{made['id']}/sites", json={**site, "ends_on": "2026-10-01"}, headers=JD
    )
    assert problem(bad)[0] == ["ends_on"]
    page = ok(client.get(f"/buildings/{made['id']}", headers=JD))
    assert [s["project"] for s in page["sites"]] == ["实训楼加固工程"]


def test_the_building_page_lists_the_places_risk_points_hazards_equipment_and_stores(client):
    made = building(client)
    risk = {
        "cell_id": "b1",
        "name": "配电室",
        "category": "fire",
        "likelihood": 3,
        "severity": 4,
        "control_measures": "每日巡查，定期检测",
        "owner_name": "张伟",
        "next_review_on": "2027-06-30",
    }
    ok(client.post("/risks", json=risk, headers=JD), 201)
    lift = {
        "registration_no": "梯11甘A00001(20)",
        "kind": "elevator",
        "name": "1号电梯",
        "cell_id": "b1",
        "keeper_name": "李明",
        "next_inspection_due": "2027-11-10",
    }
    ok(client.post("/equipment", json=lift, headers=JD), 201)
    store = {
        "name": "危化品暂存柜",
        "cell_id": "b1",
        "capacity": 100,
        "segregation_class": "flammable",
        "keeper_name": "王五",
    }
    ok(client.post("/chemical-stores", json=store, headers=JD), 201)
    related = ok(client.get(f"/buildings/{made['id']}/related", headers=JD))
    assert [c["name"] for c in related["chemical_stores"]] == ["危化品暂存柜"]
    assert [p["name"] for p in related["risk_points"]] == ["配电室"]
    assert [e["name"] for e in related["equipment"]] == ["1号电梯"]
    assert related["hazards"] == []
    assert client.get(f"/buildings/{made['id']}/related", headers=XX).status_code == 403


def test_the_register_exports_as_xlsx_with_chinese_headers(client):
    building(client)
    building(client, "b2", appraisal_grade="D", risk_flags=["subsidence", "low_lying"])
    got = client.get("/buildings/export.xlsx", headers=JD)
    assert got.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(got.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("建筑名称", "单位", "建成年份", "结构类型")
    names = {row[0]: row for row in rows[2:]}
    assert set(names) == {"1号教学楼", "2号实训楼"}
    assert names["2号实训楼"][8] == "D级（整幢危房）" and names["2号实训楼"][12] == "沉陷、低洼"


# -- the sweep ----------------------------------------------------------------------------
def test_the_sweep_opens_one_major_hazard_per_unsafe_or_lapsed_appraisal_once(client, app):
    unsafe = building(client, "b1", appraisal_grade="C", appraisal_due="2030-01-01")
    lapsing = building(client, "b2", appraisal_due="2025-12-06")
    building(client, "dorm", who=XX)  # appraisal valid: nothing
    # 6 Dec 23:00 campus time: the appraisal of b2 is still valid to the day's end.
    assert sweep(app, "2025-12-06T15:00:00+00:00") == 1
    assert sweep(app, "2025-12-06T15:00:00+00:00") == 0
    # 7 Dec: it lapsed; the C-graded building keeps its single hazard.
    assert sweep(app, "2025-12-06T16:00:00+00:00") == 1
    assert sweep(app, "2025-12-07T02:00:00+00:00") == 0
    hazards = ok(client.get("/hazards?category=construction", headers=SO))
    assert sorted(h["source_ref"] for h in hazards) == sorted(
        [f"{unsafe['id']}:grade-C:2021-06-01", f"{lapsing['id']}:lapsed:2025-12-06"]
    )
    assert {(h["source"], h["severity"], h["unit_code"]) for h in hazards} == {
        ("building", "major", "JD")
    }
    assert {(h["subcategory"], h["subcategory_label"]) for h in hazards} == {
        ("building_appraisal", "建筑物安全排查与房屋安全鉴定")
    }
    # a new appraisal (A, next due later) ends the lapse; its next lapse opens a new hazard
    version = client.get(f"/buildings/{lapsing['id']}", headers=JD).headers["ETag"]
    client.patch(
        f"/buildings/{lapsing['id']}",
        json={"appraised_on": "2025-12-07", "appraisal_grade": "A", "appraisal_due": "2026-01-01"},
        headers={**JD, "If-Match": version},
    )
    assert sweep(app, "2025-12-08T02:00:00+00:00") == 0
    assert sweep(app, datetime(2026, 1, 2, 2, tzinfo=UTC).isoformat()) == 1
    page = ok(client.get(f"/buildings/{unsafe['id']}/related", headers=JD))
    assert [h["severity"] for h in page["hazards"]] == ["major"]


def test_the_building_page_lists_what_is_in_the_rooms_below_it_as_far_as_one_may_see(client, app):
    """A room two levels below the building (1号教学楼 › 3层 › 301) brings its risk point,
    equipment, chemicals store and hazard to the building's page; a room of another college
    in the building shows its hazard to the security office only; a sibling building's
    things never show."""
    rooms = {
        "b1-3f": ("JD-B1-3F", "3层", 4, "b1", "JD"),
        "b1-301": ("JD-B1-301", "301实验室", 5, "b1-3f", "JD"),
        "b1-xx": ("JD-B1-XX", "信息学院机房", 4, "b1", "XX"),
        "b2-101": ("JD-B2-101", "101实训室", 4, "b2", "JD"),
    }
    with app.app_context(), state().session_factory() as session, session.begin():
        for cell_id, (code, name, level, parent, unit) in rooms.items():
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
    made = building(client)
    risk = {
        "cell_id": "b1-301",
        "name": "301通风橱",
        "category": "lab_chemicals",
        "likelihood": 3,
        "severity": 4,
        "control_measures": "每日巡查",
        "owner_name": "张伟",
        "next_review_on": "2027-06-30",
    }
    ok(client.post("/risks", json=risk, headers=JD), 201)
    ok(client.post("/risks", json={**risk, "cell_id": "b2-101", "name": "隔壁楼"}, headers=JD), 201)
    vessel = {
        "registration_no": "容11甘A00002(20)",
        "kind": "pressure_vessel",
        "name": "301高压灭菌锅",
        "cell_id": "b1-301",
        "keeper_name": "李明",
        "next_inspection_due": "2027-11-10",
    }
    ok(client.post("/equipment", json=vessel, headers=JD), 201)
    store = {
        "name": "301危化品柜",
        "cell_id": "b1-301",
        "capacity": 50,
        "segregation_class": "flammable",
        "keeper_name": "王五",
    }
    ok(client.post("/chemical-stores", json=store, headers=JD), 201)
    finding = {"category": "fire", "description": "301实验室灭火器过期"}
    ours = ok(client.post("/hazards", json={**finding, "cell_id": "b1-301"}, headers=JD), 201)
    xx_finding = {**finding, "cell_id": "b1-xx", "description": "机房插线板串接"}
    theirs = ok(client.post("/hazards", json=xx_finding, headers=XX), 201)

    related = ok(client.get(f"/buildings/{made['id']}/related", headers=JD))
    assert [(p["name"], p["cell_id"]) for p in related["risk_points"]] == [("301通风橱", "b1-301")]
    assert [e["name"] for e in related["equipment"]] == ["301高压灭菌锅"]
    assert [c["name"] for c in related["chemical_stores"]] == ["301危化品柜"]
    assert [h["id"] for h in related["hazards"]] == [ours["id"]]  # not XX's room's
    office = ok(client.get(f"/buildings/{made['id']}/related", headers=SO))
    assert {h["id"] for h in office["hazards"]} == {ours["id"], theirs["id"]}
    assert [p["name"] for p in office["risk_points"]] == ["301通风橱"]  # not b2's
