"""The application factory every service shares, and request-scoped database access.

``create_service_app`` wires configuration, the database, flask-smorest (OpenAPI 3 at
/openapi.json; Swagger UI at /docs from ``shared.docs``), problem+json errors, security
headers (``shared.headers``), authentication, request ids, metrics and health checks, so
each service's own factory only adds its blueprints.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

import flask_smorest
from flask import Flask, Request, Response, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest.utils import prepare_response
from marshmallow import Schema, missing, validate
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, Select, event, func, select
from sqlalchemy.orm import Session, sessionmaker
from webargs.flaskparser import FlaskParser

from shared import json_input, messages
from shared.auth import REVOCATION_CHECK, authenticate_request
from shared.config import Settings, load_settings
from shared.db import READ_ONLY, make_engine, make_session_factory, ping, unit_of_work
from shared.docs import docs_blueprint
from shared.errors import BadRequest, UnprocessableEntity
from shared.events.topology import connect
from shared.headers import API_CSP, security_headers
from shared.observability import configure_logging, health_blueprint, install_request_context
from shared.problems import (
    PROBLEM_JSON,
    ProblemSchema,
    handle_http_exception,
    invalid_detail,
    register_error_handlers,
)
from shared.revocation_store import RevocationCheck

# flask-smorest bounds page_size but not page: page=10**30 overflowed the SQL OFFSET into a
# 500. Every service's blueprints are ``Blueprint`` below, so the bound is one place.
MAX_PAGE = 1_000_000
FILE_SCHEMA = {"type": "string", "format": "binary"}
TEXT_SCHEMA = {"type": "string"}


class CampusJSONProvider(DefaultJSONProvider):
    """Flask's JSON with ``shared.json_input.loads``: ``request.get_json()`` refuses a body
    too deep, a huge integer literal or NaN as ``JSONRefused`` instead of failing."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json_input.loads(s)


class CampusRequest(Request):
    """A body ``get_json`` cannot take is a 400 problem naming the body, in Chinese."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        reason = e.reason if isinstance(e, json_input.JSONRefused) else "不是有效的 JSON"
        raise BadRequest(
            f"请求体有误：{reason}",
            invalid_params=[{"name": json_input.BODY, "reason": reason, "location": "json"}],
        )


class CampusParser(FlaskParser):
    """webargs reads the JSON body as the request parsed it (once, with the limits above)."""

    DEFAULT_VALIDATION_MESSAGE = messages.DEFAULT_VALIDATION_MESSAGE

    def _raw_load_json(self, req: Request) -> Any:
        if not req.is_json or not req.get_data(cache=True):
            return missing  # no body: the schema's required fields say what is missing
        return req.get_json()

    def _get_schema(self, argmap: Any, req: Request) -> Schema:
        # An endpoint's schema class is made an instance once, not on every request (the
        # schemas keep no per-request state).
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _schema_instance(argmap)
        return super()._get_schema(argmap, req)


@cache
def _schema_instance(schema: type[Schema]) -> Schema:
    return schema()


class Blueprint(flask_smorest.Blueprint):
    """The suite's flask-smorest blueprint: every service's api modules use it.

    It bounds the page number of paginated lists (``MAX_PAGE``) and documents the
    responses declared with only a content type (files). Its arguments are parsed from the
    body as the request read it (``CampusParser``)."""

    ARGUMENTS_PARSER = CampusParser()

    def paginate(self, pager=None, *, page=None, page_size=None, max_page_size=None):
        paginate = super().paginate(
            pager, page=page, page_size=page_size, max_page_size=max_page_size
        )

        def decorator(func):
            view = paginate(func)
            # The schema flask-smorest made for this endpoint (a class of its own, used
            # both to parse the query and to document it): bound its page there.
            schema = view._apidoc["pagination"]["parameters"]["schema"]
            schema._declared_fields["page"].validators = [validate.Range(min=1, max=MAX_PAGE)]
            return view

        return decorator

    def _set_pagination_metadata(self, page_params, result, headers):
        """flask-smorest's header, plus what a list adds of its own (``page_params.extra``:
        the ledger's cursors and whether its total is exact, ``services.hazards.ledger_pages``)."""
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        extra = getattr(page_params, "extra", None)
        if extra:
            metadata = json.loads(headers[self.PAGINATION_HEADER_NAME])
            headers[self.PAGINATION_HEADER_NAME] = json.dumps({**metadata, **extra})
        return result, headers

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        self._document_file_responses()
        super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def _document_file_responses(self) -> None:
        """Give a schema to every response declared with only a content type (a PDF, a
        workbook, a calendar, an HTML roster): flask-smorest leaves such a response without
        ``content``, so the document would not say what the bytes are. Idempotent
        (blueprints are registered again by every app a test makes)."""
        for endpoint_doc in self._docs.values():
            for method_doc in endpoint_doc.values():
                if not isinstance(method_doc, dict):
                    continue  # the endpoint's common "parameters" entry
                for responses in method_doc.get("response", {}).get("responses", {}).values():
                    for response in responses:
                        content_type = isinstance(response, dict) and response.get("content_type")
                        if content_type and "schema" not in response:
                            text = content_type.startswith("text/")
                            response["schema"] = dict(TEXT_SCHEMA if text else FILE_SCHEMA)


class Api(flask_smorest.Api):
    """flask-smorest Api whose errors are problem+json, in responses and in the docs."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def register_blueprint(self, blp, *, parameters=None, **options):
        if not isinstance(blp, Blueprint):
            # A plain flask-smorest blueprint would lose the page bound and the file docs.
            raise TypeError(f"blueprint {blp.name!r}: use shared.api.Blueprint")
        super().register_blueprint(blp, parameters=parameters, **options)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_JSON
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


@dataclass
class ServiceState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    api: Api
    read_session_factory: sessionmaker[Session]


def broker_check(amqp_url: str) -> Callable[[], None]:
    def check() -> None:
        connect(amqp_url, heartbeat=0).close()

    return check


def create_service_app(
    service: str,
    title: str,
    blueprints: Iterable[Blueprint],
    config: dict[str, Any] | None = None,
) -> Flask:
    settings = load_settings(service, config)
    configure_logging(settings.log_json)
    app = Flask(f"services.{service}", static_folder=None)  # no files served: no /static route
    app.request_class = CampusRequest
    app.json = CampusJSONProvider(app)
    app.config.update(
        SERVICE_NAME=service,
        JWT_SECRET=settings.jwt_secret,
        API_TITLE=title,
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )

    # No ping per request (one more round trip each); connections idle for a while are
    # pinged, and one that still dies mid-request makes that request a 503 to retry.
    engine = make_engine(settings.database_url, ping_after_idle=settings.db_ping_after_idle_seconds)
    registry = CollectorRegistry()
    install_request_context(app, registry)
    app.before_request(authenticate_request)
    app.before_request(refuse_unreadable_input)
    api = Api(app)
    register_error_handlers(app)
    app.register_blueprint(
        health_blueprint(
            registry,
            {"database": lambda: ping(engine), "broker": broker_check(settings.amqp_url)},
        )
    )
    # Swagger UI from the pinned package: /docs works without internet (shared.docs).
    app.register_blueprint(docs_blueprint())
    app.after_request(security_headers(API_CSP))
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions["campus"] = ServiceState(
        settings, engine, make_session_factory(engine), api, read_only_session_factory(engine)
    )
    # Tokens revoked since they were issued (shared.revocation_store): read, never consumed.
    revocations = RevocationCheck(app.extensions["campus"].read_session_factory)
    app.extensions[REVOCATION_CHECK] = revocations
    app.teardown_appcontext(_close_read_session)
    return app


NUL = "\x00"


def refuse_unreadable_input() -> None:
    """``before_request`` hook: a JSON body the suite cannot read is a 400 (malformed, nested
    too deep, a huge integer literal, NaN: ``shared.json_input``), and NUL or a lone
    surrogate in the path, query, form or JSON body a 422 naming where.

    PostgreSQL text cannot hold U+0000, and no UTF-8 text a lone surrogate, so such input
    (``?q=%00``, ``{"description": "\\ud800"}``) once failed deep inside the driver as a 500,
    on every endpoint that compares or stores text. SQLite accepted NUL, which hid the bug
    from the unit tests. (Werkzeug decodes the path, query and form with replacement
    characters, so a surrogate can only come in a JSON body.)
    """
    invalid = []
    if NUL in request.path:
        invalid.append({"name": "(path)", "reason": json_input.NUL_REASON, "location": "path"})
    for location, values in (("query", request.args), ("form", request.form)):
        for key, value in values.items(multi=True):
            if NUL in key or NUL in value:
                name = key.replace(NUL, "\\0")
                invalid.append(
                    {"name": name, "reason": json_input.NUL_REASON, "location": location}
                )
    if request.is_json and request.get_data(cache=True):
        for name, reason in json_input.bad_text(request.get_json()):
            invalid.append({"name": name, "reason": reason, "location": "json"})
    if invalid:
        raise UnprocessableEntity(invalid_detail(invalid), invalid_params=invalid)


def state() -> ServiceState:
    return current_app.extensions["campus"]


@contextmanager
def transaction() -> Iterator[Session]:
    """A unit of work for one use case: commits the change and its outbox events together."""
    with unit_of_work(state().session_factory) as session:
        yield session


def read_session() -> Session:
    """A request-scoped session for queries, closed when the request ends."""
    if "db" not in g:
        g.db = state().read_session_factory()
    return g.db


def page_of(stmt: Select, pagination: Any) -> list:
    """One page of a list query for ``@blp.paginate()``: the total (counted without the
    ordering) goes to the pagination header, the page's rows come back."""
    session = read_session()
    pagination.item_count = session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    )
    return list(session.scalars(stmt.offset(pagination.first_item).limit(pagination.page_size)))


def page_of_rows(rows: list, pagination: Any) -> list:
    """One page of rows already filtered in Python (their total goes to the header)."""
    pagination.item_count = len(rows)
    return rows[pagination.first_item : pagination.first_item + pagination.page_size]


def read_only_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for ``read_session``. On PostgreSQL they run in autocommit: a read needs
    no BEGIN and ROLLBACK round trips (two of the three a one-row GET would make), at the
    price of each query seeing its own snapshot. They refuse to write: changes go through
    ``transaction()``, where they commit together with their events."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    else:
        engine = engine.execution_options(**{READ_ONLY: True})  # a deferred BEGIN
    factory = make_session_factory(engine)
    event.listen(factory, "before_flush", _refuse_writes)
    return factory


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_session() is for queries; change data inside transaction()")


def _close_read_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


# An ETag's version: ASCII digits only (str.isdigit also takes "²", which int() refuses),
# and short enough for int() and for the database's integer column.
_VERSION = re.compile(r"[0-9]{1,18}")


def if_match_version() -> int | None:
    """Parse If-Match: "3" / W/"3" (the version in our ETags); absent or * means no check.
    Anything else is a 400 problem naming the header (never a 500)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not _VERSION.fullmatch(value):
        raise BadRequest(
            'If-Match 须为该记录的 ETag，如 "3"',
            invalid_params=[
                {"name": "If-Match", "reason": "不是本服务给出的 ETag", "location": "headers"}
            ],
        )
    return int(value)


def with_etag(obj: Any, body: Any = None, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    """Send a versioned row (or a view of it) with its version as ETag, for a later If-Match."""
    return (obj if body is None else body), status, {"ETag": f'"{obj.version}"'}


def file_response(
    content: bytes | str, mimetype: str, filename: str, *, inline: bool = False
) -> Response:
    """A download with a Content-Disposition that no filename can break: names come from
    request data (unit codes, campaign ids), so control characters and quotes are dropped
    from the ASCII name and non-ASCII names travel as RFC 6266 ``filename*``."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    disposition = f'{"inline" if inline else "attachment"}; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition
    return response
