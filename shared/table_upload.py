"""An uploaded table (.xlsx or .csv: a roster, a class list) checked before it is read: its
size, its extension, the type the client labelled it with and its first bytes must agree.
``shared.table_reader`` then reads the rows within its own limits."""

from __future__ import annotations

import posixpath

from shared.errors import PayloadTooLarge, UnsupportedMediaType

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the accepted extensions and, for each, the Content-Type labels a client may send with it
ACCEPTED_LABELS = {
    ".xlsx": {XLSX_MEDIA, "application/zip", "application/octet-stream", ""},
    # Excel on Windows labels .csv files application/vnd.ms-excel
    ".csv": {"text/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream", ""},
}


def check_file(filename: str, declared_type: str | None, content: bytes, max_bytes: int) -> None:
    """Refuse what is not a table before reading it: 413 over the upload limit, 415 for
    another type, or a file whose name or label says one thing and whose bytes another.
    """
    if len(content) > max_bytes:
        raise PayloadTooLarge.limit(max_bytes)
    extension = posixpath.splitext(filename.replace("\\", "/"))[1].lower()
    if extension not in ACCEPTED_LABELS:
        raise UnsupportedMediaType("请上传 .xlsx 或 .csv 文件")
    label = (declared_type or "").split(";")[0].strip().lower()
    if label not in ACCEPTED_LABELS[extension]:
        raise UnsupportedMediaType(f"{extension} 文件的类型不能标为 {label or '（空）'}")
    is_zip = content.startswith(b"PK\x03\x04")
    if extension == ".xlsx" and not is_zip:
        raise UnsupportedMediaType("文件名是 .xlsx，但内容不是 Excel 工作簿")
    if extension == ".csv" and (is_zip or b"\x00" in content[:4096]):
        raise UnsupportedMediaType("文件名是 .csv，但内容不是文本")
