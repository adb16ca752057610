"""The hazard loop's stages and severities as every service names them in events.

The hazard ledger owns the loop (``services.hazards.domain``: which action leads where);
reporting and the console only read stages off events and API answers. What a stage
*counts as* — open, the unit's turn, awaiting acceptance, fixed — is one rule for all of
them, so it lives here, beside the names, and both the ledger and reporting derive from
it. Pure data: no imports beyond the standard library.
"""

from __future__ import annotations

DISCOVERED = "discovered"  # 排查(发现)
REGISTERED = "registered"  # 登记(评估)
REPORTED = "reported"  # 报告
IN_REMEDIATION = "in_remediation"  # 治理(控制)
RECTIFIED = "rectified"  # 整改完成, awaiting 验收
ACCEPTED = "accepted"  # 验收通过
CLOSED = "closed"  # 销号
ARCHIVED = "archived"  # 备案存档

# In the loop's order.
STAGES: tuple[str, ...] = (
    DISCOVERED,
    REGISTERED,
    REPORTED,
    IN_REMEDIATION,
    RECTIFIED,
    ACCEPTED,
    CLOSED,
    ARCHIVED,
)
STAGE_LABELS: dict[str, str] = {
    DISCOVERED: "已发现",
    REGISTERED: "已登记",
    REPORTED: "已报告",
    IN_REMEDIATION: "整改中",
    RECTIFIED: "待验收",
    ACCEPTED: "已验收",
    CLOSED: "已销号",
    ARCHIVED: "已存档",
}

# Not yet struck off the ledger (销号).
OPEN: frozenset[str] = frozenset(STAGES) - {CLOSED, ARCHIVED}
# The unit still owes the fix and its deadline runs. Once it has rectified, the wait for
# acceptance (待验收) is the acceptor's time, not the unit's.
UNIT_OWES: frozenset[str] = frozenset({DISCOVERED, REGISTERED, REPORTED, IN_REMEDIATION})
AWAITING_ACCEPTANCE = RECTIFIED
# 整改完成并验收: counted as rectified in the statistics.
FIXED: frozenset[str] = frozenset({ACCEPTED, CLOSED, ARCHIVED})
# The unit's part is done (rectified, accepted or beyond).
DONE_BY_UNIT: frozenset[str] = frozenset(STAGES) - UNIT_OWES
# A hazard's severity (登记评估), as events and answers carry it.
GENERAL = "general"  # 一般隐患
MAJOR = "major"  # 重大隐患
SEVERITIES: tuple[str, ...] = (GENERAL, MAJOR)
SEVERITY_LABELS: dict[str, str] = {GENERAL: "一般隐患", MAJOR: "重大隐患"}

# Counted as "under remediation" in the statistics: being fixed, or fixed and awaiting 验收.
UNDER_REMEDIATION: frozenset[str] = frozenset({IN_REMEDIATION, RECTIFIED})
