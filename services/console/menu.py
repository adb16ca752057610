"""The console's main menu, by role: each person sees the pages of their own work.

Hiding a link is a convenience, not a rule: every page's data comes from a service that
applies its own access rules (a link typed by hand is still answered there). An entry
whose page is not part of this console (its blueprint not registered) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    LEADERSHIP,
    PERSONNEL,
    PROVINCE_OFFICE,
    PSYCH_CENTRE,
    SECURITY_OFFICE,
    UNIT_MANAGER,
    Principal,
)

EVERYONE: frozenset[str] = frozenset()  # no role needed beyond being signed in
OFFICE = frozenset({SECURITY_OFFICE, LEADERSHIP})
MANAGERS = frozenset({SECURITY_OFFICE, LEADERSHIP, LEAD_DEPARTMENT, UNIT_MANAGER})
WORKERS = frozenset({SECURITY_OFFICE, LEADERSHIP, LEAD_DEPARTMENT, UNIT_MANAGER, GRID_STAFF})


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: str
    roles: frozenset[str] = EVERYONE  # any of them; empty: everyone signed in
    group: str = ""  # the menu's section; "" for the everyday pages shown on their own


# Sections, in the menu's order: on a desk each is one button that opens its pages, so the
# security office's thirty pages fit one line; on a phone each is a heading in 菜单.
DAILY, GRID, REGISTERS, OFFICE_WORK, ACCOUNTS, ADMIN = (
    "",
    "网格与教育",
    "登记台账",
    "保卫工作",
    "统计与问责",
    "系统管理",
)
GROUPS = (DAILY, GRID, REGISTERS, OFFICE_WORK, ACCOUNTS, ADMIN)
_OFFICE_ONLY = frozenset({SECURITY_OFFICE})
_SUPERVISORS = frozenset({SECURITY_OFFICE, LEADERSHIP, LEAD_DEPARTMENT})
# The province console's staff (CONSOLE_MODE=province; its pages exist only there).
_PROVINCE = frozenset({PROVINCE_OFFICE})

MENU: tuple[Entry, ...] = (
    Entry("dashboard.index", "我的待办"),
    Entry("dashboard.overview", "概览", MANAGERS),
    Entry("hazards.ledger", "隐患台账", WORKERS),
    Entry("hazards.report", "上报隐患", WORKERS),
    # the grid, its people's papers, education
    Entry("grid.tree", "网格", WORKERS, GRID),
    Entry("grid_ledgers.letters", "安全责任书", WORKERS, GRID),
    Entry("grid_ledgers.checks", "背景审查", frozenset({SECURITY_OFFICE, PERSONNEL}), GRID),
    Entry("education.calendar", "安全教育", EVERYONE, GRID),
    Entry("psych.records", "心理台账", frozenset({PSYCH_CENTRE}), GRID),
    # registers of places and things (issues 7 and 17)
    Entry("registers.inspections", "日常巡查", WORKERS, REGISTERS),
    Entry("registers.risks", "风险点", WORKERS, REGISTERS),
    Entry("registers.equipment", "特种设备", WORKERS, REGISTERS),
    Entry("chemicals.stores", "危化品台账", WORKERS, REGISTERS),
    Entry("buildings.buildings", "建筑建档", WORKERS, REGISTERS),
    Entry("emergency_plans.plans", "应急预案", MANAGERS, REGISTERS),
    Entry("vehicles.vehicles", "通勤车、公务车", WORKERS, REGISTERS),
    Entry("food_safety.outlets", "食品安全", WORKERS, REGISTERS),
    Entry("placements.placements", "实训实习", MANAGERS, REGISTERS),
    # the security office's own ledgers (issue 16): clues are the office's alone
    Entry(
        "incidents.incidents", "安全事故", frozenset({SECURITY_OFFICE, UNIT_MANAGER}), OFFICE_WORK
    ),
    Entry(
        "patrols.patrols",
        "巡查",
        frozenset({SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF}),
        OFFICE_WORK,
    ),
    Entry("joint.inspections", "协同联动", OFFICE, OFFICE_WORK),
    Entry("clues.clues", "线索台账", _OFFICE_ONLY, OFFICE_WORK),
    # statistics, submissions and accountability
    Entry("reporting.statistics", "统计报表", MANAGERS, ACCOUNTS),
    Entry("reporting.board", "报送情况", MANAGERS, ACCOUNTS),
    Entry("phase_work.mine", "阶段工作", MANAGERS, ACCOUNTS),
    Entry("phase_work.supervision", "督查报告", _SUPERVISORS, ACCOUNTS),
    Entry("reporting.flags", "问责记录", MANAGERS, ACCOUNTS),
    Entry("reporting.year_end", "年终考核", OFFICE, ACCOUNTS),
    # administration
    Entry("grid_people.admin", "管理", frozenset({SECURITY_OFFICE, UNIT_MANAGER}), ADMIN),
    Entry("psych.access_log", "心理台账访问记录", _OFFICE_ONLY, ADMIN),
    # the province installation's console (issue 19)
    Entry("province.colleges", "院校", _PROVINCE),
    Entry("province.totals", "全省汇总", _PROVINCE),
    Entry("province.dues", "报送情况", _PROVINCE),
    Entry("province.flags", "问责", _PROVINCE),
)


def _entries_for(user: Principal) -> list[Entry]:
    known = current_app.view_functions
    return [
        entry
        for entry in MENU
        if entry.endpoint in known and (not entry.roles or entry.roles & user.roles)
    ]


def menu_for(user: Principal) -> list[tuple[str, str]]:
    """(href, label) of the entries ``user`` sees, in the menu's order."""
    return [(url_for(entry.endpoint), entry.label) for entry in _entries_for(user)]


def menu_groups_for(user: Principal) -> list[tuple[str, list[tuple[str, str]]]]:
    """The same entries by section: (section, [(href, label)]) in GROUPS' order, empty
    sections left out. A section of one page is that page on its own (no button to open)."""
    by_group: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
    for entry in _entries_for(user):
        by_group[entry.group].append((url_for(entry.endpoint), entry.label))
    return [(group, items) for group, items in by_group.items() if items]
