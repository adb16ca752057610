"""The printed table of demo accounts: role, name, unit, sign-in name, password, in
columns that line up in a terminal (a Chinese character takes two cells)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from services.demo.seed import Account

HEADER = ("角色", "姓名", "单位", "登录名", "密码")


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes: wide and full-width characters two, others one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, cells: int) -> str:
    return text + " " * (cells - _cells(text))


def accounts_table(accounts: Sequence[Account], console_url: str) -> str:
    """The accounts a newcomer signs in with, and where."""
    rows = [HEADER] + [(a.role, a.name, a.unit, a.login, a.password) for a in accounts]
    widths = [max(_cells(row[i]) for row in rows) + 2 for i in range(len(HEADER))]
    lines = [f"演示账号（登录工作台 {console_url}）："]
    lines += [
        "  " + "".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append(
        "密码只在建好演示校园时显示这一次；忘记了可用 "
        "campus-safety set-password --person 登录名 重设。"
    )
    return "\n".join(lines)
