"""What an export job looks like to its requester."""

from __future__ import annotations

from marshmallow import Schema, fields

STATUS_LABELS = {"queued": "排队中", "running": "正在导出", "done": "已完成", "failed": "导出失败"}


class ExportJobSchema(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    status_label = fields.Function(lambda job: STATUS_LABELS.get(job.status, job.status))
    rows_total = fields.Integer(allow_none=True)
    rows_done = fields.Integer()
    percent = fields.Function(lambda job: percent(job), metadata={"description": "0..100"})
    file_name = fields.Function(lambda job: job.title + ".xlsx")
    size = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


def percent(job) -> int:
    """How far the job got, 0..100 (100 only once its file is written)."""
    if job.status == "done":
        return 100
    if not job.rows_total:
        return 0
    return min(99, job.rows_done * 100 // job.rows_total)
