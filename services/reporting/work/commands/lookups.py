"""Look-ups shared by the work use cases: a campaign's tasks and phases, a unit's phase
work and whether it may still change, the colleges and their first supervision reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.domain import Conflict
from services.reporting.models import (
    CampaignPhase,
    CampaignTask,
    CampaignUnit,
    SupervisionReport,
    TaskCompletion,
)
from services.reporting.work import domain
from services.reporting.work.domain import WorkStatus
from shared.errors import NotFound, UnprocessableEntity


def invalid(name: str, reason: str, location: str = "json") -> UnprocessableEntity:
    """A 422 naming the request field at fault."""
    return UnprocessableEntity(
        f"{name}: {reason}", invalid_params=[{"name": name, "reason": reason, "location": location}]
    )


def get_task(session: Session, campaign_id: str, task_id: str) -> CampaignTask:
    task = session.get(CampaignTask, task_id)
    if task is None or task.campaign_id != campaign_id:
        raise NotFound(f"任务 {task_id} 不属于专项整治 {campaign_id}")
    return task


def phase_of(session: Session, campaign_id: str, phase_id: str) -> CampaignPhase:
    """A phase named in a request body: an unknown one is a 422 naming ``phase_id``."""
    phase = session.get(CampaignPhase, phase_id)
    if phase is None or phase.campaign_id != campaign_id:
        raise invalid("phase_id", f"不是专项整治 {campaign_id} 的阶段")
    return phase


def get_phase(session: Session, campaign_id: str, phase_id: str) -> CampaignPhase:
    """A phase named in the path: an unknown one is a 404."""
    phase = session.get(CampaignPhase, phase_id)
    if phase is None or phase.campaign_id != campaign_id:
        raise NotFound(f"阶段 {phase_id} 不属于专项整治 {campaign_id}")
    return phase


def phases(session: Session, campaign_id: str) -> list[CampaignPhase]:
    return list(
        session.scalars(
            select(CampaignPhase)
            .where(CampaignPhase.campaign_id == campaign_id)
            .order_by(CampaignPhase.position)
        )
    )


def tasks(session: Session, campaign_id: str) -> list[CampaignTask]:
    return list(
        session.scalars(
            select(CampaignTask)
            .where(CampaignTask.campaign_id == campaign_id)
            .order_by(CampaignTask.position)
        )
    )


def units_phase(phase: CampaignPhase) -> bool:
    """Each answering unit keeps its own work in this phase (else: the lead departments')."""
    return domain.units_phase(phase.party)


# -- a unit's phase work ------------------------------------------------------------------
def find_work(
    session: Session, task: CampaignTask, phase: CampaignPhase, unit_code: str, lock: bool = False
) -> TaskCompletion | None:
    stmt = select(TaskCompletion).where(
        TaskCompletion.task_id == task.id,
        TaskCompletion.phase_id == phase.id,
        TaskCompletion.unit_code == unit_code,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def work_status(work: TaskCompletion | None) -> str:
    return work.status if work is not None else WorkStatus.NOT_SUBMITTED.value


def step_times(work: TaskCompletion | None) -> list[tuple[str, datetime]]:
    return [(s.step, s.at) for s in work.steps] if work is not None else []


def require_open(
    session: Session, task: CampaignTask, phase: CampaignPhase, unit_code: str
) -> None:
    """The unit's work in the phase may still change: not submitted, or returned."""
    status = work_status(find_work(session, task, phase, unit_code))
    if status in domain.STANDING:
        label = domain.WORK_STATUS_LABELS[WorkStatus(status)]
        raise Conflict(
            f"{unit_code} 在{phase.name}中任务{task.number}的工作为「{label}」（{status}），"
            "须经牵头部门退回后才能再修改"
        )


# -- the lead departments' phase: colleges and reports ------------------------------------
def colleges(session: Session, campaign_id: str) -> list[str]:
    return list(
        session.scalars(
            select(CampaignUnit.unit_code)
            .where(CampaignUnit.campaign_id == campaign_id, CampaignUnit.kind == "college")
            .order_by(CampaignUnit.unit_code)
        )
    )


def first_reports(session: Session, phase_id: str) -> dict[str, dict[str, datetime]]:
    """Lead department → college → when its first report on it in the phase was written."""
    first: dict[str, dict[str, datetime]] = {}
    for author, college, at in session.execute(
        select(
            SupervisionReport.author_unit,
            SupervisionReport.unit_code,
            func.min(SupervisionReport.created_at),
        )
        .where(SupervisionReport.phase_id == phase_id)
        .group_by(SupervisionReport.author_unit, SupervisionReport.unit_code)
    ):
        first.setdefault(author, {})[college] = at
    return first
