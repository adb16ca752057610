"""Pure rules of responsibility letters: which posts owe a letter for a year, when a
signing date is acceptable, which files a signed scan may be."""

from __future__ import annotations

from datetime import date

from shared.errors import DomainError, UnsupportedMediaType

# A signed scan: a PDF or a photo of the signed page (no HEIC/WebP: offices file them).
SCAN_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


class LetterConflict(DomainError):
    title = "Responsibility letter conflict"


class InvalidLetter(DomainError):
    status = 422
    title = "Invalid responsibility letter"


def _invalid(field: str, reason: str) -> InvalidLetter:
    return InvalidLetter(
        reason, invalid_params=[{"name": field, "reason": reason, "location": "json"}]
    )


def held_in_year(effective_from: date, effective_to: date | None, year: int) -> bool:
    """The post was held on some day of ``year`` (its end day excluded, as in the grid)."""
    starts, ends = date(year, 1, 1), date(year + 1, 1, 1)
    return effective_from < ends and (effective_to is None or effective_to > starts)


def check_signing(
    effective_from: date, effective_to: date | None, year: int, signed_on: date, today: date
) -> None:
    """A letter is for a year the post is held in, signed on a day not after today."""
    if not held_in_year(effective_from, effective_to, year):
        raise _invalid("year", f"该岗位在 {year} 年没有人任职，不需要签订该年度的安全责任书")
    if signed_on > today:
        raise _invalid("signed_on", f"签订日期不能晚于今天（{today}）")


def check_scan_type(media_type: str) -> None:
    if media_type not in SCAN_TYPES:
        raise UnsupportedMediaType(f"安全责任书扫描件只能是 {'、'.join(SCAN_TYPES.values())} 文件")
