"""A WeCom or DingTalk group robot played by a local HTTP server (threaded http.server on
127.0.0.1), for the tests of the reporting service's robot notices."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeRobot:
    """A WeCom or DingTalk robot on 127.0.0.1: records what it is sent and answers as told
    ("ok": errcode 0, "refuse": errcode ≠ 0, "error": HTTP 500). With a secret it checks
    DingTalk's timestamp and sign and refuses a wrong one (errcode 310000, as DingTalk)."""

    def __init__(self, kind: str, secret: str | None = None) -> None:
        self.kind, self.secret, self.mode = kind, secret, "ok"
        self.received: list[dict] = []
        self.signed: list[bool] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.received.append(body)
                query = parse_qs(urlsplit(self.path).query)
                answer = {"errcode": 0, "errmsg": "ok"}
                if robot.secret is not None:
                    good = robot.sign_ok(query)
                    robot.signed.append(good)
                    answer = answer if good else {"errcode": 310000, "errmsg": "sign not match"}
                if robot.mode == "refuse":
                    answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
                status = 500 if robot.mode == "error" else 200
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.handler = Handler
        self.port = 0
        self.start()
        path = "/cgi-bin/webhook/send?key=k1" if kind == "wecom" else "/robot/send?access_token=t1"
        self.url = f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        """Listen (again, on the same port after ``close``: the robot is back)."""
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign_ok(self, query: dict[str, list[str]]) -> bool:
        """DingTalk's rule, written out here from its documentation (not from the code)."""
        if "timestamp" not in query or "sign" not in query:
            return False
        stamp = query["timestamp"][0]
        mac = hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256)
        return query["sign"][0] == base64.b64encode(mac.digest()).decode()

    def text(self, index: int = -1) -> str:
        body = self.received[index]
        assert body["msgtype"] == "markdown"
        return body["markdown"]["content" if self.kind == "wecom" else "text"]

    def close(self) -> None:
        """Stop listening: the robot is down (connections refused)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
