"""/labels: the hazard ledger's words for its codes, from its domain (their one home)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.hazards import domain
from shared.api import Blueprint
from shared.labels import LabelSchema, label_list, labelled

blp = Blueprint("labels", __name__, url_prefix="/labels", description="用语 labels")


class SubcategoryLabelSchema(LabelSchema):
    category = fields.String(required=True)


class HazardLabelsSchema(Schema):
    stages = label_list("the loop's stages (status), in the loop's order")
    severities = label_list("隐患等级 (severity)")
    actions = label_list("the entries of a hazard's history (action): the loop's steps and more")
    categories = label_list("隐患类别 (category)")
    subcategories = fields.List(
        fields.Nested(SubcategoryLabelSchema),
        metadata={"description": "each category's sub-categories (subcategory)"},
    )


def hazard_labels() -> dict[str, list[dict]]:
    return {
        "stages": labelled(domain.STATUS_LABELS),
        "severities": labelled(domain.SEVERITY_LABELS),
        "actions": labelled(domain.ACTION_LABELS),
        "categories": labelled(domain.CATEGORIES),
        "subcategories": [
            {"category": category, **item}
            for category, subs in domain.SUBCATEGORIES.items()
            for item in labelled(subs)
        ],
    }


@blp.route("", methods=["GET"])
@blp.response(200, HazardLabelsSchema)
def labels():
    """The words for the ledger's codes (stages, severities, history entries, categories),
    for any signed-in caller: what the console and other clients show."""
    return hazard_labels()
