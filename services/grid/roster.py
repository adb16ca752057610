"""Printable rosters (张贴公示): what is posted in teaching and dorm buildings.

``Roster`` is built from the grid by commands; this module only renders it, as an A4
HTML page, a PDF (Chinese text) and an .xlsx sheet. Each place carries a QR code of
the hazard-report URL of its cell, so a student can report straight to the people on
the poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RosterEntry:
    role: str  # head | safety_officer | responsible
    role_label: str  # 网格负责人 | 网格安全员 | 网格责任人
    name: str
    phone: str


@dataclass(frozen=True)
class RosterPlace:
    cell_id: str
    cell_code: str
    name: str  # 1号教学楼3层
    path: str  # 机电工程学院 / 1号教学楼 / 3层
    area_type_label: str  # 教学区
    location: str | None
    report_url: str  # what the QR code encodes
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class Roster:
    title: str  # 机电工程学院网格管理人员公示
    scope_label: str  # 单位：机电工程学院 / 区域：住宿区
    generated_at: datetime  # aware, UTC; shown in campus time
    campus_timezone: str
    places: tuple[RosterPlace, ...]
