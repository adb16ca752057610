"""The letters projection (fed only by ``letter.signed``), on reporting's Base
(services.reporting.models imports this module, so its SCHEMA covers it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.models import Base


class LetterProjection(Base):
    """A post's signed responsibility letter for a year (安全责任书), as the grid announced."""

    __tablename__ = "letter_projection"

    letter_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(String(36), index=True)
    year: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    last_sequence: Mapped[int] = mapped_column(Integer)
