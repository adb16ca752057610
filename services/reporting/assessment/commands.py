"""The year-end assessment (年终考核) of a campaign: each unit scored by ``domain.assess``
from the campaign's own assessment rules, its supervision reports and its flags — with
every deduction and every report behind the score.

Who reads it: the security office and the leadership group everything, a unit its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.assessment import domain
from services.reporting.commands import get_campaign
from services.reporting.domain import FLAG_STATUS_LABELS, RULE_LABELS
from services.reporting.models import CampaignPhase, CampaignUnit, Flag, SupervisionReport
from shared.errors import Forbidden
from shared.principal import Principal


def _phases(session: Session, campaign_id: str) -> list[tuple[str, str]]:
    """(id, name) of the campaign's phases, in order."""
    rows = session.scalars(
        select(CampaignPhase)
        .where(CampaignPhase.campaign_id == campaign_id)
        .order_by(CampaignPhase.position)
    )
    return [(p.id, p.name) for p in rows]


def _reports(session: Session, campaign_id: str) -> dict[str, list[domain.Report]]:
    """The supervision reports by the college they are about."""
    reports: dict[str, list[domain.Report]] = {}
    for r in session.scalars(
        select(SupervisionReport).where(SupervisionReport.campaign_id == campaign_id)
    ):
        reports.setdefault(r.unit_code, []).append(
            domain.Report(r.id, r.phase_id, r.author_unit, float(r.score))
        )
    return reports


def _flags(session: Session, campaign_id: str) -> dict[str, list[domain.FlagLine]]:
    """The campaign's flags by the unit they name, oldest first."""
    flags: dict[str, list[domain.FlagLine]] = {}
    for f in session.scalars(
        select(Flag).where(Flag.campaign_id == campaign_id).order_by(Flag.raised_at, Flag.id)
    ):
        summary = domain.flag_summary(f.rule, f.evidence, f.days_late)
        flags.setdefault(f.unit_code, []).append(domain.FlagLine(f.id, f.rule, f.status, summary))
    return flags


def _row(
    code: str,
    unit: CampaignUnit | None,
    rules: domain.Rules | None,
    phases: list[tuple[str, str]],
    reports: list[domain.Report],
    flags: list[domain.FlagLine],
) -> dict[str, Any]:
    """One unit's score and breakdown (none without rules), deductions labelled."""
    kind = unit.kind if unit else None
    row: dict[str, Any] = {
        "unit_code": code,
        "unit_name": unit.name if unit else code,
        "kind": kind,
    }
    if rules is None:
        row |= {"score": None, "complete": False, "deductions": [], "phases": []}
    else:
        row |= domain.assess(
            rules, supervised=kind == "college", phases=phases, reports=reports, flags=flags
        )
    for d in row["deductions"]:
        d["rule_label"] = RULE_LABELS.get(d["rule"], d["rule"])
        d["status_label"] = FLAG_STATUS_LABELS.get(d["status"], d["status"])
    return row


def assessment(session: Session, principal: Principal, campaign_id: str, now: datetime) -> dict:
    """Every unit of the campaign with its score and breakdown, best first (unscored last)."""
    campaign = get_campaign(session, campaign_id)
    if not principal.is_global and principal.unit is None:
        raise Forbidden("年终考核供安全保卫处、领导小组和各单位查看")
    rules = domain.Rules.of(campaign.assessment) if campaign.assessment else None
    phases = _phases(session, campaign_id)
    reports, flags = _reports(session, campaign_id), _flags(session, campaign_id)
    units = {
        u.unit_code: u
        for u in session.scalars(
            select(CampaignUnit).where(CampaignUnit.campaign_id == campaign_id)
        )
    }
    codes = set(units) | set(reports) | set(flags)
    if not principal.is_global:
        codes &= {principal.unit}
    rows = [
        _row(code, units.get(code), rules, phases, reports.get(code, []), flags.get(code, []))
        for code in codes
    ]
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit_code"]))
    formula = rules.formula(RULE_LABELS, FLAG_STATUS_LABELS) if rules else domain.NOT_CONFIGURED
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "rules": campaign.assessment,
        "formula": formula,
        "phases": [{"phase_id": pid, "phase_name": name} for pid, name in phases],
        "generated_at": now,
        "units": rows,
    }
