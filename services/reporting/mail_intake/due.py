"""Which due date a mailed table is for: named in the subject, else the period printed in
the table, else the earliest started and not yet submitted one."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.mail_intake.attachment import Refused, TableFile
from services.reporting.models import CampaignUnit, ReportingDue, Submission
from shared.timeutil import campus_time

SUBJECT_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


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
