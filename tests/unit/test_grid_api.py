"""The grid service over HTTP (SQLite, no broker): tree, history, access, import, rosters."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from shared.api import state
from shared.events.outbox import OutboxMessage
from tests.support.fixtures import bearer

SO = bearer("security_office")
JD_MANAGER = bearer("unit_manager", unit="JD")
XX_MANAGER = bearer("unit_manager", unit="XX")
REPORT_URL = "https://campus.example.edu.cn/report"


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def grid(make_app):
    app = make_app("grid", report_base_url=REPORT_URL)
    client = app.test_client()
    ok(
        client.post(
            "/units", json={"code": "JD", "name": "机电工程学院", "kind": "college"}, headers=SO
        ),
        201,
    )
    ok(
        client.post(
            "/units", json={"code": "XX", "name": "信息工程学院", "kind": "college"}, headers=SO
        ),
        201,
    )
    root = ok(
        client.post(
            "/cells",
            json={"code": "LZXD", "name": "兰州现代职业学院", "area_type": "campus"},
            headers=SO,
        ),
        201,
    )
    ids = {"root": root["id"]}
    for unit in ("JD", "XX"):
        cell = {
            "code": unit,
            "name": unit,
            "area_type": "unit",
            "parent_id": root["id"],
            "unit_code": unit,
        }
        ids[unit] = ok(client.post("/cells", json=cell, headers=SO), 201)["id"]
    building = {
        "code": "JD-B1",
        "name": "1号教学楼",
        "area_type": "teaching",
        "parent_id": ids["JD"],
    }
    ids["building"] = ok(client.post("/cells", json=building, headers=JD_MANAGER), 201)["id"]
    floor = {
        "code": "JD-B1-F3",
        "name": "3层",
        "area_type": "teaching",
        "parent_id": ids["building"],
        "location": "东侧",
    }
    ids["floor"] = ok(client.post("/cells", json=floor, headers=JD_MANAGER), 201)["id"]
    dorm = {"code": "XX-D2", "name": "2号宿舍楼", "area_type": "dormitory", "parent_id": ids["XX"]}
    ids["dorm"] = ok(client.post("/cells", json=dorm, headers=XX_MANAGER), 201)["id"]
    client.ids = ids
    client.app_ = app
    return client


def person(client, name, phone, unit="JD", headers=JD_MANAGER, **extra):
    body = {"name": name, "phone": phone, "unit_code": unit, **extra}
    return ok(client.post("/people", json=body, headers=headers), 201)


def outbox_count(client) -> int:
    with client.app_.app_context(), state().session_factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_three_successive_heads_answer_on_every_date(grid):
    floor = grid.ids["floor"]
    heads = [
        person(grid, n, p)
        for n, p in (("张伟", "13800000001"), ("李娜", "13800000002"), ("王强", "13800000003"))
    ]
    for head, starts in zip(heads, ("2021-09-01", "2021-11-15", "2022-01-10"), strict=True):
        ok(
            grid.post(
                "/assignments",
                json={
                    "cell_id": floor,
                    "person_id": head["id"],
                    "role": "head",
                    "effective_from": starts,
                },
                headers=JD_MANAGER,
            ),
            201,
        )

    def head_on(day: str) -> list[str]:
        rows = ok(grid.get(f"/cells/{floor}/holders?on={day}&role=head", headers=SO))
        return [r["person_name"] for r in rows]

    assert head_on("2021-08-31") == []
    assert head_on("2021-09-01") == ["张伟"]
    assert head_on("2021-11-14") == ["张伟"]
    assert head_on("2021-11-15") == ["李娜"]  # the handover day belongs to the successor
    assert head_on("2022-01-09") == ["李娜"]
    assert head_on("2022-01-10") == ["王强"]
    assert head_on("2030-01-01") == ["王强"]
    history = ok(grid.get(f"/cells/{floor}/assignments", headers=SO))
    assert [(h["person_name"], h["effective_from"], h["effective_to"]) for h in history] == [
        ("张伟", "2021-09-01", "2021-11-15"),
        ("李娜", "2021-11-15", "2022-01-10"),
        ("王强", "2022-01-10", None),
    ]
    past = ok(grid.get(f"/people/{heads[0]['id']}/responsibilities", headers=SO))
    assert [(r["cell_code"], r["role_label"], r["effective_to"]) for r in past] == [
        ("JD-B1-F3", "网格负责人", "2021-11-15")
    ]
    backdated = grid.post(
        "/assignments",
        json={
            "cell_id": floor,
            "person_id": heads[0]["id"],
            "role": "head",
            "effective_from": "2021-12-01",
        },
        headers=JD_MANAGER,
    )
    assert backdated.status_code == 409


def test_escalation_chain_and_moves(grid):
    ids = grid.ids
    chain = ok(grid.get(f"/cells/{ids['floor']}/chain", headers=SO))
    assert [c["level"] for c in chain] == [4, 3, 2, 1]
    assert [c["code"] for c in chain] == ["JD-B1-F3", "JD-B1", "JD", "LZXD"]
    cycle = grid.post(
        f"/cells/{ids['building']}/move", json={"parent_id": ids["floor"]}, headers=SO
    )
    assert cycle.status_code == 409
    assert cycle.content_type == "application/problem+json"
    itself = grid.post(
        f"/cells/{ids['building']}/move", json={"parent_id": ids["building"]}, headers=SO
    )
    assert itself.status_code == 409
    lab = ok(
        grid.post(
            "/cells",
            json={"code": "JD-LAB", "name": "实训楼", "area_type": "lab", "parent_id": ids["JD"]},
            headers=SO,
        ),
        201,
    )
    moved = ok(grid.post(f"/cells/{ids['floor']}/move", json={"parent_id": lab["id"]}, headers=SO))
    assert moved["level"] == 4
    assert [c["code"] for c in ok(grid.get(f"/cells/{ids['floor']}/chain", headers=SO))][:2] == [
        "JD-B1-F3",
        "JD-LAB",
    ]


def test_unit_managers_manage_only_their_unit(grid):
    ids = grid.ids
    cell = {"code": "JD-X", "name": "越权", "area_type": "office", "parent_id": ids["JD"]}
    assert grid.post("/cells", json=cell, headers=XX_MANAGER).status_code == 403
    assert (
        grid.patch(f"/cells/{ids['floor']}", json={"name": "改名"}, headers=XX_MANAGER).status_code
        == 403
    )
    assert (
        grid.post(
            f"/cells/{ids['floor']}/move", json={"parent_id": ids["XX"]}, headers=JD_MANAGER
        ).status_code
        == 403
    )
    xx_person = person(grid, "赵敏", "13900000009", unit="XX", headers=XX_MANAGER)
    assign = {"cell_id": ids["floor"], "person_id": xx_person["id"], "role": "head"}
    assert grid.post("/assignments", json=assign, headers=XX_MANAGER).status_code == 403
    # JD's manager may staff JD's floor, but not with XX's person: the refusal names the unit
    refused = grid.post("/assignments", json=assign, headers=JD_MANAGER)
    assert refused.status_code == 403
    assert "这个人属于信息工程学院" in refused.get_json()["detail"]
    assert "XX" not in refused.get_json()["detail"]
    assert (
        grid.post(
            "/people",
            json={"name": "钱", "phone": "13900000010", "unit_code": "JD"},
            headers=XX_MANAGER,
        ).status_code
        == 403
    )
    assert (
        grid.post(
            "/units", json={"code": "ZZ", "name": "z", "kind": "office"}, headers=JD_MANAGER
        ).status_code
        == 403
    )
    # Others read the tree; personal data of another unit is masked.
    assert (
        ok(grid.get(f"/cells/{ids['floor']}", headers=bearer("grid_staff", unit="XX")))["code"]
        == "JD-B1-F3"
    )
    seen = ok(grid.get(f"/people/{xx_person['id']}", headers=JD_MANAGER))
    assert seen["phone"] == "139****0009"
    assert ok(grid.get(f"/people/{xx_person['id']}", headers=XX_MANAGER))["phone"] == "13900000009"


def test_bad_input_names_the_field(grid):
    bad_phone = grid.post(
        "/people", json={"name": "张三", "phone": "12345", "unit_code": "JD"}, headers=JD_MANAGER
    )
    assert bad_phone.status_code == 422
    assert [p["name"] for p in bad_phone.get_json()["invalid_params"]] == ["phone"]
    unknown = grid.post(
        "/assignments", json={"cell_id": "nope", "person_id": "nope", "role": "head"}, headers=SO
    )
    assert unknown.status_code == 404
    role = grid.post(
        "/assignments",
        json={"cell_id": grid.ids["floor"], "person_id": "x", "role": "boss"},
        headers=SO,
    )
    assert [p["name"] for p in role.get_json()["invalid_params"]] == ["role"]


def test_gaps_list_places_without_head_or_safety_officer(grid):
    ids = grid.ids
    head = person(grid, "张伟", "13800000001")
    officer = person(grid, "李娜", "13800000002")
    for who, role in ((head, "head"), (officer, "safety_officer")):
        ok(
            grid.post(
                "/assignments",
                json={
                    "cell_id": ids["floor"],
                    "person_id": who["id"],
                    "role": role,
                    "effective_from": "2021-09-01",
                },
                headers=JD_MANAGER,
            ),
            201,
        )
    gaps = {
        g["cell"]["code"]: g["missing_roles"]
        for g in ok(grid.get("/cells/gaps?on=2021-10-01", headers=SO))
    }
    assert gaps == {"JD-B1": ["head", "safety_officer"], "XX-D2": ["head", "safety_officer"]}
    early = {
        g["cell"]["code"]
        for g in ok(grid.get("/cells/gaps?on=2021-08-01&unit_code=JD", headers=SO))
    }
    assert early == {"JD-B1", "JD-B1-F3"}


def test_assignment_changes_are_published_in_the_same_transaction(grid):
    before = outbox_count(grid)
    a = person(grid, "张伟", "13800000001")
    b = person(grid, "李娜", "13800000002")
    body = {"cell_id": grid.ids["floor"], "role": "head", "effective_from": "2021-09-01"}
    ok(grid.post("/assignments", json={**body, "person_id": a["id"]}, headers=JD_MANAGER), 201)
    ok(
        grid.post(
            "/assignments",
            json={**body, "person_id": b["id"], "effective_from": "2021-10-01"},
            headers=JD_MANAGER,
        ),
        201,
    )
    with grid.app_.app_context(), state().session_factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
    events = [json.loads(r.body) for r in rows]
    assert [(e["type"], e["data"]["person_name"], e["data"]["effective_to"]) for e in events] == [
        ("assignment.changed", "张伟", None),
        ("assignment.changed", "张伟", "2021-10-01"),
        ("assignment.changed", "李娜", None),
    ]


def roster_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "联系电话", "学号", "网格编码", "角色", "生效日期"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(client, content: bytes, name="roster.csv", headers=JD_MANAGER):
    return client.post(
        "/units/JD/roster-import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def intake_rows(n: int, floors: list[str]) -> list[list[str]]:
    rows = []
    for i in range(n):
        role = (
            "网格责任人" if i >= len(floors) * 2 else ("网格负责人" if i % 2 == 0 else "网格安全员")
        )
        floor = floors[(i // 2) % len(floors)] if i < len(floors) * 2 else floors[i % len(floors)]
        rows.append([f"学生{i:03d}", f"139{i:08d}", f"2021{i:05d}", floor, role, "2021-09-01"])
    return rows


@pytest.fixture
def floors(grid):
    codes = []
    for n in range(1, 6):
        body = {
            "code": f"JD-B1-F{n}0",
            "name": f"{n}0层",
            "area_type": "teaching",
            "parent_id": grid.ids["building"],
        }
        ok(grid.post("/cells", json=body, headers=JD_MANAGER), 201)
        codes.append(body["code"])
    return codes


def test_import_200_rows_all_or_nothing_and_idempotent(grid, floors):
    rows = intake_rows(200, floors)
    content = roster_csv(rows)
    before = outbox_count(grid)
    result = ok(upload(grid, content))
    assert result["rows"] == 200 and result["people_created"] == 200
    assert result["assignments_created"] == 200
    after_first = outbox_count(grid)
    assert after_first - before == 200

    again = ok(upload(grid, content))
    assert (again["people_created"], again["assignments_created"], again["unchanged"]) == (
        0,
        0,
        200,
    )
    assert outbox_count(grid) == after_first  # nothing changed, nothing announced

    bad = [list(r) for r in intake_rows(200, floors)]
    bad[10][1] = "1234"  # bad phone: spreadsheet row 12
    bad[50][3] = "NO-SUCH-CELL"  # unknown cell: row 52
    bad[120][0] = ""  # missing name: row 122
    bad[199][0] = "新同学"  # a valid change that must NOT apply
    refused = upload(grid, roster_csv(bad))
    assert refused.status_code == 422
    problem = refused.get_json()
    assert [(e["row"], e["column"]) for e in problem["row_errors"]] == [
        (12, "联系电话"),
        (52, "网格编码"),
        (122, "姓名"),
    ]
    assert outbox_count(grid) == after_first
    names = {
        p["name"] for p in ok(grid.get("/people?unit_code=JD&page_size=100&page=2", headers=SO))
    }
    names |= {
        p["name"] for p in ok(grid.get("/people?unit_code=JD&page_size=100&page=1", headers=SO))
    }
    assert "新同学" not in names


def test_import_reads_xlsx_and_refuses_other_files(grid, floors):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "联系电话", "工号", "网格编码", "角色", "生效日期"])
    sheet.append(["张伟", 13812345678, "T001", floors[0], "网格负责人", "2021-09-01"])
    sheet.append(["李娜", "0931-8123456", "T002", floors[0], "safety_officer", None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = ok(upload(grid, buffer.getvalue(), name="名单.xlsx"))
    assert result["assignments_created"] == 2
    wrong = upload(grid, b"%PDF-1.4", name="roster.pdf")
    assert wrong.status_code == 415 and "请上传 .xlsx 或 .csv" in wrong.get_json()["detail"]
    assert upload(grid, roster_csv([]), headers=XX_MANAGER).status_code == 403


def test_roster_pdf_names_phones_and_qr(grid):
    import pypdfium2
    import zxingcpp
    from pypdf import PdfReader

    ids = grid.ids
    head = person(grid, "张伟", "13812345678")
    officer = person(grid, "李娜", "0931-8123456")
    for who, role in ((head, "head"), (officer, "safety_officer")):
        ok(
            grid.post(
                "/assignments",
                json={
                    "cell_id": ids["floor"],
                    "person_id": who["id"],
                    "role": role,
                    "effective_from": "2021-09-01",
                },
                headers=JD_MANAGER,
            ),
            201,
        )
    response = grid.get("/rosters?unit_code=JD&format=pdf", headers=JD_MANAGER)
    assert response.status_code == 200 and response.content_type == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("机电工程学院", "张伟", "李娜", "13812345678", "0931-8123456", "网格负责人"):
        assert expected in text
    decoded = set()
    for page in pypdfium2.PdfDocument(response.data):
        decoded |= {b.text for b in zxingcpp.read_barcodes(page.render(scale=3).to_pil())}
    assert f"{REPORT_URL}?cell={ids['floor']}" in decoded
    assert f"{REPORT_URL}?cell={ids['building']}" in decoded

    html = grid.get("/rosters?unit_code=JD", headers=JD_MANAGER)
    assert "张伟" in html.get_data(as_text=True) and html.content_type.startswith("text/html")
    xlsx = grid.get("/rosters?area_type=teaching&format=xlsx", headers=SO)
    assert xlsx.status_code == 200
    assert grid.get("/rosters?unit_code=JD", headers=XX_MANAGER).status_code == 403
    assert grid.get("/rosters?area_type=teaching", headers=JD_MANAGER).status_code == 403
    assert grid.get("/rosters?format=pdf", headers=SO).status_code == 422


def staff_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "联系电话", "工号", "网格编码", "角色", "生效日期"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def jd_people(client) -> dict[str, tuple[str, str]]:
    people = ok(client.get("/people?unit_code=JD&page_size=100", headers=SO))
    return {p["staff_no"]: (p["name"], p["phone"]) for p in people if p.get("staff_no")}


def test_import_refuses_one_staff_number_with_two_names_or_phones(grid, floors):
    """Otherwise every import renames the person back and forth (not idempotent)."""
    before = outbox_count(grid)
    two_names = [
        ["张伟", "13800000001", "T001", floors[0], "网格负责人", "2021-09-01"],
        ["李娜", "13800000002", "T002", floors[0], "网格安全员", "2021-09-01"],
        ["张卫", "13800000001", "T001", floors[1], "网格负责人", "2021-09-01"],
        ["张伟", "13900000009", "T001", floors[2], "网格负责人", "2021-09-01"],
    ]
    refused = upload(grid, staff_csv(two_names))
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["row_errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, "姓名"), (5, "联系电话")]
    assert "T001" in errors[0]["reason"] and "第 2 行" in errors[0]["reason"]
    assert outbox_count(grid) == before and jd_people(grid) == {}

    # The same person twice with the same details (two places) is fine, and idempotent.
    same = [two_names[0], two_names[1], [*two_names[0][:3], floors[1], "网格负责人", "2021-09-01"]]
    first = ok(upload(grid, staff_csv(same)))
    assert (first["people_created"], first["assignments_created"]) == (2, 3)
    again = ok(upload(grid, staff_csv(same)))
    assert (again["people_updated"], again["assignments_created"], again["unchanged"]) == (0, 0, 3)


def test_rows_refused_while_applying_are_listed_per_row_and_nothing_applies(grid, floors):
    """A head starting before the current head, a person of another unit listed with other
    details: a per-row error like any other (not a bare 409/403), and no row applies."""
    ok(
        upload(
            grid,
            staff_csv([["张伟", "13800000001", "T001", floors[0], "网格负责人", "2021-09-01"]]),
        )
    )
    person(grid, "王芳", "13700000007", unit="XX", headers=SO, staff_no="X007")
    before = outbox_count(grid)
    rows = [
        ["李娜", "13800000002", "T002", floors[1], "网格安全员", "2021-09-01"],  # fine
        ["赵强", "13800000003", "T003", floors[0], "网格负责人", "2021-08-01"],  # too early
        ["王芳芳", "13700000007", "X007", floors[2], "网格安全员", "2021-09-01"],  # XX's
        ["刘洋", "13800000004", "T004", floors[3], "网格负责人", "2021-09-01"],  # fine
    ]
    refused = upload(grid, staff_csv(rows))
    assert refused.status_code == 422, refused.get_json()
    problem = refused.get_json()
    errors = problem["row_errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "生效日期"), (4, "工号")]
    assert "2021-09-01" in errors[0]["reason"]  # the current head's start
    assert "本单位以外" in errors[1]["reason"]  # neither whose number it is nor their unit
    assert "XX" not in errors[1]["reason"] and "王芳" not in errors[1]["reason"]
    assert "有 2 行有误，未导入任何内容" in problem["detail"]
    assert outbox_count(grid) == before  # nothing announced
    assert jd_people(grid) == {"T001": ("张伟", "13800000001")}  # nobody created
    xx = ok(grid.get("/people?unit_code=XX", headers=SO))
    assert [p["name"] for p in xx] == ["王芳"]  # not renamed

    # The security office may change another unit's person: the same file then only
    # trips on the head's date.
    again = upload(grid, staff_csv(rows), headers=SO)
    assert [(e["row"], e["column"]) for e in again.get_json()["row_errors"]] == [(3, "生效日期")]
    assert outbox_count(grid) == before
