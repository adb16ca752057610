"""Helpers every page uses: service calls with the person's token, forms, downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, flash, request

from services.console import auth
from services.console.client import Reply, ServiceError, call
from services.console.field_labels import FIELD_LABELS


def api(service: str, method: str, path: str, **kwargs: Any) -> Reply:
    return call(service, method, path, token=auth.token(), **kwargs)


def get_json(service: str, path: str, **params: Any) -> Any:
    return api(service, "GET", path, params=params).json()


def field_label(name: str) -> str:
    """The Chinese label of a field a service names (``FIELD_LABELS``, the one table): a
    nested name (``problems.0.unit_code``) by its last part when the whole has none."""
    return FIELD_LABELS.get(name) or FIELD_LABELS.get(name.rsplit(".", 1)[-1]) or name


def field_reasons(error: ServiceError) -> list[str]:
    """Each failing field of a refusal as 「label：reason」."""
    return [f"{field_label(p.get('name', ''))}：{p.get('reason', '')}" for p in error.fields]


def problem_message(error: ServiceError) -> str:
    """The service's answer in the user's words: the detail and each failing field. The one
    rendering of a refusal: forms, flashes and the error page (``app._service_error``)."""
    fields = field_reasons(error)
    head = {
        400: "请求有误",
        403: "无权执行此操作",
        409: "当前状态不允许此操作",
        412: "该记录已被他人修改，请查看最新内容后重试",
        413: "文件太大",
        415: "文件类型不支持（请上传照片或 PDF）",
        422: "请检查填写内容",
        429: "操作过于频繁，请稍后再试",
    }.get(error.status, "操作未成功")
    detail = error.detail if error.status != 412 else ""
    if detail and fields and all(p.get("reason", "") in detail for p in error.fields):
        detail = ""  # only the fields' reasons again (a validation summary): shown labelled
    return "；".join([head, *([detail] if detail else []), *fields])


def errors_beside(exc: ServiceError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    """The service's complaint beside the form's field it names; whatever names no field of
    the form (or the whole refusal, when it names none) beside ``default``."""
    if exc.status >= 500:
        raise exc
    errors: dict[str, str] = {}
    other = []
    for p in exc.fields:
        name, reason = p.get("name", ""), p.get("reason", "")
        if name in fields:
            errors[name] = reason
        else:
            other.append(reason)
    if other:  # e.g. the phase (a path parameter): the refusal of the whole form
        said = [errors[default]] if default in errors else []
        errors[default] = "；".join([*said, "未被受理：" + "；".join(other)])
    elif not errors:
        errors[default] = problem_message(exc)
    return errors


def flash_error(error: ServiceError) -> None:
    flash(problem_message(error), "error")


def form_value(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    return value or None


def passthrough(reply: Reply, filename: str | None = None) -> Response:
    """A file from a service (PDF, .xlsx, photo, roster) handed to the browser as is."""
    response = Response(reply.body, status=200, mimetype=reply.content_type.split(";")[0])
    response.headers["Content-Type"] = reply.content_type or "application/octet-stream"
    disposition = reply.headers.get("content-disposition")
    if disposition:
        response.headers["Content-Disposition"] = disposition
    elif filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    if response.mimetype == "text/html":  # the grid's printable roster: its own inline CSS
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'"
        )
    return response


def download(service: str, path: str, **params: Any) -> Response:
    reply = api(service, "GET", path, params=params, headers={"Accept": "*/*"})
    return passthrough(reply)


def pages(total: int | None, page: int, page_size: int) -> dict[str, int]:
    last = max(1, -(-(total or 0) // page_size))
    return {"page": page, "last": last, "total": total or 0}


# What a browser removes from a URL anywhere in it before reading it.
_BROWSER_DROPS = str.maketrans("", "", "\t\n\r")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never send a person to another site after sign-in. Judged as the
    browser will read it (it drops tabs and newlines anywhere and reads "\\" as "/", so
    ``/<tab>/evil`` is ``//evil``): one leading "/", no scheme, no host, no control
    characters. The path is the console's own (``request.path``, without
    CONSOLE_URL_PREFIX); the redirect adds the prefix."""
    if not target:
        return default
    path = target.translate(_BROWSER_DROPS).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return default
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return default
    return path


def chosen_filters(names: tuple[str, ...]) -> dict[str, str]:
    """The list filters the query string sets (an empty one is no filter)."""
    return {k: request.args[k] for k in names if request.args.get(k)}


def list_page(
    service: str, path: str, filters: dict[str, str], page_size: int, **params: Any
) -> tuple[Reply, dict[str, int]]:
    """The page of a service's list the query string asks for (?page=), with ``filters``
    and ``params``: the service's reply and the pager."""
    page = max(1, request.args.get("page", 1, type=int))
    query = {**filters, **params, "page": page, "page_size": page_size}
    reply = api(service, "GET", path, params=query)
    return reply, pages(reply.total, page, page_size)
