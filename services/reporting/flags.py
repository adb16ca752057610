"""Accountability records (问责记录): raising a flag with the person who answered for the
cause that day, the flag's life as its cause ends (resolved late, superseded, reopened),
and the unit's side of it: explanation, decision, appeal, finality. Each use case runs in
the caller's transaction and appends a step to the flag's history.

The pure rules (who may take which step, the review window, days late) are in
``domain``; this module loads the facts, asks them, and writes what they decide.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting import domain, notifications, robots
from services.reporting.domain import FlagStatus, PersonBasis, ReviewStep, Rule
from services.reporting.models import CampaignUnit, Flag, FlagFile, FlagStep, UnitJoined
from shared import files
from shared.errors import Forbidden, NotFound, UnprocessableEntity
from shared.grid_projection import GridCell, GridUnit, holder_on
from shared.principal import LEAD_DEPARTMENT, SECURITY_OFFICE, UNIT_MANAGER, Principal
from shared.timeutil import utcnow

SYSTEM = "system"
SYSTEM_NAME = "系统"
# Roles that answer for their own unit's flags (explain, appeal): its manager, or a lead
# department for the flags that name it (the supervision phase is theirs).
ANSWERING_ROLES = frozenset({UNIT_MANAGER, LEAD_DEPARTMENT})


# -- who answers ---------------------------------------------------------------------------
def unit_cells(session: Session) -> dict[str, str]:
    """Each unit's top grid cell (from the grid projection), whose head answers for it."""
    rows = session.execute(
        select(GridCell.unit_code, GridCell.cell_id)
        .where(GridCell.unit_code.is_not(None))
        .order_by(GridCell.level.desc(), GridCell.code.desc())
    ).all()
    return {unit: cell for unit, cell in rows}  # the last one written wins: lowest level


def units_in_grid(session: Session) -> dict[str, datetime | None]:
    """Units the grid knows, with when it first announced each: only these join a
    campaign's flags, for due dates after they joined (a campaign may list units the
    college has not put in its grid yet; nobody there could answer for a flag)."""
    rows = session.execute(
        select(GridUnit.code, UnitJoined.joined_at).outerjoin(
            UnitJoined, UnitJoined.unit_code == GridUnit.code
        )
    )
    return {code: joined_at for code, joined_at in rows}


def record_unit_joined(session: Session, unit_code: str, at: datetime) -> None:
    """Keep the earliest announcement of the unit (events may come in any order)."""
    row = session.get(UnitJoined, unit_code)
    if row is None:
        session.add(UnitJoined(unit_code=unit_code, joined_at=at))
    elif row.joined_at is not None and at < row.joined_at:
        row.joined_at = at


def name_person(
    session: Session,
    unit_code: str,
    cell_id: str | None,
    day: date,
    rectifier: tuple[str | None, str | None] | None = None,
) -> tuple[str | None, str | None, PersonBasis]:
    """The person a flag names, and which rule chose them: the place's holder that day;
    else the nearest cell above with one (一级抓一级) — the unit's own cell being the
    unit's head; with no place, the unit's head that day; else the hazard's 整改责任人."""
    unit_cell = unit_cells(session).get(unit_code)
    start = cell_id or unit_cell
    current, seen = start, set()
    while current is not None and current not in seen:
        seen.add(current)
        holder = holder_on(session, current, day)
        if holder is not None:
            if current == unit_cell:
                basis = PersonBasis.UNIT_HEAD
            elif current == start:
                basis = PersonBasis.PLACE_HOLDER
            else:
                basis = PersonBasis.ANCESTOR_HOLDER
            return holder.person_id, holder.person_name, basis
        cell = session.get(GridCell, current)
        current = cell.parent_id if cell else None
    if unit_cell is not None and unit_cell not in seen:
        holder = holder_on(session, unit_cell, day)
        if holder is not None:
            return holder.person_id, holder.person_name, PersonBasis.UNIT_HEAD
    if rectifier and rectifier[1]:
        return rectifier[0], rectifier[1], PersonBasis.RECTIFIER
    return None, None, PersonBasis.NOBODY


# -- history -------------------------------------------------------------------------------
def add_step(
    session: Session,
    flag: Flag,
    step: ReviewStep,
    at: datetime,
    *,
    principal: Principal | None = None,
    text: str | None = None,
) -> FlagStep:
    row = FlagStep(
        flag_id=flag.id,
        position=len(flag.steps),
        step=step.value,
        status=flag.status,
        actor=principal.sub if principal else SYSTEM,
        actor_name=principal.name if principal else SYSTEM_NAME,
        actor_unit=principal.unit if principal else None,
        text=text,
        at=at,
    )
    flag.steps.append(row)  # the view read in the same transaction shows it
    return row


# -- raising and the cause's end -----------------------------------------------------------
def raise_flag(
    session: Session,
    rule: Rule,
    unit_code: str,
    key: str,
    *,
    evidence: dict[str, Any],
    day: date,
    campaign_id: str | None = None,
    cell_id: str | None = None,
    rectifier: tuple[str | None, str | None] | None = None,
    at: datetime | None = None,
) -> Flag | None:
    """Raise the flag of one cause, once, naming the person who answered for it on ``day``
    (``name_person``) and saying which rule chose them."""
    if session.scalar(select(Flag.id).where(Flag.cause_key == key)):
        return None
    person_id, person_name, basis = name_person(session, unit_code, cell_id, day, rectifier)
    flag = Flag(
        cause_key=key,
        rule=rule.value,
        unit_code=unit_code,
        campaign_id=campaign_id,
        person_id=person_id,
        person_name=person_name,
        person_basis=basis.value,
        evidence=evidence,
        status=FlagStatus.OPEN.value,
        raised_at=at or utcnow(),
    )
    session.add(flag)
    session.flush()
    # With nobody named, the basis alone says why (网格中无当日负责人), once.
    basis_label = domain.PERSON_BASIS_LABELS[basis]
    who = f"{person_name}（{basis_label}）" if person_name else f"无（{basis_label}）"
    add_step(
        session,
        flag,
        ReviewStep.RAISED,
        flag.raised_at,
        text=f"{domain.RULE_LABELS[rule]}；责任人：{who}",
    )
    queue_flag_notice(session, flag)
    robots.queue_flag(session, flag)  # the group chats hear of it too
    return flag


def find(session: Session, key: str) -> Flag | None:
    return session.scalar(select(Flag).where(Flag.cause_key == key))


def supersede(session: Session, old: Flag, new: Flag, at: datetime) -> None:
    """One cause, one penalty: ``new`` (逾期报送) replaces ``old`` (未报送)."""
    if old.status == FlagStatus.SUPERSEDED:
        return
    old.status = FlagStatus.SUPERSEDED.value
    old.superseded_by = new.id
    old.resolved_at = at
    add_step(
        session,
        old,
        ReviewStep.SUPERSEDED,
        at,
        text=f"已被问责记录 {new.id}（{domain.RULE_LABELS[Rule(new.rule)]}）取代，同一原因只计一次",
    )


def note_submission(session: Session, flag: Flag, submitted_at: datetime, at: datetime) -> None:
    """A decided 未报送 whose table came in late: its decision stands, the history says when
    the table arrived."""
    add_step(
        session,
        flag,
        ReviewStep.RESOLVED_LATE,
        at,
        text=f"统计表已于 {submitted_at:%Y-%m-%d %H:%M} 逾期报送；原认定不变，不另行问责",
    )


def resolve_late(
    session: Session, flag: Flag, deadline: date, ended_on: date, at: datetime, why: str
) -> None:
    """The cause ended after its deadline: the lateness stays on record. An undecided flag
    becomes ``resolved_late``; a decided one keeps its decision. Idempotent."""
    if flag.resolved_at is not None or flag.status == FlagStatus.SUPERSEDED:
        return
    flag.resolved_at = at
    flag.days_late = domain.days_late(deadline, ended_on)
    if flag.status == FlagStatus.OPEN:
        flag.status = FlagStatus.RESOLVED_LATE.value
    add_step(session, flag, ReviewStep.RESOLVED_LATE, at, text=f"{why}，逾期 {flag.days_late} 天")


def reopen(session: Session, flag: Flag, at: datetime, why: str) -> None:
    """The cause is back (a late fix rejected at acceptance): the flag is open again."""
    if flag.resolved_at is None or flag.status == FlagStatus.SUPERSEDED:
        return
    flag.resolved_at = None
    flag.days_late = None
    if flag.status == FlagStatus.RESOLVED_LATE:
        flag.status = FlagStatus.OPEN.value
    add_step(session, flag, ReviewStep.REOPENED, at, text=why)


# -- the unit's side ------------------------------------------------------------------------
def review_of(flag: Flag) -> domain.Review:
    return domain.Review(
        status=FlagStatus(flag.status),
        raised_at=flag.raised_at,
        explained=flag.explained_at is not None,
        decided_at=flag.decided_at,
        appealed=flag.appealed_at is not None,
        appeal_decided=flag.appeal_decided_at is not None,
    )


def _checked(check, flag: Flag, window: timedelta, now: datetime):
    try:
        return check(review_of(flag), window, now)
    except domain.ReviewRefused as refused:
        error = UnprocessableEntity if refused.status == 422 else domain.Conflict
        raise error(refused.reason, flag_status=flag.status) from None


def get_flag(session: Session, flag_id: str, lock: bool = False) -> Flag:
    flag = session.get(Flag, flag_id, with_for_update=lock or None)
    if flag is None:
        raise NotFound(f"问责记录 {flag_id} 不存在")
    return flag


def require_answering_unit(principal: Principal, flag: Flag) -> None:
    """Only the unit the flag names answers for it (its manager, or the lead department
    named): not the security office, which decides, nor anyone of another unit."""
    if principal.unit == flag.unit_code and principal.roles & ANSWERING_ROLES:
        return
    raise Forbidden(f"只有被问责单位（{flag.unit_code}）的负责人可以提交情况说明或申诉")


def _answer(
    session: Session,
    principal: Principal,
    flag_id: str,
    text: str,
    now: datetime,
    window: timedelta,
    step: ReviewStep,
) -> Flag:
    """The unit's side: its explanation (before the decision) or its appeal (after)."""
    flag = get_flag(session, flag_id, lock=True)
    require_answering_unit(principal, flag)
    if step == ReviewStep.EXPLANATION:
        _checked(domain.check_explanation, flag, window, now)
        flag.explained_at = now
    else:
        _checked(domain.check_appeal, flag, window, now)
        flag.appealed_at = now
    add_step(session, flag, step, now, principal=principal, text=text)
    return flag


def explain(
    session: Session,
    principal: Principal,
    flag_id: str,
    text: str,
    now: datetime,
    window: timedelta,
) -> Flag:
    return _answer(session, principal, flag_id, text, now, window, ReviewStep.EXPLANATION)


def appeal(
    session: Session,
    principal: Principal,
    flag_id: str,
    text: str,
    now: datetime,
    window: timedelta,
) -> Flag:
    return _answer(session, principal, flag_id, text, now, window, ReviewStep.APPEAL)


def decide(
    session: Session,
    principal: Principal,
    flag_id: str,
    status: str,
    reason: str,
    now: datetime,
    window: timedelta,
) -> Flag:
    """The security office decides (confirmed / explained / withdrawn) with a reason; after
    an appeal it decides once more, and that decision is final at once."""
    principal.require_role(SECURITY_OFFICE)
    flag = get_flag(session, flag_id, lock=True)
    step = _checked(domain.check_decision, flag, window, now)
    flag.status = status
    flag.decided_by = principal.sub
    flag.decided_at = now if step == ReviewStep.DECISION else flag.decided_at
    flag.decision_reason = reason
    if step == ReviewStep.APPEAL_DECISION:
        flag.appeal_decided_at = now
    label = domain.FLAG_STATUS_LABELS[FlagStatus(status)]
    add_step(session, flag, step, now, principal=principal, text=f"{label}：{reason}")
    return flag


def add_file(
    session: Session,
    principal: Principal,
    flag_id: str,
    upload: files.Upload,
    now: datetime,
    window: timedelta,
) -> FlagFile:
    """A file for the unit's explanation or appeal, while that step is still open to it."""
    flag = get_flag(session, flag_id, lock=True)
    require_answering_unit(principal, flag)
    step = _checked(domain.check_file, flag, window, now)
    stored = files.accept(upload)
    row = FlagFile(
        flag_id=flag.id,
        step=step.value,
        content_type=stored.media_type,
        **stored.columns(principal.sub, now),
    )
    session.add(row)
    session.flush()
    return row


def actions_for(
    principal: Principal | None, flag: Flag, window: timedelta, now: datetime
) -> list[str]:
    """The review steps ``principal`` may take now (what the console offers): the same
    checks the steps themselves apply."""
    if principal is None:
        return []
    review, mine = review_of(flag), []
    answering = principal.unit == flag.unit_code and bool(principal.roles & ANSWERING_ROLES)
    checks = (
        ("explain", answering, domain.check_explanation),
        ("appeal", answering, domain.check_appeal),
        ("decide", SECURITY_OFFICE in principal.roles, domain.check_decision),
    )
    for name, allowed, check in checks:
        if not allowed:
            continue
        try:
            check(review, window, now)
        except domain.ReviewRefused:
            continue
        mine.append(name)
    return mine


def flag_view(
    flag: Flag, window: timedelta, now: datetime, principal: Principal | None = None
) -> dict[str, Any]:
    """The flag as a person reads it: labels, the person and why, the whole history, and
    the steps ``principal`` may take next (``my_actions``)."""
    review = review_of(flag)
    final = domain.final_at(review, window)
    return {
        "my_actions": actions_for(principal, flag, window, now),
        **{c.name: getattr(flag, c.name) for c in Flag.__table__.columns},
        "rule_label": domain.RULE_LABELS[Rule(flag.rule)],
        "status_label": domain.FLAG_STATUS_LABELS[FlagStatus(flag.status)],
        "person_basis_label": domain.PERSON_BASIS_LABELS.get(
            PersonBasis(flag.person_basis) if flag.person_basis else PersonBasis.NOBODY
        ),
        "final_at": final,
        "final": final is not None and now >= final,
        "history": [
            {
                "step": s.step,
                "step_label": domain.REVIEW_STEP_LABELS[ReviewStep(s.step)],
                "status": s.status,
                "actor": s.actor,
                "actor_name": s.actor_name,
                "actor_unit": s.actor_unit,
                "text": s.text,
                "at": s.at,
            }
            for s in flag.steps
        ],
        "files": flag.files,
    }


# -- notices --------------------------------------------------------------------------------
def queue_flag_notice(session: Session, flag: Flag) -> bool:
    unit = None
    if flag.campaign_id:
        unit = session.get(CampaignUnit, (flag.campaign_id, flag.unit_code))
    if unit is None:
        unit = session.scalar(
            select(CampaignUnit).where(CampaignUnit.unit_code == flag.unit_code).limit(1)
        )
    if unit is None:
        return False
    label = domain.RULE_LABELS[Rule(flag.rule)]
    who = f"（责任人：{flag.person_name}）" if flag.person_name else ""
    return notifications.queue_mail(
        session,
        f"flag:{flag.cause_key}",
        unit.unit_code,
        unit.email,
        f"【问责记录】{flag.unit_code}：{label}",
        f"{unit.name}{who}：\n\n已登记问责记录：{label}。\n"
        f"依据：{json.dumps(flag.evidence, ensure_ascii=False)}\n"
        "如有异议，请在工作台的问责记录中提交情况说明（附证明材料）。",
    )
