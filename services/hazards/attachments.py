"""Photos and documents of hazards: who may attach them, and to which hazards.

The file handling itself (type sniffing and allow-list, size limit, storage by content
hash under ``files_dir``, safe names) is ``shared.files``, shared with the reporting
service's ledger evidence; this module keeps the hazard's own rules.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.hazards import domain
from services.hazards.commands import get_hazard
from services.hazards.models import Attachment
from shared import files
from shared.principal import Principal


def add_attachment(
    session: Session,
    principal: Principal,
    hazard_id: str,
    *,
    upload: files.Upload,
) -> Attachment:
    """Store a photo or document of the hazard (evidence of the finding or of the fix).

    Who may (domain.check_uploader): the security office, and the hazard's own unit's
    manager and grid staff — the people who report and act on it. Others who may see the
    hazard (leadership, lead departments) only read its files: 403; an unscoped portal
    reports hazards but does not act on them: 403 too. Nobody adds to an archived one (409).
    """
    hazard = get_hazard(session, principal, hazard_id, lock=True)
    domain.check_not_archived(domain.Status(hazard.status))
    domain.check_uploader(principal.roles, principal.unit, hazard.unit_code)
    stored = files.accept(upload)
    attachment = Attachment(
        hazard_id=hazard.id, media_type=stored.media_type, **stored.columns(principal.sub)
    )
    session.add(attachment)
    session.flush()
    return attachment
