"""Reporting's hazard and incident handlers, with what changed also recorded for the
province (worker side only: the web apps never import the consumer)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from services.reporting.province.link import ProvinceLink
from services.reporting.province.messages import on_hazard, on_incidents
from shared.events.consumer import Handler
from shared.events.envelope import Envelope


def with_province(
    handlers: dict[str, Handler], hazard_types: Iterable[str], link: ProvinceLink, tz: str
) -> dict[str, Handler]:
    """``handlers`` whose hazard.* handlers also record the major hazard's state for the
    province, and whose incident handler the incident counts, in the same transaction as
    the projection they update."""

    def wrap(handler: Handler) -> Handler:
        def apply(session: Session, event: Envelope) -> None:
            handler(session, event)
            if event.data.get("severity") == "major":
                session.flush()
                on_hazard(session, link, event.data["hazard_id"], tz)

        return apply

    def incidents(handler: Handler) -> Handler:
        def apply(session: Session, event: Envelope) -> None:
            handler(session, event)
            session.flush()
            on_incidents(session, link, event.occurred_at)

        return apply

    types = set(hazard_types)
    wrapped = {t: wrap(h) if t in types else h for t, h in handlers.items()}
    wrapped["incident.recorded"] = incidents(wrapped["incident.recorded"])
    return wrapped
