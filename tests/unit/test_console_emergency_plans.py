"""The console's emergency-plan pages (应急预案): the list as phone cards with its due list
and counts, the form (a refusal in Chinese naming the field), the plan page, the .xlsx."""

from __future__ import annotations

import io

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


def plan(title: str, **extra) -> dict:
    return {
        "unit_code": "JD",
        "scenario": "fire",
        "title": title,
        "edition": "2026版",
        "approved_by": "张院长",
        "approved_on": "2025-01-10",
        "review_due": "2030-01-10",
        "drill_period_days": "180",
        **extra,
    }


def test_the_list_is_the_due_list_as_phone_cards(console, campus):  # noqa: F811
    manager = signed_in(console, "J001")
    made = post(manager, "/registers/emergency-plans/new", plan("火灾事故应急预案"))
    assert made.status_code == 302, text(made)
    post(
        manager,
        "/registers/emergency-plans/new",
        plan("防汛应急预案", scenario="flood", approved_on="", drill_period_days="3650"),
    )
    page = text(manager.get("/registers/emergency-plans"))
    assert ">应急预案</a>" in page  # the menu entry
    assert 'class="cards-phone"' in page and 'data-label="超期情况"' in page
    assert "超期未演练 <strong>1</strong>" in page
    lapsed = rows(text(manager.get("/registers/emergency-plans?lapse=drill")), "plans")
    assert len(lapsed) == 1 and "火灾事故应急预案" in lapsed[0] and "超期未演练" in lapsed[0]
    shown = text(manager.get(made.headers["Location"]))
    assert "尚无演练记录" in shown and "超期未演练" in shown
    book = openpyxl.load_workbook(
        io.BytesIO(manager.get("/registers/emergency-plans/export.xlsx").data)
    )
    assert [c.value for c in book.active[2]][:3] == ["单位", "预案类别", "预案名称"]


def test_a_refusal_names_the_field_in_chinese_and_an_edit_is_kept(console, campus):  # noqa: F811
    manager = signed_in(console, "J001")
    bad = post(
        manager,
        "/registers/emergency-plans/new",
        plan("坏日期", approved_on="2026-01-10", review_due="2020-01-01"),
    )
    assert bad.status_code == 422 and not english(text(bad))
    assert "须晚于批准日期" in text(bad)
    made = post(manager, "/registers/emergency-plans/new", plan("地震应急预案"))
    page_url = made.headers["Location"]
    form = {k: v for k, v in plan("地震应急预案（修订）").items() if k != "unit_code"}
    saved = post(manager, page_url, {**form, "status": "in_force"}, page=page_url)
    assert saved.status_code == 302, text(saved)
    assert "地震应急预案（修订）" in text(manager.get(page_url))
