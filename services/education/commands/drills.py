"""Drill results and the problems found in a drill: each problem is announced
(drill.problem_found) and the hazard ledger opens one hazard for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.education import domain
from services.education.access import require_manager
from services.education.commands.events import SOURCE, announce
from services.education.commands.lookups import UnknownUnit, get_activity, require_units
from services.education.domain import Status
from services.education.models import Activity, DrillProblem, DrillResult
from shared import idempotency
from shared.events import record_event
from shared.grid_projection import GridCell
from shared.principal import Principal
from shared.timeutil import check_not_future


def _add_problem(
    session: Session, principal: Principal, activity: Activity, spec: dict, now: datetime
) -> DrillProblem:
    cell_id, unit_code = spec.get("cell_id"), spec.get("unit_code")
    if cell_id is not None:
        cell = session.get(GridCell, cell_id)
        if cell is None or cell.unit_code is None:
            raise UnknownUnit(
                f"网格（地点）{cell_id} 不在网格中",
                invalid_params=[{"name": "problems.cell_id", "reason": "不是网格中的地点"}],
            )
        if unit_code is not None and unit_code != cell.unit_code:
            raise UnknownUnit(
                f"网格（地点）{cell_id} 属于单位 {cell.unit_code}，不属于 {unit_code}",
                invalid_params=[{"name": "problems.unit_code", "reason": "不是该地点所属的单位"}],
            )
        unit_code = cell.unit_code
    if unit_code is None:
        if len(activity.target_units) != 1:
            raise UnknownUnit(
                "须写明问题所属的单位（unit_code）或地点（cell_id）",
                invalid_params=[{"name": "problems.unit_code", "reason": "必填"}],
            )
        unit_code = activity.target_units[0]
    require_units(session, [unit_code], "problems.unit_code")
    if spec.get("found_at"):
        check_not_future(spec["found_at"], now, "problems.found_at")
    problem = DrillProblem(
        activity_id=activity.id,
        unit_code=unit_code,
        cell_id=cell_id,
        category=spec["category"],
        severity=spec.get("severity") or "general",
        description=spec["description"],
        found_at=spec.get("found_at") or now,
        recorded_by=principal.sub,
    )
    session.add(problem)
    session.flush()
    record_event(
        session,
        event_type="drill.problem_found",
        source=SOURCE,
        subject=problem.id,
        sequence=1,
        data={
            "drill_id": activity.id,
            "problem_id": problem.id,
            "unit_code": problem.unit_code,
            "cell_id": problem.cell_id,
            "category": problem.category,
            "severity": problem.severity,
            "description": problem.description,
            "found_at": problem.found_at,
        },
        actor=principal.sub,
    )
    return problem


def record_drill_result(
    session: Session,
    principal: Principal,
    activity_id: str,
    *,
    participants: int,
    now: datetime,
    evacuation_seconds: int | None = None,
    observations: str | None = None,
    problems: list[dict] | None = None,
) -> DrillResult:
    """Record a drill's results; a planned drill becomes held. Each problem found is
    announced (drill.problem_found), and the hazard ledger opens one hazard for it."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    domain.can_record_drill(activity.kind, activity.status, activity.starts_at, now)
    if session.get(DrillResult, activity.id) is not None:
        raise domain.InvalidState(
            "演练结果已记录；之后发现的问题请用“补充发现的问题”添加"
            f"（POST /activities/{activity.id}/problems）"
        )
    if activity.status == Status.PLANNED:
        activity.status = Status.HELD.value
        activity.participants = participants
        announce(session, activity, "activity.held", principal)
    result = DrillResult(
        activity_id=activity.id,
        participants=participants,
        evacuation_seconds=evacuation_seconds,
        observations=observations,
        recorded_by=principal.sub,
        recorded_at=now,
    )
    session.add(result)
    session.flush()
    for spec in problems or []:
        _add_problem(session, principal, activity, spec, now)
    _announce_drill(session, activity, result, principal)
    return result


def add_drill_problems(
    session: Session,
    principal: Principal,
    activity_id: str,
    problems: list[dict],
    now: datetime,
    key: str | None = None,
) -> tuple[list[DrillProblem], bool]:
    """Problems noticed after the results were recorded (e.g. in the debriefing); with an
    Idempotency-Key a resent request returns the problems it added (and False), adds none."""
    activity = get_activity(session, principal, activity_id, lock=True)
    require_manager(principal, activity.organiser_unit)
    result = session.get(DrillResult, activity.id)
    if result is None:
        raise domain.InvalidState("请先记录演练结果，再补充问题（POST …/drill-result）")
    request = {"activity_id": activity.id, "problems": problems}
    scoped = idempotency.scoped_key(principal, key) if key else None
    if scoped:
        # The activity row is locked: a twin of this request waits here, then sees ours.
        earlier = session.scalars(
            select(DrillProblem)
            .where(DrillProblem.request_key == scoped)
            .order_by(DrillProblem.created_at, DrillProblem.id)
        ).all()
        if earlier:
            idempotency.check_same_request(earlier[0].request_hash or "", request)
            return list(earlier), False
    added = [_add_problem(session, principal, activity, spec, now) for spec in problems]
    if scoped:
        digest = idempotency.request_hash(request)
        for problem in added:
            problem.request_key, problem.request_hash = scoped, digest
    _announce_drill(session, activity, result, principal)
    return added, True


def drill_problems(session: Session, activity_id: str) -> list[DrillProblem]:
    return list(
        session.scalars(
            select(DrillProblem)
            .where(DrillProblem.activity_id == activity_id)
            .order_by(DrillProblem.created_at, DrillProblem.id)
        )
    )


def _announce_drill(
    session: Session, activity: Activity, result: DrillResult, principal: Principal
) -> None:
    problems = session.scalar(
        select(func.count())
        .select_from(DrillProblem)
        .where(DrillProblem.activity_id == activity.id)
    )
    activity.version += 1
    record_event(
        session,
        event_type="drill.completed",
        source=SOURCE,
        subject=activity.id,
        sequence=activity.version,
        data={
            "drill_id": activity.id,
            "target_units": activity.target_units,
            "participants": result.participants,
            "evacuation_seconds": result.evacuation_seconds,
            "problems": problems or 0,
            "completed_at": result.recorded_at,
            "plan_id": activity.plan_id,
        },
        actor=principal.sub,
    )
