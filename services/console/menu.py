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


MENU: tuple[Entry, ...] = (
    Entry("dashboard.index", "我的待办"),
    Entry("dashboard.overview", "概览", MANAGERS),
    Entry("hazards.ledger", "隐患台账", WORKERS),
    Entry("hazards.report", "上报隐患", WORKERS),
    Entry("registers.inspections", "日常巡查", WORKERS),
    Entry("registers.risks", "风险点", WORKERS),
    Entry("registers.equipment", "特种设备", WORKERS),
    Entry("grid.tree", "网格", WORKERS),
    Entry("education.calendar", "安全教育"),
    Entry("psych.records", "心理台账", frozenset({PSYCH_CENTRE})),
    Entry("reporting.statistics", "统计报表", MANAGERS),
    Entry("reporting.board", "报送情况", MANAGERS),
    Entry("phase_work.mine", "阶段工作", MANAGERS),
    Entry(
        "phase_work.supervision",
        "督查报告",
        frozenset({SECURITY_OFFICE, LEADERSHIP, LEAD_DEPARTMENT}),
    ),
    Entry("reporting.flags", "问责记录", MANAGERS),
    Entry("reporting.year_end", "年终考核", OFFICE),
    Entry("grid_people.admin", "管理", frozenset({SECURITY_OFFICE, UNIT_MANAGER})),
    Entry("psych.access_log", "心理台账访问记录", frozenset({SECURITY_OFFICE})),
    Entry("grid_ledgers.checks", "背景审查", frozenset({SECURITY_OFFICE, PERSONNEL})),
    Entry("grid_ledgers.letters", "安全责任书", WORKERS),
    Entry("incidents.incidents", "安全事故", frozenset({SECURITY_OFFICE, UNIT_MANAGER})),
    # the security office's registers (issue 16): clues are the office's alone
    Entry("clues.clues", "线索台账", frozenset({SECURITY_OFFICE})),
    Entry("joint.inspections", "协同联动", OFFICE),
    Entry("patrols.patrols", "巡查", frozenset({SECURITY_OFFICE, UNIT_MANAGER, GRID_STAFF})),
)


# issue 17: practical training and internships (实训实习)
MENU += (Entry("placements.placements", "实训实习", MANAGERS),)


def menu_for(user: Principal) -> list[tuple[str, str]]:
    """(href, label) of the entries ``user`` sees, in the menu's order."""
    known = current_app.view_functions
    return [
        (url_for(entry.endpoint), entry.label)
        for entry in MENU
        if entry.endpoint in known and (not entry.roles or entry.roles & user.roles)
    ]


# issue 17: the vehicles and drivers register (通勤车、公务车)
MENU += (Entry("vehicles.vehicles", "通勤车、公务车", WORKERS),)

# issue 17: buildings on file (建筑建档)
MENU += (Entry("buildings.buildings", "建筑建档", WORKERS),)

# issue 17: the hazardous chemicals register (危化品)
MENU += (Entry("chemicals.stores", "危化品台账", WORKERS),)

# issue 17: food safety (食品安全)
MENU += (Entry("food_safety.outlets", "食品安全", WORKERS),)

# issue 17: emergency plans (应急预案)
MENU += (Entry("emergency_plans.plans", "应急预案", MANAGERS),)
