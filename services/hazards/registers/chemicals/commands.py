"""Use cases of the hazardous chemicals register: the catalogue, the stores, movements
(append-only), stock counts, balances, and the sweep for incompatible items stored together.
Every hazard opened here goes through the ledger's own create command, once per lapse
(source "chemicals" + a unique source_ref)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import commands as ledger
from services.hazards.models import Hazard
from services.hazards.registers import access
from services.hazards.registers.chemicals import domain
from services.hazards.registers.chemicals.models import (
    ChemicalCount,
    ChemicalItem,
    ChemicalMovement,
    ChemicalStore,
)
from services.hazards.registers.domain import already_used, invalid
from services.hazards.registers.rows import apply_changes, get_or_404
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError, Forbidden, check_version
from shared.principal import SECURITY_OFFICE, Principal
from shared.timeutil import utcnow

log = logging.getLogger("campus.hazards.registers")
SOURCE = "chemicals"


# -- the catalogue ------------------------------------------------------------------------
def may_keep_catalogue(session: Session, principal: Principal) -> bool:
    """College-wide: the security office or a lead department of 危化品 (教务处)."""
    return SECURITY_OFFICE in principal.roles or domain.CHEMICALS_CATEGORY in (
        access.led_categories(session, principal)
    )


def _require_catalogue_keeper(session: Session, principal: Principal) -> None:
    if not may_keep_catalogue(session, principal):
        raise Forbidden("危化品目录由安全保卫处或危化品牵头部门（教务处）维护")


def _check_cas_free(session: Session, cas_no: str, exclude: str | None = None) -> None:
    other = session.scalar(select(ChemicalItem.id).where(ChemicalItem.cas_no == cas_no))
    if other is not None and other != exclude:
        raise already_used("cas_no", "已登记", f"CAS 号 {cas_no} 已在目录中")


def add_item(session: Session, principal: Principal, **fields: Any) -> ChemicalItem:
    _require_catalogue_keeper(session, principal)
    _check_cas_free(session, fields["cas_no"])
    item = ChemicalItem(**fields, created_by=principal.sub, version=1)
    session.add(item)
    session.flush()
    return item


def item_query(filters: Mapping[str, Any]) -> Select:
    stmt = select(ChemicalItem)
    if filters.get("hazard_class"):
        stmt = stmt.where(ChemicalItem.hazard_class == filters["hazard_class"])
    if filters.get("controlled"):
        stmt = stmt.where(
            ChemicalItem.precursor | ChemicalItem.explosive_precursor | ChemicalItem.highly_toxic
        )
    return stmt.order_by(ChemicalItem.name, ChemicalItem.cas_no)


def get_item(session: Session, item_id: str, field: str = "item_id") -> ChemicalItem:
    item = session.get(ChemicalItem, item_id)
    if item is None:
        raise invalid(field, "目录中没有该危化品")
    return item


def item_or_404(session: Session, item_id: str, lock: bool = False) -> ChemicalItem:
    """The catalogue is college-wide: anyone signed in may read an entry."""
    return get_or_404(session, ChemicalItem, item_id, "危化品", lock)


def update_item(
    session: Session,
    principal: Principal,
    item_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> ChemicalItem:
    """Correct a catalogue entry. Movements keep referring to the item, so a new hazard
    class or controlled flag applies to what is held and issued from now on."""
    _require_catalogue_keeper(session, principal)
    item = item_or_404(session, item_id, lock=True)
    check_version(item, if_match, "危化品")
    if "cas_no" in changes:
        _check_cas_free(session, changes["cas_no"], item.id)
    if apply_changes(item, changes):
        item.version += 1
    return item


# -- stores -------------------------------------------------------------------------------
def add_store(session: Session, principal: Principal, **fields: Any) -> ChemicalStore:
    cell = access.place(session, fields["cell_id"])
    access.require_writer(principal, cell.unit_code)
    store = ChemicalStore(**fields, unit_code=cell.unit_code, created_by=principal.sub, version=1)
    session.add(store)
    session.flush()
    return store


def get_store(
    session: Session, principal: Principal, store_id: str, lock: bool = False
) -> ChemicalStore:
    store = get_or_404(session, ChemicalStore, store_id, "危化品存放点", lock)
    access.require_reader(
        session, principal, store.unit_code, domain.CHEMICALS_CATEGORY, f"危化品存放点 {store_id} "
    )
    return store


def update_store(
    session: Session,
    principal: Principal,
    store_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> ChemicalStore:
    """Edit a store (its unit's manager or the office). A move to another place must be
    one the caller may write and brings that place's unit; the capacity may not fall below
    what the store holds (the balance is never edited here)."""
    store = get_store(session, principal, store_id, lock=True)
    access.require_writer(principal, store.unit_code)
    check_version(store, if_match, "危化品存放点")
    changes = dict(changes)
    if "cell_id" in changes and changes["cell_id"] != store.cell_id:
        cell = access.place(session, changes["cell_id"])
        access.require_writer(principal, cell.unit_code)
        changes["unit_code"] = cell.unit_code
    if "capacity" in changes:
        domain.check_capacity_edit(sum(balances(session, store.id).values()), changes["capacity"])
    if apply_changes(store, changes):
        store.version += 1
    return store


def store_query(principal: Principal, filters: Mapping[str, Any]) -> Select:
    stmt = access.visible(
        select(ChemicalStore),
        principal,
        ChemicalStore.unit_code,
        literal(domain.CHEMICALS_CATEGORY),
    )
    for key in ("unit_code", "cell_id"):
        if filters.get(key):
            stmt = stmt.where(getattr(ChemicalStore, key) == filters[key])
    return stmt.order_by(ChemicalStore.unit_code, ChemicalStore.name)


# -- balances -----------------------------------------------------------------------------
def balances(session: Session, store_id: str) -> dict[str, int]:
    """item id → balance of the store, summed from its movements (never stored)."""
    rows = session.execute(
        select(ChemicalMovement.item_id, func.sum(ChemicalMovement.delta))
        .where(ChemicalMovement.store_id == store_id)
        .group_by(ChemicalMovement.item_id)
    ).all()
    return {item: int(total or 0) for item, total in rows}


def balance_rows(session: Session, store_id: str) -> list[dict[str, Any]]:
    held = balances(session, store_id)
    items = {
        i.id: i for i in session.scalars(select(ChemicalItem).where(ChemicalItem.id.in_(held)))
    }
    return [
        {
            "item_id": key,
            "name": items[key].name,
            "cas_no": items[key].cas_no,
            "measure": items[key].measure,
            "balance": value,
        }
        for key, value in sorted(held.items(), key=lambda kv: items[kv[0]].name)
    ]


# -- movements ----------------------------------------------------------------------------
def record_movement(
    session: Session,
    principal: Principal,
    store_id: str,
    *,
    campus_tz: str,
    now: datetime | None = None,
    **fields: Any,
) -> ChemicalMovement:
    """Append one movement. The store's row is locked (SELECT … FOR UPDATE) before the
    balance is read, so two issues of the last unit are serialised and the second refused."""
    store = get_store(session, principal, store_id, lock=True)
    access.require_writer(principal, store.unit_code)
    item = get_item(session, fields["item_id"])
    controlled = bool(domain.controlled_labels(item))
    domain.check_movement(fields["kind"], fields, controlled)
    change = domain.delta(fields["kind"], fields["quantity"])
    held = balances(session, store.id)
    domain.check_balance(held.get(item.id, 0), change)
    domain.check_capacity(sum(held.values()), change, store.capacity)
    movement = ChemicalMovement(
        **fields,
        store_id=store.id,
        unit_code=store.unit_code,
        delta=change,
        recorded_by=principal.sub,
    )
    session.add(movement)
    session.flush()
    if domain.needs_second_person_hazard(movement.kind, controlled, movement.second_person):
        _open_hazard(
            session,
            store,
            domain.issue_ref(movement.id),
            domain.USE_SUBCATEGORY,
            domain.issue_description(
                item.name, domain.controlled_labels(item), movement.quantity, item.measure
            ),
            now or utcnow(),
            campus_tz,
        )
    return movement


def movement_query(session: Session, principal: Principal, store_id: str) -> Select:
    get_store(session, principal, store_id)
    return (
        select(ChemicalMovement)
        .where(ChemicalMovement.store_id == store_id)
        .order_by(ChemicalMovement.occurred_on.desc(), ChemicalMovement.recorded_at.desc())
    )


# -- stock counts -------------------------------------------------------------------------
def record_count(
    session: Session,
    principal: Principal,
    store_id: str,
    *,
    campus_tz: str,
    now: datetime | None = None,
    item_id: str,
    counted: int,
    counted_on: date,
    counted_by: str,
) -> ChemicalCount:
    """盘点: compare with the derived balance; a difference opens a hazard (账实不符)."""
    store = get_store(session, principal, store_id, lock=True)
    access.require_writer(principal, store.unit_code)
    item = get_item(session, item_id)
    balance = balances(session, store.id).get(item.id, 0)
    count = ChemicalCount(
        store_id=store.id,
        item_id=item.id,
        counted_on=counted_on,
        counted=counted,
        balance=balance,
        counted_by=counted_by,
        recorded_by=principal.sub,
    )
    session.add(count)
    session.flush()
    if counted != balance:
        _open_hazard(
            session,
            store,
            domain.count_ref(count.id),
            domain.STORAGE_SUBCATEGORY,
            domain.count_description(store.name, item.name, counted, balance, item.measure),
            now or utcnow(),
            campus_tz,
        )
    return count


# -- hazards ------------------------------------------------------------------------------
def _open_hazard(
    session: Session,
    store: ChemicalStore,
    ref: str,
    subcategory: str,
    description: str,
    now: datetime,
    campus_tz: str,
) -> bool:
    """Once per ref (the ledger's source + source_ref is unique), in a savepoint so a
    refusal of the ledger does not undo the register's own record."""
    if session.scalar(select(Hazard.id).where(Hazard.source == SOURCE, Hazard.source_ref == ref)):
        return False
    try:
        with session.begin_nested():
            ledger.create_hazard(
                session,
                ledger.SYSTEM,
                category=domain.CHEMICALS_CATEGORY,
                subcategory=subcategory,
                description=description,
                cell_id=store.cell_id,
                found_at=now,
                campus_tz=campus_tz,
                source=SOURCE,
                source_ref=ref,
            )
    except DomainError as exc:
        log.warning("chemical store %s: no hazard opened: %s", store.id, exc)
        return False
    return True


def open_incompatible_hazards(session: Session, now: datetime, campus_tz: str) -> int:
    """One hazard per pair of incompatible items held (balance > 0) in one store; a second
    run opens nothing (the pair's ref is unique)."""
    rows = session.execute(
        select(ChemicalMovement.store_id, ChemicalItem.id, ChemicalItem.hazard_class)
        .join(ChemicalItem, ChemicalItem.id == ChemicalMovement.item_id)
        .group_by(ChemicalMovement.store_id, ChemicalItem.id, ChemicalItem.hazard_class)
        .having(func.sum(ChemicalMovement.delta) > 0)
        .order_by(ChemicalMovement.store_id)
    ).all()
    held: dict[str, list[tuple[str, str]]] = {}
    for store_id, item_id, hazard_class in rows:
        held.setdefault(store_id, []).append((item_id, hazard_class))
    opened = 0
    for store_id, classes in held.items():
        pairs = domain.incompatible_pairs(classes)
        if not pairs:
            continue
        store = session.get(ChemicalStore, store_id)
        for a, b in pairs:
            names = [session.get(ChemicalItem, key).name for key in (a, b)]
            ref = domain.pair_ref(store_id, a, b)
            text = domain.pair_description(store.name, *names)
            if _open_hazard(session, store, ref, domain.STORAGE_SUBCATEGORY, text, now, campus_tz):
                opened += 1
    return opened


def run_chemicals_sweep(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> int:
    """The worker's periodic task (services.hazards.sweeps.TASKS signature)."""
    with unit_of_work(factory) as session:
        return open_incompatible_hazards(session, now or utcnow(), settings.campus_timezone)
