"""The console's hazard pages (issue 15) against the real grid and hazard apps, in process:
the report form with its sub-category; the 整改责任人 picked from the place's people; the
photos of a rectification; extension requests and their decisions; a confirmation on the
irreversible steps; days overdue; a colour per stage; place and responsible-person columns
and the place filter; the export's name and its names (never ids); ledger rows as cards on a
phone; a refused step that keeps what was typed and says why in Chinese beside the field."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from services.hazards.models import Hazard
from shared.api import state
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from shared.timeutil import campus_today
from tests.support.console import console_over
from tests.support.fixtures import bearer

GRID_OFFICE = bearer("security_office", sub="so-setup")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JS = Path(__file__).resolve().parents[2] / "services" / "console" / "static" / "console.js"


@pytest.fixture
def grid(make_app):
    return make_app("grid")


@pytest.fixture
def hazards(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"))


@pytest.fixture
def console(grid, hazards, monkeypatch, tmp_path):
    return console_over({"grid": grid, "hazards": hazards}, monkeypatch, tmp_path)


@pytest.fixture
def campus(grid, hazards) -> dict:
    """JD (a college) and the security office in the grid, people who sign in (JD's
    manager, the office), a classroom of JD with its grid staff 王网格 — and the same places
    in the hazard ledger's copy of the grid (what the events would bring)."""
    api = grid.test_client()
    for code, name, kind in (("JD", "机电工程学院", "college"), ("BWC", "安全保卫处", "office")):
        made = api.post(
            "/units", json={"code": code, "name": name, "kind": kind}, headers=GRID_OFFICE
        )
        assert made.status_code == 201
    people = {}
    for key, unit, roles, number, name in (
        ("office", "BWC", ["security_office"], "S001", "赵处长"),
        ("manager", "JD", ["unit_manager"], "J001", "钱院长"),
    ):
        person = api.post(
            "/people",
            json={
                "name": name,
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=GRID_OFFICE,
        ).get_json()
        api.put(
            f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=GRID_OFFICE
        )
        people[key] = person
    with hazards.app_context(), state().session_factory() as session:
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        session.add(GridUnit(code="BWC", name="安全保卫处", kind="office", last_sequence=1))
        for cell_id, name, level, parent in (
            ("root", "学院", 1, None),
            ("jd", "机电工程学院", 2, "root"),
            ("room", "3号楼301实训室", 3, "jd"),
        ):
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=cell_id,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=None if level == 1 else "JD",
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                )
            )
        for n, (person, role) in enumerate((("王网格", "grid_staff"), ("孙主任", "head"))):
            session.add(
                GridAssignment(
                    assignment_id=f"a-{n}",
                    cell_id="room",
                    person_id=f"p-{n}",
                    person_name=person,
                    role=role,
                    effective_from=date(2020, 1, 1),
                    effective_to=None,
                    last_sequence=1,
                )
            )
        session.commit()
    return {"people": people}


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(console, login: str):
    client = console.test_client()
    form = {"login": login, "password": "pass-1234", "csrf_token": csrf(client, "/login")}
    assert client.post("/login", data=form).status_code == 302
    return client


def post(client, path: str, data: dict, page: str, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf(client, page)}, **kwargs)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def chinese(message: str) -> bool:
    """Said in Chinese: Chinese words and no English sentence (codes may appear)."""
    english = re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", message)
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and english is None


def token_of(campus: dict, key: str) -> dict:
    """The service token of a seeded person (setting hazards up through the API)."""
    person = campus["people"][key]
    roles = {"office": "security_office", "manager": "unit_manager"}[key]
    unit = {"office": "BWC", "manager": "JD"}[key]
    return bearer(roles, unit=unit, sub=person["id"])


def reported(console, campus, **extra) -> str:
    """A hazard of the classroom reported through the report page by JD's manager."""
    manager = sign_in(console, "J001")
    form = {"category": "fire", "description": "灭火器压力不足", **extra}
    made = post(manager, "/report?cell=room", form, "/report?cell=room")
    assert made.status_code == 302, text(made)
    return made.location.rsplit("/", 1)[1]


def step(hazards, campus, hazard_id: str, path: str, body: dict, who: str = "manager") -> dict:
    answer = hazards.test_client().post(
        f"/hazards/{hazard_id}/{path}", json=body, headers=token_of(campus, who)
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def in_remediation(hazards, campus, hazard_id: str, deadline: date) -> None:
    step(hazards, campus, hazard_id, "register", {"deadline": deadline.isoformat()})
    step(hazards, campus, hazard_id, "report", {})
    step(
        hazards,
        campus,
        hazard_id,
        "start-remediation",
        {"responsible_person": "孙主任", "measures": "更换", "contingency_plan": "巡查"},
    )


def test_the_report_form_has_the_category_s_sub_categories_and_keeps_a_refused_report(
    console, campus
):
    manager = sign_in(console, "J001")
    page = text(manager.get("/hazards"))
    assert 'href="/report"' in page and "上报隐患" in page  # the ledger's 上报
    form = text(manager.get("/report?cell=room"))
    assert '<select id="subcategory" name="subcategory"' in form
    assert '<optgroup label="消防安全" data-category="fire">' in form  # the service's words
    fire = re.search(r'data-category="fire">(.*?)</optgroup>', form, re.S).group(1)
    sub_code, sub_label = re.findall(r'<option value="([^"]+)">([^<]+)</option>', fire)[0]
    other = re.search(r'data-category="(?!fire)[^"]+">\s*<option value="([^"]+)"', form).group(1)

    # a sub-category of another category: refused, what was typed kept, said beside it
    typed = {"category": "fire", "subcategory": other, "description": "楼道灭火器过期"}
    refused = post(manager, "/report?cell=room", typed, "/report?cell=room")
    said = text(refused)
    assert refused.status_code == 422
    assert ">楼道灭火器过期</textarea>" in said
    assert f'<option value="{other}" selected>' in said
    error = re.search(r'<p class="error" id="subcategory-error">([^<]+)</p>', said).group(1)
    assert chinese(error) and "「消防安全」" in error and "_" not in error  # names, not codes
    assert 'aria-describedby="subcategory-error"' in said

    made = post(manager, "/report?cell=room", {**typed, "subcategory": sub_code}, "/report")
    assert made.status_code == 302
    shown = text(manager.get(made.location))
    assert f"消防安全 · {sub_label}" in shown
    assert "3号楼301实训室" in shown  # the place by name


def test_remediation_names_someone_of_the_place_and_a_refusal_keeps_the_form(
    console, hazards, campus
):
    hazard_id = reported(console, campus)
    step(hazards, campus, hazard_id, "register", {"deadline": "2099-01-31"})
    step(hazards, campus, hazard_id, "report", {})
    manager = sign_in(console, "J001")
    page = text(manager.get(f"/hazards/{hazard_id}"))
    pick = re.search(r'<select id="sr-person-pick".*?</select>', page, re.S).group(0)
    names = re.findall(r'<option value="([^"]*)"', pick)
    assert names[0] == "" and sorted(names[1:]) == ["孙主任", "王网格"]  # the service's order
    assert 'id="sr-person"' in page  # someone not in the grid may still be named

    # measures missing: 422, each typed value kept, the reason beside 整改措施 in Chinese
    typed = {"responsible_person_pick": "王网格", "contingency_plan": "临时封闭", "quick_fix": "no"}
    path = f"/hazards/{hazard_id}/actions/start_remediation"
    refused = post(manager, path, typed, f"/hazards/{hazard_id}")
    said = text(refused)
    assert refused.status_code == 422
    assert '<option value="王网格" selected>' in said and ">临时封闭</textarea>" in said
    assert 'value="no" checked' in said
    measures = re.search(r'id="sr-measures-error">([^<]+)<', said).group(1)
    assert chinese(measures) and "Missing" not in said and "required" not in said

    done = post(manager, path, {**typed, "quick_fix": "yes", "measures": "更换"}, path)
    assert done.status_code == 302
    assert "王网格" in text(manager.get(f"/hazards/{hazard_id}"))
    read = hazards.test_client().get(f"/hazards/{hazard_id}", headers=token_of(campus, "manager"))
    assert read.get_json()["remediation_person"] == "王网格"


def test_rectify_sends_its_photos_and_irreversible_steps_ask_first(console, hazards, campus):
    hazard_id = reported(console, campus)
    in_remediation(hazards, campus, hazard_id, date(2099, 1, 31))
    manager = sign_in(console, "J001")
    page = text(manager.get(f"/hazards/{hazard_id}"))
    form = re.search(r'<form[^>]*actions/rectify"[^>]*>', page).group(0)
    assert 'enctype="multipart/form-data"' in form
    assert '<input id="rectify-photos" name="photos" type="file"' in page
    done = post(
        manager,
        f"/hazards/{hazard_id}/actions/rectify",
        {"evidence": "已更换", "photos": (io.BytesIO(PNG), "after.png", "image/png")},
        f"/hazards/{hazard_id}",
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    shown = text(manager.get(f"/hazards/{hazard_id}"))
    assert "照片 1 张" in shown and 'alt="隐患照片 after.png"' in shown

    step(hazards, campus, hazard_id, "accept", {}, who="office")
    office = sign_in(console, "S001")
    page = text(office.get(f"/hazards/{hazard_id}"))
    assert re.search(r'id="action-close" data-confirm="确认销号？[^"]*"', page)
    script = JS.read_text(encoding="utf-8")
    assert "data-confirm" in script and "window.confirm" in script


def test_the_report_step_asks_first_too(console, hazards, campus):
    hazard_id = reported(console, campus)
    step(hazards, campus, hazard_id, "register", {"deadline": "2099-01-31"})
    page = text(sign_in(console, "J001").get(f"/hazards/{hazard_id}"))
    assert 'id="action-report" data-confirm="确认报送？"' in page


def test_extension_requests_and_their_decisions(console, hazards, campus):
    hazard_id = reported(console, campus)
    deadline = campus_today("Asia/Shanghai") + timedelta(days=10)
    in_remediation(hazards, campus, hazard_id, deadline)
    manager = sign_in(console, "J001")
    page = text(manager.get(f"/hazards/{hazard_id}"))
    assert "暂无延期申请" in page and 'id="extension-request"' in page

    # earlier than the deadline: refused beside the date, the reason kept
    earlier = (deadline - timedelta(days=3)).isoformat()
    ask = f"/hazards/{hazard_id}/extensions"
    refused = post(
        manager, ask, {"new_deadline": earlier, "reason": "配件未到"}, ask.rsplit("/", 1)[0]
    )
    said = text(refused)
    assert refused.status_code in (409, 422)
    assert ">配件未到</textarea>" in said and f'value="{earlier}"' in said
    assert re.search(
        r'<p class="error" id="ext-(deadline|reason)-error">[^<]*[\u4e00-\u9fff]', said
    )

    later = (deadline + timedelta(days=20)).isoformat()
    asked = post(
        manager, ask, {"new_deadline": later, "reason": "配件未到"}, f"/hazards/{hazard_id}"
    )
    assert asked.status_code == 302
    page = text(manager.get(f"/hazards/{hazard_id}"))
    rows = re.search(r'id="extension-list".*?</table>', page, re.S).group(0)
    assert "钱院长" in rows and later in rows and "待审批" in rows
    assert 'id="extension-request"' not in page  # one request waits at a time
    again = post(
        manager, ask, {"new_deadline": later, "reason": "再次申请"}, page=f"/hazards/{hazard_id}"
    )
    assert again.status_code == 409  # a crafted second one: the refusal said at the top
    assert re.search(r'class="flash flash-error"[^>]*>[^<]*待审批', text(again))
    assert "extension-approve" not in page  # the requester's unit does not decide

    office = sign_in(console, "S001")
    page = text(office.get(f"/hazards/{hazard_id}"))
    assert 'id="extension-approve-1"' in page and 'id="extension-refuse-1"' in page
    request_id = re.search(r"/extensions/([^/]+)/decision", page).group(1)
    decide = f"/hazards/{hazard_id}/extensions/{request_id}/decision"
    done = post(office, decide, {"approve": "yes", "comment": "同意"}, f"/hazards/{hazard_id}")
    assert done.status_code == 302
    page = text(office.get(f"/hazards/{hazard_id}"))
    rows = re.search(r'id="extension-list".*?</table>', page, re.S).group(0)
    assert "已批准" in rows and "赵处长" in rows and "同意" in rows
    assert re.search(rf'id="hazard-deadline">{later}', page)


def test_overdue_days_stage_colours_place_and_responsible_columns_and_the_place_filter(
    console, hazards, campus
):
    hazard_id = reported(console, campus)
    late = reported(console, campus, description="配电箱未上锁")
    in_remediation(hazards, campus, late, date(2099, 1, 31))
    with hazards.app_context(), state().session_factory() as session, session.begin():
        hazard = session.get(Hazard, late)
        hazard.deadline = campus_today("Asia/Shanghai") - timedelta(days=3)  # 3 days late
    elsewhere = hazards.test_client().post(
        "/hazards",
        json={"category": "fire", "description": "院办窗户破损", "unit_code": "JD"},
        headers=token_of(campus, "manager"),
    )
    assert elsewhere.status_code == 201

    manager = sign_in(console, "J001")
    page = text(manager.get("/hazards"))
    assert '<table class="cards-phone" id="ledger">' in page
    rows = re.findall(r"<tr[^>]*>\s*<td data-label=\"编号\">.*?</tr>", page, re.S)
    assert len(rows) == 3
    late_row = next(r for r in rows if "配电箱" in r)
    assert "逾期 3 天" in late_row and 'class="overdue"' in late_row
    assert '<span class="badge stage stage-in_remediation">整改中</span>' in late_row
    assert '<td data-label="责任人">孙主任</td>' in late_row
    assert ">机电工程学院 / 3号楼301实训室</a></td>" in late_row
    assert 'href="/hazards?cell_id=room"' in late_row  # the place's own ledger
    fresh_row = next(r for r in rows if "灭火器压力不足" in r)
    assert "逾期" not in fresh_row and "stage-discovered" in fresh_row
    for label in ("编号", "单位", "地点", "类别", "环节", "责任人", "整改期限"):
        assert f'data-label="{label}"' in late_row
    shown = text(manager.get(f"/hazards/{late}"))
    assert re.search(r'id="hazard-overdue">逾期 3 天<', shown)
    assert 'class="badge stage stage-in_remediation" id="hazard-status"' in shown

    # the place filter: kept in the page, sent to the API and the export
    placed = text(manager.get("/hazards?cell_id=room"))
    assert re.search(r'id="ledger-total">2<', placed) and "院办窗户破损" not in placed
    assert 'name="cell_id" value="room"' in placed and "3号楼301实训室" in placed
    assert "/hazards/export.xlsx?cell_id=room" in placed
    assert hazard_id


def test_the_export_is_named_by_unit_and_day_and_shows_names(console, hazards, campus):
    hazard_id = reported(console, campus)
    in_remediation(hazards, campus, hazard_id, date(2099, 1, 31))
    manager = sign_in(console, "J001")
    answer = manager.get("/hazards/export.xlsx?cell_id=room")
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    today = campus_today("Asia/Shanghai", datetime.now(UTC))
    assert "filename*=UTF-8''" in disposition  # RFC 5987: the name in UTF-8
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == (
        f"隐患台账-机电工程学院-{today:%Y-%m-%d}.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data))["隐患台账"]
    header = [c.value for c in sheet[3]]
    row = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert row["发现人"] == "钱院长" and row["责任人"] == "孙主任"
    person_ids = {p["id"] for p in campus["people"].values()}
    cells = {str(c.value) for line in sheet.iter_rows() for c in line if c.value is not None}
    assert not cells & person_ids  # names, never ids
