"""A small grid for the security office's registers' tests (clues, joint inspections,
patrols): two units' places in the hazards service's projection, and who holds them."""

from __future__ import annotations

from datetime import date

from flask import Flask

from shared.api import state
from shared.grid_projection import GridAssignment, GridCell, GridUnit
from tests.support.fixtures import bearer

SO = bearer("security_office", sub="office")
LEADER = bearer("leadership", sub="leader")
JD = bearer("unit_manager", unit="JD", sub="manager-JD")
XX = bearer("unit_manager", unit="XX", sub="manager-XX")
STAFF = bearer("grid_staff", unit="JD", sub="staff-JD")  # holds building 1 (b1) and below
STAFF_XX = bearer("grid_staff", unit="XX", sub="staff-XX")
LEAD = bearer("lead_department", unit="BWC", sub="bwc")
PSYCH = bearer("psych_centre", unit="XLZX", sub="psych")

CELLS = {
    # id: (code, name, level, parent, unit)
    "root": ("LZXD", "兰州现代职业学院", 1, None, None),
    "jd": ("JD", "机电工程学院", 2, "root", "JD"),
    "xx": ("XX", "信息工程学院", 2, "root", "XX"),
    "b1": ("JD-B1", "1号教学楼", 3, "jd", "JD"),
    "f3": ("JD-B1-F3", "1号教学楼3层", 4, "b1", "JD"),
    "lab": ("JD-LAB", "化工实训室", 3, "jd", "JD"),
    "dorm": ("XX-D2", "2号宿舍楼", 3, "xx", "XX"),
}


def seed_grid(app: Flask) -> Flask:
    """The projection of two units, their places, and staff-JD holding building 1."""
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add_all(
            [
                GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1),
                GridUnit(code="XX", name="信息工程学院", kind="college", last_sequence=1),
            ]
        )
        for cell_id, (code, name, level, parent, unit) in CELLS.items():
            session.add(
                GridCell(
                    cell_id=cell_id,
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent,
                    unit_code=unit,
                    area_type="teaching",
                    location=None,
                    last_sequence=1,
                )
            )
        for sub, cell in (("staff-JD", "b1"), ("staff-XX", "dorm")):
            session.add(
                GridAssignment(
                    assignment_id=f"a-{sub}",
                    cell_id=cell,
                    person_id=sub,
                    person_name="王安全",
                    role="safety_officer",
                    effective_from=date(2021, 1, 1),
                    effective_to=None,
                    last_sequence=1,
                )
            )
    return app


def ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def problem_fields(response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json().get("invalid_params", [])]
