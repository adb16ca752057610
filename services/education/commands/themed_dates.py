"""Themed dates to plan education around: the campaign's own (data) and the national ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education import domain
from services.education.models import ThemedDate
from shared.errors import DomainError
from shared.principal import SECURITY_OFFICE, Principal


def create_themed_date(session: Session, principal: Principal, **fields: Any) -> ThemedDate:
    principal.require_role(SECURITY_OFFICE)
    if fields["ends_on"] < fields["starts_on"]:
        raise domain.InvalidActivity(
            "主题时段的结束日期不能早于开始日期",
            invalid_params=[{"name": "ends_on", "reason": "早于开始日期"}],
        )
    exists = session.scalar(
        select(ThemedDate.id).where(
            ThemedDate.name == fields["name"], ThemedDate.starts_on == fields["starts_on"]
        )
    )
    if exists:
        raise DomainError(f"{fields['starts_on']} 的「{fields['name']}」已存在")
    themed = ThemedDate(**fields, created_by=principal.sub)
    session.add(themed)
    session.flush()
    return themed


def load_seed_themed_dates(session: Session) -> int:
    """The 2021 campaign's phases as themed dates (demo data); idempotent."""
    added = 0
    for spec in domain.SEED_CAMPAIGN_DATES:
        exists = session.scalar(
            select(ThemedDate.id).where(
                ThemedDate.name == spec["name"], ThemedDate.starts_on == spec["starts_on"]
            )
        )
        if not exists:
            session.add(ThemedDate(**spec, created_by="seed"))
            added += 1
    session.flush()
    return added


def suggestions(session: Session, year: int) -> list[domain.Suggestion]:
    campaign = [
        domain.Suggestion(
            key=t.id,
            name=t.name,
            theme=t.theme or "",
            starts_on=t.starts_on,
            ends_on=t.ends_on,
            suggested_kinds=tuple(t.suggested_kinds or ()),
            source="campaign",
        )
        for t in session.scalars(select(ThemedDate))
    ]
    return domain.suggestions_for_year(year, campaign)
