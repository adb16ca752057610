"""/todo: 我的待办 in the grid, the places waiting for their people (grid/todo.py)."""

from __future__ import annotations

from services.grid import todo as grid_todo
from services.grid.api.views import today
from shared.api import Blueprint, read_session
from shared.auth import current_principal
from shared.todo import TodoSchema, todo_answer

blp = Blueprint("todo", __name__, url_prefix="/todo", description="我的待办 my to-do")


@blp.route("", methods=["GET"])
@blp.response(200, TodoSchema)
def my_todo():
    """The places in the caller's charge without a 网格负责人 or 网格安全员 today."""
    return todo_answer("grid", grid_todo.todo(read_session(), current_principal(), today()))
