"""A real HTTP server on 127.0.0.1 that takes webhook calls and checks their signature.

Each call is kept (path, headers, body). The server answers with the statuses a test queues
(then 200), and with 401 when the X-Pledge-Signature header is not the HMAC-SHA256 of the
body under the key it was given, computed here independently of Pledge.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pledge.services import Keys

# The secret the tests derive their keys from: the server checks signatures with its key.
SECRET = b"x" * 32
KEYS = Keys.derive(SECRET)


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    port: int
    key: bytes
    calls: list[Call] = field(default_factory=list)
    statuses: dict[str, list[int]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *statuses: int) -> None:
        """Answer the next calls to `path` with `statuses`, in order, then with 200."""
        self.statuses.setdefault(path, []).extend(statuses)

    def to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path == path]

    def respond(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.calls.append(Call(path, headers, body))
        expected = "sha256=" + hmac.new(self.key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-pledge-signature", ""), expected):
            return 401
        queued = self.statuses.get(path)
        return queued.pop(0) if queued else 200


def _handler(server: WebhookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = server.respond(self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output quiet

    return Handler


@contextmanager
def serve_webhooks() -> Iterator[WebhookServer]:
    """A server for the length of the block (a test module makes it a fixture)."""
    state = WebhookServer(port=0, key=KEYS.webhooks)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
