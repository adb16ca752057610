"""Uploaded files (photos, PDFs): type and size limits, stored by content hash.

Shared by every service that keeps files (hazard attachments, ledger evidence). Files live
outside the database under ``<files_dir>/<sha256[:2]>/<sha256>``; the same bytes uploaded
twice are stored once. The type is decided by the file's own bytes, not by its name or the
client's Content-Type: a mislabelled file is refused (415), one over the limit too (413),
and a refused file is never written. Stored names are reduced to a bare base name, and
only a well-formed digest is ever turned into a path, always inside ``files_dir``.

Who may upload or read a file is the caller's business (each service's own rules).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import Response, send_file
from marshmallow import Schema, fields
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime
from shared.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from shared.timeutil import utcnow

MISSING_CONTENT = "文件内容已不在文件库中"

# media type -> accepted file name extensions
ALLOWED = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/pdf": (".pdf",),
}
DIGEST = re.compile(r"[0-9a-f]{64}")
# Shown in the page by the console (<img>); every other file (PDFs, HEIC) is downloaded,
# so no stored file is ever opened by the browser as a document of the site.
INLINE = frozenset({"image/jpeg", "image/png", "image/webp"})


def sniff(head: bytes) -> str | None:
    """The media type the bytes really are, or None for anything not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


_EXTENSIONS = [extension for extensions in ALLOWED.values() for extension in extensions]


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """At most one byte past the limit: enough for ``check_upload`` to refuse with 413
    without reading (or holding) an arbitrarily large body."""
    return stream.read(max_bytes + 1)


def check_upload(filename: str, declared: str | None, content: bytes, max_bytes: int) -> str:
    """Return the verified media type, or refuse with 413/415."""
    if len(content) > max_bytes:
        raise PayloadTooLarge.limit(max_bytes)
    if not content:
        raise UnsupportedMediaType("文件是空的")
    actual = sniff(content[:32])
    if actual is None:
        raise UnsupportedMediaType(f"不支持此文件类型，可上传：{'、'.join(_EXTENSIONS)}")
    extension = Path(filename).suffix.lower()
    declared_type = (declared or "").split(";")[0].strip().lower()
    if extension not in ALLOWED[actual]:
        raise UnsupportedMediaType(
            f"文件内容是 {actual}，但文件名{f'后缀为 {extension}' if extension else '没有后缀'}"
        )
    if declared_type not in ("", "application/octet-stream", actual):
        raise UnsupportedMediaType(f"文件内容是 {actual}，但标注的类型是 {declared_type}")
    return actual


def safe_name(filename: str) -> str:
    """Keep only the base name (no directories, no control characters)."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"/\\')
    return name[:200] or "upload"


def path_of(files_dir: str, digest: str) -> Path:
    """Where the file of ``digest`` lives; anything but a sha256 hex digest is refused, so
    no stored or requested value can point outside ``files_dir``."""
    if not DIGEST.fullmatch(digest or ""):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    return Path(files_dir) / digest[:2] / digest


def store(files_dir: str, content: bytes) -> str:
    """Write the bytes once under their sha256; return the digest."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_of(files_dir, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, target)  # atomic: readers never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return digest


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    filename: str  # the safe base name
    media_type: str
    size: int

    def columns(self, uploaded_by: str, uploaded_at: datetime | None = None) -> dict[str, Any]:
        """The ``StoredFileColumns`` of a row recording this file (its media type column
        is named by each model)."""
        values: dict[str, Any] = {
            "sha256": self.sha256,
            "filename": self.filename,
            "size": self.size,
            "uploaded_by": uploaded_by,
        }
        if uploaded_at is not None:
            values["uploaded_at"] = uploaded_at
        return values


@dataclass(frozen=True)
class Upload:
    """A file as received, not yet checked: read at most one byte past ``max_bytes``."""

    filename: str
    declared_type: str | None
    content: bytes
    files_dir: str
    max_bytes: int

    @classmethod
    def received(cls, file: Any, settings: Any) -> Upload:
        """From a multipart field (werkzeug FileStorage) and the service's settings."""
        content = read_limited(file.stream, settings.upload_max_bytes)
        return cls(
            file.filename or "",
            file.mimetype,
            content,
            settings.files_dir,
            settings.upload_max_bytes,
        )


def accept(upload: Upload) -> StoredFile:
    """Check an upload (413/415, nothing written) and store it: what a record of it needs.
    Called after the caller's permission checks, so a refused caller stores nothing."""
    media_type = check_upload(
        upload.filename, upload.declared_type, upload.content, upload.max_bytes
    )
    return StoredFile(
        sha256=store(upload.files_dir, upload.content),
        filename=safe_name(upload.filename),
        media_type=media_type,
        size=len(upload.content),
    )


def download(files_dir: str, digest: str, media_type: str, filename: str) -> Response:
    """The stored file (404 if its bytes are gone from ``files_dir``): an attachment,
    except the images the console shows inline (``INLINE``)."""
    try:
        path = path_of(files_dir, digest)
    except ValueError:
        raise NotFound(MISSING_CONTENT) from None
    if not path.is_file():
        raise NotFound(MISSING_CONTENT)
    return send_file(
        path,
        mimetype=media_type,
        download_name=filename,
        as_attachment=media_type not in INLINE,
        max_age=0,
    )


class UploadSchema(Schema):
    """A multipart form with one file field, ``file``."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class StoredFileColumns:
    """Columns of a database row that records a stored file (a hazard's attachment, a
    ledger entry's evidence): where its bytes are, its safe name, size, who and when."""

    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
