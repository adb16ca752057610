"""The clue ledger is restricted (issue 16): no text of a clue appears in any outbox row, in
another service's database (nor any other table of its own), in an export, or in the log;
reads are logged. The four services run in-process on SQLite; the events they record are
handed to their subscribers (``Campus.pump``) as the workers would."""

from __future__ import annotations

import io
import logging

import openpyxl
from sqlalchemy import inspect, select, text

from services.hazards.office.models import ClueAccessLog
from services.registry import SERVICES
from shared.events.outbox import OutboxMessage
from tests.security.campus import PNG, SO, Campus

# Words that appear nowhere else on the campus: if any leaves the ledger, this test sees it.
TEXTS = {
    "content": "清源楼三层有人以招募兼职为名收取押金约六千元",
    "origin": "匿名来信甲乙丙",
    "verification_note": "经核查涉事人为校外人员丁戊",
    "handling_note": "移交时附聊天记录己庚",
    "receiving_officer": "辛壬警官",
    "follow_up": "癸子派出所已立案侦查",
    "outcome": "丑寅已被依法处理",
}
CLUE_TABLES = {"clues", "clue_follow_ups", "clue_receipts"}


def _walk_a_clue_through(campus: Campus) -> str:
    clue = campus.json(
        "hazards",
        "POST",
        "/clues",
        json={
            "kind": "fraud",
            "unit_code": "JD",
            "content": TEXTS["content"],
            "origin": TEXTS["origin"],
            "received_on": "2021-11-01",
        },
        expect=201,
    )["id"]
    path = f"/clues/{clue}"
    steps = (
        (
            "verification",
            {
                "verification": "confirmed",
                "verified_on": "2021-11-02",
                "note": TEXTS["verification_note"],
            },
        ),
        (
            "handling",
            {
                "handling": "handed_over",
                "handled_on": "2021-11-03",
                "receiving_agency": "police",
                "receiving_officer": TEXTS["receiving_officer"],
                "note": TEXTS["handling_note"],
            },
        ),
    )
    for step, body in steps:
        campus.json("hazards", "POST", f"{path}/{step}", json=body)
    campus.json(
        "hazards",
        "POST",
        f"{path}/receipts",
        data={"file": (io.BytesIO(PNG), "回执.png")},
        content_type="multipart/form-data",
        expect=201,
    )
    follow_up = {"happened_on": "2021-11-04", "note": TEXTS["follow_up"]}
    campus.json("hazards", "POST", f"{path}/follow-ups", json=follow_up, expect=201)
    campus.json("hazards", "PATCH", path, json={"kind": "illegal"})
    close = {"closed_on": "2021-11-05", "outcome": TEXTS["outcome"]}
    campus.json("hazards", "POST", f"{path}/close", json=close)
    campus.json("hazards", "GET", path)
    campus.json("hazards", "GET", "/clues")
    return clue


def _tables(campus: Campus, service: str) -> dict[str, str]:
    """Every table of a service's database as one text (all its rows)."""
    engine = campus.apps[service].extensions["campus"].engine
    out = {}
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = "\n".join(str(tuple(row)) for row in rows)
    return out


def test_no_text_of_a_clue_leaves_the_ledger_and_reads_are_logged(campus, caplog):
    caplog.set_level(logging.DEBUG)
    clue = _walk_a_clue_through(campus)
    campus.pump()  # whatever the services recorded reaches every subscriber
    for service in SERVICES:
        with campus.factory(service)() as session:
            bodies = "\n".join(str(b) for b in session.scalars(select(OutboxMessage.body)))
        for name, words in TEXTS.items():
            assert words not in bodies, (service, "outbox", name)
        for table, rows in _tables(campus, service).items():
            if service == "hazards" and table in CLUE_TABLES:
                continue
            for name, words in TEXTS.items():
                assert words not in rows, (service, table, name)
    exports = [
        ("hazards", "/hazards/export.xlsx?unit_code=JD"),
        ("hazards", "/hazards/export.xlsx"),
        ("reporting", "/flags/export.xlsx"),
    ]
    for service, url in exports:
        response = campus.call(service, "GET", url, SO)
        assert response.status_code == 200, (url, response.get_data()[:200])
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
        cells = "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
        assert not [n for n, words in TEXTS.items() if words in cells], url
    counts = campus.json("hazards", "GET", "/clues/summary")
    assert counts["by_kind"]["illegal"] >= 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [n for n, words in TEXTS.items() if words in logged]
    with campus.factory("hazards")() as session:
        actions = session.scalars(
            select(ClueAccessLog.action)
            .where(ClueAccessLog.clue_id == clue)
            .order_by(ClueAccessLog.id)
        ).all()
    assert actions == [
        "create",
        "verify",
        "handle",
        "receipt",
        "follow_up",
        "update",
        "close",
        "read",
        "list",
    ]
