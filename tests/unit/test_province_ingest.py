"""The province installation (issue 19): what it accepts from a college and what it
refuses (dead-lettered by its consumer, changing no figure), and what its API shows."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from services.province import create_app
from services.province.domain import Refused, due_statuses
from services.province.ingest import ingest
from services.province.queries import register_colleges
from shared.api import state
from shared.db import unit_of_work
from shared.events.envelope import Envelope
from shared.events.province import serialize_data
from shared.migrations import upgrade
from tests.support.fixtures import bearer

PROVINCE = bearer("province_office", sub="province")
COLLEGES = {"lzxd": "兰州现代职业学院", "gsjt": "甘肃交通职业技术学院"}


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    upgrade("province", url)
    app = create_app({"database_url": url, "amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    with app.app_context(), unit_of_work(state().session_factory) as session:
        register_colleges(session, COLLEGES)
    return app


def figures(
    campus: str, sequence: int, found: int, closed: int, end: date = date(2021, 11, 30), **over
) -> bytes:
    data = {
        "campus_id": campus,
        "campaign": "LZXD-2021",
        "period_start": date(2021, 11, 1),
        "period_end": end,
        "as_of": datetime(2021, 12, 1, tzinfo=UTC),
        "figures": {"cumulative_found": found, "cumulative_closed": closed, "found": found},
    }
    return message("province.figures", f"figures:{campus}", sequence, data, **over)


def message(kind: str, subject: str, sequence: int, data: dict, version: int = 1, **over) -> bytes:
    envelope = Envelope(
        type=kind,
        version=1,
        source=data["campus_id"],
        subject=subject,
        sequence=sequence,
        data=serialize_data(kind, 1, data),
    ).to_dict()
    return json.dumps({**envelope, "version": version, **over}, ensure_ascii=False).encode()


def table(campus: str, due_on: date, late: bool) -> bytes:
    data = {
        "campus_id": campus,
        "campaign": "LZXD-2021",
        "due_on": due_on,
        "period_start": date(2021, 11, 1),
        "period_end": due_on,
        "submitted_at": datetime(2021, 12, 1, tzinfo=UTC),
        "late": late,
        "rows": [{"key": "fire", "figures": {"found": 3, "closed_in_period": 1}}],
        "totals": {"found": 3, "closed_in_period": 1},
    }
    return message("province.table_submitted", f"table:{due_on}", 1, data)


def apply(app, user: str | None, body: bytes) -> bool:
    with app.app_context(), unit_of_work(state().session_factory) as session:
        return ingest(session, user, body)


def totals(app) -> dict:
    response = app.test_client().get("/province/totals", headers=PROVINCE)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_figures_add_up_per_college_and_in_total_and_a_duplicate_counts_once(app):
    first = figures("lzxd", 1, found=10, closed=4)
    assert apply(app, "lzxd", first) is True
    assert apply(app, "lzxd", first) is False  # the same message again: inbox
    assert apply(app, "gsjt", figures("gsjt", 1, found=6, closed=6))
    body = totals(app)
    assert body["totals"]["cumulative_found"] == 16
    assert body["totals"]["cumulative_closed"] == 10
    assert body["totals"]["cumulative_rate"] == 0.625
    assert [c["name"] for c in body["by_college"]] == ["甘肃交通职业技术学院", "兰州现代职业学院"]


def test_a_late_table_for_an_earlier_period_does_not_turn_the_totals_back(app):
    apply(app, "lzxd", figures("lzxd", 1, found=12, closed=9, end=date(2021, 12, 6)))
    apply(app, "lzxd", figures("lzxd", 7, found=10, closed=4, end=date(2021, 11, 22)))
    assert totals(app)["totals"]["cumulative_closed"] == 9
    college = app.test_client().get("/province/colleges/lzxd", headers=PROVINCE).get_json()
    assert [f["period_end"] for f in college["figures"]] == ["2021-12-06", "2021-11-22"]


def test_an_older_message_arriving_late_changes_nothing(app):
    apply(app, "lzxd", figures("lzxd", 2, found=12, closed=9))
    assert apply(app, "lzxd", figures("lzxd", 1, found=10, closed=4)) is False
    assert totals(app)["totals"]["cumulative_closed"] == 9


@pytest.mark.parametrize(
    ("user", "body", "why"),
    [
        ("lzxd", figures("gsjt", 1, 99, 0), "published for campus"),  # an impostor
        (None, figures("lzxd", 1, 99, 0), "without a validated user_id"),
        ("other", figures("other", 1, 99, 0), "not a college"),
        ("lzxd", figures("lzxd", 1, 99, 0, version=2), "no province schema"),
        ("lzxd", figures("lzxd", 1, 99, 0, type="hazard.closed"), "no province schema"),
        ("lzxd", b"{not json", "not a province message"),
    ],
)
def test_impostors_unknown_versions_and_malformed_bodies_are_refused(app, user, body, why):
    with pytest.raises(Refused, match=why):
        apply(app, user, body)
    assert totals(app)["totals"] == {}


def test_a_personal_field_is_refused_by_the_strict_schema(app):
    raw = json.loads(figures("lzxd", 1, 1, 0))
    raw["data"]["responsible_person_name"] = "张伟"
    with pytest.raises(Refused):
        apply(app, "lzxd", json.dumps(raw).encode())


def test_due_dates_show_late_and_missing_colleges_and_the_xlsx_says_so_in_chinese(app):
    apply(app, "lzxd", table("lzxd", date(2021, 11, 30), late=True))
    client = app.test_client()
    [due] = client.get("/province/dues", headers=PROVINCE).get_json()
    assert [c["name"] for c in due["late"]] == ["兰州现代职业学院"]
    assert [c["name"] for c in due["missing"]] == ["甘肃交通职业技术学院"]
    college = client.get("/province/colleges/lzxd", headers=PROVINCE).get_json()
    assert college["tables"][0]["totals"]["found"] == 3
    response = client.get("/province/export.xlsx", headers=PROVINCE)
    sheets = load_workbook(io.BytesIO(response.data))
    cells = [c for row in sheets["报送情况"].iter_rows(values_only=True) for c in row if c]
    assert "逾期报送" in cells and "未报送" in cells and "甘肃交通职业技术学院" in cells
    assert "累计整改率" in [
        c for row in sheets["各校汇总"].iter_rows(values_only=True) for c in row
    ]


def test_only_the_province_office_sees_the_province(app):
    client = app.test_client()
    campus = bearer("security_office", sub="office")
    response = client.get("/province/totals", headers=campus)
    assert response.status_code == 403
    assert "省教育厅" in response.get_json()["detail"]
    assert client.get("/province/totals").status_code == 401
    assert client.get("/province/colleges/nope", headers=PROVINCE).status_code == 404


def test_a_due_date_not_yet_passed_waits_rather_than_missing():
    [status] = due_statuses(
        ["a", "b"], [date(2021, 12, 5)], {("a", date(2021, 12, 5)): False}, date(2021, 12, 5)
    )
    assert (status.on_time, status.missing, status.waiting) == (("a",), (), ("b",))


def test_incident_counts_add_up_over_the_colleges(app):
    for n, campus in enumerate(COLLEGES, start=1):
        data = {
            "campus_id": campus,
            "as_of": datetime(2021, 12, 1, tzinfo=UTC),
            "total": n,
            "major": 0,
            "deaths": 0,
            "injuries": n,
        }
        assert apply(app, campus, message("province.incidents", "incidents", 1, data))
    assert totals(app)["incidents"] == {"total": 3, "major": 0, "deaths": 0, "injuries": 3}
    college = app.test_client().get("/province/colleges/lzxd", headers=PROVINCE).get_json()
    assert college["incidents"]["total"] == 1


def hazard(
    campus: str, number: str, deadline: date, closed_on: date | None, sequence: int
) -> bytes:
    data = {
        "campus_id": campus,
        "number": number,
        "category": "fire",
        "place": "3号楼",
        "responsible_unit": "机电工程学院",
        "found_on": date(2021, 11, 10),
        "deadline": deadline,
        "closed_on": closed_on,
        "stage": "closed" if closed_on else "in_remediation",
    }
    return message("province.major_hazard", f"hazard:{number}", sequence, data)


def test_the_province_flags_late_and_missing_tables_and_overdue_major_hazards(app):
    apply(app, "lzxd", table("lzxd", date(2021, 11, 30), late=True))
    apply(app, "lzxd", hazard("lzxd", "YH-1", date(2021, 11, 20), None, 1))
    apply(app, "gsjt", hazard("gsjt", "YH-2", date(2021, 11, 20), date(2021, 11, 19), 1))
    flags = app.test_client().get("/province/flags", headers=PROVINCE).get_json()
    assert {(f["name"], f["label"], f["due_on"]) for f in flags} == {
        ("兰州现代职业学院", "逾期报送统计表", "2021-11-30"),
        ("兰州现代职业学院", "重大隐患逾期未整改", "2021-11-20"),
        ("甘肃交通职业技术学院", "未报送统计表", "2021-11-30"),
    }
    # The hazard closed at last, after its deadline: still late, the flag stays.
    apply(app, "lzxd", hazard("lzxd", "YH-1", date(2021, 11, 20), date(2021, 12, 2), 2))
    flags = app.test_client().get("/province/flags", headers=PROVINCE).get_json()
    assert [f["number"] for f in flags if f["rule"] == "overdue_major_hazard"] == ["YH-1"]
