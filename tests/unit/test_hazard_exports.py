"""Hazard exports (台账 xlsx, 整改通知单 and 复查验收单 PDFs), read back with independent tools.

The models are built in memory (no database). Every field carries a distinct value, so an
export that drops or swaps a field fails; times are chosen so that UTC and campus time fall
on different days.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from services.hazards.exports import (
    acceptance_record_pdf,
    last_acceptance,
    rectification_notice_pdf,
)
from services.hazards.ledger_export import LEDGER_HEADER, ledger_xlsx
from services.hazards.models import Hazard, HazardTransition

TZ = "Asia/Shanghai"
HOSTILE = "<b>x</b> & <script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","点我")'
GENERATED_AT = datetime(2021, 11, 30, 16, 5, tzinfo=UTC)  # 2021-12-01 00:05 on campus

HEADER = [
    "序号",
    "隐患编号",
    "单位",
    "网格/场所",
    "类别",
    "子类别",
    "隐患描述",
    "等级",
    "状态",
    "发现人",
    "报告单位",
    "发现时间",
    "责任人",
    "牵头部门",
    "整改期限",
    "整改措施",
    "复查次数",
    "销号时间",
]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _major_hazard() -> Hazard:
    """Not a quick fix: 四落实 plus a rectification plan with interim measures; closed."""
    return Hazard(
        id="h-1",
        number="YH-2021-00042",
        unit_code="JDXY",
        cell_id="c-01",
        category="fire",
        subcategory="teaching_building",
        lead_department="BWC",
        severity="major",
        status="closed",
        description="3号楼消防通道堆放杂物",
        location="东侧楼梯间",
        found_by="u-zhangwei",
        reporter_unit="XGC",  # a lead department inspecting (督导检查)
        found_at=_utc(2021, 11, 10, 16, 30),  # 2021-11-11 00:30 on campus
        responsible_person_name="刘洋",
        deadline=date(2021, 11, 20),
        remediation_person="陈静",
        measures="清理通道杂物并设置禁止堆放标识",
        contingency_plan="安排专人值守，配备灭火器两具",
        quick_fix=False,
        rectification_plan="申请专项经费更换防火门",
        interim_measures="每日巡查两次并做好登记",
        evidence="已清理完毕，现场照片三张",
        reopen_count=1,
        closed_at=_utc(2021, 11, 19, 17, 15),  # 2021-11-20 01:15 on campus
    )


def _transitions() -> list[HazardTransition]:
    steps = [
        # (action, from, to, actor, actor_name, comment)
        ("create", None, "discovered", "u-zhangwei", "张伟", None),
        ("register", "discovered", "registered", "u-bwc", "赵敏", "登记评估为重大隐患"),
        ("report", "registered", "reported", "u-bwc", "赵敏", "已上报分管校领导"),
        (
            "start_remediation",
            "reported",
            "in_remediation",
            "u-jd",
            "杨磊",
            "下达整改通知",
        ),
        ("rectify", "in_remediation", "rectified", "u-chen", "陈静", "首次整改完成"),
        ("reject", "rectified", "in_remediation", "u-li", "李科长", "标识未设置，退回整改"),
        ("extend", "in_remediation", "in_remediation", "u-bwc", None, "延期至 2021-11-20"),
        ("rectify", "in_remediation", "rectified", "u-chen", "陈静", HOSTILE),
        ("accept", "rectified", "accepted", "u-wang", "王主任", "复查合格，同意销号"),
        ("close", "accepted", "closed", "u-bwc", "赵敏", "准予销号"),
    ]
    result = []
    for i, (action, src, dst, actor, name, comment) in enumerate(steps):
        result.append(
            HazardTransition(
                id=i + 1,
                hazard_id="h-1",
                action=action,
                from_status=src,
                to_status=dst,
                actor=actor,
                actor_name=name,
                comment=comment,
                # One hour apart, from the finding (2021-11-11 00:30 on campus) on.
                at=_utc(2021, 11, 10, 16, 30) + timedelta(hours=i),
            )
        )
    return result


def _quick_hazard(**overrides) -> Hazard:
    values = dict(
        id="h-2",
        number="YH-2021-00043",
        unit_code="HQC",
        cell_id=None,
        category="food",
        subcategory="canteen",
        lead_department="HQC",
        severity="general",
        status="in_remediation",
        description=HOSTILE,
        location="第二食堂后厨",
        found_by="u-huang",
        reporter_unit="HQXY",
        found_at=_utc(2021, 11, 12, 2, 0),
        responsible_person_name="黄强",
        deadline=date(2021, 11, 15),
        remediation_person=None,  # 责任人 falls back to who answers for the place
        measures=FORMULA,
        contingency_plan="暂停使用该灶台",
        quick_fix=True,
        reopen_count=0,
    )
    values.update(overrides)
    return Hazard(**values)


def _pending_hazard() -> Hazard:
    """Just found: no deadline, no 四落实, nothing closed; reopen_count not yet defaulted."""
    return Hazard(
        id="h-3",
        number="YH-2021-00044",
        unit_code="JDXY",
        cell_id="c-07",
        category="lab_chemicals",
        lead_department="JWC",
        severity="general",
        status="discovered",
        description="实训楼化学品柜未上锁",
        location=None,
        found_by="u-yang",
        found_at=_utc(2021, 11, 13, 8, 0),
    )


def _squash(text: str) -> str:
    # Table cells wrap (and extraction inserts line breaks), so compare without whitespace.
    return "".join(text.split())


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    return _squash("".join(page.extract_text() for page in reader.pages))


def _assert_all_in(text: str, expected: list[str]) -> None:
    missing = [value for value in expected if _squash(value) not in text]
    assert not missing, f"missing from the PDF: {missing}"


# --- XLSX ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger():
    hazards = [_major_hazard(), _quick_hazard(), _pending_hazard()]
    data = ledger_xlsx(hazards, GENERATED_AT, TZ, title="机电工程学院隐患台账")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["隐患台账"]
    return wb["隐患台账"]


def test_ledger_title_generation_time_and_header(ledger):
    assert ledger["A1"].value == "机电工程学院隐患台账"
    assert ledger["A2"].value == "生成时间：2021-12-01 00:05"
    assert [c.value for c in ledger[3]] == HEADER == list(LEDGER_HEADER)
    assert all(c.font.bold for c in ledger[3])
    assert ledger.freeze_panes == "A4"
    assert all(ledger.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNOPQR")


def test_ledger_has_one_row_per_hazard_with_every_field(ledger):
    rows = list(ledger.iter_rows(min_row=4, values_only=True))
    assert rows == [
        (
            1,
            "YH-2021-00042",
            "JDXY",
            "c-01 / 东侧楼梯间",
            "消防安全",
            "教学楼",
            "3号楼消防通道堆放杂物",
            "重大隐患",
            "已销号",
            "u-zhangwei",
            "学生工作处",
            datetime(2021, 11, 11, 0, 30),
            "陈静",
            "安全保卫处",
            datetime(2021, 11, 20),
            "清理通道杂物并设置禁止堆放标识",
            1,
            datetime(2021, 11, 20, 1, 15),
        ),
        (
            2,
            "YH-2021-00043",
            "HQC",
            "第二食堂后厨",
            "食品安全",
            "食堂",
            HOSTILE,
            "一般隐患",
            "整改中",
            "u-huang",
            "HQXY",
            datetime(2021, 11, 12, 10, 0),
            "黄强",
            "后勤管理处",
            datetime(2021, 11, 15),
            FORMULA,
            0,
            None,
        ),
        (
            3,
            "YH-2021-00044",
            "JDXY",
            "c-07",
            "实验实训室危化品",
            None,
            "实训楼化学品柜未上锁",
            "一般隐患",
            "已发现",
            "u-yang",
            None,  # not known (reported before issue 12, or by the system)
            datetime(2021, 11, 13, 16, 0),
            None,
            "教务处",
            None,
            None,
            0,
            None,
        ),
    ]


def test_ledger_dates_are_date_cells(ledger):
    found, deadline, closed = ledger["L4"], ledger["O4"], ledger["R4"]
    assert found.is_date and found.number_format == "yyyy-mm-dd hh:mm"
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    assert closed.is_date and closed.number_format == "yyyy-mm-dd hh:mm"


def test_ledger_keeps_formula_looking_text_as_text(ledger):
    measures = ledger["P5"]
    assert measures.value == FORMULA
    assert measures.data_type == "s"  # not a formula that would run in Excel
    assert all(c.data_type != "f" for row in ledger.iter_rows() for c in row)


def test_ledger_names_units_and_cells_when_given():
    data = ledger_xlsx(
        [_major_hazard(), _quick_hazard()],
        GENERATED_AT,
        TZ,
        unit_names={"JDXY": "机电工程学院", "HQXY": "后勤服务学院"},
        cell_names={"c-01": "3号楼1层"},
    )
    ws = openpyxl.load_workbook(io.BytesIO(data))["隐患台账"]
    assert ws["A1"].value == "隐患台账"
    assert (ws["C4"].value, ws["D4"].value) == ("机电工程学院", "3号楼1层 / 东侧楼梯间")
    assert (ws["K4"].value, ws["K5"].value) == ("学生工作处", "后勤服务学院")  # 报告单位


def test_ledger_without_hazards_has_the_header_only():
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx([], GENERATED_AT, TZ)))["隐患台账"]
    assert [c.value for c in ws[3]] == HEADER
    assert ws.max_row == 3


def test_ledger_drops_characters_xlsx_cannot_hold():
    hazard = _quick_hazard(description="灶台\x0b漏气")  # pasted vertical tab
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx([hazard], GENERATED_AT, TZ)))["隐患台账"]
    assert ws["G4"].value == "灶台漏气"


# --- 整改通知单 --------------------------------------------------------------------------------


def test_notice_has_the_hazard_four_implementations_and_plan():
    text = _pdf_text(rectification_notice_pdf(_major_hazard(), _transitions(), TZ))
    _assert_all_in(
        text,
        [
            "隐患整改通知单",
            "编号：YH-2021-00042",
            "JDXY",
            "c-01/东侧楼梯间",
            "消防安全",
            "安全保卫处",
            "重大隐患",
            "3号楼消防通道堆放杂物",
            "张伟",  # the finder's name, from the creating transition
            "2021-11-1100:30",  # found at, campus time
            "整改期限2021-11-20",
            # 四落实
            "责任人陈静",
            "整改时限2021-11-20",
            "整改措施清理通道杂物并设置禁止堆放标识",
            "应急预案安排专人值守，配备灭火器两具",
            # not a quick fix
            "整改方案申请专项经费更换防火门",
            "临时管控措施每日巡查两次并做好登记",
            "签发人：",
            "接收人：",
            "日期：",
        ],
    )


def test_notice_of_a_quick_fix_escapes_user_text_and_has_no_plan():
    text = _pdf_text(rectification_notice_pdf(_quick_hazard(), [], TZ))
    _assert_all_in(
        text,
        [
            "YH-2021-00043",
            HOSTILE,  # literally, not bold and not swallowed by the markup parser
            "u-huang",  # no creating transition given: the account
            "责任人黄强",  # responsible person of the place, no remediation person
            FORMULA,
            "应急预案暂停使用该灶台",
        ],
    )
    assert "整改方案" not in text and "临时管控措施" not in text


def test_notice_of_a_hazard_without_four_implementations_still_renders():
    text = _pdf_text(rectification_notice_pdf(_pending_hazard(), [], TZ))
    _assert_all_in(text, ["YH-2021-00044", "实训楼化学品柜未上锁", "实验实训室危化品", "教务处"])


# --- 复查验收单 --------------------------------------------------------------------------------


def test_acceptance_record_has_evidence_history_and_acceptor():
    transitions = _transitions()
    text = _pdf_text(acceptance_record_pdf(_major_hazard(), transitions, TZ))
    comments = [t.comment for t in transitions if t.comment]
    _assert_all_in(
        text,
        [
            "隐患复查验收单",
            "编号：YH-2021-00042",
            "3号楼消防通道堆放杂物",
            "整改佐证已清理完毕，现场照片三张",
            "整改责任人陈静",
            *comments,  # HOSTILE among them, literally
            # the history table: time (campus), stage, actor, comment
            "时间环节操作人说明",
            "2021-11-1100:30已发现张伟",
            "已登记赵敏登记评估为重大隐患",
            "整改中（验收不通过）李科长标识未设置，退回整改",
            "整改中（延期）u-bwc延期至2021-11-20",  # no actor name: the account
            "已验收王主任复查合格，同意销号",
            "已销号赵敏准予销号",
            "复查次数1",
            "验收结论验收通过验收人王主任",
            "验收意见复查合格，同意销号",
            "验收人：",
            "日期：",
        ],
    )


def test_acceptance_record_lists_history_oldest_first_whatever_the_given_order():
    transitions = _transitions()
    text = _pdf_text(acceptance_record_pdf(_major_hazard(), transitions[::-1], TZ))
    positions = [text.index(_squash(t.comment)) for t in transitions if t.comment]
    assert positions == sorted(positions)
    assert "验收结论验收通过验收人王主任" in text
    assert last_acceptance(transitions[::-1]) is transitions[8]  # the accept, not the reject


def test_acceptance_record_after_a_rejection_shows_the_rejection():
    transitions = _transitions()[:6]  # … rectify, reject
    hazard = _major_hazard()
    hazard.status, hazard.closed_at = "in_remediation", None
    text = _pdf_text(acceptance_record_pdf(hazard, transitions, TZ))
    _assert_all_in(
        text, ["验收结论验收不通过验收人李科长", "验收意见标识未设置，退回整改", "复查次数1"]
    )
    assert last_acceptance(transitions) is transitions[5]


def test_acceptance_record_before_any_decision():
    text = _pdf_text(acceptance_record_pdf(_pending_hazard(), [], TZ))
    _assert_all_in(text, ["YH-2021-00044", "（无记录）", "复查次数0", "验收结论尚未验收"])
    assert last_acceptance([]) is None
