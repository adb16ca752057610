"""One received mail turned into a submission or a refusal, with its reply, in one
transaction (``MailIntake``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.reporting import commands
from services.reporting.mail_intake.attachment import Refused, TableFile, read_table
from services.reporting.mail_intake.due import choose_due
from services.reporting.mail_intake.replies import digest, reply_accepted, reply_refused
from services.reporting.mail_intake.senders import (
    automatic,
    header_sender,
    sender_units,
    valid_address,
)
from services.reporting.models import Notification, ReportingDue
from services.reporting.province.link import province_link
from shared.config import Settings
from shared.db import unit_of_work
from shared.errors import DomainError
from shared.principal import UNIT_MANAGER, Principal
from shared.timeutil import campus_time, utcnow

log = logging.getLogger("campus.mail_intake")


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted | late | refused | duplicate
    reason: str | None = None
    unit_code: str | None = None
    submission_id: str | None = None


@dataclass(frozen=True)
class _Mail:
    """One mail being processed: its key (for twins), envelope sender, whether it may be
    answered, and its arrival."""

    key: str
    envelope: str
    message: EmailMessage
    replying: bool
    arrival: datetime


class MailIntake:
    """Turns one received mail into a submission or a refusal, with its reply."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.factory, self.settings, self.clock = factory, settings, clock

    def receive(self, mail_from: str | None, raw: bytes, arrival: datetime) -> Outcome:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        for attempt in range(2):
            try:
                with unit_of_work(self.factory) as session:
                    return self._process(
                        session, (mail_from or "").strip(" <>").lower(), message, arrival
                    )
            except IntegrityError:
                # A twin of this mail (or of its reply) committed at the same moment:
                # the second pass sees it and answers accordingly.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _process(
        self, session: Session, envelope: str, message: EmailMessage, arrival: datetime
    ) -> Outcome:
        key = _mail_key(envelope, message)
        if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            return Outcome("duplicate")
        replying = valid_address(envelope) and not automatic(message)
        mail = _Mail(key, envelope, message, replying, arrival)
        units = sender_units(session, envelope, header_sender(message))
        if not units:
            return self._unknown_sender(session, mail)
        unit_code = next(iter(units)) if len(units) == 1 else None
        try:
            table = read_table(message, self.settings.upload_max_bytes)
            unit_code = _unit_of(units, table)
            subject = str(message.get("Subject", ""))
            due = choose_due(
                session, unit_code, subject, table, arrival, self.settings.campus_timezone
            )
        except Refused as refused:
            return self._refuse(session, mail, unit_code, refused.short, refused.detail)
        return self._submit(session, mail, unit_code, due)

    def _unknown_sender(self, session: Session, mail: _Mail) -> Outcome:
        """Neither address pair registered by one unit: refused, answered once a day."""
        header = header_sender(mail.message) or "（无）"
        detail = (
            f"发件邮箱（信封发件人 {mail.envelope or '（空）'}，信头发件人 {header}）"
            "不是同一参与单位登记的报送邮箱：两者均须为本单位登记的邮箱。"
        )
        if mail.replying:
            day = campus_time(mail.arrival, self.settings.campus_timezone).date()
            once_a_day = f"mail-intake:unknown:{digest(mail.envelope, day.isoformat())}"
            reply_refused(session, once_a_day, "", mail.envelope, "发件人未登记", detail)
        return Outcome("refused", "发件人未登记")

    def _refuse(
        self, session: Session, mail: _Mail, unit_code: str | None, short: str, detail: str
    ) -> Outcome:
        if mail.replying:
            reply_refused(session, mail.key, unit_code or "", mail.envelope, short, detail)
        return Outcome("refused", short, unit_code)

    def _submit(self, session: Session, mail: _Mail, unit_code: str, due: ReportingDue) -> Outcome:
        """What the console's submit button records, at the mail's arrival."""
        tz = self.settings.campus_timezone
        name = commands.unit_name(session, due.campaign_id, unit_code)
        principal = Principal(
            sub=f"email:{mail.envelope}"[:64],
            name=name,
            roles=frozenset({UNIT_MANAGER}),
            unit=unit_code,
        )
        try:
            with session.begin_nested():
                submission = commands.submit(
                    session,
                    principal,
                    due.campaign_id,
                    due.id,
                    unit_code,
                    mail.arrival,
                    tz,
                    province=province_link(self.settings),
                )
        except DomainError as exc:
            short, detail = _not_recorded(session, due, unit_code, exc, tz)
            return self._refuse(session, mail, unit_code, short, detail)
        if mail.replying:
            reply_accepted(session, mail.key, unit_code, mail.envelope, name, due, submission, tz)
        log.info(
            "mailed table of %s for %s recorded (late=%s)", unit_code, due.due_on, submission.late
        )
        return Outcome(
            "late" if submission.late else "accepted",
            unit_code=unit_code,
            submission_id=submission.id,
        )


def _not_recorded(
    session: Session, due: ReportingDue, unit_code: str, exc: DomainError, tz: str
) -> tuple[str, str]:
    """Why ``submit`` refused: the table is in already, or the error itself."""
    existing = commands.find_submission(session, due.id, unit_code)
    if existing is None:
        return "未能登记", f"系统未能登记本次报送（{exc}），请联系安全保卫处。"
    detail = (
        f"本单位已于 {campus_time(existing.submitted_at, tz):%Y-%m-%d %H:%M} 报送"
        f"截止日期为 {due.due_on} 的统计表，每期只报送一次；"
        "如需更正，请联系安全保卫处。"
    )
    return "已报送", detail


def _unit_of(units: dict[str, set[str]], table: TableFile) -> str:
    matching = [code for code, names in units.items() if table.unit_name in names]
    if len(matching) == 1:
        return matching[0]
    known = "、".join(sorted(n for names in units.values() for n in names))
    raise Refused(
        "附件不是本单位的统计表",
        f"附件统计表的填报单位为“{table.unit_name}”，与发件邮箱登记的单位（{known}）不符。",
    )


def _mail_key(envelope: str, message: EmailMessage) -> str:
    message_id = str(message.get("Message-ID", "")).strip()
    return f"mail-intake:{digest(envelope, message_id or message.as_string())}"
