"""Supervision reports (督查报告): a lead department (its unit leads some task of the
campaign) writes one per secondary college per phase; it reads its own reports, the
college the reports about it, the security office and the leadership group all of them.
In a phase whose party is the lead departments (督导检查), that report on every college is
the lead department's phase work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.commands import get_campaign, insert_once, unit_name
from services.reporting.domain import Conflict
from services.reporting.models import CampaignPhase, CampaignUnit, SupervisionReport
from services.reporting.work import access, domain
from services.reporting.work.commands.lookups import invalid, phase_of, tasks
from shared.errors import Forbidden, NotFound, check_version
from shared.principal import Principal


def create_report(
    session: Session,
    principal: Principal,
    campaign_id: str,
    data: dict[str, Any],
    now: datetime,
) -> SupervisionReport:
    """One report per campaign, phase, lead department and secondary college."""
    get_campaign(session, campaign_id)
    author = access.require_supervisor(principal, campaign_id, tasks(session, campaign_id))
    phase = phase_of(session, campaign_id, data["phase_id"])
    college = session.get(CampaignUnit, (campaign_id, data["unit_code"]))
    if college is None or college.kind != "college":
        raise invalid("unit_code", "不是本次专项整治的二级学院")
    message = f"{author} 已填写{phase.name}对 {college.unit_code} 的督查报告"
    if session.scalar(
        select(SupervisionReport.id).where(
            SupervisionReport.campaign_id == campaign_id,
            SupervisionReport.phase_id == phase.id,
            SupervisionReport.author_unit == author,
            SupervisionReport.unit_code == college.unit_code,
        )
    ):
        raise Conflict(f"{message}，如需修改请用 PUT 替换")
    report = SupervisionReport(
        campaign_id=campaign_id,
        phase_id=phase.id,
        author_unit=author,
        unit_code=college.unit_code,
        findings=data["findings"],
        score=data["score"],
        version=1,
        created_by=principal.sub,
        created_at=now,
    )
    insert_once(session, report, message)
    return report


def get_report(
    session: Session, principal: Principal, campaign_id: str, report_id: str
) -> SupervisionReport:
    report = session.get(SupervisionReport, report_id)
    if report is None or report.campaign_id != campaign_id:
        raise NotFound(f"督查报告 {report_id} 不属于专项整治 {campaign_id}")
    if not access.can_read_report(principal, report):
        raise Forbidden("该督查报告不在您的权限范围内")
    return report


def replace_report(
    session: Session,
    principal: Principal,
    campaign_id: str,
    report_id: str,
    data: dict[str, Any],
    expected_version: int | None,
    now: datetime,
    tz: str,
) -> SupervisionReport:
    """The author replaces findings and score until the phase deadline + 1 month."""
    report = get_report(session, principal, campaign_id, report_id)
    access.require_author(principal, report)
    check_version(report, expected_version, "督查报告")
    phase = session.get(CampaignPhase, report.phase_id)
    assert phase is not None
    if not domain.supervision_editable(now, phase.deadline, tz):
        raise Conflict(
            f"报告自 {domain.supervision_edit_deadline(phase.deadline)} 起已锁定（{phase.name}于 "
            f"{phase.deadline} 结束，之后 {domain.SUPERVISION_EDIT_MONTHS} 个月内可修改）"
        )
    report.findings = data["findings"]
    report.score = data["score"]
    report.version += 1
    report.updated_by = principal.sub
    report.updated_at = now
    session.flush()
    return report


def list_reports(
    session: Session, principal: Principal, campaign_id: str, query: dict[str, Any]
) -> list[SupervisionReport]:
    get_campaign(session, campaign_id)
    stmt = select(SupervisionReport).where(
        SupervisionReport.campaign_id == campaign_id, access.readable_reports(principal)
    )
    for key in ("phase_id", "unit_code", "author_unit"):
        if query.get(key):
            stmt = stmt.where(getattr(SupervisionReport, key) == query[key])
    order = (SupervisionReport.unit_code, SupervisionReport.author_unit, SupervisionReport.id)
    return list(session.scalars(stmt.order_by(*order)))


def report_view(session: Session, report: SupervisionReport) -> dict:
    phase = session.get(CampaignPhase, report.phase_id)
    assert phase is not None
    return {
        "id": report.id,
        "campaign_id": report.campaign_id,
        "phase_id": report.phase_id,
        "phase_name": phase.name,
        "author_unit": report.author_unit,
        "unit_code": report.unit_code,
        "unit_name": unit_name(session, report.campaign_id, report.unit_code),
        "findings": report.findings,
        "score": report.score,
        "version": report.version,
        "created_by": report.created_by,
        "created_at": report.created_at,
        "updated_by": report.updated_by,
        "updated_at": report.updated_at,
        "editable_until": domain.supervision_edit_deadline(phase.deadline),
    }
