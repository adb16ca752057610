"""Reporting's hazard handlers, with a major hazard's change also recorded for the
province (worker side only: the web apps never import the consumer)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from services.reporting.province.link import ProvinceLink
from services.reporting.province.messages import on_hazard
from shared.events.consumer import Handler
from shared.events.envelope import Envelope


def with_major_hazards(
    handlers: dict[str, Handler], hazard_types: Iterable[str], link: ProvinceLink, tz: str
) -> dict[str, Handler]:
    """``handlers`` whose hazard.* handlers also record the major hazard's state for the
    province, in the same transaction as the projection they update."""

    def wrap(handler: Handler) -> Handler:
        def apply(session: Session, event: Envelope) -> None:
            handler(session, event)
            if event.data.get("severity") == "major":
                session.flush()
                on_hazard(session, link, event.data["hazard_id"], tz)

        return apply

    types = set(hazard_types)
    return {t: wrap(h) if t in types else h for t, h in handlers.items()}
