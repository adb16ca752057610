"""The hazard ledger's closed loop over HTTP (SQLite, no broker)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.hazards import domain
from services.hazards.models import Attachment, Hazard, HazardTransition
from services.hazards.sweeps import run_sweep
from shared.api import state
from shared.events.outbox import OutboxMessage
from shared.grid_projection import GridAssignment, GridCell
from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers

SO = bearer("security_office", sub="office")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
JD2 = bearer("unit_manager", unit="JD", sub="deputy-JD")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
LEAD = bearer("lead_department", unit="BWC", sub="bwc")  # BWC leads fire hazards
SO2 = bearer("security_office", sub="office-2")
NEW = {"unit_code": "JD", "category": "fire", "description": "3号楼消防通道堆放杂物"}
PLAN = {"responsible_person": "张伟", "measures": "清理杂物", "contingency_plan": "专人值守"}


@pytest.fixture
def app(make_app, tmp_path):
    return make_app("hazards", files_dir=str(tmp_path / "files"), upload_max_bytes=64 * 1024)


@pytest.fixture
def client(app):
    return app.test_client()


def db(app):
    with app.app_context():
        return state().session_factory()


def events(app) -> list[dict]:
    with db(app) as session:
        return [
            json.loads(b)
            for b in session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id))
        ]


def new_hazard(client, **extra) -> dict:
    response = client.post("/hazards", json={**NEW, **extra}, headers=JD)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def step(client, hazard_id: str, path: str, body=None, who=JD, **kw):
    return client.post(f"/hazards/{hazard_id}/{path}", json=body or {}, headers=who, **kw)


def to_stage(client, hazard_id: str, last_path: str) -> None:
    for path, body, role, sub in STEPS_TO_CLOSE:
        assert step(client, hazard_id, path, body, headers(role, sub, "JD")).status_code == 200
        if path == last_path:
            return


# -- the state machine, driven at random ----------------------------------------------------
# The rules restated from the plan, independently of services.hazards.domain: the test's
# own model of the loop, of who may take each step, and of who may add files.
ACTORS = {
    "manager": JD,
    "deputy": JD2,
    "staff": STAFF,
    "staff2": bearer("grid_staff", unit="JD", sub="staff2-JD"),
    "office": SO,
    "lead": bearer("lead_department", unit="BWC", sub="bwc"),  # BWC leads fire hazards
    "leadership": bearer("leadership", sub="leader"),
    "other_unit": XX,
}
SUBJECT = {
    "manager": "manager-JD",
    "deputy": "deputy-JD",
    "staff": "staff-JD",
    "staff2": "staff2-JD",
    "office": "office",
    "lead": "bwc",
    "leadership": "leader",
    "other_unit": "manager-XX",
}
BODIES = {
    "register": {"deadline": "2030-01-01"},
    "report": {},
    "start-remediation": PLAN,
    "rectify": {"evidence": "已整改"},
    "accept": {},
    "reject": {"reason": "未整改到位"},
    "close": {},
    "archive": {},
}
# stage -> {step: the stage it leads to}
LOOP = {
    "discovered": {"register": "registered"},
    "registered": {"report": "reported"},
    "reported": {"start-remediation": "in_remediation"},
    "in_remediation": {"rectify": "rectified"},
    "rectified": {"accept": "accepted", "reject": "in_remediation"},
    "accepted": {"close": "closed"},
    "closed": {"archive": "archived"},
    "archived": {},
}
UNIT = {"manager", "deputy", "office"}
MAY = {  # who may take each step on a JD fire hazard
    "register": UNIT,
    "report": UNIT,
    "start-remediation": UNIT,
    "rectify": UNIT | {"staff", "staff2"},
    # 验收 is judged outside the unit: the office, or the category's lead department.
    "accept": {"office", "lead"},
    "reject": {"office", "lead"},
    "close": {"office"},
    "archive": {"office"},
    "attach": UNIT | {"staff", "staff2"},
}
EVENT = {
    "register": "hazard.registered",
    "report": "hazard.reported",
    "start-remediation": "hazard.remediation_started",
    "rectify": "hazard.rectified",
    "accept": "hazard.accepted",
    "reject": "hazard.rejected",
    "close": "hazard.closed",
    "archive": "hazard.archived",
}
STEPS = (*BODIES, "attach")


def expected_answer(status: str, path: str, who: str, rectifiers: set[str]) -> int:
    """What the ledger must answer ``who`` taking ``path`` on a JD fire hazard at ``status``."""
    if who == "other_unit":
        return 403  # does not even see the hazard
    if status == "archived":
        return 409  # 备案存档: nothing changes, whoever asks
    if who not in MAY[path]:
        return 403
    if path == "attach":
        return 201
    if path not in LOOP[status]:
        return 409
    if path in ("accept", "reject") and SUBJECT[who] in rectifiers:
        return 409  # nobody who ever rectified judges the work
    return 200


def written(app, hazard_id: str) -> tuple[int, int, int, str | None]:
    """(events, transitions, attachments) of the hazard, and the type of its last event."""
    with db(app) as session:
        types = session.scalars(
            select(OutboxMessage.event_type)
            .where(OutboxMessage.subject == hazard_id)
            .order_by(OutboxMessage.id)
        ).all()
        transitions = session.scalar(
            select(func.count()).where(HazardTransition.hazard_id == hazard_id)
        )
        files = session.scalar(select(func.count()).where(Attachment.hazard_id == hazard_id))
    return len(types), transitions, files, types[-1] if types else None


def legal_moves(status: str, rectifiers: set[str]) -> list[tuple[str, str]]:
    """The loop's next steps, each by an actor allowed to take it."""
    return [
        (path, who)
        for path in LOOP[status]
        for who in ACTORS
        if expected_answer(status, path, who, rectifiers) == 200
    ]


def near_misses(status: str, rectifiers: set[str]) -> list[tuple[str, str]]:
    """Steps by actors whose role allows them that the ledger must still refuse (409):
    a verdict by someone who rectified in any round, else a step the stage forbids."""
    misses = [
        (path, who)
        for path in BODIES
        for who in sorted(MAY[path])
        if expected_answer(status, path, who, rectifiers) == 409
    ]
    verdicts = [(path, who) for path, who in misses if path in ("accept", "reject")]
    return verdicts if status == "rectified" and verdicts else misses


def test_random_sequences_follow_the_loop(client, app):
    """Random walks, biased towards the loop's next legal step by an allowed actor: every
    such step succeeds (one event, one history row, version + 1); every other step is a 409
    — or a 403 exactly when the actor may not take it — and changes nothing; nobody who
    ever rectified accepts; an archived hazard never changes. The examples are derandomized
    so that the final check, that the walks really go round the loop (accepted, closed,
    archived, and acceptance after a rejection), is over a fixed set of examples."""
    seen: list[dict] = []

    # No shrinking: a walk is up to 30 HTTP steps, and the failure message (the drawn
    # steps, and ``where``) already tells the stage, step and actor that went wrong.
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
    )
    @given(st.data())
    def walk(data):
        hid = new_hazard(client)["id"]
        status, version, rectifiers = "discovered", 1, set()
        story = {"stages": {status}, "answers": set(), "rejected_then_accepted": False}
        after, now = client.get(f"/hazards/{hid}", headers=SO).get_json(), written(app, hid)
        for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="length")):
            # 3 in 5: a legal next step by an allowed actor; 1 in 5: a near miss (a step
            # the actor's role allows but the loop or the acceptor rule refuses); else any
            # step by anyone.
            mode = data.draw(st.sampled_from(("legal",) * 3 + ("near miss", "any")), label="mode")
            moves = {
                "legal": legal_moves(status, rectifiers),
                "near miss": near_misses(status, rectifiers),
                "any": [],
            }[mode]
            if moves:
                path, who = data.draw(st.sampled_from(moves), label=mode)
            else:
                path = data.draw(st.sampled_from(STEPS), label="step")
                who = data.draw(st.sampled_from(sorted(ACTORS)), label="actor")
            answer = expected_answer(status, path, who, rectifiers)
            before, counts = after, now
            if path == "attach":
                response = attach(client, hid, JPEG, "现场.jpg", who=ACTORS[who])
            else:
                response = step(client, hid, path, BODIES[path], ACTORS[who])
            after, now = client.get(f"/hazards/{hid}", headers=SO).get_json(), written(app, hid)
            where = (status, path, who, response.get_json())
            assert response.status_code == answer, where
            story["answers"].add((answer, path))
            if path in ("accept", "reject") and status == "rectified" and answer == 409:
                story["rectifier_refused"] = True
            if answer == 200:
                status, version = LOOP[status][path], version + 1
                assert (after["status"], after["version"]) == (status, version), where
                assert now == (counts[0] + 1, counts[1] + 1, counts[2], EVENT[path]), where
                if path == "rectify":
                    rectifiers.add(SUBJECT[who])
                if path == "accept":
                    assert SUBJECT[who] not in rectifiers
                    story["rejected_then_accepted"] |= after["reopen_count"] > 0
                story["stages"].add(status)
            elif answer == 201:
                assert after == before, where  # a file is no step of the loop
                assert now == (*counts[:2], counts[2] + 1, counts[3]), where
            else:
                assert response.content_type == "application/problem+json", where
                assert (after, now) == (before, counts), where  # nothing written at all
        history = client.get(f"/hazards/{hid}/history", headers=SO).get_json()
        assert [h["to_status"] for h in history][-1] == status
        for earlier, later in zip(history, history[1:], strict=False):
            assert later["from_status"] == earlier["to_status"]
        rectified_so_far: set[str] = set()
        for entry in history:  # each verdict by someone who had not rectified before it
            if entry["action"] == "rectify":
                rectified_so_far.add(entry["actor"])
            elif entry["action"] in ("accept", "reject"):
                assert entry["actor"] not in rectified_so_far, history
        seen.append(story)

    walk()
    reached = {
        stage: sum(stage in story["stages"] for story in seen)
        for stage in ("accepted", "closed", "archived")
    }
    answers = set().union(*(story["answers"] for story in seen))
    assert len(seen) == 60 and min(reached.values()) >= len(seen) // 4, reached
    assert any(story["rejected_then_accepted"] for story in seen)
    assert any(story.get("rectifier_refused") for story in seen)
    for answer, path in ((200, "reject"), (201, "attach"), (403, "close"), (403, "attach")):
        assert (answer, path) in answers
    assert {path for answer, path in answers if answer == 409} == set(STEPS)


def test_the_full_loop_and_its_history(client, app):
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "close")
    assert step(client, hazard["id"], "archive", who=SO).status_code == 200
    archived = client.get(f"/hazards/{hazard['id']}", headers=SO).get_json()
    archived_writes = written(app, hazard["id"])
    history = client.get(f"/hazards/{hazard['id']}/history", headers=JD).get_json()
    assert [h["to_status"] for h in history] == [
        "discovered",
        "registered",
        "reported",
        "in_remediation",
        "rectified",
        "accepted",
        "closed",
        "archived",
    ]
    assert all(h["actor"] and h["at"] for h in history)
    for path in BODIES:
        refused = step(client, hazard["id"], path, BODIES[path], SO)
        assert refused.status_code == 409
    upload = client.post(
        f"/hazards/{hazard['id']}/attachments",
        data={"file": (io.BytesIO(JPEG), "a.jpg")},
        content_type="multipart/form-data",
        headers=SO,
    )
    assert upload.status_code == 409
    assert client.get(f"/hazards/{hazard['id']}", headers=SO).get_json() == archived
    assert written(app, hazard["id"]) == archived_writes


@pytest.mark.parametrize("missing", ["responsible_person", "measures", "contingency_plan"])
def test_remediation_without_one_of_the_four_is_422_naming_it(client, missing):
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "report")
    response = step(client, hazard["id"], "start-remediation", {**PLAN, missing: None})
    assert response.status_code == 422
    assert [p["name"] for p in response.get_json()["invalid_params"]] == [missing]
    assert client.get(f"/hazards/{hazard['id']}", headers=JD).get_json()["status"] == "reported"


def test_remediation_without_a_deadline_is_422(client):
    hazard = new_hazard(client)
    client.post("/hazards", json=NEW, headers=JD)
    response = step(client, hazard["id"], "register", {})
    assert [p["name"] for p in response.get_json()["invalid_params"]] == ["deadline"]


def test_slow_fixes_need_a_plan_with_interim_measures(client):
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "report")
    response = step(client, hazard["id"], "start-remediation", {**PLAN, "quick_fix": False})
    names = [p["name"] for p in response.get_json()["invalid_params"]]
    assert names == ["rectification_plan", "interim_measures"]


def test_the_rectifier_cannot_accept_and_rejection_reopens(client):
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "start-remediation")
    assert step(client, hazard["id"], "rectify", {"evidence": "已清理"}, SO).status_code == 200
    same = step(client, hazard["id"], "accept", {}, SO)
    assert same.status_code == 409 and "整改人不能验收" in same.get_json()["detail"]
    no_reason = step(client, hazard["id"], "reject", {}, LEAD)
    assert [p["name"] for p in no_reason.get_json()["invalid_params"]] == ["reason"]
    rejected = step(client, hazard["id"], "reject", {"reason": "仍有杂物"}, LEAD).get_json()
    assert (rejected["status"], rejected["reopen_count"]) == ("in_remediation", 1)
    assert step(client, hazard["id"], "rectify", {"evidence": "再次清理"}, STAFF).status_code == 200
    # The office rectified the first round: still not the one to judge the work, in any round.
    for path, body in (("accept", {}), ("reject", {"reason": "x"})):
        again = step(client, hazard["id"], path, body, SO)
        assert again.status_code == 409 and "整改人不能验收" in again.get_json()["detail"]
    assert step(client, hazard["id"], "accept", {}, SO2).status_code == 200


def test_the_unit_does_not_accept_its_own_work(client):
    """验收 is judged from outside the unit: neither of JD's managers accepts or rejects
    JD's hazard (403, nothing written); the lead department of its category does."""
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "rectify")
    for who in (JD, JD2):
        assert step(client, hazard["id"], "accept", {}, who).status_code == 403
        assert step(client, hazard["id"], "reject", {"reason": "x"}, who).status_code == 403
    shown = client.get(f"/hazards/{hazard['id']}", headers=JD2).get_json()
    assert shown["status"] == "rectified" and shown["my_actions"] == []
    assert step(client, hazard["id"], "accept", {}, LEAD).status_code == 200


def test_nobody_who_ever_rectified_may_accept(client, app):
    """A rectifies, the work is rejected, B rectifies: neither A nor B accepts, over the
    API or in ``my_actions``; someone who never rectified does."""
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "start-remediation")
    a, b, reviewer = SO, STAFF, LEAD
    assert step(client, hazard["id"], "rectify", {"evidence": "第一次"}, a).status_code == 200
    assert step(client, hazard["id"], "reject", {"reason": "不合格"}, reviewer).status_code == 200
    assert step(client, hazard["id"], "rectify", {"evidence": "第二次"}, b).status_code == 200
    for who in (a, b):
        shown = client.get(f"/hazards/{hazard['id']}", headers=who).get_json()
        assert not {"accept", "reject"} & set(shown["my_actions"])
    before = len(events(app))
    refused = step(client, hazard["id"], "accept", {}, a)  # the first round's rectifier
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["title"] == domain.SameActor.title
    assert step(client, hazard["id"], "reject", {"reason": "x"}, a).status_code == 409
    assert len(events(app)) == before
    shown = client.get(f"/hazards/{hazard['id']}", headers=reviewer).get_json()
    assert shown["my_actions"] == ["accept", "reject"]
    assert step(client, hazard["id"], "accept", {}, reviewer).status_code == 200


def test_stale_if_match_is_412(client):
    hazard = new_hazard(client)
    etag = client.get(f"/hazards/{hazard['id']}", headers=JD).headers["ETag"]
    assert etag == '"1"'
    ok = client.post(
        f"/hazards/{hazard['id']}/register",
        json=BODIES["register"],
        headers={**JD, "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.post(
        f"/hazards/{hazard['id']}/report", json={}, headers={**JD, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == 2


def test_idempotency_key_makes_retries_harmless(client, app):
    key = {"Idempotency-Key": "portal-req-7"}
    first = client.post("/hazards", json=NEW, headers={**JD, **key})
    retry = client.post("/hazards", json=NEW, headers={**JD, **key})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.get_json()["id"] == retry.get_json()["id"]
    other = client.post("/hazards", json={**NEW, "description": "别的"}, headers={**JD, **key})
    assert other.status_code == 422
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Hazard)) == 1


def test_extension_requests(client, app):
    hazard = new_hazard(client)
    to_stage(client, hazard["id"], "start-remediation")
    asked = client.post(
        f"/hazards/{hazard['id']}/extensions",
        json={"new_deadline": "2030-12-31", "reason": "材料未到货"},
        headers=JD,
    )
    assert asked.status_code == 201
    request_id = asked.get_json()["id"]
    # Neither the requester nor a colleague of the hazard's own unit decides it.
    for who in (JD, JD2):
        own = client.post(
            f"/hazards/extensions/{request_id}/decision", json={"approve": True}, headers=who
        )
        assert own.status_code == 403, own.get_json()
    approved = client.post(
        f"/hazards/extensions/{request_id}/decision",
        json={"approve": True, "comment": "同意"},
        headers=SO,
    )
    assert approved.get_json()["status"] == "approved"
    assert client.get(f"/hazards/{hazard['id']}", headers=JD).get_json()["deadline"] == "2030-12-31"
    assert events(app)[-1]["type"] == "hazard.deadline_extended"
    twice = client.post(
        f"/hazards/extensions/{request_id}/decision", json={"approve": False}, headers=SO
    )
    assert twice.status_code == 409
    earlier = client.post(
        f"/hazards/{hazard['id']}/extensions",
        json={"new_deadline": "2029-01-01", "reason": "x"},
        headers=JD,
    )
    assert earlier.status_code == 409


def test_sweep_publishes_once_per_overdue_hazard(client, app):
    late = new_hazard(client)
    step(client, late["id"], "register", {"deadline": "2021-11-22"})
    on_time = new_hazard(client)
    step(client, on_time["id"], "register", {"deadline": "2021-11-30"})
    # Found long ago but never registered: no plan is due yet (issue 12 rule 5).
    new_hazard(client, severity="major", found_at="2021-10-01T09:00:00+08:00")
    with app.app_context():
        factory, cfg = state().session_factory, state().settings
    clock = datetime(2021, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 on 11-23 in Shanghai
    nothing = {"overdue": 0, "acceptance_overdue": 0, "major_unresolved": 0}
    assert run_sweep(factory, cfg, clock) == {**nothing, "overdue": 1}
    assert run_sweep(factory, cfg, clock) == nothing
    overdue = [e for e in events(app) if e["type"] == "hazard.overdue"]
    assert [e["subject"] for e in overdue] == [late["id"]]
    assert overdue[0]["data"]["overdue"] is True
    # A new deadline passed is a new cause: announced once more. (The deadline has
    # passed: only the security office asks, another of its people decides.)
    request = client.post(
        f"/hazards/{late['id']}/extensions",
        json={"new_deadline": "2021-11-25", "reason": "延期"},
        headers=SO,
    ).get_json()
    decided = client.post(
        f"/hazards/extensions/{request['id']}/decision", json={"approve": True}, headers=SO2
    )
    assert decided.status_code == 200, decided.get_json()
    assert run_sweep(factory, cfg, clock + timedelta(days=3))["overdue"] == 1
    overdue = [e["subject"] for e in events(app) if e["type"] == "hazard.overdue"]
    assert overdue == [late["id"], late["id"]]
    listed = client.get("/hazards?overdue=true", headers=SO).get_json()
    assert {h["id"] for h in listed} >= {late["id"]}


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def attach(client, hazard_id, content, name, mimetype=None, who=JD):
    file = (io.BytesIO(content), name, mimetype) if mimetype else (io.BytesIO(content), name)
    return client.post(
        f"/hazards/{hazard_id}/attachments",
        data={"file": file},
        content_type="multipart/form-data",
        headers=who,
    )


def test_uploads_are_checked_stored_by_hash_and_scoped(client, app, tmp_path):
    hazard = new_hazard(client)
    stored = attach(client, hazard["id"], JPEG, "../../etc/现场.jpg", "image/jpeg")
    assert stored.status_code == 201, stored.get_json()
    body = stored.get_json()
    assert body["filename"] == "现场.jpg" and body["media_type"] == "image/jpeg"
    assert (tmp_path / "files" / body["sha256"][:2] / body["sha256"]).read_bytes() == JPEG
    download = client.get(f"/hazards/{hazard['id']}/attachments/{body['id']}", headers=JD)
    assert download.data == JPEG and download.mimetype == "image/jpeg"
    assert (
        client.get(f"/hazards/{hazard['id']}/attachments/{body['id']}", headers=XX).status_code
        == 403
    )

    too_big = attach(client, hazard["id"], JPEG + b"\x00" * 70 * 1024, "big.jpg")
    assert too_big.status_code == 413 and too_big.content_type == "application/problem+json"
    for content, name, mimetype in (
        (PNG, "photo.jpg", None),  # PNG bytes named .jpg
        (JPEG, "photo.jpg", "application/pdf"),  # declared as something else
        (b"MZ\x90\x00" + b"\x00" * 100, "tool.exe", None),  # not an allowed type
        (b"<svg onload=alert(1)>", "x.svg", "image/svg+xml"),
    ):
        refused = attach(client, hazard["id"], content, name, mimetype)
        assert refused.status_code == 415, (name, refused.get_json())
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
    assert len(list((tmp_path / "files").rglob("*"))) == 2  # one dir, one file


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param(SO, 201, id="security_office"),
        pytest.param(JD, 201, id="unit_manager"),
        pytest.param(STAFF, 201, id="grid_staff"),  # the photos of the fix
        pytest.param(bearer("leadership", sub="leader"), 403, id="leadership"),  # reads only
        # BWC leads fire hazards: sees them and judges the work, adds no files
        pytest.param(bearer("lead_department", unit="BWC", sub="bwc"), 403, id="lead_dept"),
        pytest.param(bearer("portal", sub="portal"), 403, id="portal"),  # reports, never acts
        pytest.param(XX, 403, id="other_unit"),
    ],
)
def test_only_those_who_act_on_a_hazard_add_files(client, app, who, expected):
    hazard = new_hazard(client)
    assert client.get(f"/hazards/{hazard['id']}", headers=who).status_code == (
        403 if who is XX else 200
    )
    response = attach(client, hazard["id"], JPEG, "现场.jpg", who=who)
    assert response.status_code == expected, response.get_json()
    with db(app) as session:
        stored = session.scalar(select(func.count()).select_from(Attachment))
    assert stored == (1 if expected == 201 else 0)
    if expected == 403:
        assert response.content_type == "application/problem+json"


def test_filters_and_hostile_search_text(client):
    new_hazard(client, description="实验室气瓶未固定", category="lab_chemicals", severity="major")
    new_hazard(client, description="100%完成? 不", found_at="2021-11-10T10:00:00+08:00")
    new_hazard(client)

    def ids(query):
        response = client.get(f"/hazards?{query}", headers=SO)
        assert response.status_code == 200, response.get_json()
        return [h["description"] for h in response.get_json()]

    assert ids("category=lab_chemicals") == ["实验室气瓶未固定"]
    assert ids("severity=major") == ["实验室气瓶未固定"]
    assert ids("q=100%25") == ["100%完成? 不"]
    assert ids("q=%25") == ["100%完成? 不"]  # % is a literal, not a wildcard
    assert ids("q=_") == []
    assert ids("q=' OR 1=1 --") == []
    assert ids("found_from=2021-11-10&found_to=2021-11-10") == ["100%完成? 不"]
    bad = client.get("/hazards?found_from=yesterday", headers=SO)
    assert bad.status_code == 422 and bad.get_json()["invalid_params"][0]["name"] == "found_from"


def test_lead_departments_see_their_categories_across_units(client):
    fire_xx = client.post("/hazards", json={**NEW, "unit_code": "XX"}, headers=XX).get_json()
    lab_xx = client.post(
        "/hazards", json={**NEW, "unit_code": "XX", "category": "lab_chemicals"}, headers=XX
    ).get_json()
    jwc = bearer("lead_department", unit="JWC", sub="jwc")  # 教务处 leads lab chemicals
    seen = {h["id"] for h in client.get("/hazards", headers=jwc).get_json()}
    assert seen == {lab_xx["id"]}
    assert client.get(f"/hazards/{fire_xx['id']}", headers=jwc).status_code == 403
    assert client.get(f"/hazards/{lab_xx['id']}", headers=jwc).status_code == 200


def test_grid_staff_report_in_their_cells_with_the_responsible_person(client, app):
    with db(app) as session:
        session.add_all(
            [
                GridCell(
                    cell_id="u",
                    code="JD",
                    name="机电",
                    level=2,
                    parent_id=None,
                    unit_code="JD",
                    area_type="unit",
                    location=None,
                    last_sequence=1,
                ),
                GridCell(
                    cell_id="b1",
                    code="B1",
                    name="1号楼",
                    level=3,
                    parent_id="u",
                    unit_code="JD",
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                ),
                GridCell(
                    cell_id="f3",
                    code="F3",
                    name="3层",
                    level=4,
                    parent_id="b1",
                    unit_code="JD",
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                ),
                GridCell(
                    cell_id="b2",
                    code="B2",
                    name="2号楼",
                    level=3,
                    parent_id="u",
                    unit_code="JD",
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                ),
                GridAssignment(
                    assignment_id="a1",
                    cell_id="b1",
                    person_id="staff-JD",
                    person_name="王强",
                    role="head",
                    effective_from=date(2021, 9, 1),
                    effective_to=None,
                    last_sequence=1,
                ),
            ]
        )
        session.commit()
    mine = client.post(
        "/hazards",
        json={"category": "fire", "description": "插线板老化", "cell_id": "f3"},
        headers=STAFF,
    )
    assert mine.status_code == 201, mine.get_json()
    body = mine.get_json()
    assert (body["unit_code"], body["responsible_person_name"]) == ("JD", "王强")  # via 1号楼
    other = client.post(
        "/hazards", json={"category": "fire", "description": "x", "cell_id": "b2"}, headers=STAFF
    )
    assert other.status_code == 403
    unknown = client.post(
        "/hazards", json={"category": "fire", "description": "x", "cell_id": "nope"}, headers=JD
    )
    assert (
        unknown.status_code == 422 and unknown.get_json()["invalid_params"][0]["name"] == "cell_id"
    )


def test_ledger_export_and_forms_over_http(client):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    first = new_hazard(client)
    to_stage(client, first["id"], "accept")
    second = new_hazard(client, description='=HYPERLINK("http://evil")', category="food")
    client.post("/hazards", json={**NEW, "unit_code": "XX"}, headers=XX)
    export = client.get("/hazards/export.xlsx", headers=JD)
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    header_row = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[1] == "隐患编号"
    )
    rows = [r for r in sheet.iter_rows(min_row=header_row + 1, values_only=True) if r[1]]
    assert [r[1] for r in rows] == [first["number"], second["number"]]  # JD's only, in order
    assert rows[0][6] == NEW["description"] and rows[0][8] == "已验收"
    assert rows[1][6] == second["description"]  # stays text
    by_status = client.get("/hazards/export.xlsx?status=accepted", headers=JD)
    assert (
        len(
            [
                r
                for r in load_workbook(io.BytesIO(by_status.data)).active.iter_rows(
                    values_only=True
                )
                if r[1] == first["number"]
            ]
        )
        == 1
    )

    for form, title in (("notice", "隐患整改通知单"), ("acceptance", "隐患复查验收单")):
        response = client.get(f"/hazards/{first['id']}/{form}.pdf", headers=JD)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        text = "".join(text.split())
        assert first["number"] in text and "3号楼消防通道堆放杂物" in text and title in text
    assert client.get(f"/hazards/{first['id']}/notice.pdf", headers=XX).status_code == 403
