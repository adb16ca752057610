"""Pure rules of daily inspections: results against a checklist, and coverage.

An inspection answers every item of its checklist template exactly once with pass / fail /
na; each failed item becomes one hazard.

Coverage: a place (grid cell of level ≥ 3) is covered for a campus day or ISO week when at
least one inspection of it was recorded on a campus date inside that period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.hazards.registers.domain import InvalidInput
from shared.timeutil import EARLIEST, LATEST

PLACE_LEVEL = 3  # grid levels 1 campus, 2 unit; places (楼宇、楼层、房间…) from 3 down


# -- checklists and inspection results ----------------------------------------------------
class ItemResult(StrEnum):
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格
    NA = "na"  # 不适用


ITEM_RESULT_LABELS = {ItemResult.PASS: "合格", ItemResult.FAIL: "不合格", ItemResult.NA: "不适用"}
# An item code ends up in a hazard's source_ref "<inspection id>:<code>" (64 characters).
ITEM_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


@dataclass(frozen=True)
class ItemOutcome:
    position: int
    code: str
    text: str
    result: ItemResult
    note: str | None


def duplicate_codes(codes: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    duplicates: list[str] = []
    for code in codes:
        if code in seen and code not in duplicates:
            duplicates.append(code)
        seen.add(code)
    return duplicates


def evaluate_results(
    items: Sequence[Mapping[str, str]], answers: Sequence[Mapping[str, object]]
) -> list[ItemOutcome]:
    """Match answers to the template's items: each item answered exactly once.

    Returns the outcomes in the template's order; raises 422 naming the first offending
    answers (unknown or repeated codes) or the items left unanswered.
    """
    texts = {item["code"]: item["text"] for item in items}
    problems: list[dict[str, str]] = []
    given: dict[str, Mapping[str, object]] = {}
    for index, answer in enumerate(answers):
        code = str(answer["code"])
        if code not in texts:
            problems.append(_param(f"results.{index}.code", f"{code} 不是该检查表的项目"))
        elif code in given:
            problems.append(_param(f"results.{index}.code", f"{code} 重复作答"))
        else:
            given[code] = answer
    missing = [code for code in texts if code not in given]
    if missing:
        problems.append(_param("results", f"以下项目没有结果：{'、'.join(missing)}"))
    if problems:
        raise InvalidInput(
            "检查结果须对检查表的每一项作答且只答一次",
            invalid_params=problems,
        )
    return [
        ItemOutcome(
            position=position,
            code=code,
            text=texts[code],
            result=ItemResult(str(given[code]["result"])),
            note=_note(given[code].get("note")),
        )
        for position, code in enumerate(texts)
    ]


def _param(name: str, reason: str) -> dict[str, str]:
    return {"name": name, "reason": reason, "location": "json"}


def _note(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def result_counts(outcomes: Sequence[ItemOutcome]) -> dict[str, int]:
    """The inspection's tallies (its passed / failed / not_applicable columns)."""
    return {
        "passed": sum(o.result == ItemResult.PASS for o in outcomes),
        "failed": sum(o.result == ItemResult.FAIL for o in outcomes),
        "not_applicable": sum(o.result == ItemResult.NA for o in outcomes),
    }


def failed_items(outcomes: Iterable[ItemOutcome]) -> list[ItemOutcome]:
    return [o for o in outcomes if o.result == ItemResult.FAIL]


def hazard_description(checklist_name: str, place_name: str, outcome: ItemOutcome) -> str:
    """What the hazard opened for a failed item says (the ledger's text must stand alone)."""
    text = f"{place_name}日检查（{checklist_name}）不合格：{outcome.text}"
    return f"{text}。检查记录：{outcome.note}" if outcome.note else text


def hazard_source_ref(inspection_id: str, outcome: ItemOutcome) -> str:
    """The hazard's link back to the failed item: ``<inspection id>:<item code>``."""
    return f"{inspection_id}:{outcome.code}"


# -- coverage -----------------------------------------------------------------------------
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Campus dates ``start``..``end`` inclusive, named as asked (2021-11-22 / 2021-W47)."""

    label: str
    start: date
    end: date


def day_period(day: date) -> Period:
    return Period(day.isoformat(), day, day)


def week_period(text: str) -> Period:
    """``YYYY-Www`` (ISO 8601 week, Monday to Sunday); ValueError when not a real week."""
    match = ISO_WEEK.match(text)
    if not match:
        raise ValueError("须为 ISO 周，如 2021-W47")
    year, week = int(match.group(1)), int(match.group(2))
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValueError(f"年份须在 {EARLIEST.year} 到 {LATEST.year} 之间")
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ValueError(f"{year} 年没有第 {week} 周") from exc
    return Period(text, monday, monday + timedelta(days=6))


def uninspected(places: Sequence[str], inspected: Iterable[str]) -> list[str]:
    """The places (in their given order) with no inspection in the period."""
    done = set(inspected)
    return [place for place in places if place not in done]


def campus_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()
