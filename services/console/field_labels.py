"""The one table of form and query field names in Chinese: a service's problem+json names
a field by its API name (``invalid_params[].name``), and the console shows this word for it
beside the field and in messages. Every page's form labels its fields from here too."""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "description": "隐患描述",
    "category": "隐患类别",
    "cell_id": "地点",
    "unit_code": "单位",
    "deadline": "整改期限",
    "severity": "隐患等级",
    "responsible_person": "责任人",
    "measures": "整改措施",
    "contingency_plan": "应急预案",
    "rectification_plan": "整改方案",
    "interim_measures": "临时管控措施",
    "evidence": "整改情况",
    "reason": "理由",
    "comment": "意见",
    "file": "照片",
    "password": "密码",
    "new_password": "新密码",
    "current_password": "当前密码",
    "status": "处理结果",
    # query parameters of the lists and statistics (a service's 422 names them)
    "found_from": "发现日期（起）",
    "found_to": "发现日期（止）",
    "overdue": "是否逾期",
    "q": "关键词",
    "page": "页码",
    "page_size": "每页条数",
    "period_from": "统计期（起）",
    "period_to": "统计期（止）",
    "group_by": "统计维度",
    "campaign_id": "专项整治",
    "from": "开始日期",
    "to": "结束日期",
}
