"""/labels: the hazard ledger's words for its codes, from its domain (their one home)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.hazards import domain
from services.hazards.incidents import domain as incidents
from services.hazards.office.clues import domain as clues
from services.hazards.office.patrols import domain as patrols
from services.hazards.registers.equipment import domain as equipment
from services.hazards.registers.inspections import domain as inspections
from services.hazards.registers.risks import domain as risks
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
    # the registers' words (风险点、日检查、特种设备)
    risk_levels = label_list("风险等级 of a risk point (level), red to blue")
    likelihoods = label_list("L 可能性 1-5 of a risk point (likelihood)")
    consequences = label_list("S 后果严重性 1-5 of a risk point (severity)")
    item_results = label_list("an inspection item's result (合格/不合格/不适用)")
    equipment_kinds = label_list("特种设备 kinds (kind)")
    equipment_statuses = label_list("special equipment's status (在用/停用/报废)")
    due_states = label_list("special equipment's periodic inspection due state (due_state)")
    periodic_results = label_list("定期检验 results (result)")
    # the incidents ledger's (安全事故/事件)
    incident_kinds = label_list("事故类型 of an incident (kind)")
    incident_severities = label_list("事故等级 of an incident (severity), 一般 to 特别重大")
    # the security office's registers (线索、巡查)
    clue_kinds = label_list("线索类别 of a clue (kind)")
    clue_statuses = label_list("a clue's stage (status), 已登记 to 已办结")
    clue_verifications = label_list("核实结果 of a clue (verification)")
    clue_handlings = label_list("处置方式 of a clue (handling): in house or handed over")
    clue_agencies = label_list("接收机关 a clue is handed over to (receiving_agency)")
    clue_access_actions = label_list("the clue access log's entries (action)")
    patrol_statuses = label_list("a patrol's status (巡查中/已结束)")


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
        "risk_levels": labelled(risks.RISK_LEVEL_LABELS),
        "likelihoods": labelled(risks.LIKELIHOOD_LABELS),
        "consequences": labelled(risks.CONSEQUENCE_LABELS),
        "item_results": labelled(inspections.ITEM_RESULT_LABELS),
        "equipment_kinds": labelled(equipment.EQUIPMENT_KIND_LABELS),
        "equipment_statuses": labelled(equipment.EQUIPMENT_STATUS_LABELS),
        "due_states": labelled(equipment.DUE_STATE_LABELS),
        "periodic_results": labelled(equipment.PERIODIC_RESULT_LABELS),
        "incident_kinds": labelled(incidents.KIND_LABELS),
        "incident_severities": labelled(incidents.SEVERITY_LABELS),
        "clue_kinds": labelled(clues.KINDS),
        "clue_statuses": labelled(clues.STATUSES),
        "clue_verifications": labelled(clues.VERIFICATIONS),
        "clue_handlings": labelled(clues.HANDLINGS),
        "clue_agencies": labelled(clues.AGENCIES),
        "clue_access_actions": labelled(clues.ACCESS_ACTIONS),
        "patrol_statuses": labelled(patrols.STATUSES),
    }


@blp.route("", methods=["GET"])
@blp.response(200, HazardLabelsSchema)
def labels():
    """The words for the ledger's codes (stages, severities, history entries, categories),
    for any signed-in caller: what the console and other clients show."""
    return hazard_labels()
