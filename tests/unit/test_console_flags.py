"""The console's flag pages (the reporting service's answers faked): the unit's
explanation with the reason beside the field and the text kept, the steps the service
offers as forms, the history and the assessment's breakdown."""

from __future__ import annotations

from services.console.client import ServiceError
from tests.unit.test_console_app import FakeServices, client, csrf, fake, sign_in  # noqa: F401

FLAG = {
    "id": "f-1",
    "rule": "overdue_hazard",
    "rule_label": "隐患逾期未整改",
    "unit_code": "JD",
    "status": "resolved_late",
    "status_label": "逾期后已整改",
    "days_late": 6,
    "resolved_at": "2021-11-26T02:00:00+00:00",
    "raised_at": "2021-11-20T17:00:00+00:00",
    "person_name": "老院长",
    "person_basis": "unit_head",
    "person_basis_label": "未指明位置或位置无人，由单位当日的负责人承担",
    "evidence": {"hazard_id": "h-1", "number": "YH-2021-00001", "deadline": "2021-11-20"},
    "final": False,
    "final_at": None,
    "superseded_by": None,
    "appealed_at": None,
    "my_actions": ["explain"],
    "history": [
        {
            "step": "raised",
            "step_label": "登记问责记录",
            "status": "open",
            "actor": "system",
            "actor_name": "系统",
            "actor_unit": None,
            "text": "隐患逾期未整改；责任人：老院长",
            "at": "2021-11-20T17:00:00+00:00",
        }
    ],
    "files": [],
}


def routes(services: FakeServices, flag: dict) -> None:
    services.routes[("reporting", "GET", "/flags/f-1")] = flag
    services.routes[("reporting", "GET", "/campaigns")] = []
    services.routes[("grid", "GET", "/units")] = [{"code": "JD", "name": "机电工程学院"}]


def test_the_unit_explains_and_a_refusal_comes_back_beside_the_field(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake, FLAG)
    page = client.get("/reporting/flags/f-1").get_data(as_text=True)
    assert "6 天" in page and "由单位当日的负责人承担" in page and "登记问责记录" in page
    assert 'id="t-explain"' in page and 'id="d-reason"' not in page  # only what it may do
    token = csrf(client, "/reporting/flags/f-1")
    fake.routes[("reporting", "POST", "/flags/f-1/explanation")] = ServiceError(
        422,
        {"detail": "情况说明须在问责记录登记后 10 天内提交，已超过期限"},
        "reporting",
    )
    typed = "设备采购周期长，已采取临时管控"
    refused = client.post(
        "/reporting/flags/f-1/explanation", data={"csrf_token": token, "text": typed}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert typed in body and "已超过期限" in body and 'aria-invalid="true"' in body

    fake.routes[("reporting", "POST", "/flags/f-1/explanation")] = FLAG
    sent = client.post(
        "/reporting/flags/f-1/explanation", data={"csrf_token": token, "text": typed}
    )
    assert sent.status_code == 302 and sent.location.endswith("/reporting/flags/f-1")
    _, method, path, call = fake.calls[-1]
    assert (method, path, call["json_body"]) == ("POST", "/flags/f-1/explanation", {"text": typed})


def test_the_office_decides_on_the_flag_page(client, fake):  # noqa: F811
    sign_in(client, fake)
    routes(fake, {**FLAG, "my_actions": ["decide"]})
    page = client.get("/reporting/flags/f-1").get_data(as_text=True)
    assert 'id="d-reason"' in page and 'id="t-explain"' not in page
    token = csrf(client, "/reporting/flags/f-1")
    fake.routes[("reporting", "POST", "/flags/f-1/decision")] = ServiceError(
        422,
        {"detail": "reason", "invalid_params": [{"name": "reason", "reason": "不能为空"}]},
        "reporting",
    )
    refused = client.post(
        "/reporting/flags/f-1/decision",
        data={"csrf_token": token, "status": "withdrawn", "reason": ""},
    )
    assert refused.status_code == 422 and "不能为空" in refused.get_data(as_text=True)
    assert 'value="withdrawn" selected' in refused.get_data(as_text=True)  # kept
