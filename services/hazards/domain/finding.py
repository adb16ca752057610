"""What a new hazard is given when it is found (排查发现): its category and sub-category,
its place when an event opens it, its finding date, and its number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from shared import timeutil, vocabulary
from shared.errors import DomainError

CATEGORIES, LEAD_DEPARTMENTS = vocabulary.CATEGORIES, vocabulary.LEAD_DEPARTMENTS
category_label = vocabulary.category_label  # leads: services.hazards.leads (campaign data)
SUBCATEGORIES, subcategory_label = vocabulary.SUBCATEGORIES, vocabulary.subcategory_label
ALL_SUBCATEGORIES = vocabulary.ALL_SUBCATEGORIES

# One home for "a finding date is a fact" (hazards, inspections, drill problems).
CLOCK_SKEW, FutureDate = timeutil.CLOCK_SKEW, timeutil.FutureDate
check_found_at = timeutil.check_not_future


class InvalidSubcategory(DomainError):
    status = 422
    title = "Invalid sub-category"


def check_subcategory(category: str, subcategory: str | None) -> None:
    """A sub-category, when given, must be one of the hazard's category (the plan's task)."""
    if subcategory is None or vocabulary.is_subcategory_of(category, subcategory):
        return
    allowed = "、".join(SUBCATEGORIES.get(category, {}).values()) or "无"  # names, not codes
    reason = f"不是「{category_label(category)}」的子类（可选：{allowed}）"
    raise InvalidSubcategory(
        f"{subcategory} {reason}",
        invalid_params=[{"name": "subcategory", "reason": reason, "location": "json"}],
    )


# -- where an event's hazard is put -------------------------------------------------------
LOCATION_MAX = 200  # characters of Hazard.location


@dataclass(frozen=True)
class Place:
    """Where a hazard opened from an event is put: a known cell (its unit follows), or a
    unit, with the place as text when the ledger cannot name the cell yet."""

    unit_code: str
    cell_id: str | None
    location: str | None = None
    note: str | None = None  # appended to the description when the location cannot hold it


def drill_problem_place(unit_code: str, cell_id: str | None, cell_unit: str | None) -> Place:
    """Place a drill problem found in ``unit_code`` at ``cell_id``; ``cell_unit`` is the unit
    the ledger's grid projection gives the cell (None: the cell is not known there yet).

    Grid and education events arrive in any order, so education may name a cell the
    ledger has not heard of: the hazard then opens on the problem's unit without the cell
    (failing would only retry at once and dead-letter the problem), and the cell id is
    kept as text so nothing is lost."""
    if cell_id is None:
        return Place(unit_code, None)
    if cell_unit is not None:
        return Place(cell_unit, cell_id)
    location = f"网格位置 {cell_id}（隐患台账的网格副本尚无此位置）"
    if len(location) <= LOCATION_MAX:
        return Place(unit_code, None, location)
    return Place(
        unit_code, None, location[: LOCATION_MAX - 1] + "…", note=f"演练记录的网格位置：{cell_id}"
    )


# -- numbering ----------------------------------------------------------------------------
def number_year(found_at: datetime, campus_tz: str) -> int:
    """The numbering year is the calendar year on campus when the hazard was found."""
    return found_at.astimezone(ZoneInfo(campus_tz)).year


NUMBER_WIDTH = 5  # digits of the serial, at least


def number_prefix(year: int) -> str:
    return f"YH-{year}-"


def format_number(year: int, serial: int) -> str:
    """YH-2021-00042: unique and gap-free per year."""
    return f"{number_prefix(year)}{serial:0{NUMBER_WIDTH}d}"
