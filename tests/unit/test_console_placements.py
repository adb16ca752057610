"""The console's placement pages (实训实习): the list as phone cards with its due list, the
form, a refused start naming what is missing, the agreement upload, the .xlsx download."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl

from tests.unit.test_console_registers import (  # noqa: F401 (fixtures)
    campus,
    console,
    english,
    grid,
    hazards,
    post,
    rows,
    signed_in,
    text,
)

PDF = b"%PDF-1.4\n%%EOF\n"


def placement(title: str, starts: date, cell_id: str, **extra) -> dict:
    return {
        "title": title,
        "kind": "internship",
        "cell_id": cell_id,
        "host_name": "兰州机床厂",
        "leader_name": "李老师",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=30)).isoformat(),
        "student_count": "2",
        "students": "2021001 张三\n2021002 李四",
        **extra,
    }


def test_the_list_is_the_due_list_as_phone_cards(console, campus):  # noqa: F811
    manager = signed_in(console, "J001")
    today = date.today()
    for title, starts in (("远期实习", today + timedelta(days=200)), ("逾期实习", today)):
        made = post(manager, "/registers/placements/new", placement(title, starts, campus["JD"]))
        assert made.status_code == 302, text(made)
    page = text(manager.get("/registers/placements"))
    assert ">实训实习</a>" in page  # the menu entry
    listed = rows(page, "placements")
    assert "逾期实习" in listed[0] and "远期实习" in listed[1]
    assert "已到开始日期但条件不全" in listed[0] and 'class="cards-phone"' in page
    assert 'data-label="缺少"' in listed[0] and "接收单位安全协议" in listed[0]
    blocked = rows(text(manager.get("/registers/placements?due=blocked")), "placements")
    assert len(blocked) == 1 and "逾期实习" in blocked[0]
    book = openpyxl.load_workbook(io.BytesIO(manager.get("/registers/placements/export.xlsx").data))
    assert [c.value for c in book.active[2]][:2] == ["类型", "名称"]


def test_a_refused_start_names_what_is_missing_and_the_form_speaks_chinese(
    console,  # noqa: F811
    campus,  # noqa: F811
):
    manager = signed_in(console, "J001")
    bad = post(
        manager,
        "/registers/placements/new",
        placement("坏日期", date.today(), campus["JD"], ends_on="2000-01-01"),
    )
    assert bad.status_code == 422 and not english(text(bad))
    made = post(
        manager, "/registers/placements/new", placement("跟岗实习", date.today(), campus["JD"])
    )
    page_url = made.headers["Location"]
    start = post(manager, f"{page_url}/start", {}, page=page_url, follow_redirects=True)
    shown = text(start)
    assert "接收单位安全协议" in shown and "行前安全教育" in shown and "保险" in shown
    upload = {"file": (io.BytesIO(PDF), "安全协议.pdf")}
    sent = post(manager, f"{page_url}/agreement", upload, page=page_url, follow_redirects=True)
    assert "已上传安全协议" in text(sent) and "安全协议.pdf" in text(sent)
    assert manager.get(f"{page_url}/agreement").data == PDF
