"""Export jobs: ask for one, read it, run it (the worker), remove it a day later."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.hazards import ledger
from services.hazards.ledger_export import write_ledger
from services.hazards.models import ExportJob
from services.hazards.schemas import HazardQuerySchema
from shared.config import Settings
from shared.db import READ_ONLY, unit_of_work
from shared.errors import DomainError, Forbidden, NotFound
from shared.principal import Principal
from shared.timeutil import campus_today, utcnow
from shared.xlsx import workbook

log = logging.getLogger("campus.hazards.exports")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
KEEP = timedelta(days=1)  # a finished job and its file are removed after this
STALE_AFTER = timedelta(minutes=10)  # a running job without progress this long: runner died
POLL_SECONDS = 1.0  # how often the worker looks for a queued job
FAILED_MESSAGE = "导出未能完成，请稍后重新导出；如仍失败请联系管理员。"
MAX_PER_DAY = 20  # exports one person may start in 24 hours (each costs the worker minutes)
ACTIVE = (QUEUED, RUNNING)


class TooManyExports(DomainError):
    status = 429
    title = "Too Many Requests"


def file_path(files_dir: str, job_id: str) -> Path:
    """Where a job's file lives; only a well-formed job id is ever turned into a path."""
    return Path(files_dir) / "exports" / f"{uuid.UUID(job_id)}.xlsx"


def principal_of(job: ExportJob) -> Principal:
    """The requester as they were when asking: the scope the file is written for."""
    return Principal(sub=job.requested_by, name="", roles=frozenset(job.roles), unit=job.unit)


# -- the web side ---------------------------------------------------------------------------
def request_export(
    session: Session, principal: Principal, query: dict[str, Any], tz: str, now: datetime
) -> ExportJob:
    """A queued job for the ledger ``principal`` sees with ``query``'s filters; while one
    of theirs waits or runs, that one (asking again queues nothing); past ``MAX_PER_DAY``
    in 24 hours a 429. (Finished jobs are kept a day, so the count sees all of them.)"""
    mine = select(ExportJob).where(ExportJob.requested_by == principal.sub)
    active = session.scalar(
        mine.where(ExportJob.status.in_(ACTIVE)).order_by(ExportJob.created_at).limit(1)
    )
    if active is not None:
        return active
    started = session.scalar(
        select(func.count()).select_from(
            mine.where(ExportJob.created_at > now - timedelta(days=1)).subquery()
        )
    )
    if started >= MAX_PER_DAY:
        raise TooManyExports(
            f"24 小时内每人最多发起 {MAX_PER_DAY} 次后台导出，您已发起 {started} 次；"
            "请下载已完成的导出文件，或稍后再试。",
            limit=MAX_PER_DAY,
        )
    scope = ledger.scope_label(session, principal, query)
    job = ExportJob(
        requested_by=principal.sub,
        roles=sorted(principal.roles),
        unit=principal.unit,
        filters=HazardQuerySchema().dump(query),
        title=ledger.export_name(scope, campus_today(tz, now)),
        status=QUEUED,
        rows_done=0,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, principal: Principal, job_id: str) -> ExportJob:
    """The requester's own job; anyone else's is refused (exports carry a person's scope)."""
    job = session.get(ExportJob, job_id)
    if job is None:
        raise NotFound("没有这个导出任务（可能已超过一天被清理），请重新导出。")
    if job.requested_by != principal.sub:
        raise Forbidden("这是他人发起的导出任务，只有发起人可以查看和下载。")
    return job


def downloadable(session: Session, principal: Principal, job_id: str, files_dir: str) -> Path:
    """The finished file of the requester's job, while their scope is still the one it was
    written for (a person whose roles changed exports again)."""
    job = get_job(session, principal, job_id)
    if job.status != DONE:
        raise DomainError(f"导出尚未完成（已完成 {job.rows_done} 条），请稍后再下载。")
    if set(job.roles) != set(principal.roles) or job.unit != principal.unit:
        raise Forbidden("您的权限范围已变化，请重新导出台账。")
    path = file_path(files_dir, job.id)
    if not path.is_file():
        raise NotFound("导出文件已被清理，请重新导出。")
    return path


# -- the worker side ------------------------------------------------------------------------
def _set(factory: sessionmaker[Session], job_id: str, **values: Any) -> None:
    with unit_of_work(factory) as session:
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def claim_next(factory: sessionmaker[Session], now: datetime) -> str | None:
    """Take the oldest queued job (or one whose runner died); None when there is none.
    The conditional update makes two workers never run the same job."""
    waiting = or_(
        ExportJob.status == QUEUED,
        and_(ExportJob.status == RUNNING, ExportJob.progress_at < now - STALE_AFTER),
    )
    with unit_of_work(factory) as session:
        job_id = session.scalar(
            select(ExportJob.id).where(waiting).order_by(ExportJob.created_at).limit(1)
        )
        if job_id is None:
            return None
        claimed = session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, waiting)
            .values(status=RUNNING, started_at=now, progress_at=now, rows_done=0)
        ).rowcount
    return job_id if claimed else None


def run_job(factory: sessionmaker[Session], settings: Settings, job_id: str) -> None:
    """Write the job's file: stream the hazards from the database into the workbook,
    recording progress; the file appears under its name only once complete."""
    with unit_of_work(factory) as session:
        job = session.get(ExportJob, job_id)
        principal, filters = principal_of(job), HazardQuerySchema().load(job.filters)
    target = file_path(settings.files_dir, job_id)
    partial = target.with_suffix(".part")
    # A reading session that takes no write lock (SQLite), beside the progress updates.
    engine = factory.kw["bind"].execution_options(**{READ_ONLY: True})
    reader = Session(bind=engine)
    try:
        now, tz = utcnow(), settings.campus_timezone
        stmt = ledger.ledger_query(principal, filters, tz, now)
        total = reader.scalar(select(func.count()).select_from(stmt.subquery()))
        _set(factory, job_id, rows_total=total, progress_at=utcnow())
        names = ledger.place_names(reader)
        rows = ledger.ledger_rows(reader, stmt)

        def progress(done: int) -> None:
            _set(factory, job_id, rows_done=done, progress_at=utcnow())

        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as out, workbook(out) as book:
            done = write_ledger(book, rows, now, tz, progress=progress, **names)
        os.replace(partial, target)  # readers never see half a file
        size = target.stat().st_size
        _set(factory, job_id, status=DONE, rows_done=done, size=size, finished_at=utcnow())
    except Exception:
        log.exception("export %s failed", job_id)
        partial.unlink(missing_ok=True)
        _set(factory, job_id, status=FAILED, error=FAILED_MESSAGE, finished_at=utcnow())
    finally:
        reader.close()


def run_next(factory: sessionmaker[Session], settings: Settings) -> str | None:
    """Claim and run one job; returns its id, or None when nothing waits."""
    job_id = claim_next(factory, utcnow())
    if job_id is not None:
        run_job(factory, settings, job_id)
    return job_id


def run_forever(factory: sessionmaker[Session], settings: Settings, stop: threading.Event) -> None:
    """The worker's export thread: run jobs one after the other until ``stop``."""
    while not stop.is_set():
        try:
            if run_next(factory, settings) is None:
                stop.wait(POLL_SECONDS)
        except Exception:  # the database away for a moment: try again shortly
            log.exception("export runner: retrying")
            stop.wait(POLL_SECONDS * 5)


def purge(
    factory: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Remove the jobs (and their files) that finished more than ``KEEP`` ago."""
    cutoff = (now or utcnow()) - KEEP
    with unit_of_work(factory) as session:
        old = session.scalars(
            select(ExportJob).where(
                ExportJob.status.in_([DONE, FAILED]), ExportJob.finished_at < cutoff
            )
        ).all()
        for job in old:
            file_path(settings.files_dir, job.id).unlink(missing_ok=True)
            session.delete(job)
    return {"removed": len(old)}
