"""The whole suite as real processes, started by the README's run command
(`campus-safety run`), driven over HTTP with tokens from `campus-safety token`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from services.registry import SERVICES
from tests.e2e.conftest import running_suite
from tests.support.fixtures import campus_safety, suite_env
from tests.support.waiting import wait_until
from tests.support.workflow import STEPS_TO_CLOSE, headers

pytestmark = pytest.mark.e2e


def http(method: str, url: str, token: str | None = None, body: bytes | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type"), err.read()
    except urllib.error.URLError:  # not listening (yet)
        return 0, None, b""


def cli_token(env, *args: str) -> str:
    return campus_safety(env, "token", *args, timeout=30).stdout.strip()


def test_suite_counts_hazards_end_to_end(databases, amqp_url, tmp_path):
    env = suite_env(databases, amqp_url)
    with running_suite(env, tmp_path / "suite.log") as suite:
        urls = suite.urls
        office = cli_token(
            env, "--sub", "so-1", "--role", "security_office", "--name", "安全保卫处"
        )
        managers = {
            unit: cli_token(env, "--sub", f"m-{unit}", "--role", "unit_manager", "--unit", unit)
            for unit in ("JD", "XX", "CW")
        }
        hazards = urls["hazards"]
        created = []
        for i in range(20):
            unit = ("JD", "XX", "CW")[i % 3]
            payload = {"unit_code": unit, "category": "fire", "description": f"隐患 {i}"}
            status, _, body = http(
                "POST", f"{hazards}/hazards", managers[unit], json.dumps(payload).encode()
            )
            assert status == 201, body
            created.append(json.loads(body))
        for hazard in created[:7]:  # the whole closed loop, each step by its proper actor
            for path, step, role, sub in STEPS_TO_CLOSE:
                auth = headers(role, sub, hazard["unit_code"])["Authorization"].split()[1]
                url = f"{hazards}/hazards/{hazard['id']}/{path}"
                status, _, body = http("POST", url, auth, json.dumps(step).encode())
                assert status == 200, body

        expected_units = {"JD": 7, "XX": 7, "CW": 6}

        def statistics_match():
            status, _, body = http("GET", f"{urls['reporting']}/statistics", office)
            stats = json.loads(body)
            return (
                status == 200
                and stats["by_status"] == {"closed": 7, "discovered": 13}
                and {u: c["total"] for u, c in stats["by_unit"].items()} == expected_units
            )

        wait_until(statistics_match, timeout=10, interval=0.1, message="statistics")

        # Errors over the wire: 401, 403 other unit, 422 naming the field, 404 unknown route.
        assert http("GET", f"{hazards}/hazards")[0] == 401
        status, ctype, body = http("GET", f"{hazards}/hazards/{created[0]['id']}", managers["XX"])
        assert (status, ctype) == (403, "application/problem+json")
        status, ctype, body = http(
            "POST",
            f"{hazards}/hazards",
            managers["JD"],
            json.dumps({"unit_code": "JD", "category": "fire"}).encode(),
        )
        assert (status, ctype) == (422, "application/problem+json")
        assert json.loads(body)["invalid_params"][0]["name"] == "description"
        assert http("POST", f"{hazards}/hazards", managers["JD"], b"{oops")[0] == 400
        status, ctype, _ = http("GET", f"{urls['grid']}/no-such-route", office)
        assert (status, ctype) == (404, "application/problem+json")
        status, _, body = http("GET", f"{urls['reporting']}/statistics", managers["CW"])
        assert set(json.loads(body)["by_unit"]) == {"CW"}
    # running_suite stopped it as Ctrl-C in a terminal does (SIGINT)
    assert not suite.killed, "the suite was still running 30 s after SIGINT"
    output = (tmp_path / "suite.log").read_text(errors="replace")
    for service in SERVICES:
        assert f"{service}.worker" in output and f"{service}.web" in output
    for url in urls.values():  # everything stopped
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
