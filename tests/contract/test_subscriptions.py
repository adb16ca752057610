"""Each service's subscriptions (data, services.<name>.subscriptions) are what its queue is
bound to, and exactly what its handlers handle; the data imports nothing, so declaring the
topology pulls in no service's code."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from services.registry import SERVICES, make_handlers, subscriptions
from shared.config import Settings
from shared.events.catalog import event_types


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_cover_exactly_the_subscriptions(service):
    handled = set(make_handlers(service, Settings(service=service, database_url="sqlite://")))
    subscribed = set(subscriptions()[service])
    assert handled == subscribed, (
        f"{service}: handled but not subscribed {sorted(handled - subscribed)}, "
        f"subscribed but not handled {sorted(subscribed - handled)}"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_subscriptions_are_catalogued_events(service):
    unknown = set(subscriptions()[service]) - event_types()
    assert not unknown, f"{service} subscribes to uncatalogued events {unknown}"


@pytest.mark.parametrize("service", SERVICES)
def test_subscriptions_are_data_only(service):
    module = importlib.import_module(f"services.{service}.subscriptions")
    tree = ast.parse(inspect.getsource(module))
    imports = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]
    assert not imports, f"services.{service}.subscriptions imports {ast.unparse(imports[0])}"
    assert isinstance(module.EVENT_TYPES, frozenset)
