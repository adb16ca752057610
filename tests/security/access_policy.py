"""The access policy of the four services, as data: who may call each documented operation.

Read from the endpoints (services/*/api/*.py and the commands they call: ``require_role``,
``require_unit``, ``require_manager``, ``can_see``, ``require_actor`` …) and checked
against the roles described in docs/architecture.md and the issues' "Access" paragraphs:

- the security office manages everything and sees everything; the leadership group has a
  read-only overview; an unscoped portal (a service token) reads campus-wide and does what
  its integrations need (reports hazards, submits a unit's table) and nothing else;
- a unit's manager and its grid staff act within their unit only (grid staff: in the cells
  they hold); a lead department (牵头部门) sees and judges the categories and tasks it leads,
  across units; the psych centre alone reads and writes the psychological ledger;
- reads of the grid (units, people with masked phones, cells, holders), the campaign, the
  checklists and the themed dates are campus-wide by design; list endpoints answer every
  caller 200 and filter the rows to the caller's scope (tests/security checks the rows).

The matrix (test_access_matrix.py) asks every operation as each caller below, on JD's
resources, and expects ``expected(rule, caller)``: the allowed callers get ``rule.ok``,
the others ``rule.denied`` (403; no operation hides existence with a 404 on purpose), and a
caller without a token 401 (only the reviewed public sign-in answers it). Where the code
disagrees with the policy, the cell is listed in ``BUGS`` (an xfail that turns red once
fixed); the expectation itself stays what the policy says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from shared.principal import (
    GRID_STAFF,
    LEAD_DEPARTMENT,
    LEADERSHIP,
    PERSONNEL,
    PORTAL,
    PSYCH_CENTRE,
    ROLES,
    SECURITY_OFFICE,
    UNIT_MANAGER,
)

OWN_UNIT = "JD"  # every path of the matrix names JD's resources


class Scope(StrEnum):
    ANY = "any"  # the role may, whatever its unit
    UNIT = "unit"  # only within the resource's unit (JD)
    LEADS = "leads"  # a lead department only where it leads the category / task


@dataclass(frozen=True)
class Caller:
    """A column of the matrix: one role, and where it stands relative to JD's resources."""

    name: str
    role: str | None  # None: no token
    unit: str | None = None


CALLERS: tuple[Caller, ...] = (
    Caller("security_office", SECURITY_OFFICE),
    Caller("leadership", LEADERSHIP),
    Caller("lead_department_own", LEAD_DEPARTMENT, "BWC"),  # leads fire and task 一
    Caller("lead_department_other", LEAD_DEPARTMENT, "XCB"),  # leads political, task 十二
    Caller("unit_manager_own", UNIT_MANAGER, OWN_UNIT),
    Caller("unit_manager_other", UNIT_MANAGER, "XX"),
    Caller("grid_staff_own", GRID_STAFF, OWN_UNIT),  # holds JD's place (head)
    Caller("grid_staff_other", GRID_STAFF, "XX"),  # holds XX's place
    Caller("psych_centre", PSYCH_CENTRE, "XLZX"),
    Caller("portal", PORTAL),  # a service token without a unit
    Caller("no_token", None),
)
CALLER = {c.name: c for c in CALLERS}
# Callers who must never see JD's records (the matrix checks their 2xx JSON for them).
OUTSIDERS = ("lead_department_other", "unit_manager_other", "grid_staff_other", "psych_centre")


@dataclass(frozen=True)
class Rule:
    grants: Mapping[str, Scope]  # role -> where it may call the operation
    ok: int = 200  # what an allowed caller gets
    denied: int = 403  # what the others get
    leads: frozenset[str] = frozenset({"BWC"})  # lead depts of the resource (fire: BWC)
    public: bool = False  # reviewed public view: no token is not a 401
    # Callers whose answer is something else, and why (rare; each one explained).
    overrides: Mapping[str, int] = field(default_factory=dict)
    why: str = ""


def grants(*parts: Mapping[str, Scope], **extra: Scope) -> Mapping[str, Scope]:
    merged: dict[str, Scope] = {}
    for part in parts:
        merged.update(part)
    merged.update(extra)
    return MappingProxyType(merged)


A, U, L = Scope.ANY, Scope.UNIT, Scope.LEADS
EVERYONE = grants({role: A for role in ROLES})
OFFICE = grants({SECURITY_OFFICE: A})
GLOBAL_READERS = grants({SECURITY_OFFICE: A, LEADERSHIP: A, PORTAL: A})
UNIT_READERS = grants(GLOBAL_READERS, {UNIT_MANAGER: U, GRID_STAFF: U})
LED_READERS = grants(UNIT_READERS, {LEAD_DEPARTMENT: L})  # + the lead dept of the category
MANAGERS = grants({SECURITY_OFFICE: A, UNIT_MANAGER: U})
PSYCH = grants({PSYCH_CENTRE: A})


def expected(rule: Rule, caller: Caller) -> int:
    """The status ``caller`` must get from an operation under ``rule``."""
    if caller.name in rule.overrides:
        return rule.overrides[caller.name]
    if caller.role is None:
        return rule.ok if rule.public else 401
    scope = rule.grants.get(caller.role)
    if scope is None:
        return rule.denied
    if scope is Scope.UNIT and caller.unit != OWN_UNIT:
        return rule.denied
    if scope is Scope.LEADS and caller.unit not in rule.leads:
        return rule.denied
    return rule.ok


def allowed(rule: Rule, caller: Caller) -> bool:
    return expected(rule, caller) == rule.ok


# -- the policy -----------------------------------------------------------------------------
GRID_READ = "grid reads are campus-wide (phones, staff and student numbers masked outside "
GRID_READ += "the unit: grid/api/views.py person_view)"
GRID_WRITE = "issue 3: the security office manages everything, a unit's manager only the "
GRID_WRITE += "cells, people and assignments of that unit (grid/commands.py require_manager)"

LABELS = "the words for the service's codes (api/labels.py): vocabulary, anyone signed in"
TODO = "issue 15 我的待办 (todo.py): anyone signed in, only the steps waiting for the caller "
TODO += "in its scope (the lists' access rules and the domain's who-acts rule)"

FILTERED_POSTS = "every caller 200, the posts of the caller's unit (global roles all)"
LETTER_WRITE = "the post's holder (grid staff holding JD's place), JD's manager or the office "
LETTER_WRITE += "(grid/letters/access.py require_recorder)"
LETTER_READ = "the post's unit, the office, the leadership (grid/letters/access.py)"

_GRID: dict[tuple[str, str], Rule] = {
    ("GET", "/labels"): Rule(EVERYONE, why=LABELS),
    ("GET", "/todo"): Rule(EVERYONE, why=TODO),
    ("POST", "/units"): Rule(OFFICE, ok=201, why="units are the security office's"),
    ("GET", "/units"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/units/{code}"): Rule(EVERYONE, why=GRID_READ),
    ("PATCH", "/units/{code}"): Rule(OFFICE, why="units are the security office's"),
    ("POST", "/people"): Rule(MANAGERS, ok=201, why=GRID_WRITE),
    ("GET", "/people"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/people/{person_id}"): Rule(EVERYONE, why=GRID_READ),
    ("PATCH", "/people/{person_id}"): Rule(MANAGERS, why=GRID_WRITE),
    ("GET", "/people/{person_id}/responsibilities"): Rule(EVERYONE, why=GRID_READ),
    ("POST", "/cells"): Rule(MANAGERS, ok=201, why=GRID_WRITE + "; a place under JD's cell"),
    ("GET", "/cells"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/cells/gaps"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/cells/{cell_id}"): Rule(EVERYONE, why=GRID_READ),
    ("PATCH", "/cells/{cell_id}"): Rule(MANAGERS, why=GRID_WRITE),
    ("POST", "/cells/{cell_id}/move"): Rule(MANAGERS, why=GRID_WRITE + " (both ends)"),
    ("POST", "/cells/{cell_id}/end"): Rule(MANAGERS, why=GRID_WRITE + "; 停用 a place"),
    ("GET", "/cells/{cell_id}/chain"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/cells/{cell_id}/holders"): Rule(EVERYONE, why=GRID_READ),
    ("GET", "/cells/{cell_id}/assignments"): Rule(EVERYONE, why=GRID_READ),
    ("POST", "/assignments"): Rule(MANAGERS, ok=201, why=GRID_WRITE),
    ("POST", "/assignments/{assignment_id}/end"): Rule(MANAGERS, why=GRID_WRITE),
    ("GET", "/rosters"): Rule(
        UNIT_READERS,
        why="a unit's roster (with phones) is for its own people, the office, the leadership "
        "(grid/api/rosters.py get_roster: require_unit)",
    ),
    ("POST", "/units/{code}/roster-import"): Rule(MANAGERS, why=GRID_WRITE),
    ("POST", "/auth/login"): Rule(
        EVERYONE, public=True, why="password sign-in: the password is the credential"
    ),
    ("POST", "/auth/cas"): Rule(
        EVERYONE,
        ok=404,
        public=True,
        why="CAS sign-in: the ticket is the credential, validated with the campus's CAS "
        "server; the matrix campus has no CAS configured, so every caller gets its 404",
    ),
    ("POST", "/auth/logout"): Rule(
        EVERYONE, ok=204, why="a person signs their own token out (grid/api/auth.py)"
    ),
    ("GET", "/auth/session"): Rule(
        EVERYONE, ok=204, why="the console asks whether its token was signed out"
    ),
    ("GET", "/auth/attempts"): Rule(
        OFFICE, why="failed sign-ins by account and address: the office's view of an attack"
    ),
    ("POST", "/auth/password"): Rule(
        EVERYONE,
        ok=204,
        # The current password is checked against the person named by the token's sub: a
        # token that names no person with a password is refused like a wrong password.
        overrides={
            c.name: 401
            for c in CALLERS
            if c.role is not None and c.name not in ("grid_staff_own", "grid_staff_other")
        },
        why="a signed-in person changes their own password (grid/api/auth.py)",
    ),
    ("PUT", "/people/{person_id}/password"): Rule(
        OFFICE, ok=204, why="the security office sets passwords (grid/login.py)"
    ),
    ("DELETE", "/people/{person_id}/password"): Rule(
        OFFICE, ok=204, why="the security office takes a sign-in away (grid/login.py)"
    ),
    # issue 16: background checks, restricted to their keepers (grid/checks/access.py)
    **{
        (method, path): Rule(
            grants({SECURITY_OFFICE: A, PERSONNEL: A}),
            ok=201 if method == "POST" else 200,
            why="issue 16: background checks are the security office's and the personnel "
            "department's alone, reads included (grid/checks/access.py require_checker)",
        )
        for method, path in (
            ("POST", "/checks"),
            ("GET", "/checks"),
            ("GET", "/checks/access-log"),
            ("GET", "/checks/{check_id}"),
            ("PATCH", "/checks/{check_id}"),
        )
    },
    # issue 16: responsibility letters (grid/letters/access.py)
    ("GET", "/letters"): Rule(EVERYONE, why="the year's posts and letters: " + FILTERED_POSTS),
    ("POST", "/letters"): Rule(grants(MANAGERS, {GRID_STAFF: U}), ok=201, why=LETTER_WRITE),
    ("GET", "/letters/{letter_id}"): Rule(UNIT_READERS, why=LETTER_READ),
    ("POST", "/letters/{letter_id}/scan"): Rule(
        grants(MANAGERS, {GRID_STAFF: U}), ok=201, why=LETTER_WRITE
    ),
    ("GET", "/letters/{letter_id}/scan"): Rule(UNIT_READERS, why=LETTER_READ),
}

HAZARD_READ = "issue 4: a unit sees its own, lead departments their categories across units, "
HAZARD_READ += "the office (and the leadership, portals) all (hazards/commands.py can_see)"
REGISTER_READ = "register reads follow the ledger (hazards/register_commands.py can_read)"
REGISTER_WRITE = "the office anywhere, a unit manager in the unit of the place "
REGISTER_WRITE += "(hazards/register_commands.py require_writer)"
LOOP = "hazards/domain.py ACTION_ROLES, scoped by commands.require_actor"
FILTERED = "a list: every caller 200, rows filtered to the caller's scope"
INCIDENT_RECORD = "issue 16: incidents are recorded and corrected (report chain too) by the "
INCIDENT_RECORD += "office anywhere, a unit manager at his unit's places (incidents/access.py)"
INCIDENT_READ = "issue 16: an incident is read by global roles and its unit's manager only"
INCIDENT_OFFICE = "issue 16: investigation, revealed hazards, 责任认定: the security office only"
STEP_MANAGERS = Rule(MANAGERS, why=LOOP)
JUDGES = "验收 is judged outside the unit: the office or the category's lead department "
JUDGES += "(issue 12; hazards/domain.py may_judge)"

_HAZARDS: dict[tuple[str, str], Rule] = {
    ("POST", "/hazards"): Rule(
        grants(MANAGERS, {GRID_STAFF: U, PORTAL: A, LEAD_DEPARTMENT: L}),
        ok=201,
        why="reporters: office, portals, a unit's manager, grid staff in the cells they hold, "
        "lead departments in any unit for their categories (issue 12 rule 7, 督导检查) "
        "(hazards/commands.py REPORTER_ROLES); leadership is read-only",
    ),
    ("GET", "/hazards"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/labels"): Rule(EVERYONE, why=LABELS),
    ("GET", "/todo"): Rule(EVERYONE, why=TODO),
    ("GET", "/hazards/{hazard_id}"): Rule(LED_READERS, why=HAZARD_READ),
    ("GET", "/hazards/{hazard_id}/history"): Rule(LED_READERS, why=HAZARD_READ),
    ("POST", "/hazards/{hazard_id}/register"): STEP_MANAGERS,
    ("POST", "/hazards/{hazard_id}/report"): STEP_MANAGERS,
    ("POST", "/hazards/{hazard_id}/start-remediation"): STEP_MANAGERS,
    ("POST", "/hazards/{hazard_id}/rectify"): Rule(grants(MANAGERS, {GRID_STAFF: U}), why=LOOP),
    ("POST", "/hazards/{hazard_id}/accept"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}), why=LOOP + "; " + JUDGES + "; never the rectifier"
    ),
    ("POST", "/hazards/{hazard_id}/reject"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}), why=LOOP + "; " + JUDGES + "; never the rectifier"
    ),
    ("POST", "/hazards/{hazard_id}/plan-approval"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}),
        why="批准整改计划 (issue 12 rule 5): " + JUDGES + "; never the plan's author "
        "(hazards/commands.py approve_plan)",
    ),
    ("POST", "/hazards/{hazard_id}/severity"): Rule(
        grants(MANAGERS, {LEAD_DEPARTMENT: L}),
        why="issue 12 rule 9: raising JD's general hazard to major: the office, JD's manager, "
        "the category's lead department; lowering a major one is the office's alone "
        "(hazards/domain.py check_severity_change)",
    ),
    ("POST", "/hazards/{hazard_id}/close"): Rule(OFFICE, why="销号: security office only"),
    ("POST", "/hazards/{hazard_id}/archive"): Rule(OFFICE, why="备案存档: security office only"),
    ("POST", "/hazards/{hazard_id}/extensions"): Rule(
        OFFICE,
        ok=201,
        why="延期申请 (issue 12 rule 2): JD's hazard is past its 2021 deadline, so only the "
        "office asks; before it, who starts remediation (hazards/domain.py "
        "check_extension_request)",
    ),
    ("GET", "/hazards/{hazard_id}/extensions"): Rule(LED_READERS, why=HAZARD_READ),
    ("POST", "/hazards/extensions/{request_id}/decision"): Rule(
        OFFICE,
        why="issue 12 rule 2: JD's hazard is past its deadline, so only the office decides; "
        "before it, also the category's lead departments (never JD's own manager, never the "
        "requester: hazards/domain.py check_extension_decider)",
    ),
    ("POST", "/hazards/{hazard_id}/attachments"): Rule(
        grants(MANAGERS, {GRID_STAFF: U}),
        ok=201,
        why="adding files is acting on the hazard: the office, the unit's manager and grid "
        "staff; leadership and lead departments only read (hazards/domain.py ATTACH_ROLES)",
    ),
    ("GET", "/hazards/{hazard_id}/attachments"): Rule(LED_READERS, why=HAZARD_READ),
    ("GET", "/hazards/{hazard_id}/attachments/{attachment_id}"): Rule(
        LED_READERS, why="issue 4: files are served only to users who may see the hazard"
    ),
    ("GET", "/hazards/export.xlsx"): Rule(EVERYONE, why=FILTERED),
    ("POST", "/hazards/exports"): Rule(
        EVERYONE, ok=202, why="issue 14: a large ledger export, written by the worker: " + FILTERED
    ),
    ("GET", "/hazards/exports/{export_id}"): Rule(
        grants({UNIT_MANAGER: U}),
        why="issue 14: an export is its requester's alone (JD's manager asked for this one)",
    ),
    ("GET", "/hazards/exports/{export_id}/file"): Rule(
        grants({UNIT_MANAGER: U}),
        ok=409,
        why="issue 14: the requester's alone; 409 as the matrix runs no export worker, so the "
        "file is not written yet (tests/unit/test_hazard_export_jobs.py downloads it)",
    ),
    ("GET", "/hazards/{hazard_id}/notice.pdf"): Rule(LED_READERS, why=HAZARD_READ),
    ("GET", "/hazards/{hazard_id}/acceptance.pdf"): Rule(LED_READERS, why=HAZARD_READ),
    ("GET", "/cells/{cell_id}"): Rule(EVERYONE, why="the ledger's copy of the grid: " + GRID_READ),
    ("GET", "/cells/{cell_id}/responsible"): Rule(
        EVERYONE, why="names only, as the grid's holders"
    ),
    ("POST", "/risks"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
    ("GET", "/risks"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/risks/announcement"): Rule(
        grants(UNIT_READERS, {LEAD_DEPARTMENT: A}),
        why="风险公告 of JD's place: its unit and global roles; any lead department, but only "
        "the risk points of the categories it leads (" + REGISTER_READ + ")",
    ),
    ("GET", "/risks/summary"): Rule(
        grants(UNIT_READERS, {LEAD_DEPARTMENT: A}),
        why="counts by colour of JD: its unit, global roles, lead depts (their categories)",
    ),
    ("GET", "/risks/{risk_id}"): Rule(LED_READERS, why=REGISTER_READ),
    ("PATCH", "/risks/{risk_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
    ("POST", "/checklists"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}),
        ok=201,
        why="college-wide data: the office or the category's lead department",
    ),
    ("GET", "/checklists"): Rule(EVERYONE, why="checklists are college-wide data"),
    ("GET", "/checklists/{template_id}"): Rule(EVERYONE, why="checklists are college-wide data"),
    ("PATCH", "/checklists/{template_id}"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}), why="the office or the category's lead department"
    ),
    ("POST", "/inspections"): Rule(
        grants(MANAGERS, {GRID_STAFF: U, LEAD_DEPARTMENT: L}),
        ok=201,
        why="日检查: the office, the unit's manager, grid staff holding the place, a lead "
        "department of the checklist's category in any unit (issue 12 rule 7) "
        "(register_commands.require_inspector)",
    ),
    ("GET", "/inspections"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/inspections/coverage"): Rule(UNIT_READERS, why="a unit's places: require_unit"),
    ("GET", "/inspections/{inspection_id}"): Rule(LED_READERS, why=REGISTER_READ),
    ("POST", "/equipment"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
    ("GET", "/equipment"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/equipment/{equipment_id}"): Rule(
        LED_READERS, leads=frozenset({"JWC"}), why=REGISTER_READ + "; 特种设备 is led by JWC"
    ),
    ("PATCH", "/equipment/{equipment_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
    ("POST", "/equipment/{equipment_id}/inspections"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
    ("GET", "/equipment/{equipment_id}/inspections"): Rule(
        LED_READERS, leads=frozenset({"JWC"}), why=REGISTER_READ + "; 特种设备 is led by JWC"
    ),
    # issue 16: the incidents ledger (hazards/incidents/access.py)
    ("POST", "/incidents"): Rule(MANAGERS, ok=201, why=INCIDENT_RECORD),
    ("GET", "/incidents"): Rule(
        EVERYONE, why=FILTERED + " (incidents: global roles, a unit's manager)"
    ),
    ("GET", "/incidents/{incident_id}"): Rule(
        grants(GLOBAL_READERS, {UNIT_MANAGER: U}), why=INCIDENT_READ
    ),
    ("PATCH", "/incidents/{incident_id}"): Rule(MANAGERS, why=INCIDENT_RECORD),
    ("POST", "/incidents/{incident_id}/reports"): Rule(MANAGERS, ok=201, why=INCIDENT_RECORD),
    ("PUT", "/incidents/{incident_id}/investigation"): Rule(OFFICE, why=INCIDENT_OFFICE),
    ("POST", "/incidents/{incident_id}/hazards"): Rule(OFFICE, ok=201, why=INCIDENT_OFFICE),
    ("POST", "/incidents/{incident_id}/finding"): Rule(OFFICE, why=INCIDENT_OFFICE),
}

ACTIVITY_READ = "education/commands.py can_read: global roles, the organising and target units"
ACTIVITY_WRITE = "issue 5 / education/commands.py require_manager: the office, or the manager "
ACTIVITY_WRITE += "of the organising unit"
PSYCH_ONLY = "issue 5: only the psych centre reads or writes records (education/psych.py)"

_EDUCATION: dict[tuple[str, str], Rule] = {
    ("POST", "/activities"): Rule(MANAGERS, ok=201, why=ACTIVITY_WRITE),
    ("GET", "/activities"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/todo"): Rule(EVERYONE, why=TODO),
    ("GET", "/activities/{activity_id}"): Rule(UNIT_READERS, why=ACTIVITY_READ),
    ("PATCH", "/activities/{activity_id}"): Rule(MANAGERS, why=ACTIVITY_WRITE),
    ("POST", "/activities/{activity_id}/cancel"): Rule(MANAGERS, why=ACTIVITY_WRITE),
    ("POST", "/activities/{activity_id}/held"): Rule(MANAGERS, why=ACTIVITY_WRITE),
    ("POST", "/activities/{activity_id}/enrolments"): Rule(
        MANAGERS, why=ACTIVITY_WRITE + " (a target unit's manager: its own people)"
    ),
    ("POST", "/activities/{activity_id}/enrolments/import"): Rule(
        MANAGERS, why=ACTIVITY_WRITE + " (a target unit's manager: its own people)"
    ),
    ("GET", "/activities/{activity_id}/enrolments"): Rule(UNIT_READERS, why=ACTIVITY_READ),
    ("GET", "/activities/{activity_id}/sign-in"): Rule(MANAGERS, why="the organiser shows it"),
    ("GET", "/activities/{activity_id}/sign-in/qr"): Rule(MANAGERS, why="the organiser shows it"),
    ("POST", "/activities/{activity_id}/check-in"): Rule(
        EVERYONE,
        why="anyone signed in checks themselves in with the code shown in the room; naming "
        "someone else is 403, only a kiosk device may (education/access.py check_in_refs)",
    ),
    ("GET", "/activities/{activity_id}/attendance"): Rule(UNIT_READERS, why=ACTIVITY_READ),
    ("GET", "/activities/{activity_id}/attendance.xlsx"): Rule(UNIT_READERS, why=ACTIVITY_READ),
    ("GET", "/labels"): Rule(EVERYONE, why=LABELS),
    ("POST", "/activities/{activity_id}/drill-result"): Rule(MANAGERS, ok=201, why=ACTIVITY_WRITE),
    ("GET", "/activities/{activity_id}/drill-result"): Rule(UNIT_READERS, why=ACTIVITY_READ),
    ("POST", "/activities/{activity_id}/problems"): Rule(MANAGERS, ok=201, why=ACTIVITY_WRITE),
    ("GET", "/calendar"): Rule(UNIT_READERS, why="a unit's calendar: require_unit"),
    ("GET", "/calendar/{unit_code}/subscription"): Rule(
        UNIT_READERS, why="the feed key of a unit: require_unit"
    ),
    ("GET", "/calendar/{unit_code}.ics"): Rule(
        UNIT_READERS,
        why="public-marked: a feed key or a bearer token of the unit (none: 401)",
    ),
    ("GET", "/themed-dates"): Rule(EVERYONE, why="campus-wide planning data"),
    ("POST", "/themed-dates"): Rule(OFFICE, ok=201, why="entered by the security office"),
    ("GET", "/themed-dates/suggestions"): Rule(EVERYONE, why="campus-wide planning data"),
    ("GET", "/coverage"): Rule(EVERYONE, why="each unit its own row, global roles all"),
    ("GET", "/attendance"): Rule(UNIT_READERS, why="a unit's rates: require_unit"),
    ("POST", "/psych/records"): Rule(PSYCH, ok=201, why=PSYCH_ONLY),
    ("GET", "/psych/records"): Rule(PSYCH, why=PSYCH_ONLY),
    ("GET", "/psych/records/{record_id}"): Rule(PSYCH, why=PSYCH_ONLY),
    ("PATCH", "/psych/records/{record_id}"): Rule(PSYCH, why=PSYCH_ONLY),
    ("POST", "/psych/records/{record_id}/interventions"): Rule(PSYCH, ok=201, why=PSYCH_ONLY),
    ("GET", "/psych/summary"): Rule(EVERYONE, why="issue 5: everyone else sees counts per unit"),
    ("GET", "/psych/access-log"): Rule(
        grants(PSYCH, OFFICE), why="the audit trail: the psych centre and the security office"
    ),
}

UNIT_OWN = "issue 6: units see their own statistics, submissions and flags; the office and "
UNIT_OWN += "the leadership everything (require_unit)"
LED_STATS = "issue 6 + reporting/access.py: a lead department sees its categories across units"
TASK_1 = frozenset({"DZB", "BWC"})  # task 一 强化责任落实 is led by 党政办公室 and 安全保卫处
TASK_READ = "every unit answering for task 一 (all of them) reads the entries concerning it"
OWN_WORK = "issue 12 rule 8: the task's lead departments and the security office, and JD's "
OWN_WORK += "manager for JD's own phase work (reporting/work/access.py writer_unit)"
WORK_PATH = "/campaigns/{campaign_id}/tasks/{task_id}/phases/{phase_id}/work/{unit_code}"

_REPORTING: dict[tuple[str, str], Rule] = {
    ("GET", "/todo"): Rule(EVERYONE, why=TODO),
    ("GET", "/statistics"): Rule(grants(UNIT_READERS, {LEAD_DEPARTMENT: A}), why=LED_STATS),
    ("GET", "/statistics/export.xlsx"): Rule(
        grants(UNIT_READERS, {LEAD_DEPARTMENT: A}), why=LED_STATS
    ),
    **{
        ("GET", f"/statistics/{path}"): Rule(
            grants(UNIT_READERS, {LEAD_DEPARTMENT: A}), why=LED_STATS
        )
        for path in ("periods", "periods.xlsx", "weekly", "weekly.xlsx", "monthly", "monthly.xlsx")
    },
    ("POST", "/campaigns"): Rule(OFFICE, ok=201, why="the campaign is the security office's"),
    ("GET", "/campaigns"): Rule(EVERYONE, why="the campaign (tasks, dates) is campus-wide"),
    ("GET", "/labels"): Rule(EVERYONE, why=LABELS),
    ("GET", "/campaigns/{campaign_id}"): Rule(EVERYONE, why="the campaign is campus-wide"),
    ("GET", "/campaigns/{campaign_id}/dues/{due_id}/table"): Rule(UNIT_READERS, why=UNIT_OWN),
    ("POST", "/campaigns/{campaign_id}/dues/{due_id}/submissions"): Rule(
        grants(MANAGERS, {PORTAL: A}),
        ok=201,
        why="a unit's manager submits (or the office, or a portal on its behalf)",
    ),
    ("GET", "/campaigns/{campaign_id}/dues/{due_id}/submissions/{unit_code}"): Rule(
        UNIT_READERS, why=UNIT_OWN
    ),
    ("GET", "/campaigns/{campaign_id}/dues/{due_id}/board"): Rule(
        EVERYONE, why="units see their own row; the office every row"
    ),
    ("GET", "/flags"): Rule(UNIT_READERS, why=UNIT_OWN),
    ("GET", "/flags/{flag_id}"): Rule(UNIT_READERS, why=UNIT_OWN),
    ("POST", "/flags/{flag_id}/decision"): Rule(
        OFFICE, why="issue 6: only the security office decides flags"
    ),
    ("POST", "/flags/{flag_id}/explanation"): Rule(
        grants({UNIT_MANAGER: U}),
        ok=422,
        why="issue 12 rule 11: only the unit the flag names explains (reporting/flags.py "
        "require_answering_unit); the office decides, it does not explain. JD's flag was "
        "raised on 2021-12-01: JD's manager passes the permission check and gets 422 (the "
        "review window has closed), everyone else 403",
    ),
    ("POST", "/flags/{flag_id}/appeal"): Rule(
        grants({UNIT_MANAGER: U}),
        ok=409,
        why="issue 12 rule 11: only the unit named appeals; JD's flag is not decided yet, so "
        "the unit gets 409 after the permission check, everyone else 403",
    ),
    ("POST", "/flags/{flag_id}/files"): Rule(
        grants({UNIT_MANAGER: U}),
        ok=422,
        why="issue 12 rule 11: files of the unit's explanation, by the unit named; past the "
        "review window for JD's 2021 flag (422 after the permission check)",
    ),
    ("GET", "/flags/{flag_id}/files/{file_id}"): Rule(
        UNIT_READERS, why=UNIT_OWN + "; a flag's files are read with the flag"
    ),
    ("POST", "/campaigns/{campaign_id}/tasks/{task_id}/ledger"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L, UNIT_MANAGER: U}), ok=201, leads=TASK_1, why=OWN_WORK
    ),
    ("GET", "/campaigns/{campaign_id}/tasks/{task_id}/ledger"): Rule(
        EVERYONE, leads=TASK_1, why=TASK_READ
    ),
    ("POST", "/campaigns/{campaign_id}/tasks/{task_id}/ledger/{entry_id}/files"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L, UNIT_MANAGER: U}),
        ok=201,
        leads=TASK_1,
        why=OWN_WORK + "; the entry is JD's own, its phase work open",
    ),
    ("GET", "/campaigns/{campaign_id}/tasks/{task_id}/ledger/{entry_id}/files/{file_id}"): Rule(
        grants(GLOBAL_READERS, {LEAD_DEPARTMENT: L, UNIT_MANAGER: U, GRID_STAFF: U}),
        leads=TASK_1,
        why="a file is read by whoever reads its entry (about JD): global roles, the task's "
        "lead departments, JD's people (work/access.py concerns); other units answer for task 一 "
        "but not for this entry",
    ),
    ("POST", WORK_PATH + "/submit"): Rule(
        MANAGERS, why="rule 8: a unit's own phase work: its manager, or the office for it"
    ),
    ("POST", WORK_PATH + "/confirm"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}),
        leads=TASK_1,
        why="rule 8: a lead department of the task (not the unit itself) or the security office",
    ),
    ("POST", WORK_PATH + "/return"): Rule(
        grants(OFFICE, {LEAD_DEPARTMENT: L}),
        leads=TASK_1,
        why="rule 8: a lead department of the task (not the unit itself) or the security office",
    ),
    ("GET", "/campaigns/{campaign_id}/tasks/{task_id}/completions"): Rule(
        EVERYONE, leads=TASK_1, why=TASK_READ
    ),
    ("GET", "/campaigns/{campaign_id}/progress"): Rule(
        grants(GLOBAL_READERS, {LEAD_DEPARTMENT: A}),
        why="the progress matrix: global roles; a lead department the tasks it leads",
    ),
    ("POST", "/campaigns/{campaign_id}/supervision"): Rule(
        grants({LEAD_DEPARTMENT: A}),
        ok=201,
        why="督查报告 are written by lead departments (any that leads a task of the campaign)",
    ),
    ("GET", "/campaigns/{campaign_id}/supervision"): Rule(EVERYONE, why=FILTERED),
    ("GET", "/campaigns/{campaign_id}/supervision/{report_id}"): Rule(
        LED_READERS,
        why="global roles, the college it is about and its author (BWC) (work/access.py)",
    ),
    ("PUT", "/campaigns/{campaign_id}/supervision/{report_id}"): Rule(
        grants({LEAD_DEPARTMENT: L}), why="only its author (BWC) replaces it"
    ),
    ("GET", "/campaigns/{campaign_id}/assessment"): Rule(
        EVERYONE, why="年终考核: units their own row, global roles all"
    ),
    ("GET", "/campaigns/{campaign_id}/assessment.xlsx"): Rule(
        EVERYONE, why="年终考核: units their own row, global roles all"
    ),
    ("GET", "/campaigns/{campaign_id}/dues/{due_id}/table/view"): Rule(
        UNIT_READERS, why=UNIT_OWN + "; the table's preview, as the .xlsx"
    ),
    ("GET", "/campaigns/{campaign_id}/dues/{due_id}/tables.xlsx"): Rule(
        EVERYONE, why="every submitted table of a due date: " + FILTERED + " (sheets per unit)"
    ),
    ("POST", "/campaigns/{campaign_id}/dues/{due_id}/reminders"): Rule(
        OFFICE, ok=201, why="issue 15: 催报 is the security office's (commands.remind)"
    ),
    ("GET", "/flags/export.xlsx"): Rule(UNIT_READERS, why=UNIT_OWN + "; the flags list's export"),
    ("GET", "/statistics/incidents"): Rule(
        UNIT_READERS, why=UNIT_OWN + "; incidents per unit and kind (issue 16)"
    ),
}

POLICY: dict[tuple[str, str, str], Rule] = {
    (service, method, path): rule
    for service, table in (
        ("grid", _GRID),
        ("hazards", _HAZARDS),
        ("education", _EDUCATION),
        ("reporting", _REPORTING),
    )
    for (method, path), rule in table.items()
}

# -- where the code disagrees -----------------------------------------------------------------
# (service, method, path, caller) -> what is wrong, and where the check is missing. Each is
# an xfail(strict) cell of the matrix: it turns red (XPASS) once the service is fixed, and
# then leaves this list.
BUGS: dict[tuple[str, str, str, str], str] = {}

# -- issue 16: the security office's registers (services/hazards/office) ---------------------
CLUES_ONLY = "issue 16: clues are the security office's alone, reads included, every access "
CLUES_ONLY += "logged (office/clues/access.py require_office)"
JOINT_WRITE = "issue 16: joint inspections are recorded by the security office, their findings "
JOINT_WRITE += "open hazards (office/joint_inspections/access.py)"
JOINT_READ = "issue 16: joint inspections are read campus-wide only: the office, the leadership, "
JOINT_READ += "an unscoped portal (principal.is_global)"
ROUTE_WRITE = "issue 16: a unit's patrol route is kept by its manager or the office "
ROUTE_WRITE += "(office/patrols/access.py require_route_writer)"
PATROL_RUN = "issue 16: a unit's route is walked by its manager or grid staff, or the office "
PATROL_RUN += "(require_runner)"
PATROL_ACT = "issue 16: check-ins, findings and the finish are the runner's (JD's manager ran "
PATROL_ACT += "the seeded patrol) or the office's (require_patrol_actor)"
PATROL_READ = "issue 16: a unit's routes and patrols: its people and the campus-wide readers"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/clues"): Rule(OFFICE, ok=201, why=CLUES_ONLY),
            ("GET", "/clues"): Rule(OFFICE, why=CLUES_ONLY),
            ("GET", "/clues/summary"): Rule(
                grants(OFFICE, {LEADERSHIP: A}), why="issue 16: counts only, office and leadership"
            ),
            ("GET", "/clues/access-log"): Rule(OFFICE, why=CLUES_ONLY),
            ("GET", "/clues/{clue_id}"): Rule(OFFICE, why=CLUES_ONLY),
            ("PATCH", "/clues/{clue_id}"): Rule(OFFICE, why=CLUES_ONLY),
            ("POST", "/clues/{clue_id}/verification"): Rule(OFFICE, why=CLUES_ONLY),
            ("POST", "/clues/{clue_id}/handling"): Rule(OFFICE, why=CLUES_ONLY),
            ("POST", "/clues/{clue_id}/receipts"): Rule(OFFICE, ok=201, why=CLUES_ONLY),
            ("GET", "/clues/{clue_id}/receipts/{receipt_id}"): Rule(OFFICE, why=CLUES_ONLY),
            ("POST", "/clues/{clue_id}/follow-ups"): Rule(OFFICE, ok=201, why=CLUES_ONLY),
            ("POST", "/clues/{clue_id}/close"): Rule(OFFICE, why=CLUES_ONLY),
            ("POST", "/joint-inspections"): Rule(OFFICE, ok=201, why=JOINT_WRITE),
            ("GET", "/joint-inspections"): Rule(GLOBAL_READERS, why=JOINT_READ),
            ("GET", "/joint-inspections/{joint_id}"): Rule(GLOBAL_READERS, why=JOINT_READ),
            ("PATCH", "/joint-inspections/{joint_id}"): Rule(OFFICE, why=JOINT_WRITE),
            ("POST", "/joint-inspections/{joint_id}/findings"): Rule(
                OFFICE, ok=201, why=JOINT_WRITE
            ),
            ("POST", "/patrol-routes"): Rule(MANAGERS, ok=201, why=ROUTE_WRITE),
            ("GET", "/patrol-routes"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/patrol-routes/{route_id}"): Rule(UNIT_READERS, why=PATROL_READ),
            ("PATCH", "/patrol-routes/{route_id}"): Rule(MANAGERS, why=ROUTE_WRITE),
            ("POST", "/patrols"): Rule(
                grants({SECURITY_OFFICE: A, UNIT_MANAGER: U, GRID_STAFF: U}),
                ok=201,
                why=PATROL_RUN,
            ),
            ("GET", "/patrols"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/patrols/{patrol_id}"): Rule(UNIT_READERS, why=PATROL_READ),
            ("POST", "/patrols/{patrol_id}/check-ins"): Rule(MANAGERS, ok=201, why=PATROL_ACT),
            ("POST", "/patrols/{patrol_id}/finish"): Rule(MANAGERS, why=PATROL_ACT),
            ("POST", "/patrols/{patrol_id}/findings"): Rule(MANAGERS, ok=201, why=PATROL_ACT),
        }.items()
    }
)

# -- issue 17: vehicles and drivers (hazards/registers/vehicles, 通勤车、公务车) ----------------
VEHICLE_READ = REGISTER_READ + "; 通勤车及交通安全 is led by HQC, DZB and BWC"
TRIP_WRITE = "issue 17: 出车登记 by the office or the vehicle's unit manager "
TRIP_WRITE += "(registers/vehicles/commands.py record_trip: require_writer on the vehicle's unit)"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/vehicles"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/vehicles"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/vehicles/export.xlsx"): Rule(EVERYONE, why=FILTERED + " (the .xlsx)"),
            ("GET", "/vehicles/{vehicle_id}"): Rule(LED_READERS, why=VEHICLE_READ),
            ("PATCH", "/vehicles/{vehicle_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("POST", "/drivers"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/drivers"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/drivers/{driver_id}"): Rule(LED_READERS, why=VEHICLE_READ),
            ("PATCH", "/drivers/{driver_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("POST", "/trips"): Rule(MANAGERS, ok=201, why=TRIP_WRITE),
            ("GET", "/trips"): Rule(EVERYONE, why=FILTERED),
        }.items()
    }
)

# -- issue 17: buildings on file (hazards/registers/buildings, 建筑建档) -----------------------
BUILDING_READ = REGISTER_READ + "; 建筑与施工安全 is led by HQC"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/buildings"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/buildings"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/buildings/export.xlsx"): Rule(EVERYONE, why=FILTERED + " (the .xlsx)"),
            ("GET", "/buildings/{building_id}"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=BUILDING_READ
            ),
            ("PATCH", "/buildings/{building_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("POST", "/buildings/{building_id}/drawing"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("GET", "/buildings/{building_id}/drawing"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=BUILDING_READ
            ),
            ("POST", "/buildings/{building_id}/sites"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/buildings/{building_id}/related"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=BUILDING_READ
            ),
        }.items()
    }
)

# -- issue 17: the hazardous chemicals register (hazards/registers/chemicals, 危化品) -------
CHEM_READ = REGISTER_READ + "; 危化品 is led by JWC"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/chemicals"): Rule(
                grants(OFFICE, {LEAD_DEPARTMENT: L}),
                ok=201,
                leads=frozenset({"JWC"}),
                why="the catalogue is college-wide: the office or 危化品's lead department (JWC)",
            ),
            ("GET", "/chemicals"): Rule(EVERYONE, why="the catalogue is college-wide data"),
            ("GET", "/chemicals/keeper"): Rule(
                EVERYONE, why="each caller learns whether they keep the catalogue"
            ),
            ("GET", "/chemicals/{item_id}"): Rule(
                EVERYONE, why="the catalogue is college-wide data"
            ),
            ("PATCH", "/chemicals/{item_id}"): Rule(
                grants(OFFICE, {LEAD_DEPARTMENT: L}),
                leads=frozenset({"JWC"}),
                why="the catalogue is college-wide: the office or 危化品's lead department (JWC)",
            ),
            ("POST", "/chemical-stores"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/chemical-stores"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/chemical-stores/report.xlsx"): Rule(
                EVERYONE, why=FILTERED + " (the period report's rows)"
            ),
            ("GET", "/chemical-stores/{store_id}"): Rule(
                LED_READERS, leads=frozenset({"JWC"}), why=CHEM_READ
            ),
            ("PATCH", "/chemical-stores/{store_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("GET", "/chemical-stores/{store_id}/balances"): Rule(
                LED_READERS, leads=frozenset({"JWC"}), why=CHEM_READ
            ),
            ("POST", "/chemical-stores/{store_id}/movements"): Rule(
                MANAGERS, ok=201, why=REGISTER_WRITE
            ),
            ("GET", "/chemical-stores/{store_id}/movements"): Rule(
                LED_READERS, leads=frozenset({"JWC"}), why=CHEM_READ
            ),
            ("POST", "/chemical-stores/{store_id}/counts"): Rule(
                MANAGERS, ok=201, why=REGISTER_WRITE
            ),
        }.items()
    }
)

# -- issue 17: the placement register (hazards/registers/placements, 实训实习) ---------------
PLACEMENT_WRITE = "issue 17: a unit's placements are kept by its manager or the office "
PLACEMENT_WRITE += "(registers/access.py require_writer on the organising unit)"
PLACEMENT_READ = REGISTER_READ + "; 实训实习 counts under 安全教育, led by XGC and BWC"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/placements"): Rule(MANAGERS, ok=201, why=PLACEMENT_WRITE),
            ("GET", "/placements"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/placements/export.xlsx"): Rule(EVERYONE, why=FILTERED + " (the .xlsx)"),
            ("GET", "/placements/{placement_id}"): Rule(
                LED_READERS, leads=frozenset({"XGC", "BWC"}), why=PLACEMENT_READ
            ),
            ("PATCH", "/placements/{placement_id}"): Rule(MANAGERS, why=PLACEMENT_WRITE),
            ("POST", "/placements/{placement_id}/agreement"): Rule(
                MANAGERS, ok=201, why=PLACEMENT_WRITE
            ),
            ("GET", "/placements/{placement_id}/agreement"): Rule(
                LED_READERS, leads=frozenset({"XGC", "BWC"}), why=PLACEMENT_READ
            ),
            ("POST", "/placements/{placement_id}/start"): Rule(MANAGERS, why=PLACEMENT_WRITE),
            ("POST", "/placements/{placement_id}/finish"): Rule(MANAGERS, why=PLACEMENT_WRITE),
        }.items()
    }
)

# -- issue 17: the emergency-plan register (hazards/registers/emergency_plans, 应急预案) ------
PLAN_WRITE = "issue 17: a unit's emergency plans are kept by its manager or the office "
PLAN_WRITE += "(registers/access.py require_writer on the plan's unit)"
PLAN_READ = REGISTER_READ + "; 应急预案演练 counts under 安全教育, led by XGC and BWC"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/emergency-plans"): Rule(MANAGERS, ok=201, why=PLAN_WRITE),
            ("GET", "/emergency-plans"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/emergency-plans/summary"): Rule(EVERYONE, why=FILTERED + " (counts)"),
            ("GET", "/emergency-plans/export.xlsx"): Rule(EVERYONE, why=FILTERED + " (.xlsx)"),
            ("GET", "/emergency-plans/{plan_id}"): Rule(
                LED_READERS, leads=frozenset({"XGC", "BWC"}), why=PLAN_READ
            ),
            ("PATCH", "/emergency-plans/{plan_id}"): Rule(MANAGERS, why=PLAN_WRITE),
            ("GET", "/emergency-plans/{plan_id}/drills"): Rule(
                LED_READERS, leads=frozenset({"XGC", "BWC"}), why=PLAN_READ
            ),
        }.items()
    }
)

# -- issue 17: the food-safety register (hazards/registers/food_safety, 食品安全) ---------------
FOOD_READ = REGISTER_READ + "; 食品安全 is led by HQC"
POLICY.update(
    {
        ("hazards", method, path): rule
        for (method, path), rule in {
            ("POST", "/food-outlets"): Rule(MANAGERS, ok=201, why=REGISTER_WRITE),
            ("GET", "/food-outlets"): Rule(EVERYONE, why=FILTERED),
            ("GET", "/food-outlets/export.xlsx"): Rule(EVERYONE, why=FILTERED + " (the .xlsx)"),
            ("GET", "/food-outlets/{outlet_id}"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=FOOD_READ
            ),
            ("PATCH", "/food-outlets/{outlet_id}"): Rule(MANAGERS, why=REGISTER_WRITE),
            ("POST", "/food-outlets/{outlet_id}/certificates"): Rule(
                MANAGERS, ok=201, why=REGISTER_WRITE
            ),
            ("GET", "/food-outlets/{outlet_id}/certificates"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=FOOD_READ
            ),
            ("POST", "/food-outlets/{outlet_id}/records"): Rule(
                MANAGERS, ok=201, why=REGISTER_WRITE
            ),
            ("GET", "/food-outlets/{outlet_id}/records"): Rule(
                LED_READERS, leads=frozenset({"HQC"}), why=FOOD_READ
            ),
        }.items()
    }
)

# -- issue 19: the province installation (services/province, an app of its own) ---------------
# Not a campus service: no campus role reads it, only the province's own staff
# (province_office, 省教育厅). Checked by tests/security/test_province_access.py against its
# OpenAPI document, every caller of CALLERS plus the province office.
PROVINCE_OFFICE = "province_office"
PROVINCE_ONLY = "issue 19: the province's view is the province office's alone (province/api.py)"
PROVINCE_POLICY: dict[tuple[str, str, str], Rule] = {
    ("province", method, path): Rule(grants({PROVINCE_OFFICE: A}), why=PROVINCE_ONLY)
    for method, path in (
        ("GET", "/province/colleges"),
        ("GET", "/province/colleges/{campus_id}"),
        ("GET", "/province/totals"),
        ("GET", "/province/dues"),
        ("GET", "/province/flags"),
        ("GET", "/province/export.xlsx"),
    )
}
# The province's own sign-in (services/province/auth_api.py): a password of the province's
# staff is the credential, whoever calls; the session check and sign-out are theirs alone.
PROVINCE_POLICY |= {
    ("province", "POST", "/auth/login"): Rule(
        grants({role: A for role in (*ROLES, PROVINCE_OFFICE)}),
        public=True,
        why="province sign-in: the province staff's password is the credential (rate limited)",
    ),
    ("province", "GET", "/auth/session"): Rule(
        grants({PROVINCE_OFFICE: A}), ok=204, why="the province console asks if its token holds"
    ),
    ("province", "POST", "/auth/logout"): Rule(
        grants({PROVINCE_OFFICE: A}), ok=204, why="a province user signs their own token out"
    ),
}
