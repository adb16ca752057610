"""The roster import after the security review of issue 14: a workbook of countless shared
strings refused at once, csv's process-wide field limit left alone (two imports in two
threads would otherwise race on it), refusals in Chinese, and a row carrying another unit's
number answered without that person's name or unit."""

from __future__ import annotations

import csv

import pytest

from services.grid import table_reader
from tests.support.fixtures import bearer
from tests.unit.test_grid_import_limits import (
    HEADER,
    ROW,
    assert_cheap,
    grid,  # noqa: F401 (the fixture)
    post,
    sheet,
    upload,
    xlsx,
)

SO = bearer("security_office", sub="office")


def shared_string_rows() -> tuple[list[str], list[str]]:
    """The header and one roster row, every cell a shared string (indexes 0-11)."""
    cells = HEADER.strip().split(",") + ROW.strip().split(",")
    rows = []
    for number in (1, 2):
        refs = "".join(
            f'<c r="{column}{number}" t="s"><v>{(number - 1) * 6 + i}</v></c>'
            for i, column in enumerate("ABCDEF")
        )
        rows.append(f'<row r="{number}">{refs}</row>')
    return rows, [f"<si><t>{text}</t></si>" for text in cells]


def test_a_workbook_whose_shared_strings_are_used_as_its_rows_imports(grid):  # noqa: F811
    rows, strings = shared_string_rows()
    response = post(grid, xlsx(sheet("A1:F2", rows), strings), "名单.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignments_created"] == 1


def test_strings_the_sheet_does_not_use_are_not_read(grid):  # noqa: F811
    """A workbook's other sheets share the strings: many unused ones cost nothing."""
    rows, strings = shared_string_rows()
    unused = [f"<si><t>{n}</t></si>" for n in range(table_reader.MAX_SHARED_STRINGS * 2)]
    content = xlsx(sheet("A1:F2", rows), [*strings, *unused])
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 200, response.get_json()
    assert_cheap(content, elapsed, peak)


@pytest.mark.parametrize("reference", ["-1", "12"])
def test_a_cell_using_a_string_the_workbook_lacks_is_a_422(grid, reference):  # noqa: F811
    rows, strings = shared_string_rows()
    rows.append(f'<row r="3"><c r="B3" t="s"><v>{reference}</v></c></row>')
    response = post(grid, xlsx(sheet("A1:F3", rows), strings), "名单.xlsx")
    assert response.status_code == 422, response.get_json()
    assert "第 3 行 B 列" in response.get_json()["detail"]


def test_sixteen_megabytes_of_short_shared_strings_are_a_413_at_once(grid):  # noqa: F811
    """613,000 distinct strings packed into 4 MB took 15 s and 150 MB to parse."""
    rows, strings = shared_string_rows()
    many = (f"<si><t>{n:010x}</t></si>" for n in range(600_000))
    content = xlsx(sheet("A1:F2", rows), [*strings, *many])
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 413, response.get_json()
    assert response.content_type == "application/problem+json"
    assert "文字" in response.get_json()["detail"]
    assert_cheap(content, elapsed, peak)


def test_a_cell_using_more_shared_strings_than_a_roster_can_have_is_a_413_at_once(grid):  # noqa: F811
    """Under the size limit, but a string further on than any roster's."""
    rows, strings = shared_string_rows()
    many = [f"<si><t>{n}</t></si>" for n in range(table_reader.MAX_SHARED_STRINGS)]
    far = table_reader.MAX_SHARED_STRINGS + len(strings) - 1
    rows.append(f'<row r="3"><c r="A3" t="s"><v>{far}</v></c></row>')
    content = xlsx(sheet("A1:F3", rows), [*strings, *many])
    response, elapsed, peak = upload(grid, content, "名单.xlsx")
    assert response.status_code == 413, response.get_json()
    assert "文字" in response.get_json()["detail"]
    assert_cheap(content, elapsed, peak)


def test_reading_a_csv_leaves_the_csv_modules_field_limit_alone(grid, monkeypatch):  # noqa: F811
    """csv.field_size_limit is the whole process's: an import that sets it and puts it back
    races another import in the next thread (one restores the other's limit)."""
    calls = []
    real = csv.field_size_limit
    monkeypatch.setattr(csv, "field_size_limit", lambda *args: calls.append(args) or real())
    long_name = "赵" * (table_reader.MAX_FIELD_CHARS + 1)
    content = (HEADER + ROW + f"李四,13900002222,,JD-B1,网格安全员,{long_name}\n").encode()
    response = post(grid, content, "roster.csv")
    assert response.status_code == 422, response.get_json()
    assert "第 3 行 F 列" in response.get_json()["detail"], response.get_json()
    assert [args for args in calls if args] == []


def test_a_quoted_csv_field_spanning_many_lines_is_a_422_naming_its_row(grid):  # noqa: F811
    """A quoted field may run over lines; it is bounded like one long line."""
    field = '"' + ("五" * 1000 + "\n") * 200 + '"'
    content = (HEADER + ROW + f"{field},13900002222,,JD-B1,网格安全员,\n").encode()
    response, elapsed, peak = upload(grid, content, "roster.csv")
    assert response.status_code == 422, response.get_json()
    assert "第 3 行" in response.get_json()["detail"]
    assert_cheap(content, elapsed, peak)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "空"),
        ("姓名,学号\n李娜,2021001\n".encode(), "缺少"),
    ],
)
def test_a_file_without_a_roster_is_refused_in_chinese(grid, content, expected):  # noqa: F811
    response = post(grid, content, "roster.csv")
    assert response.status_code in (400, 422), response.get_json()
    detail = response.get_json()["detail"]
    assert expected in detail and detail.isascii() is False, detail
    if expected == "缺少":
        assert "联系电话" in detail and "网格编码" in detail and "角色" in detail


def test_a_file_of_another_type_is_refused_in_chinese(grid):  # noqa: F811
    response = post(grid, b"%PDF-1.4", "roster.pdf")
    assert response.status_code == 415, response.get_json()
    assert "xlsx" in response.get_json()["detail"] and not response.get_json()["detail"].isascii()


def another_units_people(client) -> None:
    unit = {"code": "XX", "name": "信息工程学院", "kind": "college"}
    assert client.post("/units", json=unit, headers=SO).status_code == 201
    for name, phone, numbers in (
        ("王芳", "13700000007", {"staff_no": "X007"}),
        ("李同学", "13700000008", {"student_no": "2021009"}),
    ):
        body = {"name": name, "phone": phone, "unit_code": "XX", **numbers}
        assert client.post("/people", json=body, headers=SO).status_code == 201


def test_a_row_with_another_units_number_does_not_reveal_that_person(grid):  # noqa: F811
    """A unit manager typing another unit's staff number learned that person's name and
    unit from the refusal."""
    another_units_people(grid)
    rows = (
        "姓名,联系电话,工号,学号,网格编码,角色,生效日期\n"
        "王五,13800000009,X007,,JD-B1,网格安全员,2021-09-01\n"  # another name: an update
        "李同学,13700000008,,2021009,JD-B1,网格责任人,2021-09-01\n"  # the same person: assigned
    )
    refused = post(grid, rows.encode(), "roster.csv")
    assert refused.status_code == 422, refused.get_json()
    errors = refused.get_json()["row_errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "工号"), (3, "学号")]
    for error in errors:
        assert "本单位以外" in error["reason"], error
        for secret in ("王芳", "XX", "信息工程学院"):
            assert secret not in error["reason"], error
