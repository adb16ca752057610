"""Education's attendance.recorded gives a driver's periodic safety education (安全教育): a
driver whose staff number (工号) is the attendee's takes the activity's campus day as the
last safety education, when the activity's kind counts (domain.counts_as_safety_education).
The event is the education service's word that the driver attended; a date typed by hand
stays the fallback (an activity attended before the register existed)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hazards.registers.vehicles import domain
from services.hazards.registers.vehicles.models import Driver
from shared.events import Envelope


def attendance_recorded(session: Session, event: Envelope) -> None:
    """Idempotent and order-free: only a later day (or the same day over a hand-typed date)
    changes the driver (domain.takes_attendance), so a re-delivery or an older activity
    arriving late bumps no version."""
    data = event.data
    if not domain.counts_as_safety_education(data["kind"]):
        return
    driver = session.scalar(
        select(Driver).where(Driver.staff_no == data["person_ref"]).with_for_update()
    )
    if driver is None:
        return  # not a driver: most attendees are not
    held_on = date.fromisoformat(data["held_on"])
    if not domain.takes_attendance(
        driver.last_education_on, driver.last_education_activity_id, held_on
    ):
        return
    driver.last_education_on = held_on
    driver.education_due = domain.education_valid_until(held_on)
    driver.last_education_activity_id = data["activity_id"]
    driver.last_education_activity_title = data["title"]
    driver.version += 1
