"""Photos and documents of hazards: type and size limits, stored by content hash.

Files live outside the database under ``<files_dir>/<sha256[:2]>/<sha256>``; the same
photo uploaded twice is stored once. The type is decided by the file's own bytes, not
by its name or the client's Content-Type: a mislabelled file is refused (415).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.commands import get_hazard
from services.hazards.models import Attachment
from shared.auth import Principal
from shared.errors import PayloadTooLarge, UnsupportedMediaType

# media type -> accepted file name extensions
ALLOWED = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/pdf": (".pdf",),
}


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


def check_upload(filename: str, declared: str | None, content: bytes, max_bytes: int) -> str:
    """Return the verified media type, or refuse with 413/415."""
    if len(content) > max_bytes:
        raise PayloadTooLarge.limit(max_bytes)
    if not content:
        raise UnsupportedMediaType("the file is empty")
    actual = sniff(content[:32])
    if actual is None:
        raise UnsupportedMediaType(f"allowed types: {', '.join(ALLOWED)}")
    extension = Path(filename).suffix.lower()
    declared_type = (declared or "").split(";")[0].strip().lower()
    if extension not in ALLOWED[actual]:
        raise UnsupportedMediaType(
            f"the file is {actual} but is named {extension or 'without an extension'}"
        )
    if declared_type not in ("", "application/octet-stream", actual):
        raise UnsupportedMediaType(f"the file is {actual} but is labelled {declared_type}")
    return actual


def safe_name(filename: str) -> str:
    """Keep only the base name (no directories, no control characters)."""
    name = Path(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"/\\')
    return name[:200] or "upload"


def store(files_dir: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    target = Path(files_dir) / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, target)  # atomic: readers never see half a file
    return digest


def path_of(files_dir: str, digest: str) -> Path:
    return Path(files_dir) / digest[:2] / digest


def add_attachment(
    session: Session,
    principal: Principal,
    hazard_id: str,
    *,
    filename: str,
    declared_type: str | None,
    content: bytes,
    files_dir: str,
    max_bytes: int,
) -> Attachment:
    """Store a photo or document of the hazard (evidence of the finding or of the fix).

    Who may (domain.check_uploader): the security office, and the hazard's own unit's
    manager and grid staff — the people who report and act on it. Others who may see the
    hazard (leadership, lead departments) only read its files: 403; an unscoped portal
    reports hazards but does not act on them: 403 too. Nobody adds to an archived one (409).
    """
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    if hazard.status == domain.Status.ARCHIVED:
        raise domain.HazardArchived("archived hazards (备案存档) can no longer change")
    domain.check_uploader(principal.roles, principal.unit, hazard.unit_code)
    media_type = check_upload(filename, declared_type, content, max_bytes)
    attachment = Attachment(
        hazard_id=hazard.id,
        sha256=store(files_dir, content),
        filename=safe_name(filename),
        media_type=media_type,
        size=len(content),
        uploaded_by=principal.sub,
    )
    session.add(attachment)
    session.flush()
    return attachment
