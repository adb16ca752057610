"""/todo: 我的待办 in the hazard ledger, the steps waiting for the caller (hazards/todo.py)."""

from __future__ import annotations

from services.hazards import todo as hazard_todo
from services.hazards.api import hazards as hazards_api
from services.hazards.office.clues.todo import follow_up_days
from shared.api import Blueprint, read_session, state
from shared.auth import current_principal
from shared.timeutil import campus_time
from shared.todo import TodoSchema

blp = Blueprint("todo", __name__, url_prefix="/todo", description="我的待办 my to-do")


@blp.route("", methods=["GET"])
@blp.response(200, TodoSchema)
def my_todo():
    """The hazards waiting for a step of the caller (登记, 报告, 整改, 验收, 销号…) and the
    extension requests the caller may decide, soonest due first, with each kind's count;
    for the security office also the clues waiting for a follow-up (跟进线索)."""
    today = campus_time(hazards_api.now(), hazards_api.policy().campus_tz).date()
    days = follow_up_days(state().settings)  # the clues' follow-up clock (the office's)
    return hazard_todo.todo(read_session(), current_principal(), today, clue_days=days)
