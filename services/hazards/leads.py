"""Lead departments (牵头部门) of the hazard categories: campaign data, not code.

The reporting service announces each campaign's categories and their lead units
(``campaign.categories_published``); the newest campaign (by start date) decides who leads
what here. ``shared.vocabulary.DEFAULT_LEADS`` only fills in a category no published
campaign names (before the first campaign arrives): the campaign's data always wins.

A category may have several leads (the 2021 plan names co-leads for tasks 五 and 八):
every one of them sees, accepts and reports on the hazards filed under it. A hazard keeps
the leads it was found with (``hazard_leads``), so a later campaign changes who leads
new hazards, never who answered for an old one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, exists, false, or_, select
from sqlalchemy.orm import Session

from services.hazards.models import CategoryLead, Hazard, HazardLead, LeadCampaign
from shared import vocabulary


# -- reading ----------------------------------------------------------------------------
def leads_of(session: Session, category: str) -> list[str]:
    """The lead departments of ``category``, first lead first: the newest published
    campaign's, or the built-in default while no campaign names the category."""
    named = session.scalars(_LEADS_OF, {"category": category}).all()
    return list(named) or vocabulary.default_leads(category)


# Built once (every report asks it): the category's leads, first lead first.
_LEADS_OF = (
    select(CategoryLead.unit_code)
    .where(CategoryLead.category == bindparam("category"))
    .order_by(CategoryLead.position)
)


def led_categories(session: Session, unit_code: str | None) -> set[str]:
    """The categories ``unit_code`` leads (Python twin of ``led_category_condition``)."""
    if not unit_code:
        return set()
    named = set(session.scalars(select(CategoryLead.category).distinct()))
    mine = set(
        session.scalars(select(CategoryLead.category).where(CategoryLead.unit_code == unit_code))
    )
    defaults = {c for c in vocabulary.default_led_categories(unit_code) if c not in named}
    return mine | defaults


def led_category_condition(
    unit_code: str | None, category_col: ColumnElement
) -> ColumnElement[bool]:
    """SQL: ``category_col`` is a category ``unit_code`` leads (twin of ``led_categories``)."""
    if not unit_code:
        return false()
    named = select(CategoryLead.category)
    mine = named.where(CategoryLead.unit_code == unit_code)
    defaults = vocabulary.default_led_categories(unit_code)
    by_default = (
        and_(category_col.in_(defaults), category_col.not_in(named)) if defaults else false()
    )
    return or_(category_col.in_(mine), by_default)


def hazard_led_by(unit_code: str | None) -> ColumnElement[bool]:
    """SQL: ``unit_code`` is one of the hazard's lead departments (twin of
    ``unit_code in Hazard.lead_departments``). The first lead (position 0) is the hazard's
    ``lead_department`` (written together at reporting; migration 0008 copied it so), so
    only the co-leads are looked up: PostgreSQL hashes the rows of this EXISTS once per
    statement, and all of a lead department's rows were most of a large ledger's page."""
    if not unit_code:
        return false()
    co_lead = exists().where(
        HazardLead.hazard_id == Hazard.id,
        HazardLead.unit_code == unit_code,
        HazardLead.position > 0,
    )
    return or_(Hazard.lead_department == unit_code, co_lead)


def hazard_leads(units: list[str]) -> list[HazardLead]:
    """The rows that give a new hazard its lead departments, in order."""
    return [HazardLead(unit_code=unit, position=i) for i, unit in enumerate(units)]


# -- the campaign's announcement ------------------------------------------------------------
def take_published(session: Session, data: dict[str, Any], sequence: int) -> bool:
    """Keep a campaign's published categories (idempotent: a duplicate or an older
    announcement of the same campaign changes nothing), then let the newest campaign
    decide the leads. True if anything was written."""
    campaign = session.get(LeadCampaign, data["campaign_id"], with_for_update=True)
    if campaign is not None and campaign.last_sequence >= sequence:
        return False
    if campaign is None:
        campaign = LeadCampaign(campaign_id=data["campaign_id"])
        session.add(campaign)
    campaign.code = data["code"]
    campaign.starts_on = _date(data["starts_on"])
    campaign.ends_on = _date(data["ends_on"])
    campaign.categories = data["categories"]
    campaign.last_sequence = sequence
    session.flush()
    _follow_newest(session)
    return True


def _follow_newest(session: Session) -> None:
    """Rewrite ``category_leads`` from the newest campaign (by start date, then code)."""
    newest = session.scalars(
        select(LeadCampaign)
        .order_by(LeadCampaign.starts_on.desc(), LeadCampaign.code.desc())
        .limit(1)
    ).first()
    session.execute(delete(CategoryLead))
    if newest is None:
        return
    for category in newest.categories:
        for position, unit in enumerate(dict.fromkeys(category["lead_units"])):
            session.add(
                CategoryLead(
                    category=category["code"],
                    unit_code=unit,
                    position=position,
                    campaign_id=newest.campaign_id,
                )
            )
    session.flush()


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
