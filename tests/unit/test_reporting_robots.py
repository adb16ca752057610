"""Flag notices and reminders reach the WeCom and DingTalk group robots (issue 15): a local
HTTP server plays each robot (DingTalk's checks the signature); a robot that refuses, fails
or is down is tried again later, without holding up the events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.reporting import commands, robots
from services.reporting.models import CampaignUnit, Flag, RobotMessage
from services.reporting.sweeps import TASKS, run_sweep, send_robots
from shared.api import state
from shared.config import ConfigError, load_settings
from tests.support.events import feed as consume_all
from tests.support.handlers import handlers_of
from tests.support.reporting import hazard_event, seed_grid_units
from tests.support.robots import FakeRobot

EVENT_HANDLERS = handlers_of("reporting")
DING_SECRET = "SEC-test-0123456789abcdef"
AN_HOUR = timedelta(hours=1)


@pytest.fixture
def wecom():
    robot = FakeRobot("wecom")
    yield robot
    robot.close()


@pytest.fixture
def dingtalk():
    robot = FakeRobot("dingtalk", secret=DING_SECRET)
    yield robot
    robot.close()


def reporting(make_app, **config):
    app = make_app("reporting", public_url="https://campus.example", **config)
    with app.app_context():
        factory, settings = state().session_factory, state().settings
    with factory() as session:
        commands.load_seed_campaign(session)
        units = session.scalars(select(CampaignUnit)).all()
        seed_grid_units(session, {u.unit_code: u.name for u in units})
        session.commit()
    return factory, settings


def overdue(unit: str = "JD", **state):
    return hazard_event(
        "hazard.overdue",
        5,
        str(uuid.uuid4()),
        unit_code=unit,
        status="in_remediation",
        overdue=True,
        deadline="2021-11-20",
        **state,
    )


def messages(factory) -> list[RobotMessage]:
    with factory() as session:
        return session.scalars(select(RobotMessage).order_by(RobotMessage.created_at)).all()


def test_a_raised_flag_reaches_both_robots_in_chinese_and_is_sent_once(make_app, wecom, dingtalk):
    factory, settings = reporting(
        make_app,
        wecom_webhook=wecom.url,
        dingtalk_webhook=dingtalk.url,
        dingtalk_secret=DING_SECRET,
    )
    event = overdue()
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [event])
        flag = session.scalars(select(Flag)).one()
    assert send_robots(factory, settings)["sent"] == 1
    assert len(wecom.received) == len(dingtalk.received) == 1
    assert dingtalk.signed == [True]  # signed with the secret, as DingTalk checks
    title = dingtalk.received[0]["markdown"]["title"]
    assert "机电工程学院" in title and "隐患逾期未整改" in title
    for text in (wecom.text(), dingtalk.text()):
        assert "机电工程学院" in text and "隐患逾期未整改" in text
        assert event.data["number"] in text
        assert "2021年11月20日" in text and "张伟" in text  # the deadline, the person
        assert f"https://campus.example/reporting/flags/{flag.id}" in text
        assert "JD" not in text  # the unit's name, never its code
        assert "校园安全" in text  # the keyword a DingTalk robot may be secured with
    assert send_robots(factory, settings)["sent"] == 0
    with factory() as session:  # the same event again raises nothing, sends nothing
        consume_all(session, EVENT_HANDLERS, [event])
    assert send_robots(factory, settings)["sent"] == 0
    assert len(wecom.received) == 1


def test_a_robot_that_refuses_or_is_down_is_tried_again_later(make_app, wecom, dingtalk):
    factory, settings = reporting(
        make_app,
        wecom_webhook=wecom.url,
        dingtalk_webhook=dingtalk.url,
        dingtalk_secret=DING_SECRET,
    )
    wecom.mode = "refuse"
    dingtalk.close()  # down
    now = datetime(2021, 11, 21, 2, tzinfo=UTC)
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [overdue()])
    counts = send_robots(factory, settings, now)
    assert (counts["sent"], counts["failed"]) == (0, 1)
    [message] = messages(factory)
    assert message.status == "pending" and message.attempts == 1
    assert "93000" in message.last_error and "dingtalk" in message.last_error
    # Events keep flowing while the robots fail: the next flag is raised and queued.
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [overdue("XX")])
        assert len(session.scalars(select(Flag)).all()) == 2
    # WeCom takes both; DingTalk, still down, is tried once in the pass, not once a message.
    wecom.mode = "ok"
    counts = send_robots(factory, settings, now + AN_HOUR)
    assert (counts["sent"], counts["failed"]) == (0, 1)
    assert [m.delivered for m in messages(factory)] == [["wecom"], ["wecom"]]
    assert len(wecom.received) == 3
    # The first backs off; the second, not yet tried at DingTalk, is; WeCom is sent nothing.
    assert send_robots(factory, settings, now + AN_HOUR)["failed"] == 1
    assert [m.attempts for m in messages(factory)] == [2, 1]
    assert len(wecom.received) == 3
    # DingTalk is back (it checks the signature): each message reaches it once, and WeCom is
    # not sent again what it took while DingTalk was down.
    dingtalk.start()
    wecom.mode = "error"
    assert send_robots(factory, settings, now + 3 * AN_HOUR)["sent"] == 2
    assert len(dingtalk.received) == 2 and dingtalk.signed == [True, True]
    assert len(wecom.received) == 3
    assert {m.status for m in messages(factory)} == {"sent"}


def test_dingtalk_refuses_a_wrong_signature_and_the_message_waits(make_app, dingtalk):
    factory, settings = reporting(
        make_app, dingtalk_webhook=dingtalk.url, dingtalk_secret="SEC-not-the-robots-secret"
    )
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [overdue()])
    assert send_robots(factory, settings)["failed"] == 1
    assert dingtalk.signed == [False]
    [message] = messages(factory)
    assert message.status == "pending" and "310000" in message.last_error


def test_a_robot_failing_every_time_is_given_up_and_logged(make_app, wecom, caplog):
    factory, settings = reporting(make_app, wecom_webhook=wecom.url)
    wecom.mode = "error"
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [overdue()])
    now = datetime(2021, 11, 21, 2, tzinfo=UTC)
    for _ in range(robots.MAX_ATTEMPTS):
        send_robots(factory, settings, now)
        now += 2 * AN_HOUR  # past every backoff delay
    [message] = messages(factory)
    assert (message.status, message.attempts) == ("failed", robots.MAX_ATTEMPTS)
    assert "given up" in caplog.text
    wecom.mode = "ok"
    assert send_robots(factory, settings, now)["sent"] == 0  # given up stays given up
    assert len(wecom.received) == robots.MAX_ATTEMPTS


def test_reminders_reach_the_robot_and_a_unit_robot_hears_only_its_unit(make_app, wecom, dingtalk):
    factory, settings = reporting(
        make_app,
        wecom_webhook=wecom.url,
        unit_robots={"JD": {"kind": "dingtalk", "url": dingtalk.url, "secret": DING_SECRET}},
    )
    three_days_before = datetime(2021, 11, 19, 1, 0, tzinfo=UTC)
    units = run_sweep(factory, settings, three_days_before)["reminders"]
    assert units > 1
    assert send_robots(factory, settings, three_days_before)["sent"] == units
    assert len(wecom.received) == units
    assert len(dingtalk.received) == 1 and dingtalk.signed == [True]
    text = dingtalk.text()
    assert "催报" in dingtalk.received[0]["markdown"]["title"]
    assert "机电工程学院" in text and "2021年11月22日" in text
    assert "https://campus.example/reporting/board?campaign=" in text
    assert any("机电工程学院" in wecom.text(i) for i in range(units))
    # The day passes without the table: 统计表未报送, with the due date, reaches the robot too.
    after = datetime(2021, 11, 23, 1, 0, tzinfo=UTC)
    assert run_sweep(factory, settings, after)["missing"] == units
    assert send_robots(factory, settings, after)["sent"] == units
    assert len(dingtalk.received) == 2
    assert "统计表未报送" in dingtalk.received[1]["markdown"]["title"]
    assert "**报送期限**：2021年11月22日" in dingtalk.text()


def test_no_robot_more_than_its_rate_in_one_pass(make_app, wecom):
    factory, settings = reporting(make_app, wecom_webhook=wecom.url)
    with factory() as session:
        for i in range(robots.PER_ROBOT_PER_PASS + 5):
            robots.queue(session, f"test:{i}", "JD", f"通知 {i}", "内容", None)
        session.commit()
    assert send_robots(factory, settings)["sent"] == robots.PER_ROBOT_PER_PASS
    assert send_robots(factory, settings)["sent"] == 5
    assert len(wecom.received) == robots.PER_ROBOT_PER_PASS + 5


def test_with_no_robot_configured_messages_are_set_aside(make_app):
    factory, settings = reporting(make_app)
    with factory() as session:
        consume_all(session, EVENT_HANDLERS, [overdue()])
    assert send_robots(factory, settings)["unrouted"] == 1
    assert [m.status for m in messages(factory)] == ["unrouted"]


def test_the_worker_sends_to_the_robots() -> None:
    assert send_robots in TASKS


def test_unit_robots_setting_is_checked_at_start_up(monkeypatch) -> None:
    robot = {"JD": {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}}
    monkeypatch.setenv("CAMPUS_UNIT_ROBOTS", json.dumps(robot))
    assert load_settings("reporting").unit_robots == robot
    for bad in ("[1]", "{not json", '{"JD": {"kind": "qq", "url": "https://x"}}'):
        monkeypatch.setenv("CAMPUS_UNIT_ROBOTS", bad)
        with pytest.raises(ConfigError, match="CAMPUS_UNIT_ROBOTS"):
            load_settings("reporting")
