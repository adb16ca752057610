"""The year-end assessment (年终考核) of a campaign: each unit scored by ``scoring.assess``
from the campaign's own assessment rules, its supervision reports and its flags — with
every deduction and every report behind the score — as JSON and as .xlsx.

Who reads it: the security office and the leadership group everything, a unit its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting import domain, scoring
from services.reporting.domain import Rule
from services.reporting.models import (
    Campaign,
    CampaignPhase,
    CampaignUnit,
    Flag,
    SupervisionReport,
)
from shared.errors import Forbidden, NotFound
from shared.principal import Principal
from shared.timeutil import campus_time
from shared.xlsx import append_row, set_column_widths, style_header_row, workbook_bytes, write_title

NOT_CONFIGURED = "本专项整治未设置考核办法（campaign.assessment），暂不评分"
STATUS_LABELS = {s.value: label for s, label in domain.FLAG_STATUS_LABELS.items()}
RULE_LABELS = {r.value: label for r, label in domain.RULE_LABELS.items()}


def flag_summary(flag: Flag) -> str:
    """The cause of a flag in words, for the breakdown."""
    e = flag.evidence or {}
    label = RULE_LABELS.get(flag.rule, flag.rule)
    if flag.rule in (Rule.LATE_SUBMISSION, Rule.MISSING_SUBMISSION):
        detail = f"报送截止 {e.get('due_on', '')}"
    elif flag.rule == Rule.PHASE_TASK_INCOMPLETE:
        detail = f"{e.get('phase', '')} 任务{e.get('task_number', '')}"
    elif "number" in e:
        detail = f"隐患 {e['number']}"
    else:
        detail = ""
    late = f"，逾期 {flag.days_late} 天" if flag.days_late else ""
    return f"{label}：{detail}{late}".rstrip("：")


def assessment(session: Session, principal: Principal, campaign_id: str, now: datetime) -> dict:
    """Every unit of the campaign with its score and breakdown, best first (unscored last)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    if not principal.is_global and principal.unit is None:
        raise Forbidden("the assessment is for the security office, the leadership and units")
    rules = scoring.Rules.of(campaign.assessment) if campaign.assessment else None
    phases = [
        (p.id, p.name)
        for p in session.scalars(
            select(CampaignPhase)
            .where(CampaignPhase.campaign_id == campaign_id)
            .order_by(CampaignPhase.position)
        )
    ]
    reports: dict[str, list[scoring.Report]] = {}
    for r in session.scalars(
        select(SupervisionReport).where(SupervisionReport.campaign_id == campaign_id)
    ):
        reports.setdefault(r.unit_code, []).append(
            scoring.Report(r.id, r.phase_id, r.author_unit, float(r.score))
        )
    flags: dict[str, list[scoring.FlagLine]] = {}
    for f in session.scalars(
        select(Flag).where(Flag.campaign_id == campaign_id).order_by(Flag.raised_at, Flag.id)
    ):
        flags.setdefault(f.unit_code, []).append(
            scoring.FlagLine(f.id, f.rule, f.status, flag_summary(f))
        )
    units = {
        u.unit_code: u
        for u in session.scalars(
            select(CampaignUnit).where(CampaignUnit.campaign_id == campaign_id)
        )
    }
    codes = set(units) | set(reports) | set(flags)
    if not principal.is_global:
        codes &= {principal.unit}
    rows = []
    for code in codes:
        unit = units.get(code)
        kind = unit.kind if unit else None
        row: dict[str, Any] = {
            "unit_code": code,
            "unit_name": unit.name if unit else code,
            "kind": kind,
        }
        if rules is None:
            row |= {"score": None, "complete": False, "deductions": [], "phases": []}
        else:
            row |= scoring.assess(
                rules,
                supervised=kind == "college",
                phases=phases,
                reports=reports.get(code, []),
                flags=flags.get(code, []),
            )
        for d in row["deductions"]:
            d["rule_label"] = RULE_LABELS.get(d["rule"], d["rule"])
            d["status_label"] = STATUS_LABELS.get(d["status"], d["status"])
        rows.append(row)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit_code"]))
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "rules": campaign.assessment,
        "formula": rules.formula(RULE_LABELS, STATUS_LABELS) if rules else NOT_CONFIGURED,
        "phases": [{"phase_id": pid, "phase_name": name} for pid, name in phases],
        "generated_at": now,
        "units": rows,
    }


KIND_LABELS = {"college": "二级学院", "office": "机关处室", "other": "其他"}


def assessment_xlsx(view: dict, tz: str) -> bytes:
    """年终考核 as .xlsx, the same breakdown as the JSON: the scores (a column per phase,
    未督查 where no report), every deduction with its flag, and the rules used. Names are
    written as text: a unit called ``=…`` never becomes a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "年终考核"
    phase_names = [p["phase_name"] for p in view["phases"]]
    header = ["单位", "类别", *(f"督查：{n}" for n in phase_names), "起评分", "扣分", "考核得分"]
    write_title(sheet, f"年终考核：{view['campaign_name']}", len(header))
    generated = campus_time(view["generated_at"], tz)
    append_row(sheet, [f"生成时间：{generated:%Y-%m-%d %H:%M}", view["formula"]])
    append_row(sheet, header)
    style_header_row(sheet, 3)
    for row in view["units"]:
        by_phase = {
            p["phase_name"]: scoring.UNSUPERVISED if p["average"] is None else p["average"]
            for p in row.get("phases", [])
        }
        append_row(
            sheet,
            [
                row["unit_name"],
                KIND_LABELS.get(row["kind"] or "", row["kind"] or ""),
                *(by_phase.get(n, "不适用") for n in phase_names),
                row.get("starting_score"),
                row.get("deduction"),
                scoring.UNSUPERVISED if row["score"] is None else row["score"],
            ],
        )
    set_column_widths(sheet, [26, 10, *([14] * len(phase_names)), 10, 10, 12])

    details = book.create_sheet("扣分明细")
    columns = ["单位", "问责记录编号", "问责规则", "状态", "扣分", "依据"]
    write_title(details, "扣分明细（每条问责记录及其扣分）", len(columns))
    append_row(details, [view["formula"]])
    append_row(details, columns)
    style_header_row(details, 3)
    for row in view["units"]:
        for d in row["deductions"]:
            append_row(
                details,
                [
                    row["unit_name"],
                    d["flag_id"],
                    d["rule_label"],
                    d["status_label"],
                    d["points"],
                    d["summary"],
                ],
            )
    set_column_widths(details, [26, 38, 20, 12, 8, 40])

    rules_sheet = book.create_sheet("考核办法")
    write_title(rules_sheet, "考核办法（本专项整治的设置）", 3)
    append_row(rules_sheet, [view["formula"]])
    rules = view.get("rules") or {}
    append_row(rules_sheet, ["项目", "取值", "说明"])
    style_header_row(rules_sheet, 3)
    if rules:
        append_row(rules_sheet, ["起评分（非二级学院）", rules["base"], ""])
        for rule, points in rules["deductions"].items():
            append_row(rules_sheet, ["规则扣分", points, RULE_LABELS.get(rule, rule)])
        for status, factor in rules["status_factors"].items():
            append_row(rules_sheet, ["状态系数", factor, STATUS_LABELS.get(status, status)])
    set_column_widths(rules_sheet, [22, 10, 40])
    return workbook_bytes(book)
