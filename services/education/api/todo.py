"""/todo: 我的待办 in education, the activities waiting for their record (education/todo.py)."""

from __future__ import annotations

from services.education import todo as education_todo
from services.education.api.views import campus_tz
from shared.api import Blueprint, read_session
from shared.auth import current_principal
from shared.timeutil import utcnow
from shared.todo import TodoSchema, todo_answer

blp = Blueprint("todo", __name__, url_prefix="/todo", description="我的待办 my to-do")


@blp.route("", methods=["GET"])
@blp.response(200, TodoSchema)
def my_todo():
    """The activities the caller manages that took place and wait for their record (a
    drill's results, another activity marked held), with each kind's count."""
    items = education_todo.todo(read_session(), current_principal(), utcnow(), campus_tz())
    return todo_answer("education", items)
