"""The register as an .xlsx with Chinese headers: a sheet of vehicles, one of drivers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.hazards.registers.vehicles import domain
from services.hazards.registers.vehicles.models import Driver, Vehicle
from shared.xlsx import Book, workbook_bytes, write_header, write_title

VEHICLE_HEADER = [
    "号牌号码",
    "车辆类型",
    "品牌型号",
    "核定座位数",
    "单位",
    "年检有效期至",
    "保险有效期至",
    "状态",
    "到期情况",
]
DRIVER_HEADER = [
    "姓名",
    "工号",
    "联系电话",
    "单位",
    "准驾车型",
    "驾驶证有效期至",
    "最近一次安全教育",
    "安全教育来源",
    "到期情况",
    "状态",
]


def _lapse_text(lapses: list[domain.Lapse], dates: list[date | None], day: date) -> str:
    if lapses:
        return "；".join(domain.LAPSE_LABELS[lapse] for lapse in lapses)
    return domain.DUE_STATE_LABELS[domain.due_state(dates, day)]


def register_xlsx(vehicles: Iterable[Vehicle], drivers: Iterable[Driver], day: date) -> bytes:
    def write(book: Book) -> None:
        with book.sheet("车辆", widths=[14, 10, 20, 10, 10, 14, 14, 8, 24], freeze=2) as sheet:
            write_title(sheet, f"通勤车、公务车台账（{day}）", len(VEHICLE_HEADER))
            write_header(sheet, VEHICLE_HEADER)
            for v in vehicles:
                dates = [v.inspection_due, v.insurance_due]
                lapses = domain.vehicle_lapses(v.inspection_due, v.insurance_due, day)
                sheet.append(
                    [
                        v.plate_no,
                        domain.VEHICLE_KIND_LABELS[domain.VehicleKind(v.kind)],
                        v.model,
                        v.seats,
                        v.unit_code,
                        v.inspection_due,
                        v.insurance_due,
                        domain.VEHICLE_STATUS_LABELS[domain.VehicleStatus(v.status)],
                        _lapse_text(lapses, dates, day),
                    ]
                )
        widths = [10, 12, 14, 10, 10, 14, 16, 24, 30, 8]
        with book.sheet("驾驶人", widths=widths, freeze=2) as sheet:
            write_title(sheet, f"驾驶人台账（{day}）", len(DRIVER_HEADER))
            write_header(sheet, DRIVER_HEADER)
            for d in drivers:
                dates = [d.licence_expiry, domain.education_valid_until(d.last_education_on)]
                lapses = domain.driver_lapses(d.licence_expiry, d.last_education_on, day)
                sheet.append(
                    [
                        d.name,
                        d.staff_no,
                        d.phone,
                        d.unit_code,
                        d.licence_class,
                        d.licence_expiry,
                        d.last_education_on,
                        domain.education_source_label(
                            d.last_education_on, d.last_education_activity_title
                        ),
                        _lapse_text(lapses, dates, day),
                        domain.DRIVER_STATUS_LABELS[domain.DriverStatus(d.status)],
                    ]
                )

    return workbook_bytes(write)
