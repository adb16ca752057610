"""Who may see and record responsibility letters: a post's unit reads them (the security
office and leadership everywhere, a unit's people their own unit); the holder records
their own letter, the unit's manager or the security office anyone's in their scope."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from services.grid.models import Cell
from shared.errors import Forbidden
from shared.principal import Principal


def require_reader(principal: Principal, unit_code: str | None) -> None:
    principal.require_unit(unit_code)


def read_scope(principal: Principal) -> ColumnElement[bool]:
    """``require_reader`` in SQL, on the post's cell."""
    if principal.is_global:
        return true()
    return Cell.unit_code == principal.unit if principal.unit else false()


def require_recorder(principal: Principal, unit_code: str | None, holder_id: str) -> None:
    """The holder signs their own post's letter; the unit's manager or the office records
    it for them."""
    if principal.sub == holder_id or principal.may_manage_unit(unit_code):
        return
    raise Forbidden("安全责任书须由岗位本人、该单位负责人或安全保卫处登记")
