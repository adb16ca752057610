"""Printed forms with long but allowed text (issue 14, item 6): the longest description a
hazard may have, and a place with 200 people, flow onto further pages instead of a 500."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from services.hazards.schemas import TEXT
from tests.support.fixtures import bearer
from tests.support.workflow import STEPS_TO_CLOSE, headers

JD = bearer("unit_manager", unit="JD", sub="manager-JD")
SO = bearer("security_office")
END = "此处为描述结尾"
PEOPLE = 200


def _text(pdf: bytes) -> tuple[int, str]:
    """Page count and the text of every page, without whitespace (cells wrap)."""
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "".join("".join(p.extract_text() for p in reader.pages).split())


def _longest_description() -> str:
    # Lines of a real-looking report, then the end marker, at exactly the schema's maximum.
    line = "3号楼消防通道堆放杂物，灭火器压力不足，应急照明损坏。\n"
    body = (line * (TEXT.max // len(line) + 1))[: TEXT.max - len(END)]
    return body + END


def test_notice_and_acceptance_of_the_longest_description_flow_onto_more_pages(make_app, tmp_path):
    client = make_app("hazards", files_dir=str(tmp_path / "files")).test_client()
    description = _longest_description()
    assert len(description) == TEXT.max
    body = {"unit_code": "JD", "category": "fire", "description": description}
    created = client.post("/hazards", json=body, headers=JD)
    assert created.status_code == 201, created.get_json()
    hazard_id = created.get_json()["id"]
    for path, step_body, role, sub in STEPS_TO_CLOSE:  # a history and an acceptance too
        step = client.post(
            f"/hazards/{hazard_id}/{path}", json=step_body, headers=headers(role, sub, "JD")
        )
        assert step.status_code == 200, step.get_json()
        if path == "accept":
            break

    for form in ("notice", "acceptance"):
        response = client.get(f"/hazards/{hazard_id}/{form}.pdf", headers=JD)
        assert response.status_code == 200, form
        assert response.mimetype == "application/pdf"
        pages, text = _text(response.data)
        assert pages > 1, form
        assert END in text, form  # nothing cut off at the end of the description


@pytest.fixture
def grid(make_app):
    client = make_app("grid", report_base_url="https://campus.example/report").test_client()
    unit = {"code": "JD", "name": "机电工程学院", "kind": "college"}
    assert client.post("/units", json=unit, headers=SO).status_code == 201
    root = {"code": "LZXD", "name": "兰州现代职业学院", "area_type": "campus"}
    root_id = client.post("/cells", json=root, headers=SO).get_json()["id"]
    unit_cell = {
        "code": "JD",
        "name": "JD",
        "area_type": "unit",
        "parent_id": root_id,
        "unit_code": "JD",
    }
    unit_id = client.post("/cells", json=unit_cell, headers=SO).get_json()["id"]
    dorm = {"code": "JD-D1", "name": "1号学生公寓", "area_type": "dormitory", "parent_id": unit_id}
    response = client.post("/cells", json=dorm, headers=SO)
    assert response.status_code == 201, response.get_json()
    client.dorm_id = response.get_json()["id"]
    return client


def test_roster_of_a_place_with_200_people_flows_onto_more_pages(grid):
    names = [f"责任人{n:03d}" for n in range(PEOPLE)]
    for n, name in enumerate(names):
        person = grid.post(
            "/people", json={"name": name, "phone": f"139{n:08d}", "unit_code": "JD"}, headers=SO
        )
        assert person.status_code == 201, person.get_json()
        assignment = {
            "cell_id": grid.dorm_id,
            "person_id": person.get_json()["id"],
            "role": "responsible",
            "effective_from": "2021-09-01",
        }
        response = grid.post("/assignments", json=assignment, headers=SO)
        assert response.status_code == 201, response.get_json()

    response = grid.get("/rosters?unit_code=JD&format=pdf", headers=SO)
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    pages, text = _text(response.data)
    assert pages > 1
    missing = [name for name in names if name not in text]
    assert not missing, missing[:5]
