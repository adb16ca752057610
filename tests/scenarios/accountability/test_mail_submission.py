"""The statistics table submitted by e-mail (services/reporting/mail_intake/).

The plan: 各单位……以电子邮件形式向学院安保处报送. A unit mails its table to the security
office's mailbox (here: the mail intake on a free local port, as the reporting worker starts
it from CAMPUS_MAIL_INTAKE); replies go out through the worker's outgoing mail (a second
local SMTP server stands in for CAMPUS_SMTP_HOST). The arrival time comes from a fixed clock.
"""

from __future__ import annotations

import io
import smtplib
import socket
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from services.reporting import commands, mail_intake
from services.reporting.models import Campaign, Flag, ReportingDue, Submission
from services.reporting.sweeps import send_mail
from shared.api import state
from shared.config import ConfigError
from shared.db import make_engine, make_session_factory
from tests.support.fixtures import bearer
from tests.support.waiting import wait_until

OFFICE = "anbao@campus.example.edu.cn"
JD = "jd@campus.example.edu.cn"  # 机电工程学院's registered address (seed campaign)
XX = "xx@campus.example.edu.cn"  # 信息工程学院's
STRANGER = "someone@example.org"
ON_TIME = datetime(2021, 11, 22, 8, 0, tzinfo=UTC)  # 16:00 on the due date, campus time
LATE = datetime(2021, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 the day after
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Outbox:
    """The outgoing mail server (CAMPUS_SMTP_HOST): collects what the worker sends."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        self.port = free_port()
        self.messages: list = []
        outbox = self

        class Collect(Message):
            def handle_message(self, message):
                outbox.messages.append(message)

        self.controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[tuple[str, str]]:
        """(subject, body) of the mails received for ``address``."""
        return [
            (
                str(make_header(decode_header(m["Subject"]))),
                m.get_payload(decode=True).decode("utf-8"),
            )
            for m in self.messages
            if m["To"] == address
        ]


class Mailbox:
    """The scenario: the reporting database with the 2021 campaign, the intake, the outbox."""

    def __init__(self, make_app, **config) -> None:
        self.outbox = Outbox()
        self.intake_port = free_port()
        self.app = make_app(
            "reporting",
            smtp_host="127.0.0.1",
            smtp_port=self.outbox.port,
            mail_intake=f"127.0.0.1:{self.intake_port}",
            **config,
        )
        with self.app.app_context():
            self.factory, self.settings = state().session_factory, state().settings
        with self.factory() as session:
            commands.load_seed_campaign(session)
            session.commit()
            campaign = session.scalars(select(Campaign)).one()
            self.campaign_id = campaign.id
            self.dues = session.scalars(
                select(ReportingDue)
                .where(ReportingDue.campaign_id == campaign.id)
                .order_by(ReportingDue.due_on)
            ).all()
        self.clock = Clock(ON_TIME)
        self.client = self.app.test_client()

    def __enter__(self) -> Mailbox:
        self.outbox.controller.start()
        self.listener = mail_intake.start_from_settings(self.settings, self.clock)
        return self

    def __exit__(self, *exc) -> None:
        self.listener.stop()
        self.outbox.controller.stop()

    def table(self, unit: str, due: ReportingDue | None = None) -> bytes:
        """The unit's table as its manager downloads it from the console."""
        due = due or self.dues[0]
        response = self.client.get(
            f"/campaigns/{self.campaign_id}/dues/{due.id}/table?unit_code={unit}",
            headers=bearer("unit_manager", unit=unit),
        )
        assert response.status_code == 200
        return response.data

    def send(
        self,
        envelope: str,
        attachments: list[tuple[str, bytes, tuple[str, str]]],
        *,
        header_from: str | None = None,
        subject: str = "报送统计表",
        message_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        message = EmailMessage()
        message["From"] = header_from or envelope
        message["To"] = OFFICE
        message["Subject"] = subject
        message["Message-ID"] = message_id or make_msgid()
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content("安全保卫处：附件为本单位统计表，请查收。")
        for filename, content, (maintype, subtype) in attachments:
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
        with smtplib.SMTP("127.0.0.1", self.intake_port, timeout=10) as smtp:
            smtp.send_message(message, from_addr=envelope, to_addrs=[OFFICE])

    def deliver_replies(self) -> None:
        """The worker's send_mail task sends the queued mails to the outgoing server."""
        sent = send_mail(self.factory, self.settings, self.clock.now)["sent"]
        wait_until(lambda: len(self.outbox.messages) == sent, timeout=10, message="the mails")

    def submissions(self) -> list[Submission]:
        with self.factory() as session:
            return session.scalars(select(Submission).order_by(Submission.unit_code)).all()

    def flags(self) -> list[Flag]:
        with self.factory() as session:
            return session.scalars(select(Flag)).all()


@pytest.fixture
def mailbox(make_app):
    with Mailbox(make_app) as box:
        yield box


def test_a_mailed_table_is_submitted_at_its_arrival_and_answered(mailbox):
    """以电子邮件形式向学院安保处报送: a table mailed from the unit's registered address is
    its submission, at the time the mail arrived; after the due date it is 逾期报送 (the
    late flag), and the unit gets a reply saying which."""
    first = mailbox.dues[0]  # due 2021-11-22, period 2021-11-08 to 2021-11-22
    mailbox.clock.now = ON_TIME
    mailbox.send(JD, [("统计表.xlsx", mailbox.table("JD"), XLSX)], subject="机电学院统计表")
    mailbox.clock.now = LATE
    mailbox.send(
        XX, [("信息工程学院.xlsx", mailbox.table("XX"), XLSX)], subject="统计表 2021-11-22"
    )

    jd, xx = mailbox.submissions()
    assert (jd.unit_code, jd.due_id, jd.submitted_at, jd.late) == ("JD", first.id, ON_TIME, False)
    assert jd.submitted_by == f"email:{JD}"
    assert (xx.unit_code, xx.due_id, xx.submitted_at, xx.late) == ("XX", first.id, LATE, True)
    assert [(f.rule, f.unit_code) for f in mailbox.flags()] == [("late_submission", "XX")]

    mailbox.deliver_replies()
    [(subject, body)] = mailbox.outbox.to(JD)
    assert "已受理" in subject and "逾期" not in subject
    assert "2021-11-22 16:00" in body and "按时报送" in body
    # (the late flag's own notice goes to XX as well)
    replies = [(s, b) for s, b in mailbox.outbox.to(XX) if s.startswith("【统计表报送】")]
    [(subject, body)] = replies
    assert "已受理（逾期报送）" in subject and "2021-11-23 10:00" in body


def test_a_mail_from_an_unregistered_sender_is_refused_and_records_nothing(mailbox):
    """Only the unit itself reports (由各单位报送): a mail whose envelope sender and From are
    not both the unit's registered address is refused with a reply; nothing is recorded.
    Replies go only to a real address, never to a bounce, at most once a day each."""
    table = [("统计表.xlsx", mailbox.table("JD"), XLSX)]
    mailbox.send(STRANGER, table)
    mailbox.send(STRANGER, table, header_from=JD)  # a forged From
    mailbox.send(JD, table, header_from=STRANGER)  # a forged envelope
    mailbox.send("", table, header_from=JD)  # a bounce (null sender): no reply
    # an automatic mail (here XX's robot forwarding JD's table) is never answered
    mailbox.send(XX, table, headers={"Auto-Submitted": "auto-forwarded"})

    assert mailbox.submissions() == [] and mailbox.flags() == []
    mailbox.deliver_replies()
    [(subject, body)] = mailbox.outbox.to(STRANGER)  # two mails, one reply that day
    assert "未受理：发件人未登记" in subject and "未作任何登记" in body
    [(subject, body)] = mailbox.outbox.to(JD)
    assert "发件人未登记" in subject and STRANGER in body
    assert mailbox.outbox.to(XX) == []


def test_a_wrong_attachment_is_refused_naming_why(mailbox):
    """The plan asks for 《校园安全专项整治工作隐患问题统计表》: a mail without it, with a
    document of another kind, a broken workbook, another workbook, another unit's table or
    two tables is refused with the reason; nothing is recorded."""
    jd_table = mailbox.table("JD")
    other = Workbook()
    other.active.title = "工作总结"
    other.active["A1"] = "机电工程学院安全工作总结"
    buffer = io.BytesIO()
    other.save(buffer)
    doc = ("application", "msword")
    cases = [
        ([], "未附统计表"),
        ([("统计表.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, doc)], "不是统计表"),
        ([("统计表.xlsx", b"PK\x03\x04 not really a workbook", XLSX)], "无法打开"),
        ([("总结.xlsx", buffer.getvalue(), XLSX)], "不是统计表"),
        ([("统计表.xlsx", mailbox.table("XX"), XLSX)], "不是本单位的统计表"),
        ([("1.xlsx", jd_table, XLSX), ("2.xlsx", jd_table, XLSX)], "多于一张表"),
    ]
    for attachments, _ in cases:
        mailbox.send(JD, attachments)

    assert mailbox.submissions() == [] and mailbox.flags() == []
    mailbox.deliver_replies()
    subjects = [subject for subject, _ in mailbox.outbox.to(JD)]
    assert len(subjects) == len(cases) and all("【统计表报送】未受理" in s for s in subjects)
    for _, reason in cases:
        expected = sum(r == reason for _, r in cases)
        assert sum(reason in s for s in subjects) == expected, (reason, subjects)


def test_an_auto_responder_cannot_loop_with_the_intake(mailbox):
    """Backscatter: a mailbox answering every reply (without Auto-Submitted) gets at most
    MAX_REFUSALS_A_DAY refusals in a day, then silence."""
    for _ in range(mail_intake.MAX_REFUSALS_A_DAY + 2):
        mailbox.send(JD, [], subject="自动回复：我已休假")
    mailbox.deliver_replies()
    assert len(mailbox.outbox.to(JD)) == mail_intake.MAX_REFUSALS_A_DAY == 10
    assert mailbox.submissions() == []


def test_a_second_mail_for_the_same_due_date_is_refused_as_already_submitted(mailbox):
    """每期报送一次: the second table for the same due date is refused "已报送" with the time
    of the first; the first submission stands. The same mail delivered twice (a relay
    retrying) is processed once."""
    table = [("统计表.xlsx", mailbox.table("JD"), XLSX)]
    mailbox.clock.now = ON_TIME
    message_id = make_msgid()
    mailbox.send(JD, table, message_id=message_id)
    mailbox.send(JD, table, message_id=message_id)  # the same mail again: no second reply
    mailbox.clock.now = LATE
    mailbox.send(JD, table, subject="补发 2021-11-22 统计表")

    [submission] = mailbox.submissions()
    assert (submission.submitted_at, submission.late) == (ON_TIME, False)
    assert mailbox.flags() == []
    mailbox.deliver_replies()
    first, second = mailbox.outbox.to(JD)
    assert "已受理" in first[0]
    assert "未受理：已报送" in second[0] and "2021-11-22 16:00" in second[1]


def test_the_table_names_its_period_and_a_period_not_begun_is_refused(mailbox):
    """统计期间 decides which due date a table is for; a subject naming another due date,
    or a period that has not started, is refused."""
    second = mailbox.dues[1]  # due 2021-12-06, period from 2021-11-23
    mailbox.clock.now = ON_TIME  # 2021-11-22: the second period has not begun
    mailbox.send(JD, [("统计表.xlsx", mailbox.table("JD", second), XLSX)])
    mailbox.send(JD, [("统计表.xlsx", mailbox.table("JD"), XLSX)], subject="2021-12-06")
    mailbox.clock.now = datetime(2021, 12, 6, 3, tzinfo=UTC)
    # the first period's table, mailed in the second period, is still the first period's
    mailbox.send(JD, [("统计表.xlsx", mailbox.table("JD"), XLSX)])

    [submission] = mailbox.submissions()
    assert submission.due_id == mailbox.dues[0].id and submission.late
    mailbox.deliver_replies()
    subjects = [s for s, _ in mailbox.outbox.to(JD) if s.startswith("【统计表报送】")]
    assert len(subjects) == 3
    for reason in ("未受理：统计期间尚未开始", "未受理：主题与附件期次不符", "已受理（逾期报送）"):
        assert sum(reason in s for s in subjects) == 1, (reason, subjects)


def test_the_listener_survives_what_it_cannot_take(make_app, tmp_path):
    """A mail over the size limit is refused in the SMTP conversation (552); a database
    it cannot reach makes it answer 451 (the sender's server retries), and it keeps
    listening."""
    with Mailbox(make_app, upload_max_bytes=64 * 1024) as box:
        big = [("统计表.xlsx", b"\0" * 200 * 1024, XLSX)]
        with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
            box.send(JD, big)
        assert refused.value.smtp_code == 552
        assert box.submissions() == []

        engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'reporting.db'}")
        port = free_port()
        broken = mail_intake.start(
            make_session_factory(engine), box.settings, "127.0.0.1", port, box.clock
        )
        try:
            box.intake_port = port
            table = [("统计表.xlsx", box.table("JD"), XLSX)]
            for _ in range(2):
                with pytest.raises(smtplib.SMTPDataError) as failed:
                    box.send(JD, table)
                assert failed.value.smtp_code == 451
        finally:
            broken.stop()
            engine.dispose()


def test_the_listen_address_is_checked():
    assert mail_intake.listen_address("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert mail_intake.listen_address("[::1]:25") == ("::1", 25)
    for bad in ("2525", "localhost:", "host:port", "host:70000"):
        with pytest.raises(ConfigError):
            mail_intake.listen_address(bad)
