"""/todo: 我的待办 in the hazard ledger, the steps waiting for the caller (hazards/todo.py)."""

from __future__ import annotations

from services.hazards import todo as hazard_todo
from services.hazards.api import hazards as hazards_api
from shared.api import Blueprint, read_session
from shared.auth import current_principal
from shared.timeutil import campus_time
from shared.todo import TodoSchema

blp = Blueprint("todo", __name__, url_prefix="/todo", description="我的待办 my to-do")


@blp.route("", methods=["GET"])
@blp.response(200, TodoSchema)
def my_todo():
    """The hazards waiting for a step of the caller (登记, 报告, 整改, 验收, 销号…) and the
    extension requests the caller may decide, soonest due first, with each kind's count."""
    today = campus_time(hazards_api.now(), hazards_api.policy().campus_tz).date()
    return hazard_todo.todo(read_session(), current_principal(), today)
