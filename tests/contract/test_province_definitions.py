"""deploy/rabbitmq/province/: the province broker's and a campus broker's definitions hold
what a real link needs — province.in federated from every college's province.out over TLS
with the peer verified, the validated user id kept, a user per college with rights on its
own vhost only — and the province's queues are declared exactly as its consumer declares
them (else the consumer could not start: PRECONDITION_FAILED)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from services.province.consumer import declare
from tests.contract.test_rabbitmq_definitions import RecordingChannel

HERE = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "province"
PROVINCE = json.loads((HERE / "definitions.json").read_text(encoding="utf-8"))
CAMPUS = json.loads((HERE / "campus-definitions.json").read_text(encoding="utf-8"))


def upstreams() -> dict[str, dict]:
    return {
        p["name"]: p["value"]
        for p in PROVINCE["parameters"]
        if p["component"] == "federation-upstream"
    }


def test_province_in_is_federated_from_every_college_over_verified_tls():
    [policy] = PROVINCE["policies"]
    assert re.fullmatch(policy["pattern"], "province.in") and policy["apply-to"] == "exchanges"
    assert policy["definition"] == {"federation-upstream-set": "all"}
    assert len(upstreams()) >= 3
    for name, upstream in upstreams().items():
        uri = urlsplit(upstream["uri"])
        query = parse_qs(uri.query)
        assert uri.scheme == "amqps" and uri.port == 5671, name
        assert query["verify"] == ["verify_peer"], name
        assert {"cacertfile", "certfile", "keyfile"} <= set(query), name
        assert uri.username == f"{name}-link" and uri.password is None, "no secret in git"
        assert upstream["exchange"] == "province.out"
        # The campus broker validated user_id; kept so the province can check the campus.
        assert upstream["trust-user-id"] is True
        assert upstream["ack-mode"] == "on-confirm"  # nothing lost when a link drops
        # A link down for days: the campus broker keeps the messages two weeks.
        assert upstream["expires"] >= 7 * 86400 * 1000


def test_the_province_queues_are_what_its_consumer_declares():
    channel = RecordingChannel()
    declare(channel)
    declared = {q["name"]: q["arguments"] for q in channel.queues}
    defined = {q["name"]: q["arguments"] for q in PROVINCE["queues"]}
    assert defined == declared
    assert defined["province.events"]["x-dead-letter-exchange"] == "province.in.dlx"


def test_each_college_user_has_rights_on_its_own_vhost_only():
    vhosts = {v["name"] for v in CAMPUS["vhosts"]}
    for permission in CAMPUS["permissions"]:
        assert permission["vhost"] in vhosts
    by_user = {p["user"]: p for p in CAMPUS["permissions"]}
    publisher = by_user["lzxd"]  # the reporting worker: writes province.out, reads nothing
    assert re.fullmatch(publisher["write"], "province.out") and publisher["read"] == "^$"
    assert not re.fullmatch(publisher["write"], "campus.events")
    link = by_user["lzxd-link"]  # the province's link: reads province.out, writes nothing else
    assert re.fullmatch(link["read"], "province.out")
    assert not re.fullmatch(link["write"], "province.out")
    assert not re.fullmatch(link["read"], "reporting.events")
    assert all(not u["tags"] for u in CAMPUS["users"])  # nobody may forge a user_id
    operator = next(u for u in PROVINCE["users"] if u["name"] == "province-operator")
    assert operator["tags"] == ["impersonator"]  # replays dead letters with their user_id
