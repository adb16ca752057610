"""A small CAS server for tests: issues service tickets and answers their validation in
CAS 2.0 (``/serviceValidate``) and 3.0 (``/p3/serviceValidate``) XML, on 127.0.0.1 with a
free port, in a thread.

``/login?service=…`` signs in as ``signed_in`` (as a campus CAS would after its password
page) and redirects to the service with a fresh ticket. A ticket is valid once, for the
service it was issued for. ``mode`` makes it misbehave: ``"malformed"`` answers HTML,
``"entities"`` an XML answer with an external entity (XXE), ``"hang"`` holds the answer until
the test ends (a CAS server too slow to wait for).
"""

from __future__ import annotations

import itertools
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

NS = "http://www.yale.edu/tp/cas"


@dataclass
class Account:
    user: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class CasState:
    signed_in: Account | None = None
    mode: str = "normal"
    tickets: dict[str, tuple[str, Account]] = field(default_factory=dict)  # ticket -> service
    validations: list[dict[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def issue(self, service: str, account: Account) -> str:
        ticket = f"ST-{next(self._numbers)}-cas-test"
        self.tickets[ticket] = (service, account)
        return ticket


def success_xml(account: Account, with_attributes: bool) -> str:
    attributes = ""
    if with_attributes and account.attributes:
        items = "".join(
            f"<cas:{name}>{escape(value)}</cas:{name}>"
            for name, value in account.attributes.items()
        )
        attributes = f"<cas:attributes>{items}</cas:attributes>"
    return (
        f"<cas:serviceResponse xmlns:cas='{NS}'><cas:authenticationSuccess>"
        f"<cas:user>{escape(account.user)}</cas:user>{attributes}"
        "</cas:authenticationSuccess></cas:serviceResponse>"
    )


def failure_xml(code: str, message: str) -> str:
    return (
        f"<cas:serviceResponse xmlns:cas='{NS}'>"
        f"<cas:authenticationFailure code='{code}'>{escape(message)}"
        "</cas:authenticationFailure></cas:serviceResponse>"
    )


ENTITIES_XML = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
    f"<cas:serviceResponse xmlns:cas='{NS}'><cas:authenticationSuccess>"
    "<cas:user>&xxe;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"
)


class _Handler(BaseHTTPRequestHandler):
    state: CasState  # set on the subclass each server makes

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        for name, value in {
            "Content-Type": "application/xml; charset=utf-8",
            **(headers or {}),
        }.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/cas/login":
            self._login(query)
        elif url.path in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
            self._validate(query, version_3=url.path.startswith("/cas/p3/"))
        else:
            self._send(404, "not found")

    def _login(self, query: dict[str, str]) -> None:
        service, account = query.get("service", ""), self.state.signed_in
        if account is None:
            self._send(200, "<html>统一身份认证 password page</html>")
            return
        ticket = self.state.issue(service, account)
        separator = "&" if "?" in service else "?"
        self._send(302, "", {"Location": f"{service}{separator}ticket={ticket}"})

    def _validate(self, query: dict[str, str], version_3: bool) -> None:
        self.state.validations.append(query)
        if self.state.mode == "hang":
            self.state.release.wait(30)
        if self.state.mode == "malformed":
            self._send(200, "<html><body>系统维护中</body></html>", {"Content-Type": "text/html"})
            return
        if self.state.mode == "entities":  # an answer trying XXE: its file must never be read
            self._send(200, ENTITIES_XML)
            return
        issued = self.state.tickets.pop(query.get("ticket", ""), None)  # valid once
        if issued is None:
            body = failure_xml("INVALID_TICKET", f"Ticket {query.get('ticket')} not recognized")
        elif issued[0] != query.get("service"):
            body = failure_xml("INVALID_SERVICE", "Ticket was issued for another service")
        else:
            body = success_xml(issued[1], with_attributes=version_3)
        self._send(200, body)


@contextmanager
def cas_server() -> Iterator[tuple[str, CasState]]:
    """A running CAS server: its base URL (``http://127.0.0.1:<port>/cas``) and its state."""
    state = CasState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cas", state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
