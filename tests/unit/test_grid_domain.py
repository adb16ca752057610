from datetime import date

import pytest

from services.grid import domain


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0931-8123456", "0931-8123456"),
        ("09318123456", "09318123456"),
        ("010-12345678-801", "010-12345678-801"),
        ("12345678901", None),
        ("1381234567", None),
        ("hello", None),
        ("", None),
    ],
)
def test_phone_numbers(raw, expected):
    assert domain.normalize_phone(raw) == expected


PARENTS = {"root": None, "unit": "root", "building": "unit", "floor": "building", "room": "floor"}


def test_chain_runs_to_the_root():
    assert domain.chain_to_root("floor", PARENTS) == ["floor", "building", "unit", "root"]


@pytest.mark.parametrize("new_parent", ["floor", "room", "building"])
def test_a_cell_cannot_move_under_itself_or_a_descendant(new_parent):
    with pytest.raises(domain.TreeConflict):
        domain.check_move("building", new_parent, PARENTS)


def test_a_cell_can_move_elsewhere():
    domain.check_move("floor", "unit", PARENTS)


def test_periods_are_half_open():
    first = domain.Period("a", date(2021, 9, 1), date(2021, 11, 15))
    second = domain.Period("b", date(2021, 11, 15), None)
    assert domain.holders_on([first, second], date(2021, 11, 14)) == ["a"]
    assert domain.holders_on([first, second], date(2021, 11, 15)) == ["b"]
    assert domain.holders_on([first, second], date(2021, 8, 31)) == []


def test_a_successor_cannot_start_before_the_current_holder():
    current = [domain.Period("a", date(2021, 11, 1), None)]
    with pytest.raises(domain.AssignmentConflict):
        domain.check_handover(current, date(2021, 10, 31))
    domain.check_handover(current, date(2021, 11, 1))


def test_missing_roles():
    assert domain.missing_roles([]) == ["head", "safety_officer"]
    assert domain.missing_roles(["head", "responsible"]) == ["safety_officer"]
    assert domain.missing_roles(["head", "safety_officer"]) == []
