"""/labels: reporting's words for its codes, from its domains (their one home)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.reporting import domain
from services.reporting.work import domain as work
from shared.api import Blueprint
from shared.labels import label_list, labelled

blp = Blueprint("labels", __name__, url_prefix="/labels", description="用语 labels")


class ReportingLabelsSchema(Schema):
    flag_rules = label_list("the causes of an accountability flag (rule)")
    flag_statuses = label_list("a flag's statuses (status)")
    decisions = label_list("the statuses the security office's decision on a flag may set")
    ledger_kinds = label_list("the kinds of a task's work ledger entry (kind)")
    work_statuses = label_list("a unit's phase work's statuses (status)")
    work_standing = fields.List(
        fields.String(),
        metadata={"description": "the work statuses that stand as done: the unit keeps no more"},
    )
    phase_parties = label_list("whose work a phase is (party)")


def reporting_labels() -> dict[str, list]:
    return {
        "flag_rules": labelled(domain.RULE_LABELS),
        "flag_statuses": labelled(domain.FLAG_STATUS_LABELS),
        "decisions": labelled(domain.FLAG_STATUS_LABELS, domain.DECISIONS),
        "ledger_kinds": labelled(work.LEDGER_KINDS),
        "work_statuses": labelled(work.WORK_STATUS_LABELS),
        "work_standing": [str(status) for status in work.STANDING],
        "phase_parties": labelled(work.PHASE_PARTY_LABELS),
    }


@blp.route("", methods=["GET"])
@blp.response(200, ReportingLabelsSchema)
def labels():
    """The words for reporting's codes (flag rules and statuses, decisions, ledger kinds,
    phase work), for any signed-in caller: what the console and other clients show."""
    return reporting_labels()
