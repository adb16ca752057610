"""Bulk import of a unit's roster (.xlsx or .csv), the workflow after new-student intake.

The file is validated as a whole: either every row applies, or nothing does and the
response lists each bad row (row number as in the spreadsheet, column, reason). That
holds for what only applying a row can find out too (a head starting before the current
one, a person of another unit the caller may not change): such a row is listed the same
way and nothing is applied.
Importing the same file again changes nothing: people are matched by staff number,
student number, or name + phone, and assigning a current holder again is a no-op. A file
that gives one staff or student number two names or phones is refused (each import
would otherwise change the person back and forth).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from services.grid import commands, domain, table_reader
from services.grid.access import require_manager, sees_personal_data
from services.grid.checks.domain import DEFAULT_CHECKED_POSTS, CheckMissing
from services.grid.models import Cell, Person
from shared.errors import DomainError
from shared.principal import Principal

# Header (Chinese as in the college's sheets, or English) -> field.
HEADERS = {
    "姓名": "name",
    "name": "name",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "phone": "phone",
    "工号": "staff_no",
    "staff_no": "staff_no",
    "学号": "student_no",
    "student_no": "student_no",
    "网格编码": "cell_code",
    "cell_code": "cell_code",
    "角色": "role",
    "role": "role",
    "生效日期": "effective_from",
    "effective_from": "effective_from",
}
COLUMN_LABELS = {
    "name": "姓名",
    "phone": "联系电话",
    "staff_no": "工号",
    "student_no": "学号",
    "cell_code": "网格编码",
    "role": "角色",
    "effective_from": "生效日期",
}
REQUIRED_COLUMNS = ("name", "phone", "cell_code", "role")
ROLE_BY_TEXT = {label: role.value for role, label in domain.ROLE_LABELS.items()} | {
    role.value: role.value for role in domain.Role
}
ROLE_CHOICES = "、".join(domain.ROLE_LABELS.values())
MAX_ROWS = 5000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, headers)."""


# the accepted extensions and, for each, the Content-Type labels a client may send with it
@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class RosterRow:
    row: int
    name: str
    phone: str
    cell_id: str
    role: str
    effective_from: date
    staff_no: str | None = None
    student_no: str | None = None


@dataclass
class ImportResult:
    rows: int = 0
    people_created: int = 0
    people_updated: int = 0
    assignments_created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_table(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Rows as {field: value}, keyed by the recognised headers of the first row; blank
    rows kept (as {}) so that each keeps its spreadsheet number. The file is read within
    the bounds of ``services.grid.table_reader`` (a ``TableError`` past one)."""
    table = table_reader.read_rows(filename, content)
    if not table:
        raise ImportFileError("文件是空的，没有任何一行")
    header = [
        HEADERS.get(str(h or "").strip().lower()) or HEADERS.get(str(h or "").strip())
        for h in table[0]
    ]
    missing = [COLUMN_LABELS[c] for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"第 1 行（表头）缺少这些列：{'、'.join(missing)}")
    filled = sum(1 for values in table[1:] if any(_text(v) for v in values))
    if filled > MAX_ROWS:
        raise table_reader.TableTooLarge(
            f"文件有 {filled} 行名单，每个文件最多 {MAX_ROWS} 行，请分成几个文件导入"
        )
    return [{key: v for key, v in zip(header, values, strict=False) if key} for values in table[1:]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # numbers typed into Excel cells
        value = int(value)
    return str(value).strip()


def _date(value: Any, default: date) -> date | None:
    if value in (None, ""):
        return default
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def validate_rows(
    rows: list[dict[str, Any]], cells_by_code: dict[str, str], today: date
) -> tuple[list[RosterRow], list[RowError]]:
    """Pure validation of every row; spreadsheet row numbers (the header is row 1)."""
    valid: list[RosterRow] = []
    errors: list[RowError] = []
    single_holders: dict[tuple[str, str], tuple[int, str]] = {}
    # (column, number) -> the first row giving it, with its name and phone
    numbered: dict[tuple[str, str], tuple[int, str, str]] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(_text(v) for v in raw.values()):
            continue  # blank line
        row, row_errors = _parse_row(index, raw, cells_by_code, today)
        if row is None:
            errors.extend(row_errors)
            continue
        conflict = _same_number_other_person(numbered, index, raw, row.name, row.phone)
        if conflict is not None:
            errors.append(conflict)
            continue
        key_person = row.staff_no or row.student_no or f"{row.name}/{row.phone}"
        if row.role in domain.SINGLE_HOLDER_ROLES:
            seen = single_holders.setdefault((row.cell_id, row.role), (index, key_person))
            if seen[1] != key_person:
                errors.append(
                    RowError(
                        index,
                        "角色",
                        f"第 {seen[0]} 行已为该网格指定了{domain.ROLE_LABELS[row.role]}",
                    )
                )
                continue
        valid.append(row)
    return valid, errors


def _parse_row(
    index: int, raw: dict[str, Any], cells_by_code: dict[str, str], today: date
) -> tuple[RosterRow | None, list[RowError]]:
    """One row on its own: the row read, or else every column's error."""
    errors: list[RowError] = []
    name = _text(raw.get("name"))
    if not name:
        errors.append(RowError(index, "姓名", "缺少姓名"))
    elif len(name) > 50:
        errors.append(RowError(index, "姓名", "姓名超过 50 个字"))
    phone = domain.normalize_phone(_text(raw.get("phone")))
    if phone is None:
        errors.append(
            RowError(
                index,
                "联系电话",
                f"{_text(raw.get('phone')) or '（空）'} 不是有效的手机号或座机号"
                "（例如 13812345678、0931-8123456）",
            )
        )
    code = _text(raw.get("cell_code"))
    cell_id = cells_by_code.get(code)
    if cell_id is None:
        errors.append(RowError(index, "网格编码", f"本单位没有编码为 {code or '（空）'} 的网格"))
    role = ROLE_BY_TEXT.get(_text(raw.get("role")))
    if role is None:
        errors.append(
            RowError(
                index, "角色", f"角色“{_text(raw.get('role'))}”无法识别，请填写：{ROLE_CHOICES}"
            )
        )
    starts = _date(raw.get("effective_from"), today)
    if starts is None:
        errors.append(RowError(index, "生效日期", "不是有效日期（格式 2026-09-01）"))
    if errors or phone is None or cell_id is None or role is None or starts is None:
        return None, errors
    return (
        RosterRow(
            row=index,
            name=name,
            phone=phone,
            cell_id=cell_id,
            role=role,
            effective_from=starts,
            staff_no=_text(raw.get("staff_no")) or None,
            student_no=_text(raw.get("student_no")) or None,
        ),
        [],
    )


def _same_number_other_person(
    numbered: dict[tuple[str, str], tuple[int, str, str]],
    index: int,
    raw: dict[str, Any],
    name: str,
    phone: str,
) -> RowError | None:
    """A staff or student number given with another name or phone by an earlier row."""
    for column in ("staff_no", "student_no"):
        number = _text(raw.get(column))
        if not number:
            continue
        first, first_name, first_phone = numbered.setdefault((column, number), (index, name, phone))
        label = COLUMN_LABELS[column]
        if first_name != name:
            return RowError(
                index,
                "姓名",
                f"{label} {number} 在第 {first} 行是 {first_name}，同一人只能有一个姓名",
            )
        if first_phone != phone:
            return RowError(
                index,
                "联系电话",
                f"{label} {number} 在第 {first} 行的电话是 {first_phone}，同一人只能有一个电话",
            )
    return None


def _find_person(session: Session, row: RosterRow) -> Person | None:
    if row.staff_no:
        return session.scalar(select(Person).where(Person.staff_no == row.staff_no))
    if row.student_no:
        return session.scalar(select(Person).where(Person.student_no == row.student_no))
    return session.scalar(select(Person).where(Person.name == row.name, Person.phone == row.phone))


def import_roster(
    session: Session,
    principal: Principal,
    unit_code: str,
    rows: list[dict[str, Any]],
    today: date,
    checked_posts: str = DEFAULT_CHECKED_POSTS,
) -> ImportResult:
    """Validate all rows, then apply them all in the caller's transaction (or none): a
    row refused while applying (a rule that needs the database, e.g. a post's background
    check) is listed like a row that failed validation, and every row is undone."""
    require_manager(principal, unit_code)
    cells = dict(
        session.execute(select(Cell.code, Cell.id).where(Cell.unit_code == unit_code)).all()
    )
    valid, errors = validate_rows(rows, cells, today)
    result = ImportResult(rows=len(valid) + len({e.row for e in errors}), errors=errors)
    if errors:
        return result
    applying = session.begin_nested()
    for row in valid:
        try:
            with session.begin_nested():  # a refused row leaves nothing behind
                _apply_row(session, principal, unit_code, row, result, checked_posts)
        except _RowRefused as refused:
            errors.append(refused.error)
    if errors:
        applying.rollback()
        return ImportResult(rows=result.rows, errors=errors)
    applying.commit()
    return result


class _RowRefused(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def _person_column(row: RosterRow, error: DomainError) -> str:
    """The column a refusal about the row's person points at."""
    for param in error.extra.get("invalid_params") or []:  # e.g. a number already taken
        if param.get("name") in ("staff_no", "student_no"):
            return COLUMN_LABELS[param["name"]]
    if row.staff_no:
        return COLUMN_LABELS["staff_no"]
    if row.student_no:
        return COLUMN_LABELS["student_no"]
    return COLUMN_LABELS["name"]


def _outsider_reason(
    principal: Principal, person: Person, row: RosterRow, error: DomainError
) -> str:
    """Why a row naming another unit's person is refused: that person's name and unit only
    for a caller who may see that unit's people (a unit manager learns nothing from typing
    another unit's numbers)."""
    if sees_personal_data(principal, person.unit_code):
        unit = commands.unit_name(object_session(person), person.unit_code)
        return f"{person.name}（{unit}）已在其他单位登记：{error.detail}"
    column = _person_column(row, error)
    number = {"工号": row.staff_no, "学号": row.student_no}.get(column)
    whose = f"{column} {number} 是" if number else "这个姓名和电话是"
    return f"{whose}本单位以外人员的，只有保卫处可以导入或更改其他单位的人员"


def _apply_row(
    session: Session,
    principal: Principal,
    unit_code: str,
    row: RosterRow,
    result: ImportResult,
    checked_posts: str,
) -> None:
    person = _find_person(session, row)
    try:
        if person is None:
            person = commands.create_person(
                session,
                principal,
                name=row.name,
                phone=row.phone,
                unit_code=unit_code,
                staff_no=row.staff_no,
                student_no=row.student_no,
            )
            result.people_created += 1
        else:
            changes = {"name": row.name, "phone": row.phone}
            if any(getattr(person, k) != v for k, v in changes.items()):
                commands.update_person(session, principal, person.id, changes)
                result.people_updated += 1
    except DomainError as exc:
        reason = exc.detail
        if person is not None and person.unit_code != unit_code:
            reason = _outsider_reason(principal, person, row, exc)
        raise _RowRefused(RowError(row.row, _person_column(row, exc), reason)) from exc
    try:
        _, created = commands.assign(
            session,
            principal,
            cell_id=row.cell_id,
            person_id=person.id,
            role=row.role,
            effective_from=row.effective_from,
            checked_posts=checked_posts,
        )
    except DomainError as exc:
        column, reason = (
            "生效日期" if isinstance(exc, domain.AssignmentConflict) else "网格编码",
            exc.detail,
        )
        if isinstance(exc, CheckMissing):  # the person lacks a valid background check
            column = _person_column(row, exc)
        if person.unit_code != unit_code:  # another unit's person: the security office's
            column = _person_column(row, exc)
            reason = _outsider_reason(principal, person, row, exc)
        raise _RowRefused(RowError(row.row, column, reason)) from exc
    if created:
        result.assignments_created += 1
    else:
        result.unchanged += 1
