"""A three-node RabbitMQ cluster on this machine (distinct node names, AMQP and distribution
ports, data dirs): the suite's quorum queues get three members; the node that leads
``reporting.events`` is SIGKILLed in the middle of a stream of hazard events, a new leader is
elected on a surviving node, and the pipeline goes on with nothing lost and nothing twice.

The layout is that of three campus servers, each running a RabbitMQ node and workers that
connect to their local node: "server 3" runs a worker whose connection declares the topology
first (so RabbitMQ's client-local placement puts every quorum queue's leader on node 3);
the hazards relay runs on server 1, the reporting consumer on server 2. Server 3 then dies:
its node and its worker are SIGKILLed together.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from services.hazards import commands
from services.hazards.domain import Action
from shared.db import make_session_factory
from shared.principal import SECURITY_OFFICE, Principal
from tests.support import infra
from tests.support.fixtures import suite_env
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.timeout(600),
    pytest.mark.skipif(os.geteuid() != 0, reason="private RabbitMQ nodes run as root"),
]

OFFICE = Principal("so-1", "安全保卫处", frozenset({SECURITY_OFFICE}), None)
UNITS = ("JD", "XX", "CW")
CHUNKS = 120  # transactions of the producer; each: 10 creates, 10 registers, 5 reports
EVENTS_PER_CHUNK = 25


@pytest.fixture
def rabbit_cluster() -> Iterator[list[infra.ClusterNode]]:
    nodes: list[infra.ClusterNode] = []
    while len(nodes) < 3:
        node = infra.ClusterNode()
        if all(node.port != n.port for n in nodes):
            nodes.append(node)
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda n: n.start(), nodes))
        for node in nodes[1:]:
            node.join(nodes[0])
        yield nodes
    finally:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda n: n.destroy(), nodes))


def queue_info(node: infra.ClusterNode) -> dict[str, dict]:
    out = infra.rabbitmqctl(
        *("list_queues", "name", "type", "leader", "members", "messages"),
        *("--formatter", "json"),
        node=node.name,
        check=False,
    )
    try:
        return {q["name"]: q for q in json.loads(out)}
    except ValueError:
        return {}


def produce(engine, chunks: range, produced: list[int]) -> None:
    """Hazard events in small transactions: 10 creates, 10 registers, 5 reports each."""
    factory = make_session_factory(engine)
    for chunk in chunks:
        with factory.begin() as session:
            ids = [
                commands.create_hazard(
                    session,
                    OFFICE,
                    unit_code=UNITS[(chunk + i) % 3],
                    category="fire",
                    description=f"集群 {chunk}-{i}",
                ).id
                for i in range(10)
            ]
            for hazard_id in ids:
                commands.transition(
                    session, OFFICE, hazard_id, Action.REGISTER, {"deadline": date(2030, 1, 1)}
                )
            for hazard_id in ids[:5]:
                commands.transition(session, OFFICE, hazard_id, Action.REPORT, {})
        produced.append(EVENTS_PER_CHUNK)


def test_pipeline_survives_the_loss_of_the_leader_node(databases, rabbit_cluster, processes):
    n1, n2, n3 = rabbit_cluster
    status = json.loads(infra.rabbitmqctl("cluster_status", "--formatter", "json", node=n1.name))
    assert sorted(status["running_nodes"]) == sorted(n.name for n in rabbit_cluster)

    def env(node: infra.ClusterNode) -> dict[str, str]:
        return suite_env(databases, node.url, CAMPUS_RELAY_BATCH="50", CAMPUS_CONSUMER_BATCH="50")

    # Server 3's worker connects first: it declares the topology through node 3.
    server3 = processes.worker("grid", env(n3), "--relay-only")
    before = wait_until(
        lambda: (q := queue_info(n1).get("reporting.events")) and len(q["members"]) == 3 and q,
        timeout=60,
        interval=0.5,
        message="reporting.events as a three-member quorum queue",
    )
    assert before["type"] == "quorum"
    assert before["leader"] == n3.name, before
    # The first half of the stream is waiting in the outbox when the pipeline starts, so
    # that the kill hits events in flight; the second half is produced after the kill.
    produced: list[int] = []
    started = time.monotonic()
    produce(databases.engine("hazards"), range(CHUNKS // 2), produced)
    processes.worker("hazards", env(n1), "--relay-only")  # server 1
    processes.worker("reporting", env(n2), "--consumer-only")  # server 2

    def inbox() -> int:
        return databases.scalar("reporting", "SELECT count(*) FROM inbox")

    def unsent() -> int:
        return databases.scalar("hazards", "SELECT count(*) FROM outbox WHERE published_at IS NULL")

    wait_until(lambda: inbox() >= 300, timeout=120, message="the stream flowing")
    n3.kill()  # server 3 dies: its node …
    server3.send_signal(signal.SIGKILL)  # … and its worker
    killed_at = time.monotonic()
    applied_at_kill, unsent_at_kill = inbox(), unsent()
    producer = threading.Thread(
        target=produce,
        args=(databases.engine("hazards"), range(CHUNKS // 2, CHUNKS), produced),
        name="producer",
        daemon=True,
    )
    producer.start()
    after = wait_until(
        lambda: (
            (q := queue_info(n1).get("reporting.events"))
            and q["leader"] in (n1.name, n2.name)
            and q
        ),
        timeout=60,
        interval=0.5,
        message="a new leader for reporting.events",
    )
    elected = time.monotonic() - killed_at
    wait_until(lambda: inbox() > applied_at_kill, timeout=60, message="consuming after the kill")
    resumed = time.monotonic() - killed_at
    producer.join(timeout=300)
    assert not producer.is_alive()
    total = CHUNKS * EVENTS_PER_CHUNK
    assert sum(produced) == total

    wait_until(
        lambda: unsent() == 0 and inbox() == total,
        timeout=180,
        interval=0.25,
        message="every event published and applied",
    )
    drained = time.monotonic() - started
    outbox_ids = {r[0] for r in databases.rows("hazards", "SELECT event_id FROM outbox")}
    inbox_ids = {r[0] for r in databases.rows("reporting", "SELECT event_id FROM inbox")}
    assert inbox_ids == outbox_ids and len(outbox_ids) == total
    ledger = databases.rows(
        "hazards", "SELECT id, unit_code, status, version FROM hazards ORDER BY id"
    )
    projection = databases.rows(
        "reporting",
        "SELECT hazard_id, unit_code, status, last_sequence FROM hazard_projection "
        "ORDER BY hazard_id",
    )
    assert projection == ledger
    by_status = databases.rows(
        "reporting", "SELECT status, count(*) FROM hazard_projection GROUP BY 1 ORDER BY 1"
    )
    survivors = queue_info(n1)
    print()
    print(f"rabbit cluster: nodes {[f'{n.name}:{n.port}' for n in rabbit_cluster]}")
    print(
        f"  reporting.events leader {before['leader']} (members {len(before['members'])}) "
        f"-> {after['leader']} after SIGKILL of {n3.name}; new leader seen within {elected:.1f}s, "
        f"consuming again within {resumed:.1f}s"
    )
    print(
        f"  killed with {applied_at_kill} of the first {total // 2} events applied, "
        f"{total // 2 - applied_at_kill - unsent_at_kill} waiting in the queues, "
        f"{unsent_at_kill} not yet published; then {total // 2} more were produced"
    )
    print(
        f"  events produced {total} == hazards outbox {len(outbox_ids)} == reporting inbox "
        f"{len(inbox_ids)} (same ids), unsent {unsent()}; drained {drained:.1f}s after start"
    )
    print(f"  projection == ledger: {len(projection)} hazards, by status {dict(by_status)}")
    print(
        "  quorum queues after the loss: "
        + ", ".join(
            f"{name} leader {q['leader']}"
            for name, q in sorted(survivors.items())
            if q["type"] == "quorum"
        )
    )
