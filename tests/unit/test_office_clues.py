"""The clue ledger (线索摸排与移交) over HTTP (SQLite, no broker): the security office's alone,
every access logged, verified → handled in house or handed over (receipt) → followed up →
closed, and a clue without a follow-up in the configured days on the office's to-do."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from services.hazards.api import hazards as hazards_api
from services.hazards.office.clues import api as clue_api
from services.hazards.office.clues import domain
from services.hazards.office.models import ClueAccessLog
from shared.api import state
from tests.security.campus import PNG
from tests.support.office import JD, LEAD, LEADER, PSYCH, SO, STAFF, ok, problem_fields, seed_grid

CLUE = {
    "kind": "bullying",
    "unit_code": "JD",
    "content": "机电2101班学生反映宿舍内长期被索要财物",
    "origin": "辅导员走访",
    "received_on": "2021-11-01",
}
TODAY = datetime(2021, 11, 20, 2, tzinfo=UTC)  # campus day 2021-11-20
OTHERS = {"leadership": LEADER, "unit_manager": JD, "grid_staff": STAFF, "lead": LEAD}


@pytest.fixture
def client(make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(clue_api, "now", lambda: TODAY)
    monkeypatch.setattr(hazards_api, "now", lambda: TODAY)  # the to-do's clock
    app = make_app("hazards", files_dir=str(tmp_path / "files"), clue_follow_up_days=7)
    return seed_grid(app).test_client()


def create(client, **changes) -> dict:
    return ok(client.post("/clues", json={**CLUE, **changes}, headers=SO), 201)


def logged(client, **where) -> int:
    with client.application.app_context(), state().session_factory() as session:
        stmt = select(func.count()).select_from(ClueAccessLog)
        for key, value in where.items():
            stmt = stmt.where(getattr(ClueAccessLog, key) == value)
        return session.scalar(stmt)


def test_a_clue_handed_over_is_followed_up_to_its_outcome(client):
    clue = create(client)
    path = f"/clues/{clue['id']}"
    early = client.post(
        f"{path}/handling", json={"handling": "in_house", "handled_on": "2021-11-02"}, headers=SO
    )
    assert problem_fields(early, 409) == ["status"]  # verify first
    verified = ok(
        client.post(
            f"{path}/verification",
            json={"verification": "confirmed", "verified_on": "2021-11-03", "note": "属实"},
            headers=SO,
        )
    )
    assert verified["status"] == "verified" and verified["verification_label"] == "属实"
    no_officer = {
        "handling": "handed_over",
        "handled_on": "2021-11-04",
        "receiving_agency": "police",
    }
    assert problem_fields(client.post(f"{path}/handling", json=no_officer, headers=SO)) == [
        "receiving_officer"
    ]
    other = {**no_officer, "receiving_agency": "other", "receiving_officer": "王警官"}
    assert problem_fields(client.post(f"{path}/handling", json=other, headers=SO)) == [
        "agency_name"
    ]
    handed = ok(
        client.post(
            f"{path}/handling", json={**no_officer, "receiving_officer": "王警官"}, headers=SO
        )
    )
    assert handed["status"] == "handed_over" and handed["agency_name"] == "派出所"
    receipt = ok(
        client.post(
            f"{path}/receipts",
            data={"file": (io.BytesIO(PNG), "回执.png")},
            headers=SO,
            content_type="multipart/form-data",
        ),
        201,
    )
    download = client.get(f"{path}/receipts/{receipt['id']}", headers=SO)
    assert download.status_code == 200 and download.data == PNG
    assert client.get(f"{path}/receipts/{receipt['id']}", headers=LEADER).status_code == 403
    followed = ok(
        client.post(
            f"{path}/follow-ups",
            json={"happened_on": "2021-11-10", "note": "派出所已立案"},
            headers=SO,
        ),
        201,
    )
    assert [f["note"] for f in followed["follow_ups"]] == ["派出所已立案"]
    assert followed["last_activity_on"] == "2021-11-10"
    closed = ok(
        client.post(
            f"{path}/close", json={"closed_on": "2021-11-18", "outcome": "已依法处理"}, headers=SO
        )
    )
    assert closed["status"] == "closed" and closed["receipts"][0]["filename"] == "回执.png"
    again = client.post(
        f"{path}/follow-ups", json={"happened_on": "2021-11-19", "note": "x"}, headers=SO
    )
    assert problem_fields(again, 409) == ["status"]
    actions = {"create", "verify", "handle", "receipt", "download", "follow_up", "close"}
    assert all(logged(client, clue_id=clue["id"], action=a) == 1 for a in actions)


def test_an_unfounded_clue_closes_after_verification_and_dates_are_checked(client):
    clue = create(client, kind="fraud", unit_code=None)
    path = f"/clues/{clue['id']}"
    future = {"verification": "unfounded", "verified_on": "2021-11-21"}
    assert problem_fields(client.post(f"{path}/verification", json=future, headers=SO)) == [
        "verified_on"
    ]
    before = {"verification": "unfounded", "verified_on": "2021-10-01"}
    assert problem_fields(client.post(f"{path}/verification", json=before, headers=SO)) == [
        "verified_on"
    ]
    ok(
        client.post(
            f"{path}/verification", json={**before, "verified_on": "2021-11-02"}, headers=SO
        )
    )
    ok(
        client.post(
            f"{path}/close", json={"closed_on": "2021-11-02", "outcome": "查无实据"}, headers=SO
        )
    )
    for body, field in (
        ({**CLUE, "kind": "gossip"}, "kind"),
        ({**CLUE, "received_on": "2021-11-21"}, "received_on"),
        ({k: v for k, v in CLUE.items() if k != "content"}, "content"),
        ({**CLUE, "unit_code": "J D"}, "unit_code"),
    ):
        assert problem_fields(client.post("/clues", json=body, headers=SO)) == [field], body


def test_only_the_security_office_touches_clues_and_every_read_is_logged(client):
    clue = create(client)
    path = f"/clues/{clue['id']}"
    for name, caller in {**OTHERS, "psych": PSYCH}.items():
        for method, url, body in (
            ("get", path, None),
            ("get", "/clues", None),
            ("post", "/clues", CLUE),
            ("patch", path, {"origin": "x"}),
            (
                "post",
                f"{path}/verification",
                {"verification": "confirmed", "verified_on": "2021-11-02"},
            ),
            ("post", f"{path}/follow-ups", {"happened_on": "2021-11-02", "note": "x"}),
            ("get", "/clues/access-log", None),
        ):
            response = getattr(client, method)(url, json=body, headers=caller)
            assert response.status_code == 403, (name, method, url)
            assert CLUE["content"] not in response.get_data(as_text=True)
    assert logged(client, action="read") == 0
    ok(client.get(path, headers=SO))
    ok(client.get("/clues", headers=SO))
    assert logged(client, clue_id=clue["id"], action="read") == 1
    assert logged(client, clue_id=clue["id"], action="list") == 1
    trail = ok(client.get("/clues/access-log", query_string={"clue_id": clue["id"]}, headers=SO))
    assert [e["action"] for e in trail] == ["list", "read", "create"]
    assert CLUE["content"] not in str(trail)
    counts = ok(client.get("/clues/summary", headers=LEADER))
    assert counts["total"] == 1 and counts["by_kind"]["bullying"] == 1
    assert client.get("/clues/summary", headers=JD).status_code == 403


def test_list_filters_and_a_clue_without_follow_up_on_the_offices_todo(client):
    quiet = create(client, received_on="2021-11-01")  # 19 days: past the 7 configured
    recent = create(client, kind="fraud", received_on="2021-11-18")
    handled = create(client, kind="abuse", unit_code="XX", received_on="2021-11-01")
    ok(
        client.post(
            f"/clues/{handled['id']}/follow-ups",
            json={"happened_on": "2021-11-19", "note": "约谈当事人"},
            headers=SO,
        ),
        201,
    )
    ids = lambda rows: {r["id"] for r in rows}  # noqa: E731
    assert ids(ok(client.get("/clues", query_string={"stale": "true"}, headers=SO))) == {
        quiet["id"]
    }
    assert ids(ok(client.get("/clues", query_string={"kind": "fraud"}, headers=SO))) == {
        recent["id"]
    }
    assert ids(ok(client.get("/clues", query_string={"unit_code": "XX"}, headers=SO))) == {
        handled["id"]
    }
    window = {"received_from": "2021-11-10", "received_to": "2021-11-30"}
    assert ids(ok(client.get("/clues", query_string=window, headers=SO))) == {recent["id"]}
    assert problem_fields(client.get("/clues", query_string={"status": "lost"}, headers=SO)) == [
        "status"
    ]
    todo = ok(client.get("/todo", headers=SO))
    items = [i for i in todo["items"] if i["kind"] == "follow_up_clue"]
    assert [i["target"]["clue_id"] for i in items] == [quiet["id"]]
    assert items[0]["due_on"] == "2021-11-08" and items[0]["overdue"] is True
    assert CLUE["content"] not in str(todo)
    assert not [
        i for i in ok(client.get("/todo", headers=LEADER))["items"] if i["kind"] == "follow_up_clue"
    ]
    assert domain.is_stale("recorded", date(2021, 11, 1), date(2021, 11, 8), 7)
    assert not domain.is_stale("closed", date(2021, 11, 1), date(2021, 11, 30), 7)


def test_a_clue_is_corrected_with_its_version(client):
    clue = create(client)
    path = f"/clues/{clue['id']}"
    stale = client.patch(path, json={"origin": "来信"}, headers={**SO, "If-Match": '"5"'})
    assert stale.status_code == 412
    changed = ok(
        client.patch(
            path, json={"origin": "来信", "kind": "abuse"}, headers={**SO, "If-Match": '"1"'}
        )
    )
    assert changed["version"] == 2 and changed["kind_label"] == "虐待"
    assert client.get("/clues/nope", headers=SO).status_code == 404
