"""The console's 安全教育 pages against the real grid and education apps, in process: a unit
manager plans, edits and cancels an activity (with a confirmation); a taken venue is named
beside the venue and the times in Chinese and the form keeps what was typed; a drill's
results and its problems; who signed in (list and .xlsx); coverage; the calendar's
subscription link; units by name, never by code."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from shared.timeutil import utcnow
from tests.support.console import console_over
from tests.unit.test_console_grid_admin import OFFICE, post, sign_in, text
from tests.unit.test_education_api import apply

UNITS = (("JD", "机电工程学院", "college"), ("XX", "信息工程学院", "college"))
UNITS += (("BWC", "安全保卫处", "office"),)


@pytest.fixture
def apps(make_app):
    grid, education = make_app("grid"), make_app("education")
    api = grid.test_client()
    for code, name, kind in UNITS:
        api.post("/units", json={"code": code, "name": name, "kind": kind}, headers=OFFICE)
        apply(education, "unit.changed", code, {"code": code, "name": name, "kind": kind})
    for unit, roles, number in (
        ("BWC", ["security_office"], "S001"),
        ("JD", ["unit_manager"], "J001"),
        ("XX", ["grid_staff"], "X001"),
    ):
        person = api.post(
            "/people",
            json={
                "name": f"{number}老师",
                "phone": "13800000000",
                "unit_code": unit,
                "staff_no": number,
                "roles": roles,
            },
            headers=OFFICE,
        ).get_json()
        api.put(f"/people/{person['id']}/password", json={"password": "pass-1234"}, headers=OFFICE)
    return {"grid": grid, "education": education}


@pytest.fixture
def console(apps, monkeypatch, tmp_path):
    return console_over(apps, monkeypatch, tmp_path)


def signed_in(console, number: str):
    client = console.test_client()
    assert sign_in(client, number).status_code == 302
    return client


def campus(moment) -> tuple[str, str]:
    local = moment.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    return local.date().isoformat(), local.strftime("%H:%M")


def activity_form(title: str, day: str, start: str, end: str, **more) -> dict:
    return {
        "kind": "lecture",
        "organiser_unit": "JD",
        "targets": ["JD"],
        "title": title,
        "venue": "图书馆报告厅",
        "starts_on": day,
        "starts_time": start,
        "ends_time": end,
        **more,
    }


def test_a_manager_plans_edits_and_cancels_an_activity(console):
    manager = signed_in(console, "J001")
    page = text(manager.get("/education"))
    assert "新建活动" in page
    form = text(manager.get("/education/activities/new"))
    assert "机电工程学院" in form and 'type="date"' in form and 'for="a-venue"' in form

    made = post(
        manager,
        "/education/activities/new",
        activity_form("消防讲座", "2031-11-09", "09:00", "10:30"),
    )
    assert made.status_code == 302, text(made)
    shown = text(manager.get(made.location))
    assert "消防讲座" in shown and "机电工程学院" in shown and "2031-11-09 09:00" in shown
    assert 'data-confirm="确认取消该活动' in shown

    # the same venue at an overlapping time: refused, the other activity named beside
    clash = activity_form("交通安全讲座", "2031-11-09", "10:00", "11:00", theme="交通")
    refused = post(manager, "/education/activities/new", clash, page="/education/activities/new")
    assert refused.status_code == 409
    said = text(refused)
    assert "该场地在此时间已被「消防讲座」占用（2031-11-09 09:00 至 10:30）" in said
    assert "与「消防讲座」时间冲突" in said
    assert 'value="交通安全讲座"' in said and 'value="交通"' in said and 'value="10:00"' in said
    assert "the venue is booked" not in said

    activity_id = made.location.rsplit("/", 1)[1]
    edit = f"/education/activities/{activity_id}/edit"
    assert 'value="消防讲座"' in text(manager.get(edit)) and 'value="09:00"' in text(
        manager.get(edit)
    )
    changed = post(manager, edit, activity_form("消防安全讲座", "2031-11-09", "14:00", "15:00"))
    assert changed.status_code == 302, text(changed)
    assert "消防安全讲座" in text(manager.get(made.location))
    # the freed morning slot now takes the other lecture
    assert (
        post(
            manager, "/education/activities/new", clash, page="/education/activities/new"
        ).status_code
        == 302
    )

    cancel = f"/education/activities/{activity_id}/cancel"
    empty = post(manager, cancel, {"reason": ""}, page=made.location)
    assert empty.status_code == 422 and 'id="e-c-reason"' in text(empty)
    done = post(manager, cancel, {"reason": "报告厅维修"}, page=made.location)
    assert done.status_code == 302
    after = text(manager.get(made.location))
    assert "已取消" in after and "报告厅维修" in after and "取消活动</button>" not in after


def test_another_unit_cannot_plan_for_jd_and_reads_it_in_chinese(console):
    reader = signed_in(console, "X001")
    assert "新建活动" not in text(reader.get("/education"))
    form = activity_form("讲座", "2031-11-09", "09:00", "10:00")
    refused = post(reader, "/education/activities/new", form, page="/education")
    assert refused.status_code == 403
    said = re.search(r'<p class="error" id="e-a-title">([^<]+)</p>', text(refused)).group(1)
    assert "安全保卫处" in said and "needs" not in said  # the refusal, in Chinese
    assert 'value="讲座"' in text(refused)


def test_who_signed_in_the_sheet_coverage_and_the_subscription(console, apps):
    manager = signed_in(console, "J001")
    now = utcnow()
    day, start = campus(now - timedelta(minutes=5))
    _, end = campus(now + timedelta(minutes=50))
    if end < start:  # near campus midnight: a later slot of tomorrow, never across a day
        day, start, end = campus(now + timedelta(days=1))[0], "09:00", "10:00"
    made = post(manager, "/education/activities/new", activity_form("防诈骗讲座", day, start, end))
    activity_id = made.location.rsplit("/", 1)[1]
    edu = apps["education"].test_client()
    people = [
        {"person_ref": "0210101", "name": "王小明", "unit_code": "JD", "class_name": "机电2101"}
    ]
    edu.post(f"/activities/{activity_id}/enrolments", json={"people": people}, headers=OFFICE)

    page = text(manager.get(made.location))
    listed = page.split('id="enrolments"')[1].split("</table>")[0]
    assert "王小明" in listed and "机电工程学院" in listed and "未签到" in listed
    assert 'data-label="姓名"' in listed and 'class="cards-phone"' in page
    sheet = manager.get(f"/education/activities/{activity_id}/attendance.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[2][2:4] == ("王小明", "机电工程学院")

    office = signed_in(console, "S001")
    covered = text(
        office.get(f"/education/coverage?kind=lecture&from={day}&to={day}&include_planned=1")
    )
    table = covered.split('id="coverage"')[1].split("</table>")[0]
    assert "机电工程学院" in table and "信息工程学院" in table and "未覆盖" in table
    assert ">JD<" not in table
    bad = text(office.get("/education/coverage?kind=lecture&from=2031-12-01&to=2031-01-01"))
    assert 'class="error"' in bad

    calendar = text(manager.get("/education"))
    assert "订阅日历" in calendar and 'id="sub-url"' in calendar and "readonly" in calendar
    assert "/calendar/JD.ics?key=" in calendar and 'data-copy="sub-url"' in calendar


def test_a_drill_s_results_and_its_problems(console):
    manager = signed_in(console, "J001")
    yesterday = campus(utcnow() - timedelta(days=1))[0]  # results come after the drill
    drill = activity_form("消防疏散演练", yesterday, "15:00", "16:00", kind="drill")
    made = post(manager, "/education/activities/new", drill)
    assert made.status_code == 302, text(made)
    page = text(manager.get(made.location))
    assert "记录演练结果" in page and "尚未记录演练结果" in page
    record = made.location + "/drill-result"

    typed = {
        "participants": "120",
        "evacuation_seconds": "abc",
        "category": "fire",
        "description": "安全出口指示灯不亮",
    }
    refused = post(manager, record, typed, page=made.location)
    assert refused.status_code == 422
    said = text(refused)
    assert 'id="e-d-seconds"' in said and 'value="120"' in said and "安全出口指示灯不亮" in said

    typed["evacuation_seconds"] = "180"
    recorded = post(manager, record, typed, page=made.location)
    assert recorded.status_code == 302, text(recorded)
    page = text(manager.get(made.location))
    assert "参演 120 人，疏散用时 180 秒" in page
    assert "消防安全" in page and "安全出口指示灯不亮" in page and "待转为隐患" in page
    assert "补充发现的问题" in page

    more = made.location + "/problems"
    empty = post(manager, more, {"p_category": "fire", "p_description": ""}, page=made.location)
    assert empty.status_code == 422 and 'id="e-p-description"' in text(empty)
    added = post(
        manager, more, {"p_category": "fire", "p_description": "灭火器过期"}, page=made.location
    )
    assert added.status_code == 302
    assert "灭火器过期" in text(manager.get(made.location))


def test_a_class_list_with_errors_shows_its_rows_and_enrols_nobody(console):
    manager = signed_in(console, "J001")
    made = post(
        manager,
        "/education/activities/new",
        activity_form("禁毒讲座", "2031-11-12", "09:00", "10:00"),
    )
    page = made.location
    path = page + "/enrolments/import"
    assert "导入报名名单" in text(manager.get(page))

    def upload(content: str):
        file = (io.BytesIO(content.encode("utf-8-sig")), "名单.csv", "text/csv")
        return post(manager, path, {"file": file}, page=page, content_type="multipart/form-data")

    bad = upload("学号,姓名,单位\n0210101,王小明,机电工程学院\n0210102,,机电工程学院\n")
    assert bad.status_code == 422
    rows = text(bad).split('id="row-errors"')[1].split("</table>")[0]
    assert "第 3 行" in rows and "姓名" in rows and "必填" in rows
    assert "尚无报名人员" in text(bad)  # nothing applied

    nothing = post(manager, path, {}, page=page)
    assert nothing.status_code == 422 and "请选择要导入的" in text(nothing)

    good = upload("学号,姓名,单位,班级\n0210101,王小明,机电工程学院,机电2101\n")
    assert good.status_code == 302
    shown = text(manager.get(page))
    assert "名单已导入：新报名 1 人" in shown
    assert "王小明" in shown.split('id="enrolments"')[1].split("</table>")[0]


def test_editing_keeps_the_classes_an_activity_is_aimed_at(console, apps):
    edu = apps["education"].test_client()
    body = {
        "kind": "case_education",
        "title": "实验室安全案例",
        "organiser_unit": "JD",
        "targets": [{"unit_code": "JD", "class_name": "机电2101"}],
        "starts_at": "2031-11-13T09:00:00+08:00",
        "ends_at": "2031-11-13T10:00:00+08:00",
    }
    made = edu.post("/activities", json=body, headers=OFFICE).get_json()
    manager = signed_in(console, "J001")
    page = f"/education/activities/{made['id']}"
    assert "机电工程学院 机电2101" in text(manager.get(page))
    form = activity_form("实验室安全案例教育", "2031-11-13", "09:00", "10:00", venue="")
    assert post(manager, page + "/edit", form).status_code == 302
    shown = text(manager.get(page))
    assert "实验室安全案例教育" in shown and "机电工程学院 机电2101" in shown


def test_a_refused_form_of_an_activity_says_so_on_top(console):
    """The activity's forms sit below its facts, who signed in and the drill's results: a
    refusal (a class list, a drill's results, a cancellation) is named on top of the page,
    with a link down to what to correct."""
    manager = signed_in(console, "J001")
    made = post(
        manager,
        "/education/activities/new",
        activity_form("消防演练", "2031-11-14", "09:00", "10:00", kind="drill"),
    )
    page = made.location

    def top(reply) -> str:
        return text(reply).split('id="activity-refused"')[1].split("</p>")[0]

    assert 'id="activity-refused"' not in text(manager.get(page))
    file = (io.BytesIO("学号,姓名,单位\n0210102,,机电工程学院\n".encode()), "名单.csv", "text/csv")
    path = page + "/enrolments/import"
    bad = post(manager, path, {"file": file}, page=page, content_type="multipart/form-data")
    assert bad.status_code == 422 and 'href="#row-errors"' in top(bad)
    assert "名单未导入" in top(bad)
    empty = post(manager, path, {}, page=page)
    assert empty.status_code == 422 and 'href="#import-form"' in top(empty)
    cancel = post(manager, page + "/cancel", {"reason": ""}, page=page)
    assert cancel.status_code == 422 and "活动未取消" in top(cancel), text(cancel)
    early = post(manager, page + "/drill-result", {"participants": "30"}, page=page)
    assert early.status_code >= 400 and 'href="#h-drill"' in top(early)  # not started yet
    assert "演练开始前不能记录结果" in text(early)


def test_a_refused_activity_form_says_so_on_top(console):
    """The venue and the times sit below the fold: a taken venue (or any refusal) of the
    activity's form is named on top, with a link down to the marked fields."""
    manager = signed_in(console, "J001")
    new = "/education/activities/new"
    assert 'id="activity-refused"' not in text(manager.get(new))
    made = post(manager, new, activity_form("消防讲座", "2031-11-15", "09:00", "10:30"))
    clash = activity_form("交通安全讲座", "2031-11-15", "10:00", "11:00")
    refused = post(manager, new, clash, page=new)
    assert refused.status_code == 409
    top = text(refused).split('id="activity-refused"')[1].split("</p>")[0]
    assert "活动未安排" in top and 'href="#activity-form"' in top
    edit = made.location + "/edit"
    backwards = activity_form("消防讲座", "2031-11-15", "10:30", "09:00")  # ends before it starts
    refused = post(manager, edit, backwards, page=edit)
    assert refused.status_code == 422, text(refused)
    assert "修改未保存" in text(refused).split('id="activity-refused"')[1].split("</p>")[0]


def test_an_emptied_title_or_class_list_of_an_edit_is_refused_not_kept(console):
    """Editing, a required field emptied (the title, every unit unticked, the date) goes to
    the service as emptied: refused beside its field in Chinese, never the old value kept
    under 已修改."""
    manager = signed_in(console, "J001")
    made = post(
        manager,
        "/education/activities/new",
        activity_form("消防讲座", "2031-11-16", "09:00", "10:30"),
    )
    edit = made.location + "/edit"
    for field, emptied, beside in (
        ("title", "", "e-a-title"),
        ("targets", [], "e-a-targets"),
        ("starts_on", "", "e-a-start"),
    ):
        form = activity_form("消防讲座", "2031-11-16", "09:00", "10:30") | {field: emptied}
        refused = post(manager, edit, form, page=edit)
        assert refused.status_code == 422, (field, refused.status_code)
        said = re.search(rf'<p class="error" id="{beside}">([^<]+)</p>', text(refused))
        assert said and re.search(r"[\u4e00-\u9fff]", said.group(1)), (field, said)
    shown = text(manager.get(made.location))
    assert "消防讲座" in shown and "2031-11-16 09:00" in shown and "机电工程学院" in shown
