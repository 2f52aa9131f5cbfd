"""What both sandbox hosts share: answers written by hand so faults happen at the wire.

A reset really resets the socket (RST, no answer), a drip really sends one byte a
second, a truncated answer really announces the full Content-Length and stops early,
and a hang really never answers. Every wait watches the server's stop event, so
`SandboxServer.stop()` releases them all at once.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from get3w_desktop.sandbox.server import SandboxServer

log = logging.getLogger("get3w_desktop.sandbox")
#: Request bodies above this are refused unread (and the connection closed).
MAX_BODY = 110 * 1024**2
_PAGE = (
    "<html>\r\n<head><title>{code} {title}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_TITLES = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def gateway_page(code: int) -> bytes:
    """The HTML a proxy in front of an API sends when the API does not answer."""
    return _PAGE.format(code=code, title=_TITLES.get(code, "Error")).encode()


class WireHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections do not live forever
    server_version = "Get3WSandbox/1.0"
    host_name = "api"

    answered = False  # something was written for the current request
    drip = False  # the current request's answer goes out one byte a second
    gzip = False  # the current request's answer is gzip-compressed (fault "gzip")

    @property
    def sandbox(self) -> SandboxServer:
        return self.server.sandbox  # type: ignore[attr-defined, no-any-return]

    def setup(self) -> None:
        super().setup()
        self.sandbox.track(self.connection)
        if self.sandbox.stopping.is_set():  # accepted while stopping: end it now
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):
                super().finish()
        finally:
            self.sandbox.untrack(self.connection)

    def begin(self) -> str:
        """Start a request on this (maybe kept-alive) connection; its path without query."""
        self.answered = False
        self.drip = False
        self.gzip = False
        if self.sandbox.config.record_requests:
            self.sandbox.record_request(
                self.host_name, f"{self.command} {self.path}\r\n{self.headers}"
            )
        return urlsplit(self.path).path

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s: %s", self.host_name, format % args)

    def _log(self, outcome: str) -> None:
        # Method, path and outcome only: never headers (Authorization) or the query.
        log.info("%s %s %s -> %s", self.host_name, self.command, urlsplit(self.path).path, outcome)

    # -- answers ---------------------------------------------------------------------

    def answer(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        truncate: bool = False,
        head_only: bool = False,
    ) -> None:
        """Send a whole answer (always with Content-Length), maybe faulty."""
        self.answered = True
        reason = self.responses.get(status, ("Unknown",))[0]
        if self.gzip and body:
            body = gzip.compress(body, mtime=0)
            headers = {**(headers or {}), "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        fields = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Date": self.date_time_string(),
            "Server": self.server_version,
            **(headers or {}),
        }
        if self.close_connection:
            fields["Connection"] = "close"
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in fields.items()
        )
        raw = (head + "\r\n").encode("latin-1") + (b"" if head_only else body)
        flags = (" (drip)" if self.drip else "") + (" (truncated)" if truncate else "")
        self._log(f"{status}{flags}{' (gzip)' if self.gzip else ''}")
        if truncate and not head_only:
            # Half the body, then an orderly close (FIN): the client reads a short body.
            self.wfile.write(raw[: len(raw) - max(1, len(body) // 2)])
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)
        elif self.drip:
            for i in range(len(raw)):
                if self.sandbox.stopping.wait(1.0):
                    self.reset(log_it=False)
                    return
                self.wfile.write(raw[i : i + 1])
        else:
            self.wfile.write(raw)

    def json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self.answer(status, json.dumps(data).encode(), "application/json", headers)

    def reset(self, *, log_it: bool = True) -> None:
        """Close with RST and no (further) answer: the client sees a connection error."""
        if log_it:
            self._log("connection reset")
        self.answered = True
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    def hang(self) -> None:
        """Never answer; when the server stops, drop the connection."""
        self._log("hang")
        self.sandbox.stopping.wait()
        self.reset(log_it=False)

    # -- requests --------------------------------------------------------------------

    def read_body(self) -> bytes | None:
        """The request body; None (and the connection marked to close) when too large."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length", "").strip()
        if not length.isdigit():
            return b""
        if int(length) > MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            size = int(line or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                self.close_connection = True
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)
