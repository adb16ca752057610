"""Pure rules every register shares: the 422 that names the offending field, and the 409
of a code or number already taken."""

from __future__ import annotations

from shared.errors import DomainError


class InvalidInput(DomainError):
    """A business-rule validation failure that names the offending fields (422)."""

    status = 422
    title = "Unprocessable Entity"


def invalid(name: str, reason: str, detail: str | None = None) -> InvalidInput:
    return InvalidInput(
        detail or f"{name}：{reason}",
        invalid_params=[{"name": name, "reason": reason, "location": "json"}],
    )


class AlreadyExists(DomainError):
    status = 409
    title = "Already exists"


def already_used(name: str, reason: str, detail: str) -> AlreadyExists:
    """409 naming the field whose value is taken (a checklist code, a registration number)."""
    return AlreadyExists(
        detail, invalid_params=[{"name": name, "reason": reason, "location": "json"}]
    )
