"""The background ledger export on PostgreSQL (issue 14 item 1): the rows are read through a
server-side cursor in batches while progress is committed beside them, and the file holds
every hazard once, in ledger order, with its lead departments in their order."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from services.hazards.export_jobs import commands
from services.hazards.models import Hazard, HazardLead
from shared.config import load_settings
from shared.db import make_session_factory, unit_of_work
from shared.principal import SECURITY_OFFICE, Principal

pytestmark = pytest.mark.integration

FOUND = datetime(2021, 11, 10, 1, 0, tzinfo=UTC)
ROWS = 2_500  # more than two batches of the cursor, and two progress reports
OFFICE = Principal(sub="office", name="保卫处", roles=frozenset({SECURITY_OFFICE}), unit=None)


def hazard(i: int) -> Hazard:
    leads = ["XGC", "BWC"] if i % 3 == 0 else ["BWC"]  # every third co-led, 学工处 first
    return Hazard(
        number=f"YH-2021-{i:05d}",
        unit_code="JD",
        category="fire",
        lead_department=leads[0],
        severity="general",
        status="discovered",
        description=f"第{i}号隐患",
        found_by="u-1",
        # Found in the reverse order of their numbers: the file follows the finding time.
        found_at=FOUND + timedelta(minutes=ROWS - i),
        leads=[HazardLead(unit_code=code, position=n) for n, code in enumerate(leads)],
    )


def test_a_large_export_streams_every_hazard_once_with_its_leads(databases, tmp_path):
    url = databases.urls["hazards"]
    factory = make_session_factory(databases.engine("hazards"))
    settings = load_settings("hazards", {"database_url": url, "files_dir": str(tmp_path)})
    with unit_of_work(factory) as session:
        session.add_all(hazard(i) for i in range(1, ROWS + 1))
    with unit_of_work(factory) as session:
        job_id = commands.request_export(
            session, OFFICE, {}, settings.campus_timezone, FOUND + timedelta(days=30)
        ).id
    assert commands.run_next(factory, settings) == job_id

    path = commands.file_path(settings.files_dir, job_id)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["隐患台账"]
    rows = [(row[0], row[1], row[13]) for row in sheet.iter_rows(min_row=4, values_only=True)]
    expected = [
        (n, f"YH-2021-{i:05d}", "学生工作处、安全保卫处" if i % 3 == 0 else "安全保卫处")
        for n, i in enumerate(range(ROWS, 0, -1), start=1)
    ]
    assert rows == expected
    done = databases.rows("hazards", "SELECT status, rows_done, rows_total FROM export_jobs")
    assert done == [("done", ROWS, ROWS)]
