"""Rule 11 — the unit's side: explanation, decision, one appeal, a final decision."""

from __future__ import annotations

import io
import uuid

import pytest

from tests.scenarios.accountability.reporting_world import World, at
from tests.support.fixtures import bearer
from tests.support.reporting import hazard_event

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="jd-manager")
XX = bearer("unit_manager", unit="XX", sub="xx-manager")
JD_STAFF = bearer("grid_staff", unit="JD", sub="jd-staff")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2


@pytest.fixture
def world(make_app, monkeypatch, tmp_path):
    return World(make_app("reporting", files_dir=str(tmp_path / "files")), monkeypatch)


def raise_overdue(world) -> str:
    world.feed(
        hazard_event(
            "hazard.overdue",
            5,
            str(uuid.uuid4()),
            occurred_at=at("2021-11-21", 1),
            status="in_remediation",
            overdue=True,
            deadline="2021-11-20",
        )
    )
    return world.flags()[-1].id


def post(world, url, headers, json=None, when=None):
    if when:
        world.clock.moment = at(when)
    return world.client.post(url, json=json, headers=headers)


def upload(world, flag_id, headers, when):
    world.clock.moment = at(when)
    return world.client.post(
        f"/flags/{flag_id}/files",
        data={"file": (io.BytesIO(PNG), "整改照片.png")},
        content_type="multipart/form-data",
        headers=headers,
    )


def problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.get_json()


def test_explain_decide_appeal_once_then_final(world):
    """督导问责: the unit named on a flag submits a 情况说明 with files; the security office
    decides with a reason; the unit may appeal once; the decision on appeal is final and
    every later change is refused. Each step is the flag's history, with who and when."""
    flag = raise_overdue(world)
    base = f"/flags/{flag}"
    text = {"text": "因设备采购周期延误，已采取临时管控措施"}
    world.clock.moment = at("2021-11-22")
    offered = {
        who: world.client.get(base, headers=headers).get_json()["my_actions"]
        for who, headers in (("jd", JD), ("office", SO), ("staff", JD_STAFF))
    }
    assert offered == {"jd": ["explain"], "office": ["decide"], "staff": []}
    problem(post(world, f"{base}/explanation", XX, text, "2021-11-22"), 403)  # another unit
    problem(post(world, f"{base}/explanation", JD_STAFF, text), 403)  # not its manager
    problem(post(world, f"{base}/explanation", SO, text), 403)  # the office decides
    assert post(world, f"{base}/explanation", JD, text).status_code == 201
    assert problem(post(world, f"{base}/explanation", JD, text), 409)["detail"]  # twice
    assert upload(world, flag, JD, "2021-11-22").status_code == 201
    assert upload(world, flag, XX, "2021-11-22").status_code == 403

    problem(post(world, f"{base}/appeal", JD, text), 409)  # nothing decided yet
    confirmed = {"status": "confirmed", "reason": "临时措施未落实到位"}
    assert post(world, f"{base}/decision", SO, confirmed, "2021-11-25").status_code == 200
    problem(post(world, f"{base}/decision", SO, confirmed), 409)  # decided once
    problem(post(world, f"{base}/explanation", JD, text), 409)  # now it is an appeal

    appeal = {"text": "附采购合同，延误非本单位原因"}
    problem(post(world, f"{base}/appeal", XX, appeal, "2021-11-28"), 403)
    assert post(world, f"{base}/appeal", JD, appeal).status_code == 201
    assert upload(world, flag, JD, "2021-11-28").status_code == 201
    problem(post(world, f"{base}/appeal", JD, appeal), 409)  # once
    explained = {"status": "explained", "reason": "经核实，延误系供货方原因"}
    final = post(world, f"{base}/decision", SO, explained, "2021-11-30").get_json()
    assert (final["status"], final["final"]) == ("explained", True)

    for url, body, who in (
        (f"{base}/decision", confirmed, SO),
        (f"{base}/appeal", appeal, JD),
        (f"{base}/explanation", text, JD),
    ):
        problem(post(world, url, who, body), 409)
    problem(upload(world, flag, JD, "2021-11-30"), 409)

    history = world.client.get(base, headers=JD).get_json()
    assert history["my_actions"] == []  # final: nothing left to do
    steps = [(h["step"], h["actor"], h["at"][:10]) for h in history["history"]]
    assert steps == [
        ("raised", "system", "2021-11-20"),  # 01:00 campus time is 17:00 UTC the day before
        ("explanation", "jd-manager", "2021-11-22"),
        ("decision", "office", "2021-11-25"),
        ("appeal", "jd-manager", "2021-11-28"),
        ("appeal_decision", "office", "2021-11-30"),
    ]
    assert [(f["step"], f["filename"]) for f in history["files"]] == [
        ("explanation", "整改照片.png"),
        ("appeal", "整改照片.png"),
    ]
    assert world.client.get(base, headers=XX).status_code == 403


def test_the_review_window_closes_explanations_and_appeals_and_makes_decisions_final(world):
    """After the review window (CAMPUS_FLAG_REVIEW_DAYS, 10 days here) a late explanation
    or appeal is a 422 saying so, and an unappealed decision is final: nothing changes."""
    flag = raise_overdue(world)  # raised 2021-11-21 01:00 campus time
    base = f"/flags/{flag}"
    late = problem(
        post(world, f"{base}/explanation", JD, {"text": "迟到的说明"}, "2021-12-02"), 422
    )
    assert "10 天" in late["detail"]
    confirmed = {"status": "confirmed", "reason": "逾期未整改"}
    assert post(world, f"{base}/decision", SO, confirmed, "2021-12-02").status_code == 200
    problem(post(world, f"{base}/appeal", JD, {"text": "申诉"}, "2021-12-13"), 422)
    problem(post(world, f"{base}/decision", SO, {**confirmed, "status": "withdrawn"}), 409)
    shown = world.client.get(base, headers=SO).get_json()
    assert (shown["status"], shown["final"]) == ("confirmed", True)
    assert [h["step"] for h in shown["history"]] == ["raised", "decision"]


def test_files_only_while_the_unit_may_still_explain_or_appeal(world):
    """Material comes with the explanation (within the window) or with a pending appeal:
    a file months later, on an undecided flag, is a 422 and stores nothing."""
    flag = raise_overdue(world)
    assert upload(world, flag, JD, "2021-11-25").status_code == 201
    late = problem(upload(world, flag, JD, "2021-12-20"), 422)
    assert "已超过期限" in late["detail"]
    assert len(world.client.get(f"/flags/{flag}", headers=SO).get_json()["files"]) == 1
