"""The address of the person behind a request, for per-address limits and logs.

A request that comes from a trusted proxy (nginx, the web console) carries the person's
address as the first ``X-Forwarded-For`` entry; from anywhere else that header is ignored,
so nobody can choose the address they are counted under. ``CAMPUS_TRUSTED_PROXIES`` lists
addresses or networks (default the loopback: nginx and the console on the same host; with
Docker Compose, the compose network).
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache

DEFAULT_TRUSTED = "127.0.0.1,::1"


@lru_cache(maxsize=8)
def _networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in raw.split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
    return tuple(networks)


def is_trusted(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    trusted = _networks(os.environ.get("CAMPUS_TRUSTED_PROXIES", DEFAULT_TRUSTED))
    return any(ip in network for network in trusted)


def client_ip(remote_addr: str | None, forwarded_for: str | None) -> str:
    """``remote_addr``, or the first X-Forwarded-For address if the peer is trusted."""
    remote = remote_addr or "-"
    if forwarded_for and is_trusted(remote_addr):
        first = forwarded_for.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            return remote
    return remote
