"""Counters of the hazard projection: what the statistics read instead of the hazards.

Kept by the reporting consumer in the same transaction as ``hazard_projection``
(``statistics.counters``), so a statistics request reads aggregates whose number depends on
the days, units, categories and stages, not on the hazards ever found. On reporting's Base
(services.reporting.models imports this module, so its SCHEMA covers it).

Every key column is NOT NULL so that an upsert finds its row on PostgreSQL and SQLite alike
(a NULL never conflicts): a day that is not there (no deadline, not closed) is ``NO_DAY``,
9999-12-31, which also makes "still open at the end of a period" the same comparison as
"closed after it".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.models import Base

NO_DAY = date(9999, 12, 31)


class HazardCount(Base):
    """Hazards per campus day found, unit, category, severity, stage, overdue flag, deadline
    and campus day closed: what the filters, the groups and the period numbers ask."""

    __tablename__ = "hazard_counts"

    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    found_day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    severity: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    overdue: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)  # NO_DAY: none
    # The close-out's campus day, never before the finding (statistics.fixed_moment).
    closed_day: Mapped[date] = mapped_column(Date, primary_key=True)  # NO_DAY: open
    hazards: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)  # with a close-out time
    # Sum of close-out minus finding, exact: integer microseconds (floats drift on -/+).
    micros_to_close: Mapped[int] = mapped_column(BigInteger)


class HazardUnitCount(Base):
    """The same hazards rolled up per campus day found, unit and stage: the campaign's
    statistics by unit read a few rows per day and unit whatever the ledger holds."""

    __tablename__ = "hazard_unit_counts"

    found_day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hazards: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    major: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    micros_to_close: Mapped[int] = mapped_column(BigInteger)


class HazardTableCount(Base):
    """The same hazards per unit, campus day found, category, deadline and campus day closed:
    what a unit's table and the period tables read (``queries.unit_table``,
    ``period_measures``), without the stages and flags that only split their rows."""

    __tablename__ = "hazard_table_counts"

    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    found_day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)  # NO_DAY: none
    closed_day: Mapped[date] = mapped_column(Date, primary_key=True)  # NO_DAY: open
    hazards: Mapped[int] = mapped_column(Integer)
    major: Mapped[int] = mapped_column(Integer)
    rectified: Mapped[int] = mapped_column(Integer)  # shared.hazard_stages.FIXED
    in_remediation: Mapped[int] = mapped_column(Integer)  # UNDER_REMEDIATION
    overdue: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    micros_to_close: Mapped[int] = mapped_column(BigInteger)

    # A unit's rows are spread over the heap (they come in as hazards are found, day by
    # day): read them from this index alone (an index-only scan) on PostgreSQL.
    __table_args__ = (
        Index(
            "ix_hazard_table_counts_unit_cover",
            "unit_code",
            "found_day",
            postgresql_include=[
                "category",
                "deadline",
                "closed_day",
                "hazards",
                "major",
                "rectified",
                "in_remediation",
                "overdue",
                "closed",
                "micros_to_close",
            ],
        ),
    )
