"""Group robots of 企业微信 (WeCom) and 钉钉 (DingTalk): the flag notices and the reminders
(催报) the units receive by e-mail also reach the campus's group chats.

Outbox style, like the e-mails (``notifications``): the code that raises a flag or queues a
reminder adds a ``robot_messages`` row in its own transaction (``queue``); the reporting
worker's periodic thread sends the pending rows (``send_pending``) to the robots configured
at that moment: the campus-wide WeCom and DingTalk robots (``CAMPUS_WECOM_WEBHOOK``,
``CAMPUS_DINGTALK_WEBHOOK`` with ``CAMPUS_DINGTALK_SECRET``) and the unit's own robot
(``CAMPUS_UNIT_ROBOTS``). A robot that is down or refuses (HTTP ≠ 200 or ``errcode`` ≠ 0)
is tried again later with the e-mails' backoff; after ``MAX_ATTEMPTS`` the message is given
up (status ``failed``, logged). Event consumption never waits for a robot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.reporting import domain
from services.reporting.domain import Rule
from services.reporting.models import CampaignUnit, Flag, ReportingDue, RobotMessage
from services.reporting.notifications import retry_delay
from shared.config import Settings
from shared.grid_projection import GridUnit
from shared.timeutil import utcnow

log = logging.getLogger("campus.robots")

# Give up after this many failed passes: the e-mails' backoff (5 s doubling to an hour)
# makes that about four hours of a robot down or refusing.
MAX_ATTEMPTS = 12
# Both robots accept 20 messages a minute; the worker passes once a minute (sweep_seconds).
PER_ROBOT_PER_PASS = 20
TIMEOUT_SECONDS = 5
# WeCom's markdown content is at most 4,096 bytes (DingTalk's is larger).
MAX_TEXT_BYTES = 4000
SIGNATURE = "—— 校园安全专项整治工作台"


@dataclass(frozen=True)
class Robot:
    name: str  # "wecom", "dingtalk" or "unit:<code>": what ``delivered`` records
    kind: str  # wecom or dingtalk
    url: str
    secret: str | None = None


class RobotError(Exception):
    """The robot did not take the message (unreachable, HTTP error, errcode ≠ 0)."""


def robots_for(settings: Settings, unit_code: str) -> list[Robot]:
    """The robots a notice about ``unit_code`` goes to: the campus-wide ones and the unit's."""
    robots = []
    if settings.wecom_webhook:
        robots.append(Robot("wecom", "wecom", settings.wecom_webhook))
    if settings.dingtalk_webhook:
        robots.append(
            Robot("dingtalk", "dingtalk", settings.dingtalk_webhook, settings.dingtalk_secret)
        )
    own = settings.unit_robots.get(unit_code)
    if own:
        robots.append(Robot(f"unit:{unit_code}", own["kind"], own["url"], own.get("secret")))
    return robots


# -- queuing (in the caller's transaction) ---------------------------------------------------
def queue(
    session: Session, key: str, unit_code: str, title: str, text: str, link_path: str | None
) -> bool:
    """Queue a robot message once per ``key``; False if it was queued before."""
    if session.scalar(select(RobotMessage.id).where(RobotMessage.dedupe_key == key)):
        return False
    session.add(
        RobotMessage(
            dedupe_key=key,
            unit_code=unit_code,
            title=title[:300],
            text=text,
            link_path=link_path,
            delivered=[],
            status="pending",
            attempts=0,
        )
    )
    return True


def unit_name(session: Session, unit_code: str) -> str:
    """The unit's name as the grid announced it, else as the campaign lists it."""
    name = session.scalar(select(GridUnit.name).where(GridUnit.code == unit_code))
    name = name or session.scalar(
        select(CampaignUnit.name).where(CampaignUnit.unit_code == unit_code).limit(1)
    )
    return name or unit_code


def chinese_date(value: str | date | None) -> str | None:
    if not value:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _flag_lines(flag: Flag) -> list[tuple[str, str | None]]:
    """What the flag is about, in words: the hazard, the table or the phase task, and its
    deadline."""
    evidence = flag.evidence or {}
    deadline = evidence.get("deadline") or evidence.get("acceptance_due")
    if flag.rule in (Rule.LATE_SUBMISSION, Rule.MISSING_SUBMISSION):
        return [
            ("统计表", "《校园安全专项整治工作隐患问题统计表》"),
            ("报送期限", chinese_date(evidence.get("due_on"))),
        ]
    if flag.rule == Rule.PHASE_TASK_INCOMPLETE:
        number, title = evidence.get("task_number"), evidence.get("task_title")
        task = "：".join(p for p in (f"第{number}项" if number else "", title or "") if p)
        return [
            ("阶段", evidence.get("phase")),
            ("任务", task),
            ("完成期限", chinese_date(deadline)),
        ]
    terms = {Rule.LATE_ACCEPTANCE: "验收期限", Rule.MAJOR_UNRESOLVED: "期限"}
    term = terms.get(Rule(flag.rule), "整改期限")
    return [("隐患编号", evidence.get("number")), (term, chinese_date(deadline))]


def evidence_text(flag: Flag) -> str:
    """What the flag is about in one line (the export's 依据 column)."""
    return "；".join(f"{k}：{v}" for k, v in _flag_lines(flag) if v)


def queue_flag(session: Session, flag: Flag) -> bool:
    """The notice of a raised flag: unit, rule, what it is about, deadline, person."""
    label = domain.RULE_LABELS[Rule(flag.rule)]
    name = unit_name(session, flag.unit_code)
    lines = [("单位", name), ("事由", label), *_flag_lines(flag), ("责任人", flag.person_name)]
    text = "\n".join(f"> **{k}**：{v}" for k, v in lines if v)
    text += "\n\n如有异议，请在工作台的问责记录中提交情况说明（附证明材料）。"
    return queue(
        session,
        f"flag:{flag.cause_key}",
        flag.unit_code,
        f"【问责记录】{name}：{label}",
        text,
        f"/reporting/flags/{flag.id}",
    )


def queue_reminder(
    session: Session,
    unit: CampaignUnit,
    due: ReportingDue,
    key: str | None = None,
    passed: bool = False,
) -> bool:
    """催报: the unit's statistics table is due in a few days (the sweep), or the security
    office reminds it by hand (``key``: once per its own key; ``passed``: the date is past)."""
    on = chinese_date(due.due_on)
    ask = "报送期限已过，请尽快报送。" if passed else "请按期报送。"
    text = (
        f"> **单位**：{unit.name}\n> **统计表**：《校园安全专项整治工作隐患问题统计表》\n"
        f"> **统计期间**：{chinese_date(due.period_start)}至{chinese_date(due.period_end)}\n"
        f"> **报送期限**：{on}（含）\n\n{ask}"
    )
    title = f"【催报】{unit.name}：" + (
        f"{on}应报送的隐患问题统计表尚未报送" if passed else f"请于{on}前报送隐患问题统计表"
    )
    return queue(
        session,
        key or f"reminder:{due.id}:{unit.unit_code}",
        unit.unit_code,
        title,
        text,
        f"/reporting/board?campaign={due.campaign_id}&due={due.id}",
    )


# -- sending (the worker) ----------------------------------------------------------------------
def markdown(settings: Settings, message: RobotMessage) -> str:
    text = f"### {message.title}\n{message.text}"
    if message.link_path:
        text += f"\n\n[在工作台中查看]({settings.public_url.rstrip('/')}{message.link_path})"
    # Every message carries SIGNATURE: a DingTalk robot secured by keyword (自定义关键词)
    # rather than signing takes them all with the keyword 校园安全.
    return _clip(text) + f"\n\n{SIGNATURE}"


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    return data[: MAX_TEXT_BYTES - 3].decode("utf-8", "ignore") + "…"


def payload(robot: Robot, title: str, text: str) -> dict:
    if robot.kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(robot: Robot, timestamp_ms: int | None = None) -> str:
    if robot.kind != "dingtalk" or not robot.secret:
        return robot.url
    stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, stamp))
    joiner = "&" if "?" in robot.url else "?"
    return f"{robot.url}{joiner}timestamp={stamp}&sign={sign}"


def post(robot: Robot, title: str, text: str) -> None:
    """Hand the message to the robot; RobotError unless it answers 200 with errcode 0."""
    body = json.dumps(payload(robot, title, text), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        signed_url(robot),
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read(65536) or b"{}")
    except (OSError, ValueError) as exc:  # unreachable, timeout, HTTP error, not JSON
        raise RobotError(f"{exc.__class__.__name__}: {exc}") from exc
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise RobotError(f"robot answered {json.dumps(answer, ensure_ascii=False)[:200]}")


@dataclass
class _Pass:
    """One pass of the sender: robots that failed are not tried again in it, and none is
    sent more than PER_ROBOT_PER_PASS messages."""

    sent: dict[str, int]
    down: set[str]

    def may_send(self, robot: Robot) -> bool:
        return robot.name not in self.down and self.sent.get(robot.name, 0) < PER_ROBOT_PER_PASS


def _deliver(settings: Settings, message: RobotMessage, run: _Pass, now: datetime) -> str:
    """Send ``message`` to each of its robots not yet reached; its new status."""
    robots = [r for r in robots_for(settings, message.unit_code) if r.name not in message.delivered]
    if not robots:
        return "sent" if message.delivered else "unrouted"
    text, errors = markdown(settings, message), []
    for robot in robots:
        if not run.may_send(robot):
            continue
        try:
            post(robot, message.title, text)
        except RobotError as exc:
            run.down.add(robot.name)
            errors.append(f"{robot.name}: {exc}")
            continue
        run.sent[robot.name] = run.sent.get(robot.name, 0) + 1
        message.delivered = [*message.delivered, robot.name]
    if errors:
        error = "; ".join(errors)
        message.attempts += 1
        message.last_error = error[:500]
        message.next_attempt_at = now + retry_delay(message.attempts)
        if message.attempts >= MAX_ATTEMPTS:
            log.error(
                "robot message %s given up after %d tries: %s", message.id, message.attempts, error
            )
            return "failed"
        log.warning("robot message %s not delivered (%s); retry later", message.id, error)
    return "pending" if any(r.name not in message.delivered for r in robots) else "sent"


def send_pending(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """One pass over the due messages, oldest first; each committed on its own, so a crash
    resends at most the message in hand."""
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0, "given_up": 0, "unrouted": 0}
    run = _Pass({}, set())
    with factory() as session:
        due = session.scalars(
            select(RobotMessage)
            .where(RobotMessage.status == "pending")
            .where(or_(RobotMessage.next_attempt_at.is_(None), RobotMessage.next_attempt_at <= now))
            .order_by(RobotMessage.created_at, RobotMessage.id)
            .limit(200)
        ).all()
        for message in due:
            attempts = message.attempts
            message.status = _deliver(settings, message, run, now)
            if message.status == "sent":
                message.sent_at = utcnow()
                counts["sent"] += 1
            counts["unrouted"] += message.status == "unrouted"
            counts["given_up"] += message.status == "failed"
            counts["failed"] += message.attempts > attempts
            session.commit()
    return counts
