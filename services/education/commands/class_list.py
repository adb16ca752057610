"""Enrolment by importing a class list (.xlsx or .csv): 学号/工号, 姓名, 单位 (its name or
code), 班级. The file is checked as a whole: every row is enrolled, or none is and each bad
row is listed (row number as in the spreadsheet, column, reason). Enrolling someone already
enrolled changes nothing, so a list can be imported again."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education.commands.attendance import enrol
from shared import table_reader
from shared.errors import DomainError, PayloadTooLarge
from shared.grid_projection import GridUnit
from shared.principal import Principal

# Header (as in the college's sheets, or the API's field name) -> field.
HEADERS = {
    "学号": "person_ref",
    "工号": "person_ref",
    "学号/工号": "person_ref",
    "person_ref": "person_ref",
    "姓名": "name",
    "name": "name",
    "单位": "unit",
    "学院": "unit",
    "unit_code": "unit",
    "班级": "class_name",
    "class_name": "class_name",
}
COLUMN_LABELS = {"person_ref": "学号/工号", "name": "姓名", "unit": "单位", "class_name": "班级"}
LIMITS = {"person_ref": 64, "name": 50, "class_name": 64}
MAX_ROWS = 5000


class InvalidClassList(DomainError):
    status = 422
    title = "Invalid class list"


@dataclass
class RowError:
    row: int
    column: str
    reason: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # numbers typed into Excel cells
        value = int(value)
    return str(value).strip()


def read_people(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {field: text}) of each filled row, under the first row's
    recognised headers."""
    try:
        table = table_reader.read_rows(filename, content)
    except table_reader.TableTooLarge as exc:
        raise PayloadTooLarge(exc.detail) from exc
    except table_reader.TableUnreadable as exc:
        raise InvalidClassList(exc.detail) from exc
    if not table:
        raise InvalidClassList("文件是空的，没有任何一行")
    header = [HEADERS.get(_text(h)) or HEADERS.get(_text(h).lower()) for h in table[0]]
    missing = [COLUMN_LABELS[c] for c in ("person_ref", "name", "unit") if c not in header]
    if missing:
        raise InvalidClassList(f"第 1 行（表头）缺少这些列：{'、'.join(missing)}")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {k: _text(v) for k, v in zip(header, values, strict=False) if k}
        if any(row.values()):
            rows.append((number, row))
    if len(rows) > MAX_ROWS:
        raise PayloadTooLarge(f"文件有 {len(rows)} 行名单，每个文件最多 {MAX_ROWS} 行")
    return rows


def check_rows(
    session: Session, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[dict], list[RowError]]:
    """The people to enrol, and each row's problems (a unit by name or code of the grid)."""
    units = {code: code for code in session.scalars(select(GridUnit.code))}
    units |= {name: code for code, name in session.execute(select(GridUnit.code, GridUnit.name))}
    people, errors, seen = [], [], {}
    for number, row in rows:
        bad = []
        for field in ("person_ref", "name", "unit"):
            if not row.get(field):
                bad.append(RowError(number, COLUMN_LABELS[field], "必填，不能为空"))
        for field, limit in LIMITS.items():
            if len(row.get(field) or "") > limit:
                bad.append(RowError(number, COLUMN_LABELS[field], f"不能超过 {limit} 个字"))
        unit = units.get(row.get("unit") or "")
        if row.get("unit") and unit is None:
            bad.append(RowError(number, "单位", f"没有名为「{row['unit']}」的单位"))
        ref = row.get("person_ref")
        if ref and ref in seen and seen[ref] != row.get("name"):
            bad.append(RowError(number, "学号/工号", f"{ref} 在文件中对应了两个姓名"))
        if bad:
            errors += bad
            continue
        seen[ref] = row["name"]
        person = {"person_ref": ref, "name": row["name"], "unit_code": unit}
        people.append(person | ({"class_name": row["class_name"]} if row.get("class_name") else {}))
    return people, errors


def import_class_list(
    session: Session, principal: Principal, activity_id: str, filename: str, content: bytes
) -> dict[str, Any]:
    """Enrol every person of the file, or nobody (422 listing each bad row)."""
    people, errors = check_rows(session, read_people(filename, content))
    if errors:
        raise InvalidClassList(
            f"{len({e.row for e in errors})} 行有误，名单未导入",
            row_errors=[asdict(e) for e in errors],
        )
    if not people:
        raise InvalidClassList("文件中没有名单")
    return enrol(session, principal, activity_id, people)
