"""Pure rules of the risk register: the LS method (风险矩阵法) and the four colours.

    R = L × S
    L  likelihood (可能性)          1 极不可能 · 2 不太可能 · 3 可能 · 4 很可能 · 5 经常发生
    S  severity / consequence (后果) 1 轻微 · 2 较小 · 3 一般 · 4 严重 · 5 灾难性（群死群伤）

    R ≥ 20        重大风险  red     (the only products: 20, 25)
    15 ≤ R ≤ 19   较大风险  orange  (15, 16)
    9 ≤ R ≤ 14    一般风险  yellow  (9, 10, 12)
    R ≤ 8         低风险    blue    (1 … 8)

The four colours are the usual Chinese grading (四色分级); a place's risk announcement
(风险公告) lists its points from red to blue.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.hazards.registers.domain import invalid


class RiskLevel(StrEnum):
    RED = "red"  # 重大风险
    ORANGE = "orange"  # 较大风险
    YELLOW = "yellow"  # 一般风险
    BLUE = "blue"  # 低风险


RISK_LEVEL_LABELS = {
    RiskLevel.RED: "重大风险",
    RiskLevel.ORANGE: "较大风险",
    RiskLevel.YELLOW: "一般风险",
    RiskLevel.BLUE: "低风险",
}
RISK_COLOUR_LABELS = {
    RiskLevel.RED: "红",
    RiskLevel.ORANGE: "橙",
    RiskLevel.YELLOW: "黄",
    RiskLevel.BLUE: "蓝",
}
# Announcement order: the most serious first.
RISK_LEVEL_ORDER = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW, RiskLevel.BLUE)
LS_RANGE = range(1, 6)
# The grades of the two factors, as the module docstring names them (the forms' choices).
LIKELIHOOD_LABELS = {1: "极不可能", 2: "不太可能", 3: "可能", 4: "很可能", 5: "经常发生"}
CONSEQUENCE_LABELS = {1: "轻微", 2: "较小", 3: "一般", 4: "严重", 5: "灾难性（群死群伤）"}


def risk_score(likelihood: int, severity: int) -> int:
    """R = L × S; both factors are graded 1–5 (422 naming the factor otherwise)."""
    for name, value in (("likelihood", likelihood), ("severity", severity)):
        if isinstance(value, bool) or not isinstance(value, int) or value not in LS_RANGE:
            raise invalid(name, "须为 1 到 5 的整数")
    return likelihood * severity


def level_for_score(score: int) -> RiskLevel:
    if score >= 20:
        return RiskLevel.RED
    if score >= 15:
        return RiskLevel.ORANGE
    if score >= 9:
        return RiskLevel.YELLOW
    return RiskLevel.BLUE


def risk_level(likelihood: int, severity: int) -> RiskLevel:
    return level_for_score(risk_score(likelihood, severity))


def announcement_key(level: str, score: int, name: str) -> tuple[int, int, str]:
    """Red → blue, then the higher score first, then by name (stable boards)."""
    return (RISK_LEVEL_ORDER.index(RiskLevel(level)), -score, name)


def colour_counts(levels: Iterable[str]) -> dict[str, int]:
    counts = {level.value: 0 for level in RISK_LEVEL_ORDER}
    for level in levels:
        counts[RiskLevel(level).value] += 1
    return counts


def highest_level(levels: Iterable[str]) -> RiskLevel | None:
    present = {RiskLevel(level) for level in levels}
    return next((level for level in RISK_LEVEL_ORDER if level in present), None)
