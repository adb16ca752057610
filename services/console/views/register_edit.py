"""Correcting a register's record from the console, alike for every register: the form
shows the record as read, with its version; a save goes as PATCH with If-Match, so a page
left open while someone else saved is refused by the service, not overwritten, and any
refusal is shown beside its field with what was typed kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for

from services.console.client import ServiceError
from services.console.views.common import api
from services.console.views.grid_forms import refused


def edit_versioned(
    path: str,
    *,
    fields: tuple[str, ...],
    default: str,
    done: str,
    form: Callable[..., Any],
    typed: Callable[[tuple[str, ...]], dict],
    body: Callable[[dict], dict],
    back: str,
    shown: Callable[[dict], dict] | None = None,
):
    """``form(values, errors, status=200, **extra)`` renders the register's form; ``typed``
    reads the fields typed, ``body`` turns them into the PATCH's JSON; ``shown`` the record
    as the form shows it (checkboxes, say); ``done`` the flash once saved, formatted with
    the record and what was typed; ``back`` the endpoint returned to."""
    reply = api("hazards", "GET", path)
    record, etag = reply.json(), reply.headers.get("etag", "")
    if request.method == "GET":
        return form(shown(record) if shown else record, {}, item=record, etag=etag)
    values = typed(fields)
    headers = {"If-Match": request.form["etag"]} if request.form.get("etag") else {}
    try:
        api("hazards", "PATCH", path, json_body=body(values), headers=headers)
    except ServiceError as exc:
        errors = refused(exc, fields, default)
        return form(values, errors, exc.status, item=record, etag=etag)
    flash(done.format(**{**record, **{k: v for k, v in values.items() if v}}), "success")
    return redirect(url_for(back))
