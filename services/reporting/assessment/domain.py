"""The year-end assessment (年终考核) as a pure computation: anyone holding the campaign's
assessment rules, its supervision reports and its flags gets the same score.

The plan names what is assessed (督导检查 reports, 问责 for late, missing and unfinished
work, overdue and unresolved hazards) but no numbers: the numbers are the campaign's data
(``Campaign.assessment``), chosen by the leadership group, never constants here:

    {"base": 100,                       # a unit that is not supervised (an office) starts here
     "deductions": {rule: points},      # per flag, by rule (domain.Rule values)
     "status_factors": {status: factor}} # by the flag's status (domain.FlagStatus values)

A flag deducts ``deductions[rule] × status_factors[status]``. A secondary college's starting
score is the mean of its supervised phases (each phase: the mean of that phase's reports);
a phase with no report is shown as 未督查, never counted as full marks, and a college with
no report at all has no score yet (未督查). The score is floored at 0 and rounded to 2
decimals; every deduction is listed with the flag behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.reporting.domain import RULE_LABELS, Rule

UNSUPERVISED = "未督查"
NOT_CONFIGURED = "本专项整治未设置考核办法（campaign.assessment），暂不评分"
KIND_LABELS = {"college": "二级学院", "office": "机关处室", "other": "其他"}


def flag_summary(rule: str, evidence: Mapping[str, Any] | None, days_late: int | None) -> str:
    """The cause of a flag in words, for the breakdown."""
    e = evidence or {}
    label = RULE_LABELS.get(rule, rule)
    if rule in (Rule.LATE_SUBMISSION, Rule.MISSING_SUBMISSION):
        detail = f"报送截止 {e.get('due_on', '')}"
    elif rule == Rule.PHASE_TASK_INCOMPLETE:
        detail = f"{e.get('phase', '')} 任务{e.get('task_number', '')}"
    elif rule == Rule.UNSIGNED_LETTER:
        detail = f"{e.get('cell_name', '')} {e.get('year', '')} 年度"
    elif "number" in e:
        detail = f"隐患 {e['number']}"
    else:
        detail = ""
    late = f"，逾期 {days_late} 天" if days_late else ""
    return f"{label}：{detail}{late}".rstrip("：")


@dataclass(frozen=True)
class Rules:
    base: float
    deductions: Mapping[str, float]
    status_factors: Mapping[str, float]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Rules:
        return cls(
            base=float(data["base"]),
            deductions={k: float(v) for k, v in data["deductions"].items()},
            status_factors={k: float(v) for k, v in data["status_factors"].items()},
        )

    def points(self, rule: str, status: str) -> float:
        return self.deductions.get(rule, 0.0) * self.status_factors.get(status, 0.0)

    def formula(self, rule_labels: Mapping[str, str], status_labels: Mapping[str, str]) -> str:
        rules = "，".join(
            f"{rule_labels.get(rule, rule)} {points:g} 分"
            for rule, points in self.deductions.items()
        )
        factors = "，".join(
            f"{status_labels.get(status, status)} ×{factor:g}"
            for status, factor in self.status_factors.items()
        )
        return (
            f"考核得分 = 起评分 − Σ(每条问责记录的规则扣分 × 状态系数)，最低 0 分。"
            f"起评分：二级学院为各已督查阶段督查平均分的平均值（未督查的阶段不计，全部未督查则暂不评分），"
            f"其他单位为 {self.base:g} 分。规则扣分：{rules}。状态系数：{factors}。"
        )


@dataclass(frozen=True)
class Report:
    id: str
    phase_id: str
    author_unit: str
    score: float


@dataclass(frozen=True)
class FlagLine:
    id: str
    rule: str
    status: str
    summary: str  # the cause in words (a due date, a hazard number …)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def assess(
    rules: Rules,
    *,
    supervised: bool,
    phases: Sequence[tuple[str, str]],
    reports: Iterable[Report],
    flags: Iterable[FlagLine],
) -> dict[str, Any]:
    """One unit's score with its breakdown. ``supervised``: the unit is assessed by
    supervision reports (a secondary college); ``phases``: (id, name) in order."""
    by_phase: dict[str, list[Report]] = {}
    for report in reports:
        by_phase.setdefault(report.phase_id, []).append(report)
    phase_rows = []
    for phase_id, name in phases:
        got = by_phase.get(phase_id, [])
        mean = _mean([r.score for r in got])
        phase_rows.append(
            {
                "phase_id": phase_id,
                "phase_name": name,
                "average": None if mean is None else round(mean, 2),
                "label": UNSUPERVISED if mean is None else f"{mean:.2f}",
                "reports": [
                    {"report_id": r.id, "author_unit": r.author_unit, "score": r.score} for r in got
                ],
            }
        )
    supervised_means = [row["average"] for row in phase_rows if row["average"] is not None]
    start = _mean(supervised_means) if supervised else rules.base
    deductions = []
    for flag in flags:
        points = rules.points(flag.rule, flag.status)
        deductions.append(
            {
                "flag_id": flag.id,
                "rule": flag.rule,
                "status": flag.status,
                "summary": flag.summary,
                "points": points,
            }
        )
    deductions.sort(key=lambda d: (-d["points"], d["rule"], d["flag_id"]))
    total = round(sum(d["points"] for d in deductions), 2)
    unsupervised = [row["phase_name"] for row in phase_rows if row["average"] is None]
    return {
        "supervised": supervised,
        "phases": phase_rows if supervised else [],
        "unsupervised_phases": unsupervised if supervised else [],
        "starting_score": None if start is None else round(start, 2),
        "deduction": total,
        "deductions": deductions,
        "score": None if start is None else round(max(0.0, start - total), 2),
        "complete": not supervised or not unsupervised,
    }
