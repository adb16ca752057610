"""The address of the person behind a request, for per-address limits and logs.

A request from a trusted proxy carries the person's address as the first
``X-Forwarded-For`` entry; from anywhere else that header is ignored, so nobody can choose
the address they are counted under. ``CAMPUS_TRUSTED_PROXIES`` (``Settings.trusted_proxies``)
lists the trusted addresses or networks.

The proxies do not share the loopback address with every other local process. The shipped
nginx connects to the apps from ``PROXY_SOURCE`` (``proxy_bind 127.0.0.2``), and so does
the web console when it calls a service on this host (``ProxyHTTPHandler``), forwarding the
address it was called from; the default trusts that address alone. A script, a health
check or a portal on the same server reaches the apps from 127.0.0.1 and is counted under
127.0.0.1, whatever header it sends. (Any process may bind 127.0.0.2 too: this keeps
ordinary local clients from being taken for a proxy, it is no wall against a hostile
account on the server.) With Docker Compose the proxies are containers of the compose
network, which docker-compose.yml trusts instead. Where 127.0.0.2 cannot be bound (not
Linux), the console connects from the default address and is counted as itself.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import urllib.request
from functools import lru_cache
from typing import Any

# nginx's proxy_bind and the console's source address: the one place it is written
# (shared.config's default trust and deploy/gunicorn_conf.py take it from here).
PROXY_SOURCE = "127.0.0.2"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(raw: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list (entries that are no address are skipped)."""
    found = []
    for item in raw.split(","):
        item = item.strip()
        if item:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
    return tuple(found)


def is_trusted(address: str | None, trusted: str = PROXY_SOURCE) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks(trusted))


def client_ip(
    remote_addr: str | None, forwarded_for: str | None, trusted: str | None = None
) -> str:
    """``remote_addr``, or the first X-Forwarded-For address if the peer is trusted.
    ``trusted`` is the app's ``Settings.trusted_proxies`` (without it, the environment's)."""
    remote = remote_addr or "-"
    if trusted is None:
        from shared.config import trusted_proxies_from_environment  # config imports us

        trusted = trusted_proxies_from_environment()
    if forwarded_for and is_trusted(remote_addr, trusted):
        first = forwarded_for.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            return remote
    return remote


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class ProxyConnection(http.client.HTTPConnection):
    """An HTTP connection that leaves from ``PROXY_SOURCE`` when it goes to this host."""

    def connect(self) -> None:
        if not _loopback(self.host):
            return super().connect()
        self.source_address = (PROXY_SOURCE, 0)
        try:
            return super().connect()
        except OSError as exc:
            if exc.errno != errno.EADDRNOTAVAIL:
                raise
        self.source_address = None  # 127.0.0.2 is not this host's: connect as ourselves
        return super().connect()


class ProxyHTTPHandler(urllib.request.HTTPHandler):
    """urllib's handler for ``http://`` over ``ProxyConnection`` (the console's client)."""

    def http_open(self, req: Any) -> http.client.HTTPResponse:
        return self.do_open(ProxyConnection, req)
