"""Pure rules of the hazardous chemicals register (危化品).

A store's balance of an item is the sum of its movements' deltas: purchase (采购入库) adds,
issue (领用) takes, return (退还) adds back, disposal (处置) takes; a receipt (验收签收)
acknowledges a purchase and moves nothing. So the balance is purchases − disposals − net
issues, and no movement may take it below zero. Controlled items (易制毒、易制爆、剧毒) are
issued under 双人双锁: an issue without a second person opens a hazard.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.hazards.registers.domain import invalid

CHEMICALS_CATEGORY = "lab_chemicals"  # the hazard category of the register (led by JWC)
STORAGE_SUBCATEGORY = "storage"  # 危化品存储: a count that differs, incompatible storage
USE_SUBCATEGORY = "use"  # 危化品使用: a controlled issue without a second person


class HazardClass(StrEnum):
    FLAMMABLE = "flammable"
    OXIDIZER = "oxidizer"
    ACID = "acid"
    BASE = "base"
    TOXIC = "toxic"
    EXPLOSIVE = "explosive"
    GAS = "gas"
    OTHER = "other"


HAZARD_CLASS_LABELS = {
    HazardClass.FLAMMABLE: "易燃品",
    HazardClass.OXIDIZER: "氧化剂",
    HazardClass.ACID: "酸性腐蚀品",
    HazardClass.BASE: "碱性腐蚀品",
    HazardClass.TOXIC: "毒害品",
    HazardClass.EXPLOSIVE: "爆炸品",
    HazardClass.GAS: "压缩及液化气体",
    HazardClass.OTHER: "其他",
}

# Pairs that must not share a store (GB 15603 常用化学危险品贮存通则, simplified).
INCOMPATIBLE = frozenset(
    frozenset(pair)
    for pair in (
        (HazardClass.FLAMMABLE, HazardClass.OXIDIZER),
        (HazardClass.ACID, HazardClass.BASE),
        (HazardClass.ACID, HazardClass.TOXIC),  # e.g. cyanides give off HCN
        (HazardClass.EXPLOSIVE, HazardClass.FLAMMABLE),
        (HazardClass.EXPLOSIVE, HazardClass.OXIDIZER),
        (HazardClass.OXIDIZER, HazardClass.GAS),
    )
)


class MovementKind(StrEnum):
    PURCHASE = "purchase"
    RECEIPT = "receipt"
    ISSUE = "issue"
    RETURN = "return"
    DISPOSAL = "disposal"


MOVEMENT_LABELS = {
    MovementKind.PURCHASE: "采购入库",
    MovementKind.RECEIPT: "验收签收",
    MovementKind.ISSUE: "领用",
    MovementKind.RETURN: "退还",
    MovementKind.DISPOSAL: "处置",
}
SIGN = {
    MovementKind.PURCHASE: 1,
    MovementKind.RECEIPT: 0,
    MovementKind.ISSUE: -1,
    MovementKind.RETURN: 1,
    MovementKind.DISPOSAL: -1,
}
# The fields each kind must carry (the 422 names the first missing one).
REQUIRED = {
    MovementKind.PURCHASE: ("counterparty",),  # 供应商
    MovementKind.RECEIPT: ("counterparty",),  # 验收人
    MovementKind.ISSUE: ("counterparty", "purpose"),  # 领用人, 课程或实验
    MovementKind.RETURN: ("counterparty",),
    MovementKind.DISPOSAL: ("counterparty", "manifest_no"),  # 处置单位, 联单号
}
CONTROLLED_LABELS = {"precursor": "易制毒", "explosive_precursor": "易制爆", "highly_toxic": "剧毒"}


def delta(kind: str, quantity: int) -> int:
    return SIGN[MovementKind(kind)] * quantity


def check_movement(kind: str, fields: dict, controlled: bool) -> None:
    """The fields a kind of movement needs; a controlled purchase needs its licence."""
    for name in REQUIRED[MovementKind(kind)]:
        if not fields.get(name):
            raise invalid(name, "该类出入库记录必须填写")
    if controlled and kind == MovementKind.PURCHASE and not fields.get("licence_no"):
        raise invalid("licence_no", "管制类危化品采购须填写购买许可证号")


def check_balance(balance: int, change: int) -> None:
    """No movement takes a balance below zero (the last unit goes to one issue only)."""
    if balance + change < 0:
        raise invalid("quantity", f"超过库存结余（结余 {balance}）")


def check_capacity(total: int, change: int, capacity: int) -> None:
    if change > 0 and total + change > capacity:
        raise invalid("quantity", f"超过存放点容量（容量 {capacity}，现存 {total}）")


def check_capacity_edit(total: int, capacity: int) -> None:
    """A store's capacity may be lowered only down to what it holds now."""
    if capacity < total:
        raise invalid("capacity", f"不得小于现存总量（现存 {total}）")


def controlled_labels(item: object) -> list[str]:
    return [label for attr, label in CONTROLLED_LABELS.items() if getattr(item, attr)]


def needs_second_person_hazard(kind: str, controlled: bool, second_person: str | None) -> bool:
    return kind == MovementKind.ISSUE and controlled and not (second_person or "").strip()


def incompatible_pairs(classes: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(item id, hazard class) held in one store → the item-id pairs that must not be
    together, each pair once, ordered (a stable hazard reference)."""
    held = sorted(set(classes))
    pairs = []
    for i, (a, class_a) in enumerate(held):
        for b, class_b in held[i + 1 :]:
            if frozenset((class_a, class_b)) in INCOMPATIBLE:
                pairs.append((min(a, b), max(a, b)))
    return sorted(set(pairs))


def balances(movements: Iterable[tuple[str, int]]) -> dict[str, int]:
    """item → balance, from (item, delta) lines (the property test's reference)."""
    out: dict[str, int] = {}
    for item, change in movements:
        out[item] = out.get(item, 0) + change
    return out


def count_ref(count_id: str) -> str:
    return f"count:{count_id}"


def issue_ref(movement_id: str) -> str:
    return f"issue:{movement_id}"


def pair_ref(store_id: str, a: str, b: str) -> str:
    return f"pair:{store_id}:{a}:{b}"


def count_description(store: str, item: str, counted: int, balance: int, measure: str) -> str:
    return (
        f"危化品存放点{store}盘点{item}实存 {counted}{measure}，账面结余 {balance}{measure}，"
        "账实不符，须查明原因"
    )


def issue_description(item: str, labels: list[str], quantity: int, measure: str) -> str:
    return (
        f"管制类危化品{item}（{'、'.join(labels)}）领用 {quantity}{measure} 未经第二人复核，"
        "违反双人双锁规定"
    )


def pair_description(store: str, a: str, b: str) -> str:
    return f"危化品存放点{store}同时存放禁忌物品{a}与{b}，须分区分柜存放"
