"""/labels: the grid's words for its codes, from its domain (their one home)."""

from __future__ import annotations

from marshmallow import Schema

from services.grid import domain
from services.grid.checks import domain as checks_domain
from shared.api import Blueprint
from shared.labels import label_list, labelled

blp = Blueprint("labels", __name__, url_prefix="/labels", description="用语 labels")


class GridLabelsSchema(Schema):
    roles = label_list("a cell's roles (网格负责人, 网格安全员, 网格责任人)")
    area_types = label_list("区域类型 of a cell (area_type)")
    unit_kinds = label_list("kinds of unit (kind)")
    check_kinds = label_list("kinds of background check (入职查询, 资格审查 …)")
    check_results = label_list("results of a background check (通过, 不通过)")
    check_access_actions = label_list("actions the background checks' access log records")


def grid_labels() -> dict[str, list[dict]]:
    return {
        "roles": labelled(domain.ROLE_LABELS),
        "area_types": labelled(domain.AREA_TYPES),
        "unit_kinds": labelled(domain.UNIT_KINDS),
        "check_kinds": labelled(checks_domain.KINDS),
        "check_results": labelled(checks_domain.RESULTS),
        "check_access_actions": labelled(checks_domain.ACCESS_ACTIONS),
    }


@blp.route("", methods=["GET"])
@blp.response(200, GridLabelsSchema)
def labels():
    """The words for the grid's codes (roles, area types, unit kinds), for any signed-in
    caller: what the console and other clients show."""
    return grid_labels()
