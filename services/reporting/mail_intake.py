"""The statistics table submitted by e-mail (以电子邮件形式报送): an SMTP listener run by
the reporting worker when ``CAMPUS_MAIL_INTAKE`` is set (``host:port``; unset = off).

A unit mails its table to the security office's mailbox; the campus mail server relays
that mailbox to this listener. Each mail is answered with a reply mail in Chinese:
已受理 (on time), 已受理（逾期报送） (late: ``commands.submit`` raises the late flag), or
未受理 with the reason. A refused mail records nothing: no submission, no flag.

Who sent it. The envelope sender (MAIL FROM) AND the ``From`` header must both be
registered addresses of the same unit (``CampaignUnit.email``, which may list several
addresses separated by ``,`` or ``;``), compared case-insensitively. Both are easy to
forge on the open Internet, so production must not expose this port: run it behind the
campus mail server, which checks SPF/DKIM/DMARC on incoming mail, and let only that
server relay to it (bind to a private address, firewall the port). The listener
itself does no authentication.

Which due date the mail is for, in this order:
1. a due date of the unit's campaigns named in the subject (``2021-11-22``, ``2021/11/22``,
   ``2021.11.22`` or ``2021年11月22日``; other dates there, such as a period start, are
   ignored; two different due dates named → refused as ambiguous);
2. else the due whose period is the one printed in the table (``统计期间：A 至 B``, as the
   console writes it);
3. else the earliest due of the unit's campaigns not yet submitted whose period has
   started on the arrival date (campus time).
When the subject and the table name different periods, the mail is refused; so is one
for a period that has not started yet. When no due is left (every started period already
submitted, or none started), the mail is refused saying so ("已报送" with the latest
submission, or "统计期间尚未开始").

The right file: exactly one ``.xlsx`` attachment (by name or the spreadsheet media type),
at most ``CAMPUS_UPLOAD_MAX_BYTES``, that openpyxl opens, with exactly one sheet that is
《校园安全专项整治工作隐患问题统计表》 (its title cell A1, or the sheet's name) and whose
``填报单位：`` line names the sender's unit: the unit's own table as downloaded from the
console. No attachment, a .doc, a corrupt or oversized workbook, another workbook, another
unit's table, two tables → refused, naming why. Other attachments beside the one table (a
stamped PDF scan, say) are ignored. The numbers in the file are not read: what is recorded
is what the console's submit button records, the service's own statistics for the period,
frozen at the arrival time. The file itself is not kept.

When. The arrival time is the end of the SMTP DATA command on this listener; ``submit``
decides lateness from it (one home for that rule). A mail the listener could not process
(database down) is answered ``451`` and the relaying server retries later; the later
arrival counts, and a resulting late flag is for the security office to decide on.

SMTP replies: a mail bigger than twice the upload limit is refused in the SMTP
conversation (``552``, aiosmtpd's own check; the sending server bounces it). Every other
mail is accepted (``250``) and answered by a reply mail: a relaying campus server would
turn a ``550`` into an English bounce that reaches the unit much later, if at all. Any
unexpected error becomes ``451`` (retry), never a crash of the listener.

Replies are ``Notification`` rows, written in the same transaction as the submission, and
sent by the worker's ``send_mail`` task with ``CAMPUS_SMTP_*`` (retried with backoff, they
survive a restart). Backscatter: a reply goes only to the envelope sender, only if it is a
syntactically valid address (never the null sender of bounces), never to mail marked as
automatic (``Auto-Submitted`` other than ``no``, ``Precedence: bulk/junk/list``; such mail
is still processed), an unregistered sender gets at most one reply per address per
campus day, and no address gets more than ``MAX_REFUSALS_A_DAY`` refusals in 24 hours (an
auto-responder answering our replies would otherwise loop). A mail delivered twice (the
relay retrying after a lost ``250``) is recognised by its ``Message-ID`` and envelope
sender and processed once.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.reporting import commands, domain, notifications
from services.reporting.domain import Rule
from services.reporting.models import CampaignUnit, Notification, ReportingDue, Submission
from services.reporting.statistics.exports import TABLE_TITLE
from shared.config import ConfigError, Settings
from shared.db import make_engine, make_session_factory, unit_of_work
from shared.errors import DomainError
from shared.principal import UNIT_MANAGER, Principal
from shared.timeutil import campus_time, utcnow

log = logging.getLogger("campus.mail_intake")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An .xlsx is a zip: refuse one that would inflate beyond this many times the upload
# limit before openpyxl reads it (a zip bomb costs memory, not just disk).
UNZIPPED_FACTOR = 20
REFUSED_SUBJECT = "【统计表报送】未受理："
MAX_REFUSALS_A_DAY = 10  # refusal replies to one address in 24 hours (mail loops)
SIGNATURE = "安全保卫处（本邮件由系统自动发送，请勿直接回复）"
ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
SUBJECT_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(Exception):
    """The mail is not a submission; ``short`` goes into the reply's subject."""

    def __init__(self, short: str, detail: str) -> None:
        super().__init__(detail)
        self.short, self.detail = short, detail


@dataclass(frozen=True)
class TableFile:
    """What the attached table says about itself (its numbers are not read)."""

    unit_name: str
    period: tuple[date, date] | None


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted | late | refused | duplicate
    reason: str | None = None
    unit_code: str | None = None
    submission_id: str | None = None


# -- configuration ------------------------------------------------------------------------
def listen_address(value: str) -> tuple[str, int]:
    """``CAMPUS_MAIL_INTAKE``: ``host:port`` (``[::1]:2525`` for IPv6)."""
    host, sep, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"CAMPUS_MAIL_INTAKE must be host:port, got {value!r}")
    return host, int(port)


def mail_size_limit(settings: Settings) -> int:
    """The SMTP SIZE limit: base64 makes an attachment about 4/3 larger, plus the text."""
    return settings.upload_max_bytes * 2


# -- addresses ------------------------------------------------------------------------------
def valid_address(address: str | None) -> bool:
    """A plain ``local@domain.tld`` we are willing to send a reply to."""
    return bool(address) and len(address) <= 200 and ADDRESS.fullmatch(address) is not None


def registered(email_field: str | None) -> set[str]:
    """A unit's registered addresses, lower case (the field may hold several)."""
    return {a.strip().lower() for a in re.split(r"[,;\s]+", email_field or "") if a.strip()}


def header_sender(message: EmailMessage) -> str | None:
    """The one address of the From header, lower case; None when absent or several."""
    values = message.get_all("From") or []
    addresses = [addr for _, addr in getaddresses([str(v) for v in values]) if addr]
    return addresses[0].strip().lower() if len(values) == 1 and len(addresses) == 1 else None


def automatic(message: EmailMessage) -> bool:
    """Mail a machine sent (RFC 3834): never answered, so two robots cannot loop."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in ("bulk", "junk", "list")


def sender_units(session: Session, envelope: str, header: str | None) -> dict[str, set[str]]:
    """Units (code → their names in the campaigns) registering both sender addresses."""
    units: dict[str, set[str]] = {}
    if not header:
        return units
    for unit in session.scalars(select(CampaignUnit)):
        addresses = registered(unit.email)
        if envelope in addresses and header in addresses:
            units.setdefault(unit.unit_code, set()).add(unit.name)
    return units


# -- the attachment --------------------------------------------------------------------------
def _attachments(message: EmailMessage) -> list[EmailMessage]:
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            parts.append(part)
    return parts


def _is_xlsx(part: EmailMessage) -> bool:
    name = (part.get_filename() or "").lower()
    return name.endswith(".xlsx") or part.get_content_type() == XLSX_TYPE


def read_table(message: EmailMessage, max_bytes: int) -> TableFile:
    """The one attached statistics table, or ``Refused`` saying what is wrong with it."""
    attachments = _attachments(message)
    if not attachments:
        raise Refused("未附统计表", "邮件没有附件，请附上从工作台下载的统计表（.xlsx）。")
    tables = [part for part in attachments if _is_xlsx(part)]
    names = "、".join(part.get_filename() or "（无文件名）" for part in attachments)
    if not tables:
        raise Refused("附件不是统计表", f"附件（{names}）不是 .xlsx 格式的统计表。")
    if len(tables) > 1:
        raise Refused(
            "附件多于一张表",
            f"附件中有 {len(tables)} 个 .xlsx 文件（{names}），每封邮件只附一张统计表。",
        )
    part = tables[0]
    name = part.get_filename() or "附件"
    content = part.get_payload(decode=True) or b""
    if len(content) > max_bytes:
        raise Refused("附件过大", f"附件 {name} 超过 {max_bytes // (1024 * 1024) or 1} MB 的上限。")
    return _open_table(name, content, max_bytes)


def _open_table(name: str, content: bytes, max_bytes: int) -> TableFile:
    unreadable = Refused(
        "附件无法打开", f"附件 {name} 无法打开（文件已损坏，或不是 .xlsx 工作簿）。"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable from exc
    if inflated > max_bytes * UNZIPPED_FACTOR:
        raise unreadable
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                heads = [
                    (sheet.title, [row for row in sheet.iter_rows(max_row=4, values_only=True)])
                    for sheet in book.worksheets
                ]
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many types on a broken file
        raise unreadable from exc
    ours = [
        (title, rows)
        for title, rows in heads
        if title.strip() == TABLE_TITLE[:31] or _cell(rows, 0, 0) == TABLE_TITLE
    ]
    if not ours:
        raise Refused("附件不是统计表", f"附件 {name} 不是《{TABLE_TITLE}》。")
    if len(ours) > 1:
        raise Refused("附件多于一张表", f"附件 {name} 中有 {len(ours)} 张统计表，只能报送一张。")
    lines = [str(v).strip() for row in ours[0][1] for v in row if isinstance(v, str)]
    unit_name = _labelled(lines, "填报单位")
    if not unit_name:
        raise Refused("附件不是统计表", f"附件 {name} 缺少“填报单位”，请使用从工作台下载的统计表。")
    period_text = _labelled(lines, "统计期间") or ""
    dates = [date.fromisoformat(d) for d in ISO_DATE.findall(period_text) if _iso(d)]
    period = (dates[0], dates[1]) if len(dates) == 2 else None
    return TableFile(unit_name=unit_name, period=period)


def _cell(rows: list[tuple], row: int, column: int) -> str | None:
    try:
        value = rows[row][column]
    except IndexError:
        return None
    return value.strip() if isinstance(value, str) else None


def _labelled(lines: Iterable[str], label: str) -> str | None:
    for line in lines:
        match = re.match(rf"{label}\s*[:：]\s*(.+)", line)
        if match:
            return match.group(1).strip()
    return None


def _iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# -- the due date -----------------------------------------------------------------------------
def subject_dates(subject: str) -> set[date]:
    found = set()
    for year, month, day in SUBJECT_DATE.findall(subject):
        try:
            found.add(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def choose_due(
    session: Session, unit_code: str, subject: str, table: TableFile, arrival: datetime, tz: str
) -> ReportingDue:
    campaigns = select(CampaignUnit.campaign_id).where(CampaignUnit.unit_code == unit_code)
    dues = session.scalars(
        select(ReportingDue)
        .where(ReportingDue.campaign_id.in_(campaigns))
        .order_by(ReportingDue.due_on, ReportingDue.period_start)
    ).all()
    today = campus_time(arrival, tz).date()
    named = subject_dates(subject)
    by_subject = [due for due in dues if due.due_on in named]
    if len({due.due_on for due in by_subject}) > 1:
        listed = "、".join(sorted(str(due.due_on) for due in by_subject))
        raise Refused("截止日期不明确", f"邮件主题中有多个截止日期（{listed}），请只写一个。")
    by_table = [due for due in dues if (due.period_start, due.period_end) == table.period]
    due = (by_subject or by_table or [None])[0]
    if by_subject and table.period and due not in by_table:
        raise Refused(
            "主题与附件期次不符",
            f"主题所指截止日期 {due.due_on} 的统计期间为 {due.period_start} 至 "
            f"{due.period_end}，附件统计表的统计期间为 {table.period[0]} 至 {table.period[1]}。",
        )
    if due is None and table.period:
        raise Refused(
            "附件期次不符",
            f"附件统计表的统计期间 {table.period[0]} 至 {table.period[1]} 不是本单位应报送的期次。",
        )
    if due is None:
        submitted = set(
            session.scalars(select(Submission.due_id).where(Submission.unit_code == unit_code))
        )
        started = [d for d in dues if d.period_start <= today]
        due = next((d for d in started if d.id not in submitted), None)
        if due is None and started:
            return started[-1]  # submit refuses it: the reply says when it was submitted
        if due is None:
            raise Refused("无待报送的统计表", "本单位目前没有统计期间已开始的待报送统计表。")
    if due.period_start > today:
        raise Refused(
            "统计期间尚未开始",
            f"截止日期 {due.due_on} 的统计期间自 {due.period_start} 开始，尚未开始，暂不能报送。",
        )
    return due


# -- the use case -------------------------------------------------------------------------------
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
        tz = self.settings.campus_timezone
        key = self._mail_key(envelope, message)
        if session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            return Outcome("duplicate")
        replying = valid_address(envelope) and not automatic(message)
        units = sender_units(session, envelope, header_sender(message))
        if not units:
            header = header_sender(message) or "（无）"
            detail = (
                f"发件邮箱（信封发件人 {envelope or '（空）'}，信头发件人 {header}）"
                "不是同一参与单位登记的报送邮箱：两者均须为本单位登记的邮箱。"
            )
            if replying:
                day = campus_time(arrival, tz).date()
                once_a_day = f"mail-intake:unknown:{_digest(envelope, day.isoformat())}"
                self._reply_refused(session, once_a_day, "", envelope, "发件人未登记", detail)
            return Outcome("refused", "发件人未登记")
        unit_code = next(iter(units)) if len(units) == 1 else None
        try:
            table = read_table(message, self.settings.upload_max_bytes)
            unit_code = self._unit_of(units, table)
            subject = str(message.get("Subject", ""))
            due = choose_due(session, unit_code, subject, table, arrival, tz)
        except Refused as refused:
            if replying:
                self._reply_refused(
                    session, key, unit_code or "", envelope, refused.short, refused.detail
                )
            return Outcome("refused", refused.short, unit_code)
        name = commands.unit_name(session, due.campaign_id, unit_code)
        principal = Principal(
            sub=f"email:{envelope}"[:64],
            name=name,
            roles=frozenset({UNIT_MANAGER}),
            unit=unit_code,
        )
        try:
            with session.begin_nested():
                submission = commands.submit(
                    session, principal, due.campaign_id, due.id, unit_code, arrival, tz
                )
        except DomainError as exc:
            existing = commands.find_submission(session, due.id, unit_code)
            if existing is not None:
                short = "已报送"
                detail = (
                    f"本单位已于 {campus_time(existing.submitted_at, tz):%Y-%m-%d %H:%M} 报送"
                    f"截止日期为 {due.due_on} 的统计表，每期只报送一次；"
                    "如需更正，请联系安全保卫处。"
                )
            else:
                short, detail = "未能登记", f"系统未能登记本次报送（{exc}），请联系安全保卫处。"
            if replying:
                self._reply_refused(session, key, unit_code, envelope, short, detail)
            return Outcome("refused", short, unit_code)
        if replying:
            self._reply_accepted(session, key, unit_code, envelope, name, due, submission)
        log.info(
            "mailed table of %s for %s recorded (late=%s)", unit_code, due.due_on, submission.late
        )
        return Outcome(
            "late" if submission.late else "accepted",
            unit_code=unit_code,
            submission_id=submission.id,
        )

    @staticmethod
    def _unit_of(units: dict[str, set[str]], table: TableFile) -> str:
        matching = [code for code, names in units.items() if table.unit_name in names]
        if len(matching) == 1:
            return matching[0]
        known = "、".join(sorted(n for names in units.values() for n in names))
        raise Refused(
            "附件不是本单位的统计表",
            f"附件统计表的填报单位为“{table.unit_name}”，与发件邮箱登记的单位（{known}）不符。",
        )

    @staticmethod
    def _mail_key(envelope: str, message: EmailMessage) -> str:
        message_id = str(message.get("Message-ID", "")).strip()
        return f"mail-intake:{_digest(envelope, message_id or message.as_string())}"

    def _reply_accepted(
        self,
        session: Session,
        key: str,
        unit_code: str,
        to: str,
        name: str,
        due: ReportingDue,
        submission: Submission,
    ) -> None:
        tz = self.settings.campus_timezone
        at = f"{campus_time(submission.submitted_at, tz):%Y-%m-%d %H:%M}"
        head = f"{name}：\n\n你单位于 {at} 以电子邮件报送的《{TABLE_TITLE}》"
        period = f"（截止日期 {due.due_on}，统计期间 {due.period_start} 至 {due.period_end}）"
        if submission.late:
            subject = f"【统计表报送】已受理（逾期报送）：{name} {due.due_on} 期"
            body = (
                f"{head}{period}已受理。\n截止日期已过，本次为逾期报送，"
                f"已登记问责记录“{domain.RULE_LABELS[Rule.LATE_SUBMISSION]}”；"
                "如有情况说明，请在工作台提交或联系安全保卫处。"
            )
        else:
            subject = f"【统计表报送】已受理：{name} {due.due_on} 期"
            body = f"{head}{period}已受理，按时报送。"
        notifications.queue_mail(session, key, unit_code, to, subject, f"{body}\n\n{SIGNATURE}")

    def _reply_refused(
        self, session: Session, key: str, unit_code: str, to: str, short: str, detail: str
    ) -> None:
        body = (
            f"你发送至安全保卫处的统计表邮件未受理，未作任何登记。\n原因：{detail}\n\n"
            f"报送要求：由本单位登记的邮箱发送，附件只含一张从工作台下载的《{TABLE_TITLE}》"
            "（.xlsx）；邮件主题可注明截止日期，如“2021-11-22”。\n\n"
            f"{SIGNATURE}"
        )
        subject = f"{REFUSED_SUBJECT}{short}"
        recent = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.to_address == to,
                Notification.subject.startswith(REFUSED_SUBJECT, autoescape=True),
                Notification.created_at >= utcnow() - timedelta(days=1),
            )
        )
        if recent >= MAX_REFUSALS_A_DAY:
            # An auto-responder that ignores Auto-Submitted would loop with us: stop here.
            log.warning("no refusal reply to %s: %s already in 24 hours", to, recent)
            return
        # an unknown sender's reply of the day may be queued already: then none is added
        notifications.queue_mail(session, key, unit_code, to, subject, body)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


# -- the listener ---------------------------------------------------------------------------------
class IntakeHandler:
    """aiosmtpd handler: the database work runs in a thread, off the SMTP event loop."""

    def __init__(self, intake: MailIntake) -> None:
        self.intake = intake

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        arrival = self.intake.clock()
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, self.intake.receive, envelope.mail_from, raw, arrival
            )
        except Exception:
            log.exception("mail from %s could not be processed; asked to retry", envelope.mail_from)
            return "451 4.3.0 Temporary failure, please try again later"
        log.info("mail from %s: %s %s", envelope.mail_from, outcome.status, outcome.reason or "")
        return f"250 2.0.0 {outcome.status}"


def start(
    factory: sessionmaker[Session],
    settings: Settings,
    host: str,
    port: int,
    clock: Callable[[], datetime] = utcnow,
):
    """Start the listener in its own thread (aiosmtpd Controller); ``.stop()`` ends it."""
    from aiosmtpd.controller import Controller

    controller = Controller(
        IntakeHandler(MailIntake(factory, settings, clock)),
        hostname=host,
        port=port,
        data_size_limit=mail_size_limit(settings),
    )
    controller.start()
    log.info("mail intake listening on %s:%s", host, port)
    return controller


class Listener:
    """The worker's listener: its own engine, started when ``CAMPUS_MAIL_INTAKE`` is set."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.host, self.port = listen_address(settings.mail_intake or "")
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every command
        self.engine = make_engine(settings.database_url)
        factory = make_session_factory(self.engine)
        try:
            self.controller = start(factory, settings, self.host, self.port, clock)
        except BaseException:
            self.engine.dispose()
            raise

    def stop(self) -> None:
        self.controller.stop()
        self.engine.dispose()


def start_from_settings(
    settings: Settings, clock: Callable[[], datetime] = utcnow
) -> Listener | None:
    """The listener of ``CAMPUS_MAIL_INTAKE``, started; None when it is not set."""
    return Listener(settings, clock) if settings.mail_intake else None
