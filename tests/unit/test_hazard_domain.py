from datetime import UTC, datetime

import pytest

from services.hazards import domain


@pytest.mark.parametrize("status", sorted(domain.OPEN_STATUSES))
def test_every_open_stage_can_be_closed_out(status):
    assert domain.ensure_can_close(status) is domain.Status.CLOSED


@pytest.mark.parametrize("status", [domain.Status.CLOSED, domain.Status.ARCHIVED])
def test_closed_and_archived_hazards_refuse_close_out(status):
    with pytest.raises(domain.InvalidTransition) as err:
        domain.ensure_can_close(status)
    assert err.value.status == 409
    assert err.value.extra["current_status"] == status.value


def test_number_is_zero_padded_per_year():
    assert domain.format_number(2021, 42) == "YH-2021-00042"


def test_number_year_is_the_campus_calendar_year():
    # 2021-12-31 17:30 UTC is already 2022-01-01 01:30 in Shanghai.
    found = datetime(2021, 12, 31, 17, 30, tzinfo=UTC)
    assert domain.number_year(found, "Asia/Shanghai") == 2022
    assert domain.number_year(found, "UTC") == 2021
