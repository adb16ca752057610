"""The errors a business rule raises: pure Python, no web framework.

Domain and use-case code raise these; ``shared.problems`` renders them as RFC 9457
``application/problem+json`` (the status and title live here so that every layer agrees).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request. Raised by pure domain code."""

    status = 409
    title = "Conflict"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class BadRequest(DomainError):
    status = 400
    title = "Bad Request"


class PreconditionFailed(DomainError):
    """If-Match named a version the record no longer has (optimistic concurrency)."""

    status = 412
    title = "Precondition Failed"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class UnprocessableEntity(DomainError):
    """Input no endpoint can take; ``invalid_params`` names where it is."""

    status = 422
    title = "Unprocessable Entity"


class PayloadTooLarge(DomainError):
    """An uploaded file over the configured limit (``CAMPUS_UPLOAD_MAX_BYTES``)."""

    status = 413
    title = "Payload Too Large"

    @classmethod
    def limit(cls, max_bytes: int) -> PayloadTooLarge:
        mib, kib = max_bytes / (1024 * 1024), max_bytes / 1024
        size = f"{mib:g} MB" if mib >= 1 else f"{kib:g} KB" if kib >= 1 else f"{max_bytes} 字节"
        return cls(f"文件太大：不能超过 {size}", max_bytes=max_bytes)


class UnsupportedMediaType(DomainError):
    """An uploaded file of a type the endpoint does not take, or labelled as another."""

    status = 415
    title = "Unsupported Media Type"


def check_version(record: Any, if_match: int | None, label: str) -> None:
    """Optimistic concurrency, one rule for every versioned record: an If-Match naming a
    version the record no longer has is a 412 carrying the current version; no If-Match
    (``None``) means the caller did not ask for the check."""
    if if_match is not None and if_match != record.version:
        raise PreconditionFailed(
            f"{label}在您读取之后已被修改（当前版本 {record.version}，您的版本 {if_match}），"
            "请刷新后重试",
            current_version=record.version,
        )
