"""/chemicals and /chemical-stores: the hazardous chemicals register (危化品): catalogue,
stores, movements (append-only), balances, stock counts and the period report."""

from __future__ import annotations

from services.hazards.registers.chemicals import commands, report
from services.hazards.registers.chemicals.schemas import (
    BalanceSchema,
    CountCreateSchema,
    CountSchema,
    ItemCreateSchema,
    ItemQuerySchema,
    ItemSchema,
    ItemUpdateSchema,
    KeeperSchema,
    MovementCreateSchema,
    MovementSchema,
    ReportQuerySchema,
    StoreCreateSchema,
    StoreQuerySchema,
    StoreSchema,
    StoreUpdateSchema,
)
from shared.api import (
    Blueprint,
    file_response,
    page_of,
    read_session,
    state,
    transaction,
    with_etag,
)
from shared.api import if_match_version as if_match
from shared.auth import current_principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint("chemicals", __name__, url_prefix="/chemicals", description="危化品目录")
stores_blp = Blueprint(
    "chemical_stores", __name__, url_prefix="/chemical-stores", description="危化品存放点与出入库"
)


@blp.route("", methods=["POST"])
@blp.arguments(ItemCreateSchema)
@blp.response(201, ItemSchema)
def add_item(payload):
    """Add a chemical to the catalogue (the security office, or 教务处 as lead department)."""
    with transaction() as session:
        return commands.add_item(session, current_principal(), **payload)


@blp.route("", methods=["GET"])
@blp.arguments(ItemQuerySchema, location="query")
@blp.response(200, ItemSchema(many=True))
@blp.paginate()
def list_items(query, pagination_parameters):
    """The catalogue: campus-wide by design (like the checklists)."""
    return page_of(commands.item_query(query), pagination_parameters)


@blp.route("/keeper", methods=["GET"])
@blp.response(200, KeeperSchema)
def keeper():
    """Whether the caller may add and correct catalogue entries (the console offers its
    buttons by this answer, the rule's one home being the use cases')."""
    return {"may_keep_catalogue": commands.may_keep_catalogue(read_session(), current_principal())}


@blp.route("/<item_id>", methods=["GET"])
@blp.response(200, ItemSchema)
def get_item(item_id: str):
    item = commands.item_or_404(read_session(), item_id)
    return with_etag(item)


@blp.route("/<item_id>", methods=["PATCH"])
@blp.arguments(ItemUpdateSchema)
@blp.response(200, ItemSchema)
@blp.alt_response(412, description="If-Match does not match the item's version")
def update_item(payload, item_id: str):
    """Correct a catalogue entry (the security office, or 教务处 as lead department)."""
    with transaction() as session:
        item = commands.update_item(session, current_principal(), item_id, payload, if_match())
        return with_etag(item)


@stores_blp.route("", methods=["POST"])
@stores_blp.arguments(StoreCreateSchema)
@stores_blp.response(201, StoreSchema)
def add_store(payload):
    with transaction() as session:
        return commands.add_store(session, current_principal(), **payload)


@stores_blp.route("", methods=["GET"])
@stores_blp.arguments(StoreQuerySchema, location="query")
@stores_blp.response(200, StoreSchema(many=True))
@stores_blp.paginate()
def list_stores(query, pagination_parameters):
    return page_of(commands.store_query(current_principal(), query), pagination_parameters)


@stores_blp.route("/report.xlsx", methods=["GET"])
@stores_blp.arguments(ReportQuerySchema, location="query")
@stores_blp.response(200, content_type=XLSX)
def period_report(query):
    """The period report per store (lab) and per controlled category, in the caller's scope."""
    content = report.period_xlsx(
        read_session(), current_principal(), query["start"], query["end"], query.get("unit_code")
    )
    return file_response(content, XLSX, f"chemicals-{query['start']}-{query['end']}.xlsx")


@stores_blp.route("/<store_id>", methods=["GET"])
@stores_blp.response(200, StoreSchema)
def get_store(store_id: str):
    return with_etag(commands.get_store(read_session(), current_principal(), store_id))


@stores_blp.route("/<store_id>", methods=["PATCH"])
@stores_blp.arguments(StoreUpdateSchema)
@stores_blp.response(200, StoreSchema)
@stores_blp.alt_response(412, description="If-Match does not match the store's version")
def update_store(payload, store_id: str):
    """Edit the store (name, place, capacity, segregation class, keeper)."""
    with transaction() as session:
        store = commands.update_store(session, current_principal(), store_id, payload, if_match())
        return with_etag(store)


@stores_blp.route("/<store_id>/balances", methods=["GET"])
@stores_blp.response(200, BalanceSchema(many=True))
def store_balances(store_id: str):
    """Each item's balance, summed from the movements (never edited)."""
    session = read_session()
    commands.get_store(session, current_principal(), store_id)
    return commands.balance_rows(session, store_id)


@stores_blp.route("/<store_id>/movements", methods=["POST"])
@stores_blp.arguments(MovementCreateSchema)
@stores_blp.response(201, MovementSchema)
def record_movement(payload, store_id: str):
    """Append a movement; an issue beyond the balance is refused (422 naming quantity)."""
    tz = state().settings.campus_timezone
    with transaction() as session:
        return commands.record_movement(
            session, current_principal(), store_id, campus_tz=tz, **payload
        )


@stores_blp.route("/<store_id>/movements", methods=["GET"])
@stores_blp.response(200, MovementSchema(many=True))
@stores_blp.paginate()
def list_movements(store_id: str, pagination_parameters):
    stmt = commands.movement_query(read_session(), current_principal(), store_id)
    return page_of(stmt, pagination_parameters)


@stores_blp.route("/<store_id>/counts", methods=["POST"])
@stores_blp.arguments(CountCreateSchema)
@stores_blp.response(201, CountSchema)
def record_count(payload, store_id: str):
    """盘点: a count that differs from the balance opens a hazard (账实不符)."""
    tz = state().settings.campus_timezone
    with transaction() as session:
        return commands.record_count(
            session, current_principal(), store_id, campus_tz=tz, **payload
        )
