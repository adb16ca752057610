"""Who sent a mail: both sender addresses registered by one unit, and whether a reply may
go back (a plain address, mail not sent by a machine)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import getaddresses

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.models import CampaignUnit

ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def valid_address(address: str | None) -> bool:
    """A plain ``local@domain.tld`` we are willing to send a reply to."""
    return bool(address) and len(address) <= 200 and ADDRESS.fullmatch(address) is not None


def registered(email_field: str | None) -> set[str]:
    """A unit's registered addresses, lower case (the field may hold several)."""
    return {a.strip().lower() for a in re.split(r"[,;\s]+", email_field or "") if a.strip()}


def header_sender(message: EmailMessage) -> str | None:
    """The one address of the From header, lower case; None when absent or several."""
    values = message.get_all("From") or []
    addresses = [addr for _, addr in getaddresses([str(v) for v in values]) if addr]
    return addresses[0].strip().lower() if len(values) == 1 and len(addresses) == 1 else None


def automatic(message: EmailMessage) -> bool:
    """Mail a machine sent (RFC 3834): never answered, so two robots cannot loop."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in ("bulk", "junk", "list")


def sender_units(session: Session, envelope: str, header: str | None) -> dict[str, set[str]]:
    """Units (code → their names in the campaigns) registering both sender addresses."""
    units: dict[str, set[str]] = {}
    if not header:
        return units
    for unit in session.scalars(select(CampaignUnit)):
        addresses = registered(unit.email)
        if envelope in addresses and header in addresses:
            units.setdefault(unit.unit_code, set()).add(unit.name)
    return units
