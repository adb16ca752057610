"""What the administration pages (units, people, places, import, checklists) share: who the
console offers their buttons to, and a service's refusal put beside the form's fields in
Chinese.

The services decide who may; the console only hides what the signed-in person's roles
cannot use (the grid's rule, ``shared.principal.may_manage_unit``: the security office
anywhere, a unit manager in his own unit) and always shows the service's refusal.
"""

from __future__ import annotations

import re

from services.console import auth
from services.console.client import ServiceError
from services.console.views.common import errors_beside

ADMIN_ROLES = ("security_office", "unit_manager")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The console's words for a refusal whose own words are not Chinese (marshmallow's,
# or a service's English detail): by status, never the English sentence itself.
REFUSALS = {
    400: "请求有误，请检查填写内容",
    403: "只有安全保卫处或该单位的负责人可以办理",
    404: "记录不存在或已被删除",
    409: "与已有记录冲突（编码或编号已被使用，或当前状态不允许）",
    412: "该记录已被他人修改，请刷新后重试",
    413: "文件太大",
    415: "文件类型不支持（请上传 .xlsx 或 .csv）",
    422: "填写有误（格式不符或缺少必填内容）",
    429: "操作过于频繁，请稍后再试",
}


def is_office() -> bool:
    return "security_office" in auth.user().roles


def may_manage(unit_code: str | None) -> bool:
    """Whether to offer the person a unit's edit buttons (the service decides anyway)."""
    user = auth.user()
    if "security_office" in user.roles:
        return True
    return "unit_manager" in user.roles and unit_code is not None and user.unit == unit_code


def may_administer() -> bool:
    """Whether the 管理 pages are offered at all."""
    return bool(set(auth.user().roles) & set(ADMIN_ROLES))


def chinese(reason: str, status: int) -> str:
    """``reason`` when it is Chinese, else the console's words for the status."""
    if _CHINESE.search(reason or ""):
        return reason
    return REFUSALS.get(status, "操作未成功")


def in_chinese(exc: ServiceError) -> ServiceError:
    """The same refusal with every reason and the detail in Chinese (``chinese``)."""
    problem = dict(exc.problem)
    problem["invalid_params"] = [
        {**p, "reason": chinese(p.get("reason", ""), exc.status)} for p in exc.fields
    ]
    problem["detail"] = chinese(exc.detail, exc.status) if exc.detail else ""
    return ServiceError(exc.status, problem, exc.service)


def refused(exc: ServiceError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    """The refusal beside the fields it names (the console's one helper, ``errors_beside``),
    in Chinese."""
    return errors_beside(in_chinese(exc), fields, default)
