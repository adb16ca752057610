"""deploy/rabbitmq/definitions.json declares exactly what the workers declare.

Every worker calls ``shared.events.topology.declare`` at start-up. A queue that already
exists with other arguments (another delivery limit, a missing dead-letter routing key, an
extra ``x-quorum-initial-group-size``) makes that declare fail with PRECONDITION_FAILED and
the worker cannot start, so the broker definitions must match ``declare`` argument for
argument. The expected topology is recorded by running ``declare`` against a recording
channel with the services' real subscriptions (``services.registry.subscriptions()``).

After a service starts or stops handling an event type, regenerate the file:
    .venv/bin/python -m tests.contract.test_rabbitmq_definitions --write
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pika.adapters.blocking_connection import BlockingChannel

from services.registry import subscriptions
from shared.config import Settings
from shared.events import topology

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
VHOST = "/"


class RecordingChannel:
    """Stands in for pika's BlockingChannel; keeps what would have been declared."""

    def __init__(self) -> None:
        self.exchanges: list[dict] = []
        self.queues: list[dict] = []
        self.bindings: list[dict] = []

    @staticmethod
    def _bind(method, *args, **kwargs) -> dict:
        bound = inspect.signature(method).bind(None, *args, **kwargs)  # None for self
        bound.apply_defaults()
        return dict(bound.arguments)

    def exchange_declare(self, *args, **kwargs) -> None:
        call = self._bind(BlockingChannel.exchange_declare, *args, **kwargs)
        assert not call["passive"]
        self.exchanges.append(
            {
                "name": call["exchange"],
                "vhost": VHOST,
                "type": call["exchange_type"].value
                if hasattr(call["exchange_type"], "value")
                else call["exchange_type"],
                "durable": call["durable"],
                "auto_delete": call["auto_delete"],
                "internal": call["internal"],
                "arguments": call["arguments"] or {},
            }
        )

    def queue_declare(self, *args, **kwargs) -> None:
        call = self._bind(BlockingChannel.queue_declare, *args, **kwargs)
        assert not call["passive"] and not call["exclusive"]
        self.queues.append(
            {
                "name": call["queue"],
                "vhost": VHOST,
                "durable": call["durable"],
                "auto_delete": call["auto_delete"],
                "arguments": call["arguments"] or {},
            }
        )

    def queue_bind(self, *args, **kwargs) -> None:
        call = self._bind(BlockingChannel.queue_bind, *args, **kwargs)
        self.bindings.append(
            {
                "source": call["exchange"],
                "vhost": VHOST,
                "destination": call["queue"],
                "destination_type": "queue",
                "routing_key": call["routing_key"],
                "arguments": call["arguments"] or {},
            }
        )


def declared_topology() -> RecordingChannel:
    """What the workers declare with the default settings (CAMPUS_DELIVERY_LIMIT unset)."""
    channel = RecordingChannel()
    topology.declare(channel, Settings.exchange, subscriptions(), Settings.delivery_limit)
    return channel


def _key(item: dict) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _as_set(items: list[dict]) -> set[str]:
    return {_key(item) for item in items}


def load_definitions() -> dict:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


def test_exchanges_match_what_the_workers_declare():
    expected = declared_topology().exchanges
    assert {e["name"]: e["type"] for e in expected} == {
        "campus.events": "topic",
        "campus.events.dlx": "direct",
    }
    assert _as_set(load_definitions()["exchanges"]) == _as_set(expected)


def test_queues_match_what_the_workers_declare_argument_for_argument():
    expected = {q["name"]: q for q in declared_topology().queues}
    actual = {q["name"]: q for q in load_definitions()["queues"]}
    assert sorted(actual) == sorted(expected), "queues differ: regenerate the definitions"
    for name, queue in expected.items():
        # Same arguments with the same JSON types (an integer delivery limit, not "5").
        assert _key(actual[name]) == _key(queue), name


def test_every_consuming_service_has_quorum_event_and_dead_letter_queues():
    queues = {q["name"]: q for q in load_definitions()["queues"]}
    for service, event_types in subscriptions().items():
        if not event_types:
            assert topology.queue_name(service) not in queues
            continue
        arguments = queues[topology.queue_name(service)]["arguments"]
        assert arguments == {
            "x-queue-type": "quorum",
            "x-delivery-limit": Settings.delivery_limit,
            "x-dead-letter-exchange": "campus.events.dlx",
            "x-dead-letter-routing-key": service,
        }
        # The dead-letter queue is a quorum queue too: a classic one lives on one node of a
        # cluster, and the parked messages are lost or unreachable with that node.
        dead = queues[topology.dead_queue_name(service)]
        assert dead["durable"] and not dead["auto_delete"]
        assert dead["arguments"] == {"x-queue-type": "quorum"}


def test_bindings_match_what_the_workers_declare():
    expected = declared_topology().bindings
    assert _as_set(load_definitions()["bindings"]) == _as_set(expected)


def test_the_campus_user_may_use_the_vhost():
    definitions = load_definitions()
    assert {"name": VHOST} in definitions["vhosts"]
    users = {u["name"] for u in definitions["users"]}
    assert "campus" in users
    assert any(p["user"] == "campus" and p["vhost"] == VHOST for p in definitions["permissions"])


@pytest.mark.integration
def test_workers_declare_cleanly_over_the_imported_definitions():
    """Import the topology into a fresh vhost of the real broker, then run the workers'
    declare on top: RabbitMQ itself checks the equivalence (PRECONDITION_FAILED if not)."""
    import pika

    from tests.support import infra

    name, url = infra.create_vhost()
    try:
        definitions = load_definitions()
        imported = {
            key: [{**item, "vhost": name} for item in definitions[key]]
            for key in ("exchanges", "queues", "bindings")
        }
        # A world-readable file: Debian's rabbitmqctl runs as the rabbitmq user, which can
        # read neither pytest's private temporary directories nor (3.10) standard input.
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
            json.dump(imported, file)
            file.flush()
            os.chmod(file.name, 0o644)
            result = subprocess.run(
                ["rabbitmqctl", "import_definitions", file.name],
                capture_output=True,
                text=True,
                timeout=60,
            )
        assert result.returncode == 0, result.stderr or result.stdout

        connection = topology.connect(url, heartbeat=0)
        try:
            channel = connection.channel()
            for queue in definitions["queues"]:  # the import created them
                channel.queue_declare(queue["name"], passive=True)
        finally:
            connection.close()

        topology.declare_all(url, Settings.exchange, subscriptions(), Settings.delivery_limit)

        connection = topology.connect(url, heartbeat=0)
        try:  # and a disagreeing declare is refused, so the check above means something
            with pytest.raises(pika.exceptions.ChannelClosedByBroker, match="PRECONDITION"):
                connection.channel().queue_declare(
                    "reporting.events",
                    durable=True,
                    arguments={"x-queue-type": "quorum", "x-delivery-limit": 99},
                )
        finally:
            if connection.is_open:
                connection.close()
    finally:
        infra.delete_vhost(name)


def write_definitions() -> None:
    """Rewrite the topology part of definitions.json (users and permissions are kept)."""
    definitions = load_definitions()
    recorded = declared_topology()
    definitions["exchanges"] = sorted(recorded.exchanges, key=lambda e: e["name"])
    definitions["queues"] = sorted(recorded.queues, key=lambda q: q["name"])
    definitions["bindings"] = sorted(
        recorded.bindings, key=lambda b: (b["source"], b["destination"], b["routing_key"])
    )
    DEFINITIONS.write_text(
        json.dumps(definitions, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {DEFINITIONS.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.contract.test_rabbitmq_definitions --write")
    write_definitions()
