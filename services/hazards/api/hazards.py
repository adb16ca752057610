"""/hazards: report, list, read, move along the closed loop, extensions, attachments."""

from __future__ import annotations

from datetime import datetime

from flask import Response
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from services.hazards import (
    access,
    attachments,
    commands,
    domain,
    exports,
    ledger,
    ledger_pages,
)
from services.hazards.domain import Action
from services.hazards.models import Attachment, ExtensionRequest, Hazard, HazardTransition
from services.hazards.schemas import (
    AttachmentSchema,
    CommentSchema,
    ExtensionCreateSchema,
    ExtensionDecisionSchema,
    ExtensionSchema,
    HazardCreateSchema,
    HazardListQuerySchema,
    HazardSchema,
    RectifySchema,
    RegisterSchema,
    RejectSchema,
    RemediationSchema,
    SeverityChangeSchema,
    TransitionSchema,
)
from shared import files, idempotency
from shared.api import (
    Blueprint,
    file_response,
    if_match_version,
    read_session,
    state,
    transaction,
    with_etag,
)
from shared.auth import current_principal
from shared.errors import BadRequest, NotFound
from shared.files import UploadSchema
from shared.timeutil import campus_today, utcnow

blp = Blueprint("hazards", __name__, url_prefix="/hazards", description="隐患台账 hazard ledger")


def now() -> datetime:
    """The clock of these endpoints (a seam for tests)."""
    return utcnow()


def policy() -> domain.Policy:
    return commands.policy_of(state().settings)


@blp.route("", methods=["POST"])
@blp.arguments(HazardCreateSchema)
@blp.response(201, HazardSchema)
def create_hazard(payload):
    """Report a hazard (排查发现). With an Idempotency-Key header a retry creates nothing.
    ``found_at`` in the future (beyond 5 minutes of clock skew) is a 422. A lead department
    reports in any unit for the categories it leads (督导检查) and is named the
    ``reporter_unit``."""
    principal = current_principal()
    rules = policy()
    options = {"campus_tz": rules.campus_tz, "now": now(), "policy": rules}
    key = idempotency.requested_key()
    if not key:
        with transaction() as session:
            return commands.create_hazard(session, principal, **payload, **options)
    for _ in range(2):  # a concurrent twin with the same key loses the race, then reads
        try:
            with transaction() as session:
                hazard, created = commands.create_once(session, principal, key, payload, **options)
                return hazard, 201 if created else 200
        except sa_exc.IntegrityError:
            continue
    raise BadRequest("同一 Idempotency-Key 的请求正在同时处理，请重试")


def filtered(query: dict):
    """The caller's ledger with the list's filters (``ledger.ledger_query``)."""
    tz = state().settings.campus_timezone
    return ledger.ledger_query(current_principal(), query, tz, now())


@blp.route("", methods=["GET"])
@blp.arguments(HazardListQuerySchema, location="query")
@blp.response(200, HazardSchema(many=True))
@blp.paginate()
def list_hazards(query, pagination_parameters):
    """The ledger in the caller's scope, newest first; filter by unit, cell, category,
    stage, severity, overdue, finding dates (campus) and text. X-Pagination carries
    ``next_cursor`` / ``prev_cursor`` (send one back as ``cursor`` for the page after or
    before, at the same cost on any page) and ``total_exact``: the total is counted up to
    10,000 and estimated past it. ``page`` numbers still work (an OFFSET: slow deep down)."""
    cursor = ledger_pages.decode(query["cursor"]) if query.get("cursor") else None
    session, stmt, size = read_session(), filtered(query), pagination_parameters.page_size
    if cursor is not None or pagination_parameters.page == 1:
        page = ledger_pages.keyset_page(session, stmt, cursor, size)
    else:
        page = ledger_pages.offset_page(session, stmt, pagination_parameters.first_item, size)
    total, exact = ledger_pages.bounded_count(session, stmt)
    pagination_parameters.item_count = total
    pagination_parameters.extra = {
        "total_exact": exact,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }
    hazards = page.hazards
    places = ledger.place_paths(session, {h.cell_id for h in hazards if h.cell_id})
    for hazard in hazards:
        hazard.place_name = places.get(hazard.cell_id)  # transient
    return hazards


@blp.route("/<hazard_id>", methods=["GET"])
@blp.response(200, HazardSchema)
def get_hazard(hazard_id: str):
    """One hazard; its ETag is the version to send back in If-Match. ``my_actions`` lists
    the steps the caller may take next (the loop's and the actor rules together)."""
    session, principal = read_session(), current_principal()
    hazard = commands.get_hazard(session, principal, hazard_id, extensions=True)
    hazard.my_actions = access.actions_for(session, principal, hazard)  # transient
    hazard.may_attach = access.may_attach(principal, hazard)
    today = campus_today(state().settings.campus_timezone, now())
    hazard.extensions = _extensions(principal, hazard, today)
    pending = any(request.status == "pending" for request in hazard.extensions)
    hazard.may_request_extension = not pending and access.may_request_extension(
        principal, hazard, today
    )
    if hazard.cell_id:
        hazard.place_name = ledger.place_paths(session, {hazard.cell_id}).get(hazard.cell_id)
    return with_etag(hazard)


def _extensions(principal, hazard: Hazard, today) -> list[ExtensionRequest]:
    """The hazard's extension requests (read with it), oldest first, each with
    ``may_decide``."""
    requests = list(hazard.extension_requests)
    for request in requests:
        request.may_decide = access.may_decide_extension(principal, hazard, request, today)
    return requests


@blp.route("/<hazard_id>/history", methods=["GET"])
@blp.response(200, TransitionSchema(many=True))
def history(hazard_id: str):
    """Every step: who, when, from which stage to which, and why."""
    session = read_session()
    commands.get_hazard(session, current_principal(), hazard_id)
    return session.scalars(
        select(HazardTransition)
        .where(HazardTransition.hazard_id == hazard_id)
        .order_by(HazardTransition.id)
    ).all()


def _transition_route(action: Action, schema: type, path: str, summary: str) -> None:
    @blp.arguments(schema)
    @blp.response(200, HazardSchema)
    @blp.alt_response(412, description="If-Match does not match the hazard's version")
    def view(payload, hazard_id: str):
        with transaction() as session:
            hazard = commands.transition(
                session,
                current_principal(),
                hazard_id,
                action,
                payload,
                if_match_version(),
                now=now(),
                policy=policy(),
            )
            return with_etag(hazard)

    view.__doc__ = summary
    view.__name__ = f"{action.value}_hazard"
    blp.route(f"/<hazard_id>/{path}", methods=["POST"], endpoint=view.__name__)(view)


TRANSITIONS = (
    (Action.REGISTER, RegisterSchema, "register", "登记评估: assess severity and set a deadline"),
    (Action.REPORT, CommentSchema, "report", "报告: report the hazard up"),
    (
        Action.START_REMEDIATION,
        RemediationSchema,
        "start-remediation",
        "治理: start remediation with the four implementations (四落实)",
    ),
    (Action.RECTIFY, RectifySchema, "rectify", "整改完成: record the evidence"),
    (
        Action.ACCEPT,
        CommentSchema,
        "accept",
        "验收通过: a lead department of the category (not of the hazard's own unit) or the "
        "security office; never the rectifier",
    ),
    (
        Action.REJECT,
        RejectSchema,
        "reject",
        "验收不通过: back to remediation, reason required (who accepts)",
    ),
    (Action.CLOSE, CommentSchema, "close", "销号: security office closes out"),
    (Action.ARCHIVE, CommentSchema, "archive", "备案存档: archived records never change"),
)
ACTION_SCHEMAS = {path: (action, schema) for action, schema, path, _ in TRANSITIONS}
for _action, _schema, _path, _summary in TRANSITIONS:
    _transition_route(_action, _schema, _path, _summary)


@blp.route("/<hazard_id>/severity", methods=["POST"])
@blp.arguments(SeverityChangeSchema)
@blp.response(200, HazardSchema)
@blp.alt_response(412, description="If-Match does not match the hazard's version")
def change_severity(payload, hazard_id: str):
    """Re-grade (一般隐患 ↔ 重大隐患) with a reason: old → new and the reason go into the
    history. Only the security office lowers a major hazard; the unit's manager and the
    category's lead departments may raise one."""
    with transaction() as session:
        hazard = commands.change_severity(
            session,
            current_principal(),
            hazard_id,
            payload["severity"],
            payload["reason"],
            if_match_version(),
            now=now(),
            policy=policy(),
        )
        return with_etag(hazard)


@blp.route("/<hazard_id>/plan-approval", methods=["POST"])
@blp.arguments(CommentSchema)
@blp.response(200, HazardSchema)
@blp.alt_response(412, description="If-Match does not match the hazard's version")
def approve_plan(payload, hazard_id: str):
    """批准整改计划: approve the rectification plan written when remediation started without
    ``quick_fix`` — the security office, or a lead department of the category that is not
    the hazard's unit (as for 验收), never the plan's author. Until then a major hazard
    counts as having no plan (悬而不决 ``no_plan``); afterwards it is judged by the plan's
    deadline. 409 when no plan awaits approval."""
    with transaction() as session:
        hazard = commands.approve_plan(
            session,
            current_principal(),
            hazard_id,
            payload["comment"],
            if_match_version(),
            now=now(),
            policy=policy(),
        )
        return with_etag(hazard)


@blp.route("/<hazard_id>/extensions", methods=["POST"])
@blp.arguments(ExtensionCreateSchema)
@blp.response(201, ExtensionSchema)
def request_extension(payload, hazard_id: str):
    """延期申请: ask for a later deadline — before the deadline by who starts remediation;
    once it has passed, only the security office (the request records which)."""
    with transaction() as session:
        return commands.request_extension(
            session,
            current_principal(),
            hazard_id,
            payload["new_deadline"],
            payload["reason"],
            now=now(),
            policy=policy(),
        )


@blp.route("/<hazard_id>/extensions", methods=["GET"])
@blp.response(200, ExtensionSchema(many=True))
def list_extensions(hazard_id: str):
    """The hazard's extension requests, oldest first; ``may_decide`` says whether the
    caller may approve or refuse each now."""
    session, principal = read_session(), current_principal()
    hazard = commands.get_hazard(session, principal, hazard_id, extensions=True)
    today = campus_today(state().settings.campus_timezone, now())
    return _extensions(principal, hazard, today)


@blp.route("/extensions/<request_id>/decision", methods=["POST"])
@blp.arguments(ExtensionDecisionSchema)
@blp.response(200, ExtensionSchema)
def decide_extension(payload, request_id: str):
    """Approve (the deadline moves) or refuse an extension request: the security office,
    or a lead department of the category for another unit's hazard — never the hazard's
    own unit, never the requester; after the deadline only the security office."""
    with transaction() as session:
        return commands.decide_extension(
            session,
            current_principal(),
            request_id,
            payload["approve"],
            payload["comment"],
            now=now(),
            policy=policy(),
        )


@blp.route("/<hazard_id>/attachments", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload(form, hazard_id: str):
    """A photo (JPEG, PNG, WebP, HEIC) or a PDF; 413 over the limit, 415 otherwise. Added by
    the security office or the hazard's own unit's manager and grid staff; others who may
    see the hazard (leadership, lead departments) only read its files (403)."""
    upload = files.Upload.received(form["file"], state().settings)
    with transaction() as session:
        return attachments.add_attachment(session, current_principal(), hazard_id, upload=upload)


@blp.route("/<hazard_id>/attachments", methods=["GET"])
@blp.response(200, AttachmentSchema(many=True))
def list_attachments(hazard_id: str):
    session = read_session()
    commands.get_hazard(session, current_principal(), hazard_id)
    return session.scalars(
        select(Attachment).where(Attachment.hazard_id == hazard_id).order_by(Attachment.uploaded_at)
    ).all()


def _attachment_types(view):
    """Document the file types a download can be (those the upload accepts)."""
    for media_type in files.ALLOWED:
        view = blp.alt_response(200, content_type=media_type, success=True)(view)
    return view


@blp.route("/<hazard_id>/attachments/<attachment_id>", methods=["GET"])
@_attachment_types
def download(hazard_id: str, attachment_id: str):
    """The file itself, only for users who may see the hazard."""
    session = read_session()
    commands.get_hazard(session, current_principal(), hazard_id)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.hazard_id != hazard_id:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return files.download(
        state().settings.files_dir, attachment.sha256, attachment.media_type, attachment.filename
    )


def _form(hazard_id: str, render, name: str) -> Response:
    session = read_session()
    hazard = commands.get_hazard(session, current_principal(), hazard_id)
    transitions = session.scalars(
        select(HazardTransition).where(HazardTransition.hazard_id == hazard.id)
    ).all()
    content = render(
        hazard, list(transitions), state().settings.campus_timezone, **ledger.place_names(session)
    )
    return file_response(content, "application/pdf", f"{hazard.number}-{name}.pdf")


@blp.route("/<hazard_id>/notice.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def rectification_notice(hazard_id: str):
    """整改通知单 (rectification notice) as PDF."""
    return _form(hazard_id, exports.rectification_notice_pdf, "notice")


@blp.route("/<hazard_id>/acceptance.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
def acceptance_record(hazard_id: str):
    """复查验收单 (acceptance record) as PDF."""
    return _form(hazard_id, exports.acceptance_record_pdf, "acceptance")
