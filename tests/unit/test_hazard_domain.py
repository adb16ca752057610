from datetime import UTC, date, datetime, timedelta

import pytest

from services.hazards import domain
from services.hazards.domain import Action, Status
from shared import vocabulary
from shared.errors import Forbidden

LOOP = [
    (Action.REGISTER, Status.REGISTERED),
    (Action.REPORT, Status.REPORTED),
    (Action.START_REMEDIATION, Status.IN_REMEDIATION),
    (Action.RECTIFY, Status.RECTIFIED),
    (Action.ACCEPT, Status.ACCEPTED),
    (Action.CLOSE, Status.CLOSED),
    (Action.ARCHIVE, Status.ARCHIVED),
]


def test_the_seven_stages_in_order():
    status = Status.DISCOVERED
    for action, expected in LOOP:
        status = domain.next_status(status, action)
        assert status == expected


def test_rejection_goes_back_to_remediation():
    assert domain.next_status(Status.RECTIFIED, Action.REJECT) == Status.IN_REMEDIATION


# The loop written out from the plan, not read from the domain's table: action -> (the
# stages it may start from, the stage it leads to). A wrong edit of domain.TRANSITIONS
# fails the tests below.
EXPECTED_LOOP = {
    "register": ({"discovered"}, "registered"),
    "report": ({"registered"}, "reported"),
    "start_remediation": ({"reported"}, "in_remediation"),
    "rectify": ({"in_remediation"}, "rectified"),
    "accept": ({"rectified"}, "accepted"),
    "reject": ({"rectified"}, "in_remediation"),
    "close": ({"accepted"}, "closed"),
    "archive": ({"closed"}, "archived"),
}
STAGES = (
    "discovered",
    "registered",
    "reported",
    "in_remediation",
    "rectified",
    "accepted",
    "closed",
    "archived",
)


def test_the_loop_has_exactly_the_expected_actions_and_stages():
    assert {a.value for a in Action} == set(EXPECTED_LOOP)
    assert [s.value for s in Status] == list(STAGES)


@pytest.mark.parametrize("status", [s for s in STAGES if s != "archived"])
@pytest.mark.parametrize("action", sorted(EXPECTED_LOOP))
def test_every_other_step_is_refused_with_409(status, action):
    sources, target = EXPECTED_LOOP[action]
    allowed = sorted(a for a, (src, _) in EXPECTED_LOOP.items() if status in src)
    assert domain.allowed_actions(Status(status)) == allowed
    if status in sources:
        assert domain.next_status(Status(status), Action(action)) == target
    else:
        with pytest.raises(domain.InvalidTransition) as err:
            domain.next_status(Status(status), Action(action))
        assert err.value.status == 409
        assert err.value.extra["current_status"] == status
        assert err.value.extra["allowed_actions"] == allowed


@pytest.mark.parametrize("action", list(Action))
def test_archived_refuses_everything(action):
    with pytest.raises(domain.HazardArchived) as err:
        domain.next_status(Status.ARCHIVED, action)
    assert err.value.status == 409


FULL_PLAN = {
    "responsible_person": "张伟",
    "measures": "更换",
    "deadline": date(2021, 12, 1),
    "contingency_plan": "预案",
}


@pytest.mark.parametrize("missing", domain.FOUR_IMPLEMENTATIONS)
def test_remediation_needs_each_of_the_four_implementations(missing):
    with pytest.raises(domain.MissingInformation) as err:
        domain.check_remediation_plan({**FULL_PLAN, missing: None})
    assert err.value.status == 422
    assert [p["name"] for p in err.value.extra["invalid_params"]] == [missing]


def test_a_long_term_fix_needs_a_plan_and_interim_measures():
    with pytest.raises(domain.MissingInformation) as err:
        domain.check_remediation_plan({**FULL_PLAN, "quick_fix": False})
    assert [p["name"] for p in err.value.extra["invalid_params"]] == list(domain.LONG_TERM_FIELDS)
    domain.check_remediation_plan(
        {**FULL_PLAN, "quick_fix": False, "rectification_plan": "分期", "interim_measures": "围挡"}
    )


def test_the_rectifier_cannot_accept():
    with pytest.raises(domain.SameActor):
        domain.check_acceptor("u1", ["u1"])
    domain.check_acceptor("u2", ["u1"])


def test_nobody_who_rectified_in_any_round_accepts():
    rounds = ["first", "second", "first"]  # rectified, rejected, rectified, ...
    for rectifier in ("first", "second"):
        with pytest.raises(domain.SameActor):
            domain.check_acceptor(rectifier, rounds)
    domain.check_acceptor("reviewer", rounds)
    domain.check_acceptor("reviewer", [])


@pytest.mark.parametrize(
    ("roles", "unit", "allowed"),
    [
        ({"security_office"}, None, True),
        ({"unit_manager"}, "JD", True),
        ({"grid_staff"}, "JD", True),
        ({"unit_manager"}, "XX", False),
        ({"grid_staff"}, None, False),
        ({"leadership"}, None, False),
        ({"lead_department"}, "BWC", False),
        ({"lead_department"}, "JD", False),
        ({"portal"}, None, False),
        ({"portal"}, "JD", False),
        ({"psych_centre"}, "JD", False),
        ({"lead_department", "unit_manager"}, "JD", True),
    ],
)
def test_who_may_add_files_to_a_hazard_of_jd(roles, unit, allowed):
    if allowed:
        domain.check_uploader(roles, unit, "JD")
    else:
        with pytest.raises(Forbidden):
            domain.check_uploader(roles, unit, "JD")


def test_deadline_is_a_campus_date_overdue_the_day_after():
    deadline = date(2021, 11, 22)
    assert not domain.is_overdue(Status.IN_REMEDIATION, deadline, date(2021, 11, 22))
    assert domain.is_overdue(Status.IN_REMEDIATION, deadline, date(2021, 11, 23))
    # Rectified and awaiting acceptance (待验收): the unit's part is done, not overdue.
    assert not domain.is_overdue(Status.RECTIFIED, deadline, date(2021, 11, 23))
    assert not domain.is_overdue(Status.ACCEPTED, deadline, date(2021, 11, 23))
    assert not domain.is_overdue(Status.CLOSED, deadline, date(2021, 11, 23))
    assert not domain.is_overdue(Status.IN_REMEDIATION, None, date(2030, 1, 1))


def test_a_major_hazard_is_judged_against_its_plan():
    registered, plan_days = date(2021, 11, 20), 7
    major, reported = domain.Severity.MAJOR, Status.REPORTED

    def judged(status=reported, since=registered, plan=None, today=date(2021, 11, 28)):
        return domain.major_unresolved(major, status, since, plan, today, plan_days)

    # No plan: flagged from the 8th day after registration, not before.
    assert judged(today=date(2021, 11, 27)) is None
    assert judged() == domain.MajorUnresolved.NO_PLAN
    assert judged(since=None) is None  # not registered as major yet
    # With a plan: judged by the plan's deadline, however long ago it was found.
    assert judged(plan=date(2022, 3, 31), today=date(2022, 3, 31)) is None
    assert judged(plan=date(2022, 3, 31), today=date(2022, 4, 1)) == "plan_overdue"
    # Rectified (the acceptor's turn), fixed, or not major: never.
    for status in (Status.RECTIFIED, Status.ACCEPTED, Status.CLOSED):
        assert judged(status=status) is None
    assert (
        domain.major_unresolved(
            domain.Severity.GENERAL, reported, registered, None, date(2022, 1, 1), 7
        )
        is None
    )


def test_acceptance_is_due_after_working_days():
    friday = date(2021, 11, 26)
    assert domain.add_working_days(friday, 3) == date(2021, 12, 1)  # Mon, Tue, Wed
    assert domain.add_working_days(date(2021, 11, 22), 3) == date(2021, 11, 25)
    assert domain.add_working_days(date(2021, 11, 27), 1) == date(2021, 11, 29)  # Sat → Mon
    assert domain.add_working_days(friday, 0) == friday


def test_the_acceptor_is_a_lead_department_outside_the_hazard_s_unit():
    assert domain.acceptor_unit(["BWC"], "JD", "BWC") == "BWC"
    assert domain.acceptor_unit(["JWC"], "JWC", "BWC") == "BWC"  # its own: the office
    assert domain.acceptor_unit(["BWC", "XGC"], "BWC", "BWC") == "XGC"  # the co-lead


@pytest.mark.parametrize(
    ("roles", "unit", "hazard_unit", "allowed"),
    [
        ({"security_office"}, None, "JD", True),
        ({"lead_department"}, "BWC", "JD", True),
        ({"lead_department"}, "JWC", "JWC", False),  # its own unit's hazard
        ({"lead_department"}, "XCB", "JD", False),  # does not lead the category
        ({"unit_manager"}, "JD", "JD", False),  # never the unit itself
    ],
)
def test_who_judges_a_unit_s_work(roles, unit, hazard_unit, allowed):
    leads = ["BWC", "JWC"]
    assert domain.may_judge(roles, unit, hazard_unit, leads) is allowed


def test_found_dates_in_the_future_beyond_clock_skew_are_refused():
    now = datetime(2021, 11, 20, 2, tzinfo=UTC)
    domain.check_found_at(now + timedelta(minutes=5), now)
    with pytest.raises(domain.FutureDate) as refused:
        domain.check_found_at(now + timedelta(minutes=5, seconds=1), now)
    assert refused.value.extra["invalid_params"][0]["name"] == "found_at"


def test_number_is_zero_padded_per_year():
    assert domain.format_number(2021, 42) == "YH-2021-00042"


def test_number_year_is_the_campus_calendar_year():
    # 2021-12-31 17:30 UTC is already 2022-01-01 01:30 in Shanghai.
    found = datetime(2021, 12, 31, 17, 30, tzinfo=UTC)
    assert domain.number_year(found, "Asia/Shanghai") == 2022
    assert domain.number_year(found, "UTC") == 2021


def test_every_category_has_a_known_default_lead_department():
    # The defaults apply only until a campaign names the leads (services.hazards.leads).
    defaults = vocabulary.DEFAULT_LEADS
    assert set(defaults) == set(domain.CATEGORIES)
    assert all(defaults.values())
    assert {lead for leads in defaults.values() for lead in leads} <= set(domain.LEAD_DEPARTMENTS)


def test_the_loop_s_steps_bring_a_deadline_forward_never_out():
    current = date(2021, 11, 30)
    domain.check_deadline_step(None, date(2021, 12, 31))  # the first one, at registration
    domain.check_deadline_step(current, current)
    domain.check_deadline_step(current, date(2021, 11, 25))
    domain.check_deadline_step(current, None)  # keeps the current one
    with pytest.raises(domain.DeadlinePushedOut) as refused:
        domain.check_deadline_step(current, date(2021, 12, 1))
    assert refused.value.status == 422
    [param] = refused.value.extra["invalid_params"]
    assert param["name"] == "deadline" and "延期申请" in param["reason"]


def test_an_extension_lengthens_the_deadline_one_request_at_a_time():
    domain.check_extension_lengthens(date(2021, 12, 1), date(2021, 11, 30), "new_deadline")
    domain.check_extension_lengthens(date(2021, 12, 1), None, None)
    for requested in (date(2021, 11, 30), date(2021, 11, 1)):
        with pytest.raises(domain.ExtensionConflict) as refused:
            domain.check_extension_lengthens(requested, date(2021, 11, 30), "new_deadline")
        assert refused.value.status == 409
        assert refused.value.extra["current_deadline"] == "2021-11-30"
        assert refused.value.extra["invalid_params"][0]["name"] == "new_deadline"
    with pytest.raises(domain.ExtensionConflict) as decided:
        domain.check_extension_lengthens(date(2021, 12, 15), date(2021, 12, 31), None)
    assert "invalid_params" not in decided.value.extra  # a decision has no such field
    domain.check_no_pending_extension(None, None)
    with pytest.raises(domain.ExtensionConflict) as pending:
        domain.check_no_pending_extension("r-1", date(2021, 12, 15))
    assert pending.value.extra["pending_request_id"] == "r-1"


def test_a_plan_counts_once_approved_and_never_by_its_author():
    plan, approved = date(2022, 3, 31), datetime(2021, 11, 29, 2, tzinfo=UTC)
    assert domain.approved_plan_deadline(plan, None) is None
    assert domain.approved_plan_deadline(plan, approved) == plan
    assert domain.plan_awaits_approval(Status.IN_REMEDIATION, plan, None)
    assert not domain.plan_awaits_approval(Status.IN_REMEDIATION, plan, approved)
    assert not domain.plan_awaits_approval(Status.IN_REMEDIATION, None, None)  # quick fix
    assert not domain.plan_awaits_approval(Status.RECTIFIED, plan, None)
    domain.check_plan_approval(Status.IN_REMEDIATION, plan, None, "office", "manager-JD")
    with pytest.raises(domain.SameActor):
        domain.check_plan_approval(Status.IN_REMEDIATION, plan, None, "office", "office")
    for already in ((plan, approved), (None, None)):
        with pytest.raises(domain.InvalidTransition):
            domain.check_plan_approval(Status.IN_REMEDIATION, *already, "office", "manager-JD")


def test_lateness_is_announced_once_per_cause():
    deadline, today = date(2021, 11, 30), date(2021, 12, 1)
    working = Status.IN_REMEDIATION
    assert domain.overdue_unannounced(working, deadline, None, today)
    assert not domain.overdue_unannounced(working, deadline, deadline, today)
    assert domain.overdue_unannounced(working, deadline, date(2021, 11, 20), today)  # new one
    assert not domain.overdue_unannounced(working, deadline, None, deadline)
    assert not domain.overdue_unannounced(Status.RECTIFIED, deadline, None, today)
    waiting = Status.RECTIFIED
    assert domain.acceptance_late_unannounced(waiting, deadline, 0, None, today)
    assert not domain.acceptance_late_unannounced(waiting, deadline, 0, 0, today)
    assert domain.acceptance_late_unannounced(waiting, deadline, 1, 0, today)  # next round
    assert not domain.acceptance_late_unannounced(Status.ACCEPTED, deadline, 0, None, today)
    no_plan, past = domain.MajorUnresolved.NO_PLAN, domain.MajorUnresolved.PLAN_OVERDUE
    assert domain.major_unannounced(no_plan, False, None, None) == no_plan
    assert domain.major_unannounced(no_plan, True, None, None) is None
    assert domain.major_unannounced(past, True, deadline, None) == past
    assert domain.major_unannounced(past, True, deadline, deadline) is None
    assert domain.major_unannounced(None, False, None, None) is None


# -- each step's effect, as the domain's table gives it ------------------------------------
class Facts:
    """A hazard as an effect reads it."""

    def __init__(self, deadline=None, severity="general", reopen_count=0, leads=("BWC",)):
        self.deadline, self.severity, self.reopen_count = deadline, severity, reopen_count
        self.unit_code, self.lead_departments = "JD", list(leads)


NOW = datetime(2021, 11, 19, 2, 0, tzinfo=UTC)  # Friday 10:00 on campus


def effect(action, facts, payload):
    return domain.EFFECTS[action].apply(facts, payload, NOW, domain.Policy())


def test_only_the_acceptance_review_judges_and_the_unit_s_last_steps_end_lateness():
    assert {a.value for a in domain.JUDGEMENTS} == {"accept", "reject"}
    assert {a.value for a in domain.ENDS_LATENESS} == {"rectify", "accept", "reject"}
    assert set(domain.EFFECTS) == set(Action)


def test_registration_sets_the_deadline_and_starts_a_major_hazard_s_plan_clock():
    step = effect(Action.REGISTER, Facts(), {"deadline": date(2021, 12, 1), "severity": "major"})
    assert step.changes == {
        "deadline": date(2021, 12, 1),
        "deadline_set_at": NOW,
        "registered_at": NOW,
        "major_since": NOW,
    }
    assert (step.severity, step.severity_reason) == (domain.Severity.MAJOR, "登记评估")
    kept = effect(Action.REGISTER, Facts(deadline=date(2021, 12, 1)), {"comment": "ok"})
    assert kept.changes == {"registered_at": NOW}
    assert (kept.comment, kept.severity_reason) == ("ok", "ok")
    with pytest.raises(domain.MissingInformation):
        effect(Action.REGISTER, Facts(), {})


def test_a_slow_fix_s_plan_awaits_approval():
    slow = {"quick_fix": False, "rectification_plan": "计划", "interim_measures": "管控"}
    plan = {**FULL_PLAN, **slow}
    step = effect(Action.START_REMEDIATION, Facts(deadline=date(2021, 12, 1)), plan)
    assert step.changes["plan_deadline"] == date(2021, 12, 1)
    assert step.changes["plan_approved_at"] is None
    assert "deadline" not in step.changes  # kept: not set again
    quick = effect(Action.START_REMEDIATION, Facts(deadline=date(2021, 12, 1)), FULL_PLAN)
    assert "plan_deadline" not in quick.changes


def test_rectify_accept_and_reject_write_the_acceptance_round():
    rectified = effect(Action.RECTIFY, Facts(leads=("JD", "JWC")), {"evidence": "已整改"})
    assert rectified.changes["acceptance_due"] == date(2021, 11, 24)  # 3 working days
    assert rectified.changes["acceptor_unit"] == "JWC"
    assert rectified.comment == "已整改"
    accepted = effect(Action.ACCEPT, Facts(), {})
    assert accepted.changes == {"acceptance_due": None, "acceptance_decided_at": NOW}
    rejected = effect(Action.REJECT, Facts(reopen_count=1), {"reason": "未整改到位"})
    assert rejected.changes["reopen_count"] == 2
    assert rejected.comment == "未整改到位"
    with pytest.raises(domain.MissingInformation):
        effect(Action.REJECT, Facts(), {})
    assert effect(Action.CLOSE, Facts(), {}).changes == {"closed_at": NOW}
    assert effect(Action.ARCHIVE, Facts(), {}).changes == {"archived_at": NOW}
