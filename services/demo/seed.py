"""Seeding the demo campus through each service's own use cases, phase by phase, with the
events of each phase carried to the other services (``pump``) before the next begins:

1. grid: units, the place tree, people (sign-in roles, demo passwords), assignments;
2. hazards: one hazard in every stage of the loop (steps by their proper actors) and a
   few more; education: an activity ahead and a drill held yesterday, whose problem the
   ledger opens as a hazard; reporting counts them all from the events.

It refuses production settings and skips (saying why) when the databases hold data."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.demo import campus
from services.demo.pump import EventPump, wait_for
from services.registry import SERVICES
from shared.config import Settings
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from shared.principal import SECURITY_OFFICE, Principal
from shared.timeutil import campus_time, utcnow

SettingsOf = Callable[[str], Settings]
# Who creates the units and the first people: the campus's first security office act.
BOOTSTRAP = Principal("seed-demo", "演示数据", frozenset({SECURITY_OFFICE}), None)


class DemoRefused(RuntimeError):
    """The settings say production: a campus server never gets demo people."""


@dataclass(frozen=True)
class Account:
    """A demo person who signs in: what the printed table shows."""

    role: str
    name: str
    unit: str
    login: str
    password: str


@dataclass(frozen=True)
class DemoResult:
    seeded: bool
    message: str
    accounts: tuple[Account, ...] = ()


@dataclass(frozen=True)
class Seeded:
    """The grid's ids the later phases act with: principals by person key, cells by code."""

    principals: dict[str, Principal]
    cells: dict[str, str]


def demo_wanted(demo: bool, settings: Settings, migrate: bool = True) -> bool:
    """Whether `campus-safety run` seeds the demo campus: not with --no-demo, not with
    --no-migrate (the databases are left alone), never under production settings."""
    return demo and migrate and not settings.production


def check_allowed(settings_of: SettingsOf) -> None:
    """DemoRefused when any service's settings say production."""
    if any(settings_of(service).production for service in SERVICES):
        raise DemoRefused("生产环境（CAMPUS_ENV=production）不写入演示数据")


def seed_demo(settings_of: SettingsOf, now: datetime | None = None) -> DemoResult:
    """Seed the demo campus into empty databases; a result saying why not otherwise."""
    check_allowed(settings_of)
    engines = {s: make_engine(settings_of(s).database_url) for s in SERVICES}
    try:
        factories = {s: make_session_factory(e) for s, e in engines.items()}
        held = data_held(factories)
        if held:
            return DemoResult(False, f"数据库中已有数据（{held}），不写入演示数据")
        now = now or utcnow()
        passwords = {p.key: new_password() for p in campus.PEOPLE if p.login}
        # The pump runs only while a phase's events travel: its relays poll the outboxes,
        # which would slow the writes on a small machine.
        seeded = _seed_grid(
            factories["grid"],
            passwords,
            _today(settings_of, now),
            settings_of("grid").checked_posts,
        )
        with EventPump(settings_of):
            wait_for(lambda: _grid_projected(factories), "网格数据同步到各服务")
        hazards = _seed_hazards(factories["hazards"], settings_of("hazards"), seeded, now)
        hazards += _seed_registers(factories["hazards"], settings_of("hazards"), seeded, now)
        _seed_activities(factories["education"], settings_of("education"), seeded, now)
        expected = hazards + sum(len(a.problems) for a in campus.ACTIVITIES)
        with EventPump(settings_of):
            wait_for(lambda: _counted(factories, expected), "隐患和活动进入统计")
        return DemoResult(True, _summary(expected), tuple(_accounts(passwords)))
    finally:
        for engine in engines.values():
            engine.dispose()


def data_held(factories: Mapping[str, sessionmaker[Session]]) -> str:
    """What the databases already hold that the demo would write ('' when empty)."""
    from services.education.models import Activity
    from services.grid.models import Cell, Person, Unit
    from services.hazards.models import Hazard

    checks = (
        ("grid", Unit, "个单位"),
        ("grid", Person, "名人员"),
        ("grid", Cell, "个网格"),
        ("hazards", Hazard, "条隐患"),
        ("education", Activity, "项教育活动"),
    )
    held = []
    for service, model, words in checks:
        with factories[service]() as session:
            count = session.scalar(select(func.count()).select_from(model))
        if count:
            held.append(f"{count} {words}")
    return "、".join(held)


def new_password() -> str:
    """A demo password the grid accepts (letters and digits mixed), easy to type."""
    letters = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))
    digits = "".join(secrets.choice(string.digits[2:]) for _ in range(4))
    return f"{letters}{digits}"


def _today(settings_of: SettingsOf, now: datetime) -> date:
    return campus_time(now, settings_of("grid").campus_timezone).date()


def _seed_grid(
    factory: sessionmaker[Session], passwords: dict[str, str], today: date, checked_posts: str
) -> Seeded:
    """Units, people (with their passwords), the place tree, the background checks of the
    people it assigns (a head or safety officer needs one) and its assignments, in one
    transaction of the grid's commands; its events leave by the outbox."""
    from services.grid import commands, login
    from services.grid.checks.commands import create_check

    with unit_of_work(factory) as session:
        for code, name, kind in campus.units():
            commands.create_unit(session, BOOTSTRAP, code=code, name=name, kind=kind)
        people = {
            p.key: commands.create_person(
                session,
                BOOTSTRAP,
                name=p.name,
                phone=p.phone,
                unit_code=p.unit,
                staff_no=p.login,
                roles=list(p.roles),
            )
            for p in campus.PEOPLE
        }
        for key, password in passwords.items():
            login.set_password(session, people[key], password)
        principals = {
            key: Principal(p.id, p.name, frozenset(p.roles), p.unit_code, p.staff_no)
            for key, p in people.items()
        }
        cells = _seed_places(session, principals["office"])
        for key in sorted({key for _code, _role, key in campus.ASSIGNMENTS}):
            create_check(
                session,
                principals["office"],
                person_id=people[key].id,
                kind="onboarding",
                checked_on=today - timedelta(days=campus.CHECKED_DAYS_AGO),
                result="passed",
                valid_until=today + timedelta(days=campus.CHECK_VALID_DAYS.get(key, 730)),
                note=None,
            )
        for code, role, key in campus.ASSIGNMENTS:
            commands.assign(
                session,
                principals["office"],
                cell_id=cells[code],
                person_id=people[key].id,
                role=role,
                effective_from=today,
                checked_posts=checked_posts,
            )
    return Seeded(principals, cells)


def _seed_places(session: Session, office: Principal) -> dict[str, str]:
    """The campus cell, a cell per unit, then the units' places: ids by code."""
    from services.grid.commands import create_cell

    root = create_cell(
        session, office, code=campus.CAMPUS_CODE, name=campus.CAMPUS_NAME, area_type="campus"
    )
    cells = {campus.CAMPUS_CODE: root.id}
    for code, name, _kind in campus.units():
        unit_cell = create_cell(
            session,
            office,
            code=code,
            name=name,
            area_type="unit",
            parent_id=root.id,
            unit_code=code,
        )
        cells[code] = unit_cell.id
    for place in campus.PLACES:
        cell = create_cell(
            session,
            office,
            code=place.code,
            name=place.name,
            area_type=place.area_type,
            parent_id=cells[place.parent],
            location=place.location,
        )
        cells[place.code] = cell.id
    return cells


def _grid_projected(factories: Mapping[str, sessionmaker[Session]]) -> bool:
    """The hazard ledger knows every place and who holds it; education every unit and place."""
    cells = len(campus.units()) + len(campus.PLACES) + 1
    wanted = {
        "hazards": ((GridCell, cells), (GridAssignment, len(campus.ASSIGNMENTS))),
        "education": ((GridUnit, len(campus.units())), (GridCell, cells)),
    }
    for service, counts in wanted.items():
        with factories[service]() as session:
            for model, count in counts:
                if session.scalar(select(func.count()).select_from(model)) < count:
                    return False
    return True


def _seed_hazards(
    factory: sessionmaker[Session], settings: Settings, seeded: Seeded, now: datetime
) -> int:
    """Each demo hazard reported by its person and walked through its steps by theirs,
    with the bodies the hazard API's schemas load; returns how many."""
    from services.hazards import commands
    from services.hazards.api.hazards import ACTION_SCHEMAS

    policy = commands.policy_of(settings)
    bodies = {path: (key, body) for path, key, body in campus.LOOP}
    today = campus_time(now, settings.campus_timezone).date()
    for spec in campus.HAZARDS:
        with unit_of_work(factory) as session:
            hazard = commands.create_hazard(
                session,
                seeded.principals[spec.reporter],
                category=spec.category,
                subcategory=spec.subcategory,
                description=spec.description,
                cell_id=seeded.cells[spec.place],
                location=spec.location,
                campus_tz=settings.campus_timezone,
                now=now,
                policy=policy,
            )
            for path in spec.steps:
                key, body = bodies[path]
                action, schema = ACTION_SCHEMAS[path]
                payload = schema().load(_dated(body, today))
                actor = seeded.principals[key]
                commands.transition(
                    session, actor, hazard.id, action, payload, now=now, policy=policy
                )
    return len(campus.HAZARDS)


def _dated(body: dict, today: date) -> dict:
    """A step's body with ``deadline_days`` turned into the deadline it names."""
    body = dict(body)
    days = body.pop("deadline_days", None)
    if days is not None:
        body["deadline"] = (today + timedelta(days=days)).isoformat()
    return body


def _seed_registers(
    factory: sessionmaker[Session], settings: Settings, seeded: Seeded, now: datetime
) -> int:
    """Risk points and special equipment of JD's manager, a passed daily inspection by its
    grid staff (nothing failed: it opens no hazard), and issue 17's registers (chemicals,
    buildings, emergency plans, vehicles, food safety, placements), through the registers'
    commands; returns the hazards the registers opened."""
    from services.demo.registers import seed_registers
    from services.hazards.models import ChecklistTemplate
    from services.hazards.registers.equipment.commands import register_equipment
    from services.hazards.registers.inspections.commands import record_inspection
    from services.hazards.registers.risks.commands import create_risk

    today = campus_time(now, settings.campus_timezone).date()
    manager = seeded.principals["manager"]
    with unit_of_work(factory) as session:
        for risk in campus.RISKS:
            fields = {k: v for k, v in vars(risk).items() if k != "place"}
            fields |= {"cell_id": seeded.cells[risk.place]}
            create_risk(session, manager, next_review_on=today + timedelta(days=180), **fields)
        for item in campus.EQUIPMENT:
            register_equipment(
                session,
                manager,
                registration_no=item.registration_no,
                kind=item.kind,
                name=item.name,
                cell_id=seeded.cells[item.place],
                location=item.location,
                keeper_name=item.keeper_name,
                last_inspected_on=today - timedelta(days=item.last_days),
                next_inspection_due=today + timedelta(days=item.due_days),
            )
        who, place, checklist = campus.INSPECTION
        template = session.scalars(
            select(ChecklistTemplate).where(ChecklistTemplate.code == checklist)
        ).one()
        record_inspection(
            session,
            seeded.principals[who],
            template_id=template.id,
            cell_id=seeded.cells[place],
            results=[{"code": i["code"], "result": "pass"} for i in template.items],
            campus_tz=settings.campus_timezone,
            now=now,
        )
        return seed_registers(session, settings, seeded.principals, seeded.cells, now, today)


def _seed_activities(
    factory: sessionmaker[Session], settings: Settings, seeded: Seeded, now: datetime
) -> None:
    """The unit manager's activities; a drill's result with its problems."""
    from services.education.commands.activities import create_activity
    from services.education.commands.drills import record_drill_result

    manager = seeded.principals["manager"]
    tz = ZoneInfo(settings.campus_timezone)
    today = campus_time(now, settings.campus_timezone).date()
    for spec in campus.ACTIVITIES:
        starts = datetime.combine(today + timedelta(days=spec.days), time(spec.hour), tzinfo=tz)
        with unit_of_work(factory) as session:
            activity, _warnings = create_activity(
                session,
                manager,
                kind=spec.kind,
                title=spec.title,
                organiser_unit=manager.unit,
                targets=[{"unit_code": manager.unit, "class_name": None}],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=spec.minutes),
                venue=spec.venue,
                theme=spec.theme,
                campus_tz=settings.campus_timezone,
            )
            if spec.participants is not None:
                problems = [
                    {
                        "category": p["category"],
                        "description": p["description"],
                        "cell_id": seeded.cells[p["place"]],
                    }
                    for p in spec.problems
                ]
                record_drill_result(
                    session,
                    manager,
                    activity.id,
                    participants=spec.participants,
                    now=now,
                    problems=problems,
                )


def _counted(factories: Mapping[str, sessionmaker[Session]], hazards: int) -> bool:
    """Every hazard (the drill's too) is in the ledger and in reporting's statistics, every
    activity in reporting's coverage, and the drill's problems carry their hazard numbers."""
    from services.education.models import DrillProblem
    from services.hazards.models import Hazard
    from services.reporting.models import ActivityProjection, HazardProjection

    def total(model, *where) -> Select:
        return select(func.count()).select_from(model).where(*where)

    problems = sum(len(a.problems) for a in campus.ACTIVITIES)
    wanted = (
        ("hazards", total(Hazard), hazards),
        ("reporting", total(HazardProjection), hazards),
        ("reporting", total(ActivityProjection), len(campus.ACTIVITIES)),
        ("education", total(DrillProblem, DrillProblem.hazard_number.is_not(None)), problems),
    )
    for service, stmt, count in wanted:
        with factories[service]() as session:
            if session.scalar(stmt) < count:
                return False
    return True


def _summary(hazards: int) -> str:
    return (
        f"已建好演示校园「{campus.CAMPUS_NAME}」：{len(campus.units())} 个单位、"
        f"{len(campus.PLACES) + len(campus.units()) + 1} 个网格、{len(campus.PEOPLE)} 名人员、"
        f"{hazards} 条隐患（闭环各阶段都有）、{len(campus.ACTIVITIES)} 项教育活动（含一次演练），"
        "危化品、建筑、应急预案、车辆和驾驶人、食品安全、实训实习台账各有示例（含到期未办）"
    )


def _accounts(passwords: dict[str, str]) -> list[Account]:
    from services.console.format import ROLE_LABELS

    names = {code: name for code, name, _kind in campus.units()}
    return [
        Account(ROLE_LABELS[p.roles[0]], p.name, names[p.unit], p.login, passwords[p.key])
        for p in campus.PEOPLE
        if p.login
    ]
