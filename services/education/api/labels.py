"""/labels: the education service's words for its codes, from its domains (their one home)."""

from __future__ import annotations

from marshmallow import Schema

from services.education import domain
from services.education.psych.domain import ACCESS_ACTIONS, PSYCH_STATUSES, RISK_LEVELS
from shared.api import Blueprint
from shared.labels import label_list, labelled
from shared.vocabulary import CATEGORIES

blp = Blueprint("education_labels", __name__, url_prefix="/labels", description="用语 labels")


class EducationLabelsSchema(Schema):
    kinds = label_list("kinds of activity (kind)")
    statuses = label_list("an activity's status")
    severities = label_list("a drill problem's severity (the hazard's)")
    categories = label_list("a drill problem's category (the hazard's)")
    risk_levels = label_list("a psych record's risk level")
    psych_statuses = label_list("a psych record's status")
    access_actions = label_list("what the psych ledger's access log records (action)")


def education_labels() -> dict[str, list[dict]]:
    return {
        "kinds": labelled({k.value: v for k, v in domain.KIND_LABELS.items()}),
        "statuses": labelled({k.value: v for k, v in domain.STATUS_LABELS.items()}),
        "severities": labelled(dict(domain.SEVERITY_LABELS)),
        "categories": labelled(CATEGORIES),
        "risk_levels": labelled(RISK_LEVELS),
        "psych_statuses": labelled(PSYCH_STATUSES),
        "access_actions": labelled(ACCESS_ACTIONS),
    }


@blp.route("", methods=["GET"])
@blp.response(200, EducationLabelsSchema)
def labels():
    """The words for the education service's codes (activity kinds and statuses, drill
    problems' categories and severities, the psych ledger's risk levels and statuses), for
    any signed-in caller: what the console shows."""
    return education_labels()
