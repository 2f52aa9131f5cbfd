"""A loopback HTTP server that answers from a script: for protocol edge cases.

The sandbox is the faithful server; this one says exactly what a test needs (an unknown
status, HTML where JSON belongs, a redirect) and records every request it received.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # close the connection without answering

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Route = Callable[[Seen], Answer]


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route | list[Answer]] = {}
        self.seen: list[Seen] = []
        self.connections: set[socket.socket] = set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def setup(self) -> None:
                super().setup()
                owner.connections.add(self.connection)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                owner.seen.append(seen)
                answer = owner._answer(seen)
                if answer.reset:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = answer.encoded()
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-server")

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def on(self, method: str, path: str, *answers: Answer, route: Route | None = None) -> None:
        """Answer `method path` with `answers` in turn (the last repeats), or by `route`."""
        self.routes[(method, path)] = route if route is not None else list(answers)

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.split("?")[0] == path]

    def _answer(self, seen: Seen) -> Answer:
        script = self.routes.get((seen.method, seen.path.split("?")[0]))
        if script is None:
            return Answer(404, {"code": 404, "error": "Not found"})
        if callable(script):
            return script(seen)
        return script.pop(0) if len(script) > 1 else script[0]

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join()


def serve() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server
