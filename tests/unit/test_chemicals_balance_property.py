"""The chemicals ledger's balance over random sequences of movements (hypothesis): whatever
is asked, the balance never goes below zero and always equals purchases − disposals − net
issues of the movements the register accepted; what it refused changed nothing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.hazards.registers.chemicals import commands, domain
from services.hazards.registers.chemicals.models import ChemicalMovement
from services.hazards.registers.domain import InvalidInput
from shared.api import state
from shared.grid_projection import GridCell, GridUnit
from shared.principal import SECURITY_OFFICE, Principal
from tests.unit.conftest import UNREACHABLE_BROKER

OFFICE = Principal("office", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
TZ = "Asia/Shanghai"
EXTRA = {  # what each kind must carry (domain.REQUIRED), filled in
    "counterparty": "张老师",
    "purpose": "有机化学实验",
    "manifest_no": "HW-2021-001",
    "second_person": "王五",
}
KINDS = [k.value for k in domain.MovementKind]
movements = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(KINDS), st.integers(1, 60)),
    max_size=25,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory, sqlite_templates):
    """One hazards app (SQLite) with a place and two catalogue items; each example gets a
    store of its own."""
    from services.registry import create_app

    url = sqlite_templates.url("hazards", tmp_path_factory.mktemp("chem") / "hazards.db")
    app = create_app("hazards", {"database_url": url, "amqp_url": UNREACHABLE_BROKER})
    with app.app_context(), state().session_factory() as session, session.begin():
        session.add(GridUnit(code="JD", name="机电工程学院", kind="college", last_sequence=1))
        session.add(
            GridCell(
                cell_id="lab",
                code="JD-LAB",
                name="化工实训室",
                level=3,
                parent_id=None,
                unit_code="JD",
                area_type="teaching",
                location=None,
                last_sequence=1,
            )
        )
        items = {
            key: commands.add_item(
                session,
                OFFICE,
                name=name,
                cas_no=cas,
                hazard_class="other",
                precursor=False,
                explosive_precursor=False,
                highly_toxic=False,
                measure="g",
            ).id
            for key, name, cas in (("a", "氯化钠", "7647-14-5"), ("b", "葡萄糖", "50-99-7"))
        }
    return app, items


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=movements)
def test_the_balance_is_never_negative_and_equals_the_accepted_movements(world, sequence):
    app, items = world
    accepted: list[tuple[str, str, int]] = []
    with app.app_context(), state().session_factory() as session, session.begin():
        store = commands.add_store(
            session,
            OFFICE,
            name="危化品柜",
            cell_id="lab",
            capacity=1000,
            segregation_class="other",
            keeper_name="李明",
        )
        for key, kind, quantity in sequence:
            try:
                with session.begin_nested():
                    commands.record_movement(
                        session,
                        OFFICE,
                        store.id,
                        campus_tz=TZ,
                        item_id=items[key],
                        kind=kind,
                        quantity=quantity,
                        occurred_on=date(2021, 11, 10),
                        **EXTRA,
                    )
                accepted.append((key, kind, quantity))
            except InvalidInput as refused:
                assert refused.extra["invalid_params"][0]["name"] == "quantity"
            held = commands.balances(session, store.id)
            assert all(balance >= 0 for balance in held.values())
            assert sum(held.values()) <= store.capacity
        for key in items:
            mine = [(kind, q) for k, kind, q in accepted if k == key]
            total = {kind: sum(q for kd, q in mine if kd == kind) for kind in KINDS}
            expected = total["purchase"] - total["disposal"] - (total["issue"] - total["return"])
            assert commands.balances(session, store.id).get(items[key], 0) == expected
        lines = session.query(ChemicalMovement).filter_by(store_id=store.id).count()
        assert lines == len(accepted)  # a refused movement left no line


def test_the_reference_sum_refuses_what_would_go_negative():
    assert domain.balances([("a", 5), ("a", -5), ("b", 2)]) == {"a": 0, "b": 2}
    with pytest.raises(InvalidInput):
        domain.check_balance(0, -1)
