"""Marshmallow fields the services' schemas share: dates and instants within a sane calendar.

ISO dates reach from 0001-01-01 to 9999-12-31, but a campus date at either end cannot be
turned into an instant of the campus time zone (0001-01-01 00:00+08:00 is before year 1
in UTC) nor be followed by a next day, so such input once ended in a 500. These fields
refuse anything outside 1900-01-01 … 2999-12-31 with a 422 naming the field.
"""

from __future__ import annotations

from datetime import date, datetime

from marshmallow import fields

from shared.timeutil import EARLIEST, LATEST

OUT_OF_RANGE = f"日期须在 {EARLIEST.isoformat()} 到 {LATEST.isoformat()} 之间"


def _in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


class Date(fields.Date):
    """An ISO calendar date (YYYY-MM-DD) between 1900-01-01 and 2999-12-31."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not _in_range(day):
            raise self.make_error("out_of_range")
        return day


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 instant with its UTC offset, on a date between 1900 and 2999."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not _in_range(moment.date()):
            raise self.make_error("out_of_range")
        return moment
