"""Pure rules of patrols: a route is an ordered list of places; a patrol is one run of it
on a day by a person, who checks in at each place by scanning the place's QR code (the
roster poster's: the console's report page with ``?cell=<place id>``) or typing its id or
code; finishing lists the places missed, in the route's order. Anything found at a place
opens one hazard (source ``patrol``): the same finding posted twice opens one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import parse_qs, urlsplit

from shared.errors import DomainError

SOURCE = "patrol"
RUNNING, FINISHED = "running", "finished"
STATUSES = {RUNNING: "巡查中", FINISHED: "已结束"}


def check_running(status: str, step: str) -> None:
    if status != RUNNING:
        raise DomainError(
            f"本次巡查已结束，不能{step}",
            invalid_params=[{"name": "status", "reason": "巡查已结束"}],
        )


def scanned_place(text: str) -> str:
    """What a scan names: the ``cell`` of a scanned URL (the roster poster's QR code), or
    the text itself (a place's id or code typed by hand)."""
    text = text.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # not a URL after all (an unbalanced "[" ...): the text as typed
        return text
    if parts.scheme and parts.query:
        values = parse_qs(parts.query).get("cell")
        if values:
            return values[0].strip()
    return text


def missed_places(route: Sequence[str], checked: Iterable[str]) -> list[str]:
    """The route's places not checked in, in the route's order."""
    done = set(checked)
    return [place for place in route if place not in done]


def hazard_description(route_name: str, place_name: str, description: str) -> str:
    """What the opened hazard says (the ledger's text must stand alone)."""
    return f"{place_name}巡查（{route_name}）发现：{description}"
