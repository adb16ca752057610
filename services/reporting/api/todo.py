"""/todo: 我的待办 in reporting, the flags, tables and phase work waiting for the caller
(reporting/todo.py)."""

from __future__ import annotations

from services.reporting import todo as reporting_todo
from services.reporting.api import flags as flags_api
from shared.api import Blueprint, read_session, state
from shared.auth import current_principal
from shared.todo import TodoSchema, todo_answer

blp = Blueprint("todo", __name__, url_prefix="/todo", description="我的待办 my to-do")


@blp.route("", methods=["GET"])
@blp.response(200, TodoSchema)
def my_todo():
    """Flags to explain or decide, statistics tables and phase work due, submitted phase
    work to confirm or return: what waits for the caller, soonest due first."""
    settings = state().settings
    at = reporting_todo.Moment(
        flags_api.now(), settings.campus_timezone, flags_api.window(), settings.reminder_days
    )
    return todo_answer("reporting", reporting_todo.todo(read_session(), current_principal(), at))
