"""What a person reads when a check-in is refused is Chinese: the console flashes the
service's detail as it is sent (issue 14, house rule; found by the security review)."""

from __future__ import annotations

from tests.support.fixtures import bearer
from tests.unit.test_education_api import PEOPLE, SO, edu, live_activity, ok  # noqa: F401


def chinese(response) -> str:
    detail = response.get_json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    return detail


def test_refused_check_ins_say_why_in_chinese(edu):  # noqa: F811
    a = live_activity(edu, targets=[{"unit_code": "JD"}])
    ok(edu.post(f"/activities/{a['id']}/enrolments", json={"people": PEOPLE[:1]}, headers=SO))
    code = ok(edu.get(f"/activities/{a['id']}/sign-in", headers=SO))["code"]
    url = f"/activities/{a['id']}/check-in"

    stranger = bearer("grid_staff", unit="JD", sub="2021019999")
    not_enrolled = edu.post(url, json={"code": code}, headers=stranger)
    assert not_enrolled.status_code == 409
    assert "2021019999" in chinese(not_enrolled)

    wrong = edu.post(url, json={"code": "WRONG1"}, headers=stranger)
    assert wrong.status_code == 422
    chinese(wrong)

    student = bearer("grid_staff", unit="JD", sub=PEOPLE[0]["person_ref"])
    ok(edu.post(url, json={"code": code}, headers=student))
    twice = edu.post(url, json={"code": code}, headers=student)
    assert twice.status_code == 409
    assert PEOPLE[0]["person_ref"] in chinese(twice)
