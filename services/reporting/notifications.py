"""Sending queued e-mails (reminders, flag notices) over SMTP, with retries.

Handlers and the sweep only insert rows into ``notifications`` in their own
transaction; this sender runs in the worker's periodic thread. A broken mail server
therefore never blocks event processing, and a mail is sent once it is back.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.reporting.models import Notification
from shared.config import Settings
from shared.timeutil import utcnow

log = logging.getLogger("campus.notifications")


def queue_mail(
    session: Session, key: str, unit_code: str, to_address: str | None, subject: str, body: str
) -> bool:
    """Queue an e-mail once per ``key`` (sent by ``send_pending``); False if there is no
    address or the same mail was queued before."""
    if not to_address:
        return False
    if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return False
    session.add(
        Notification(
            dedupe_key=key,
            unit_code=unit_code,
            to_address=to_address,
            subject=subject,
            body=body,
            status="pending",
            attempts=0,
        )
    )
    return True


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def _message(settings: Settings, note: Notification) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = note.to_address
    message["Subject"] = note.subject
    # Every mail of ours is machine-made (RFC 3834): auto-responders and our own mail intake
    # answer none of them, so no two systems can keep replying to each other.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(note.body)
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def send_pending(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    if not settings.smtp_host:
        return {"sent": 0, "failed": 0, "skipped": 1}
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0}
    with factory() as session:
        pending = session.scalars(
            select(Notification)
            .where(Notification.status == "pending")
            .where(or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
            .order_by(Notification.created_at)
            .limit(100)
        ).all()
        for note in pending:
            try:
                _send(settings, _message(settings, note))
            except (OSError, smtplib.SMTPException) as exc:
                note.attempts += 1
                note.next_attempt_at = now + retry_delay(note.attempts)
                note.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
                counts["failed"] += 1
                log.warning("e-mail to %s failed (%s); retry later", note.to_address, exc)
            else:
                note.status, note.sent_at = "sent", utcnow()
                counts["sent"] += 1
            session.commit()  # one mail at a time: a crash never resends what went out
    return counts
