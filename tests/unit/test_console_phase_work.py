"""The console's phase-work pages (the reporting service's answers faked): a unit keeps its
own phase work per task and phase and submits it; a lead department sees the progress
matrix and confirms or returns submitted work. Refusals come back beside the field with
the text as typed."""

from __future__ import annotations

import io
import re

from services.console.client import ServiceError
from tests.unit.test_console_app import FakeServices, client, csrf, fake, sign_in  # noqa: F401

CAMPAIGN = {
    "id": "c-1",
    "code": "2021",
    "name": "2021年校园安全专项整治",
    "starts_on": "2021-09-01",
    "ends_on": "2021-12-31",
    "phases": [
        {
            "id": "p-1",
            "code": "self",
            "name": "自查自纠",
            "deadline": "2021-10-15",
            "party": "units",
        },
        {
            "id": "p-2",
            "code": "fix",
            "name": "整改完善",
            "deadline": "2021-11-30",
            "party": "units",
        },
        {
            "id": "p-3",
            "code": "inspect",
            "name": "督导检查",
            "deadline": "2021-12-20",
            "party": "lead_departments",
        },
    ],
    "tasks": [
        {
            "id": "t-1",
            "number": "一",
            "title": "消防安全整治",
            "lead_units": ["BWC"],
            "responsible_units": ["JD", "XX"],
            "answering_units": ["JD", "XX"],  # the service's rule (reporting work.domain)
        },
        {
            "id": "t-2",
            "number": "二",
            "title": "食品安全整治",
            "lead_units": ["HQ"],
            "responsible_units": ["XX"],
            "answering_units": ["XX"],
        },
    ],
    "reporting_dues": [],
    "units": [
        {"unit_code": "JD", "name": "机电工程学院", "kind": "college"},
        {"unit_code": "XX", "name": "信息工程学院", "kind": "college"},
        {"unit_code": "BWC", "name": "安全保卫处", "kind": "office"},
    ],
    "categories": [],
}
RETURNED = {
    "id": "w-1",
    "campaign_id": "c-1",
    "task_id": "t-1",
    "phase_id": "p-1",
    "unit_code": "JD",
    "status": "returned",
    "status_label": "已退回",
    "submitted_at": "2021-10-16T02:00:00+00:00",
    "submitted_by": "p-1",
    "late": True,
    "note": None,
    "decided_at": "2021-10-18T02:00:00+00:00",
    "decided_by": "p-9",
    "decided_unit": "BWC",
    "return_reason": "自查台账缺少实验楼消防通道检查记录",
    "steps": [
        {
            "position": 1,
            "step": "submitted",
            "step_label": "已提交",
            "actor": "p-1",
            "actor_unit": "JD",
            "text": None,
            "at": "2021-10-16T02:00:00+00:00",
        },
        {
            "position": 2,
            "step": "returned",
            "step_label": "已退回",
            "actor": "p-9",
            "actor_unit": "BWC",
            "text": "自查台账缺少实验楼消防通道检查记录",
            "at": "2021-10-18T02:00:00+00:00",
        },
    ],
}
ENTRY = {
    "id": "e-1",
    "campaign_id": "c-1",
    "task_id": "t-1",
    "phase_id": "p-1",
    "kind": "organisation",
    "kind_label": "工作机构",
    "unit_code": "JD",
    "content": "成立学院消防安全整治工作小组，院长任组长",
    "url": None,
    "reference": "机电〔2021〕12号",
    "author_unit": "JD",
    "recorded_by": "p-1",
    "recorded_at": "2021-10-10T02:00:00+00:00",
    "files": [
        {
            "id": "f-1",
            "entry_id": "e-1",
            "filename": "工作小组名单.pdf",
            "content_type": "application/pdf",
            "size": 1200,
            "sha256": "0" * 64,
            "uploaded_by": "p-1",
            "uploaded_at": "2021-10-10T02:05:00+00:00",
        }
    ],
}
TASK = "/campaigns/c-1/tasks/t-1"
WORK = "/work/c-1/tasks/t-1/phases/p-1/units/JD"
LEAD = {"id": "p-9", "name": "王处长", "unit_code": "BWC", "roles": ["lead_department"]}


def cell(unit: str, name: str, status: str, label: str, **more) -> dict:
    return {
        "unit_code": unit,
        "unit_name": name,
        "status": status,
        "status_label": label,
        "submitted_at": None,
        "submitted_by": None,
        "decided_at": None,
        "decided_by": None,
        "return_reason": None,
        "late": None,
        "overdue": False,
        "supervised": None,
        "colleges": None,
        **more,
    }


PROGRESS = {
    "campaign_id": "c-1",
    "campaign_name": "2021年校园安全专项整治",
    "generated_at": "2021-10-20T02:00:00+00:00",
    "phases": CAMPAIGN["phases"],
    "tasks": [
        {
            "task_id": "t-1",
            "number": "一",
            "title": "消防安全整治",
            "lead_units": ["BWC"],
            "phases": [
                {
                    "phase_id": "p-1",
                    "phase_code": "self",
                    "party": "units",
                    "deadline": "2021-10-15",
                    "deadline_passed": True,
                    "by_status": {"submitted": 1, "not_submitted": 1},
                    "total": 2,
                    "units": [
                        cell(
                            "JD",
                            "机电工程学院",
                            "submitted",
                            "已提交",
                            submitted_at="2021-10-14T02:00:00+00:00",
                            late=False,
                        ),
                        cell("XX", "信息工程学院", "not_submitted", "未提交", overdue=True),
                    ],
                },
                {
                    "phase_id": "p-3",
                    "phase_code": "inspect",
                    "party": "lead_departments",
                    "deadline": "2021-12-20",
                    "deadline_passed": False,
                    "by_status": {"not_submitted": 1},
                    "total": 1,
                    "units": [
                        cell(
                            "BWC", "安全保卫处", "not_submitted", "未提交", supervised=1, colleges=2
                        )
                    ],
                },
            ],
        }
    ],
    "summary": {
        "cells": 3,
        "not_submitted": 2,
        "submitted": 1,
        "confirmed": 0,
        "returned": 0,
        "late": 0,
        "overdue": 1,
    },
}


def routes(services: FakeServices) -> None:
    services.routes[("reporting", "GET", "/campaigns")] = [CAMPAIGN]
    services.routes[("reporting", "GET", "/campaigns/c-1")] = CAMPAIGN
    services.routes[("reporting", "GET", f"{TASK}/completions")] = [RETURNED]
    services.routes[("reporting", "GET", f"{TASK}/ledger")] = [ENTRY]
    services.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]


def sign_in_as(client, fake, person: dict) -> None:  # noqa: F811
    fake.routes[("grid", "POST", "/auth/login")] = {
        "access_token": f"token-of-{person['id']}",
        "expires_in": 3600,
        "person": person,
    }
    client.post("/login", data={"login": "x", "password": "secret-1", "csrf_token": csrf(client)})


def posted(services: FakeServices, path: str) -> dict:
    """What the console last posted to ``path`` (the JSON body, or the files)."""
    call = next(c for c in reversed(services.calls) if c[1:3] == ("POST", path))
    return call[3]


def test_the_unit_sees_the_tasks_it_answers_for_and_each_phase_s_status(client, fake):  # noqa: F811
    sign_in(client, fake)  # 李主任, unit_manager of JD
    routes(fake)
    response = client.get("/work")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Task 一 (JD answers for it), not task 二 (its ledger was never asked for either).
    assert "任务一：消防安全整治" in page and "食品安全整治" not in page
    assert not any(c[2].startswith("/campaigns/c-1/tasks/t-2") for c in fake.calls)
    # 自查自纠: returned, late, with the reason; 整改完善: not submitted; 督导检查: the leads'.
    assert re.search(r'id="status-t-1-p-1">已退回<', page) and "逾期提交" in page
    assert "退回原因：自查台账缺少实验楼消防通道检查记录" in page
    assert re.search(r'id="status-t-1-p-2">未提交<', page)
    assert "本阶段为牵头部门的督导检查" in page
    assert "成立学院消防安全整治工作小组" in page and "工作小组名单.pdf" in page
    assert f'href="{WORK}"' in page
    assert 'href="/work" aria-current="page">阶段工作' in page  # in the navigation
    ledger = next(c for c in fake.calls if c[2] == f"{TASK}/ledger")
    assert ledger[3]["params"]["unit_code"] == "JD"


def test_adding_an_entry_posts_it_and_its_file(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake)
    page = client.get(WORK).get_data(as_text=True)
    assert 'id="w-kind"' in page and 'id="submit-work"' in page  # returned: open again
    assert '<option value="organisation">工作机构</option>' in page
    assert 'id="confirm-work"' not in page  # the unit does not confirm its own work
    token = csrf(client, WORK)
    fake.routes[("reporting", "POST", f"{TASK}/ledger")] = {**ENTRY, "id": "e-2", "files": []}
    fake.routes[("reporting", "POST", f"{TASK}/ledger/e-2/files")] = {"id": "f-2"}
    response = client.post(
        f"{WORK}/entries",
        data={
            "csrf_token": token,
            "kind": "check_ledger",
            "content": " 实验楼消防通道检查 12 处，问题 2 处 ",
            "reference": "",
            "url": "",
            "file": (io.BytesIO(b"%PDF-1.4 ledger"), "自查台账.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.location == WORK
    assert posted(fake, f"{TASK}/ledger")["json_body"] == {
        "kind": "check_ledger",
        "content": "实验楼消防通道检查 12 处，问题 2 处",
        "phase_id": "p-1",
        "unit_code": "JD",
    }
    assert posted(fake, f"{TASK}/ledger/e-2/files")["files"] == [
        ("file", "自查台账.pdf", "application/pdf", b"%PDF-1.4 ledger")
    ]


def test_a_refused_entry_comes_back_beside_the_field_with_the_text_kept(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake)
    token = csrf(client, WORK)
    typed = "整改方案：更换过期灭火器 40 具"
    # The work was submitted meanwhile: the service refuses (409), the page says why.
    fake.routes[("reporting", "POST", f"{TASK}/ledger")] = ServiceError(
        409,
        {"detail": "JD's work on task 一 in 自查自纠 is submitted (已提交)"},
        "reporting",
    )
    refused = client.post(
        f"{WORK}/entries", data={"csrf_token": token, "kind": "rectify_plan", "content": typed}
    )
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert typed in body and '<option value="rectify_plan" selected>' in body
    beside = re.search(r'<p class="error" id="ew-content">([^<]+)</p>', body)
    assert beside and "当前状态不允许此操作" in beside.group(1) and "已提交" in beside.group(1)
    assert 'aria-describedby="ew-content"' in body
    # A 422 naming a field: its reason beside that field.
    fake.routes[("reporting", "POST", f"{TASK}/ledger")] = ServiceError(
        422,
        {"invalid_params": [{"name": "url", "reason": "Not a valid URL."}]},
        "reporting",
    )
    refused = client.post(
        f"{WORK}/entries",
        data={"csrf_token": token, "kind": "work_plan", "content": typed, "url": "ftp://x"},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and typed in body and 'value="ftp://x"' in body
    assert re.search(r'id="ew-url">Not a valid URL\.<', body)


def test_a_refused_submission_is_said_beside_the_button(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake)
    token = csrf(client, WORK)
    path = "/campaigns/c-1/tasks/t-1/phases/p-1/work/JD/submit"
    fake.routes[("reporting", "POST", path)] = ServiceError(
        422,
        {
            "invalid_params": [
                {"name": "phase_id", "reason": "JD has no ledger entry on task 一 yet"}
            ]
        },
        "reporting",
    )
    refused = client.post(f"{WORK}/submit", data={"csrf_token": token, "note": "请审核"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(r'id="ew-submit" role="alert">未被受理：JD has no ledger entry', body)
    assert "请审核" in body
    fake.routes[("reporting", "POST", path)] = {**RETURNED, "status": "submitted"}
    sent = client.post(f"{WORK}/submit", data={"csrf_token": token, "note": ""})
    assert sent.status_code == 302 and sent.location == WORK
    assert posted(fake, path)["json_body"] == {"note": None}


def test_a_lead_sees_the_matrix_and_confirms_or_returns(client, fake):  # noqa: F811
    sign_in_as(client, fake, LEAD)
    routes(fake)
    fake.routes[("reporting", "GET", "/campaigns/c-1/progress")] = PROGRESS
    response = client.get("/work/progress")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "任务一：消防安全整治" in page and "信息工程学院" in page
    assert "逾期未完成" in page and "已督查 1/2 所学院" in page
    assert 'href="/work" aria-current="page"' in page
    assert 'id="confirm-t-1-p-1-JD"' in page and 'id="r-t-1-p-1-JD"' in page
    assert 'id="confirm-t-1-p-1-XX"' not in page  # not submitted: nothing to decide
    assert f'href="{WORK}"' in page
    token = csrf(client, "/work/progress")
    base = "/campaigns/c-1/tasks/t-1/phases/p-1/work/JD"
    fake.routes[("reporting", "POST", f"{base}/confirm")] = {**RETURNED, "status": "confirmed"}
    fake.routes[("reporting", "POST", f"{base}/return")] = RETURNED
    done = client.post(f"{WORK}/confirm", data={"csrf_token": token, "back": "progress"})
    assert done.status_code == 302 and done.location == "/work/progress?campaign=c-1"
    assert posted(fake, f"{base}/confirm")["json_body"] == {"note": None}
    reason = "自查台账缺少实验楼消防通道检查记录"
    done = client.post(
        f"{WORK}/return", data={"csrf_token": token, "back": "progress", "reason": reason}
    )
    assert done.status_code == 302
    assert posted(fake, f"{base}/return")["json_body"] == {"reason": reason}
    assert posted(fake, f"{base}/return")["token"] == "token-of-p-9"


def test_returning_without_a_reason_shows_the_service_s_422_beside_the_reason(client, fake):  # noqa: F811
    sign_in_as(client, fake, LEAD)
    routes(fake)
    fake.routes[("reporting", "GET", "/campaigns/c-1/progress")] = PROGRESS
    fake.routes[("reporting", "GET", f"{TASK}/completions")] = [
        {**RETURNED, "status": "submitted", "status_label": "已提交", "return_reason": None}
    ]
    page = client.get(WORK).get_data(as_text=True)
    assert 'id="r-reason"' in page and 'id="w-kind"' not in page  # a lead reviews, not keeps
    token = csrf(client, WORK)
    fake.routes[("reporting", "POST", "/campaigns/c-1/tasks/t-1/phases/p-1/work/JD/return")] = (
        ServiceError(
            422,
            {"invalid_params": [{"name": "reason", "reason": "不能为空"}]},
            "reporting",
        )
    )
    # From the unit's work page: beside the reason there.
    refused = client.post(f"{WORK}/return", data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(r'id="er-reason">不能为空<', body) and 'aria-describedby="er-reason"' in body
    assert posted(fake, "/campaigns/c-1/tasks/t-1/phases/p-1/work/JD/return")["json_body"] == {
        "reason": ""
    }
    # From the matrix: beside that unit's reason field, the other fields untouched.
    refused = client.post(
        f"{WORK}/return", data={"csrf_token": token, "reason": "", "back": "progress"}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(r'id="er-t-1-p-1-JD">不能为空<', body)
    assert "任务一：消防安全整治" in body  # the matrix itself comes back


def test_the_matrix_is_the_service_s_to_refuse(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake)
    fake.routes[("reporting", "GET", "/campaigns/c-1/progress")] = ServiceError(
        403,
        {"detail": "the progress matrix is for the security office and lead departments"},
        "reporting",
    )
    assert client.get("/work/progress").status_code == 403
    assert "查看工作进度" not in client.get("/work").get_data(as_text=True)
