"""The reply mails (in Chinese): 已受理, 已受理（逾期报送）, or 未受理 with the reason. Queued
as ``Notification`` rows in the submission's transaction; a refusal is sent to one address
at most ``MAX_REFUSALS_A_DAY`` times in 24 hours (an auto-responder would loop)."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting import notifications
from services.reporting.domain import RULE_LABELS, Rule
from services.reporting.models import Notification, ReportingDue, Submission
from services.reporting.statistics.exports import TABLE_TITLE
from shared.timeutil import campus_time, utcnow

log = logging.getLogger("campus.mail_intake")

REFUSED_SUBJECT = "【统计表报送】未受理："
MAX_REFUSALS_A_DAY = 10  # refusal replies to one address in 24 hours (mail loops)
SIGNATURE = "安全保卫处（本邮件由系统自动发送，请勿直接回复）"


def digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def reply_accepted(
    session: Session,
    key: str,
    unit_code: str,
    to: str,
    name: str,
    due: ReportingDue,
    submission: Submission,
    tz: str,
) -> None:
    at = f"{campus_time(submission.submitted_at, tz):%Y-%m-%d %H:%M}"
    head = f"{name}：\n\n你单位于 {at} 以电子邮件报送的《{TABLE_TITLE}》"
    period = f"（截止日期 {due.due_on}，统计期间 {due.period_start} 至 {due.period_end}）"
    if submission.late:
        subject = f"【统计表报送】已受理（逾期报送）：{name} {due.due_on} 期"
        body = (
            f"{head}{period}已受理。\n截止日期已过，本次为逾期报送，"
            f"已登记问责记录“{RULE_LABELS[Rule.LATE_SUBMISSION]}”；"
            "如有情况说明，请在工作台提交或联系安全保卫处。"
        )
    else:
        subject = f"【统计表报送】已受理：{name} {due.due_on} 期"
        body = f"{head}{period}已受理，按时报送。"
    notifications.queue_mail(session, key, unit_code, to, subject, f"{body}\n\n{SIGNATURE}")


def reply_refused(
    session: Session, key: str, unit_code: str, to: str, short: str, detail: str
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
