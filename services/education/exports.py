"""File exports of the education service: the iCalendar (.ics, RFC 5545) feed of a unit's
activities, for phone subscriptions, and an activity's sign-in list (.xlsx) (exporters are
named ``<what>_<format>``).

Times are written in the campus time zone (TZID=Asia/Shanghai, with its VTIMEZONE), so a
phone shows 09:00 for a lecture at 09:00 campus time whatever zone the phone is in.
Cancelled activities stay in the feed with STATUS:CANCELLED, so subscribed calendars drop
them instead of keeping a stale copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from services.education.domain import KIND_LABELS, Kind, Status, Suggestion
from services.education.models import Activity
from shared.timeutil import campus_time
from shared.xlsx import DATETIME, PLAIN, TEXT, workbook_bytes, write_header, write_title

PRODID = "-//校安 Campus Safety//Education//ZH"
UID_DOMAIN = "education.campus-safety"


def calendar_ics(
    *,
    name: str,
    timezone: str,
    activities: Iterable[Activity],
    themed: Iterable[Suggestion] = (),
    generated_at: datetime,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    # How often subscribed calendars should fetch the feed again (RFC 7986; Outlook's X-).
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for activity in activities:
        cal.add_component(_activity_event(activity, timezone, generated_at))
    for day in themed:
        cal.add_component(_themed_event(day, generated_at))
    cal.add_missing_timezones()
    return cal.to_ical()


def _activity_event(activity: Activity, timezone: str, stamp: datetime) -> Event:
    label = KIND_LABELS.get(Kind(activity.kind), activity.kind)
    event = Event()
    event.add("uid", f"{activity.id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", activity.version)
    event.add("summary", f"【{label}】{activity.title}")
    event.add("dtstart", campus_time(activity.starts_at, timezone))
    event.add("dtend", campus_time(activity.ends_at, timezone))
    if activity.venue:
        event.add("location", activity.venue)
    lines = [f"类型：{label}"]
    if activity.theme:
        lines.append(f"主题：{activity.theme}")
    lines.append(f"组织单位：{activity.organiser_unit}")
    lines.append(
        "参加对象："
        + "、".join(
            f"{t.unit_code} {t.class_name}" if t.class_name else t.unit_code
            for t in activity.targets
        )
    )
    if activity.status == Status.CANCELLED and activity.cancel_reason:
        lines.append(f"取消原因：{activity.cancel_reason}")
    event.add("description", "\n".join(lines))
    event.add("categories", [label])
    event.add("status", "CANCELLED" if activity.status == Status.CANCELLED else "CONFIRMED")
    return event


def _themed_event(day: Suggestion, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"themed-{day.key}-{day.starts_on.isoformat()}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", f"【主题日】{day.name}")
    event.add("dtstart", day.starts_on)
    event.add("dtend", day.ends_on + timedelta(days=1))  # all-day: DTEND is exclusive
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["主题日"])
    if day.theme:
        event.add("description", f"主题：{day.theme}")
    return event


# -- who signed in (签到名单), as .xlsx ------------------------------------------------------------
ATTENDANCE_COLUMNS = (("序号", 6), ("学号/工号", 16), ("姓名", 12), ("单位", 24), ("班级", 16))
ATTENDANCE_COLUMNS += (("签到时间", 18),)


def attendance_xlsx(
    activity: Activity, enrolments: Iterable, unit_names: dict[str, str], timezone: str
) -> bytes:
    """The activity's enrolled people and when each signed in (blank: not signed in), with
    unit names; numbers written as text (leading zeros kept), never as formulas."""
    header = [name for name, _ in ATTENDANCE_COLUMNS]
    styles = (PLAIN, TEXT, TEXT, TEXT, TEXT, DATETIME)
    starts = campus_time(activity.starts_at, timezone).strftime("%Y-%m-%d %H:%M")

    def write(book) -> None:
        widths = [width for _, width in ATTENDANCE_COLUMNS]
        with book.sheet("签到名单", widths=widths, freeze=2) as sheet:
            write_title(sheet, f"{activity.title}（{starts}）签到名单", len(header))
            write_header(sheet, header)
            for number, e in enumerate(enrolments, 1):
                signed = e.checked_in_at
                when = campus_time(signed, timezone).replace(tzinfo=None) if signed else None
                unit = unit_names.get(e.unit_code, e.unit_code)
                sheet.append([number, e.person_ref, e.name, unit, e.class_name or "", when], styles)

    return workbook_bytes(write)
