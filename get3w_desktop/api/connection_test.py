"""The "test connection" check: walk the path to the API stage by stage, naming what broke.

Stages, in order: the address, the name lookup (DNS: of the proxy when one is used, since
the proxy then looks the API up), the TCP connection, the proxy tunnel (`CONNECT`), the
TLS handshake with certificate checks, one plain HTTP request any server answers, and
the key (the same check as the key dialog). The first failure stops the walk; its
sentence says what failed and what to try, in plain words. Every sentence is a coded
`Message` (core/connection_messages.py) whose English `fallback` is the `message` logs and
`lines()` show, so the window can show it in the person's language. The report never holds
the key (every sentence goes through the redactor with the key named) nor a proxy password.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import certifi
from urllib3.util.ssltransport import SSLTransport

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import USER_AGENT, make_api_session, send
from get3w_desktop.api.keycheck import CHECK_TIMEOUT, Verdict, check_key
from get3w_desktop.core import connection_messages as sentences
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.messages import Message, for_error, text
from get3w_desktop.core.proxy import (
    ProxyConfig,
    mask_proxy_url,
    proxy_credentials,
    proxy_for,
    proxy_problem,
    proxy_url_problem,
    register_proxy_secrets,
)
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.urls import normalise_base_url

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
TLS_TIMEOUT = 10.0
HTTP_TIMEOUT = (5.0, 10.0)
HTTP_DEADLINE = 20.0
MAX_PROXY_HEAD = 16 * 1024


class Stage(Enum):
    ADDRESS = "address"
    DNS = "dns"
    TCP = "tcp"
    PROXY = "proxy"
    TLS = "tls"
    HTTP = "http"
    AUTH = "auth"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Stage.ADDRESS: "Address",
    Stage.DNS: "Name lookup (DNS)",
    Stage.TCP: "Connection (TCP)",
    Stage.PROXY: "Proxy tunnel",
    Stage.TLS: "Secure connection (TLS)",
    Stage.HTTP: "Web server (HTTP)",
    Stage.AUTH: "API key (auth)",
}


class Outcome(Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StageResult:
    """One stage's outcome; `message` is the English sentence, `coded` the same sentence as
    a code and arguments for the window (None for a result built from words alone)."""

    stage: Stage
    outcome: Outcome
    message: str
    elapsed_ms: float = 0.0
    coded: Message | None = None

    @property
    def said(self) -> Message:
        """The sentence as a message: `coded` when it matches `message`, else the words."""
        if self.coded is not None and self.coded.fallback == self.message:
            return self.coded
        return text(self.message)


@dataclass(frozen=True)
class ConnectionReport:
    """Every stage in order; `summary` is the sentence to show first."""

    target: str
    route: str
    stages: tuple[StageResult, ...]

    @property
    def ok(self) -> bool:
        return all(s.outcome is not Outcome.FAILED for s in self.stages)

    @property
    def first_failure(self) -> StageResult | None:
        return next((s for s in self.stages if s.outcome is Outcome.FAILED), None)

    @property
    def summary(self) -> str:
        return self.summary_said.fallback

    @property
    def summary_said(self) -> Message:
        """`summary` as a message, for the window to show in the person's language."""
        failed = self.first_failure
        if failed is not None:
            return failed.said
        return sentences.everything_works(self.target)

    def lines(self) -> list[str]:
        marks = {Outcome.OK: "✓", Outcome.FAILED: "✗", Outcome.SKIPPED: "–"}
        return [
            f"{marks[s.outcome]} {s.stage.label}: {s.message} ({s.elapsed_ms:.0f} ms)"
            if s.outcome is not Outcome.SKIPPED
            else f"{marks[s.outcome]} {s.stage.label}: {s.message}"
            for s in self.stages
        ]


class _StageFailedError(Exception):
    """A stage failed; `args[0]` is the sentence for people (a `Message`)."""


class _Skipped(NamedTuple):
    """A stage's note when the stage was not needed (shown as skipped, not as passed)."""

    said: Message


#: What a stage returns: its note, a skip, or None when it does not apply to this route.
_Note = Message | _Skipped | None


def check_connection(
    base_url: str,
    key: str | None,
    proxy: ProxyConfig | None,
    *,
    cafile: str | None = None,
    cancel: threading.Event | None = None,
    on_stage: Callable[[StageResult], None] | None = None,
) -> ConnectionReport:
    """Check every stage between this computer and the API at `base_url`.

    `cafile` replaces the bundled certificate authorities (tests; a company's
    inspecting proxy); `on_stage` hears each result as it comes (a worker's progress).
    Raises nothing expected: every failure is a stage's sentence.
    """
    run = _Walk(base_url, (key or "").strip(), proxy, cafile, cancel, on_stage)
    try:
        run.walk()
    finally:
        run.close()
    return ConnectionReport(run.shown_target, run.route, tuple(run.results))


#: The name the issue uses; marked so pytest never mistakes it for a test when imported.
test_connection = check_connection
check_connection.__test__ = False  # type: ignore[attr-defined]


class _Walk:
    def __init__(self, base_url: str, key: str, proxy: ProxyConfig | None, cafile: str | None,
                 cancel: threading.Event | None,
                 on_stage: Callable[[StageResult], None] | None) -> None:  # fmt: skip
        self.base_url, self.key, self.proxy, self.cafile = base_url.strip(), key, proxy, cafile
        self.cancel, self.on_stage = cancel, on_stage
        self.shown_target = self.base_url or "(no address)"
        self.route = "direct"
        self.results: list[StageResult] = []
        self.sock: Any = None
        self.host, self.port, self.scheme = "", 0, ""
        self.proxy_url: str | None = None
        self._addresses: list[Any] = []

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None

    def walk(self) -> None:
        steps: list[tuple[Stage, Callable[[], _Note]]] = [
            (Stage.ADDRESS, self.address), (Stage.DNS, self.dns), (Stage.TCP, self.tcp),
            (Stage.PROXY, self.tunnel), (Stage.TLS, self.tls), (Stage.HTTP, self.http),
            (Stage.AUTH, self.auth),
        ]  # fmt: skip
        for index, (stage, step) in enumerate(steps):
            if self.cancel is not None and self.cancel.is_set():
                self._skip_rest(steps[index:], sentences.STOPPED)
                return
            start = time.perf_counter()
            try:
                note = step()
            except _StageFailedError as failure:
                self._record(stage, Outcome.FAILED, failure.args[0], start)
                self._skip_rest(steps[index + 1 :], sentences.NOT_CHECKED)
                return
            except Exception as exc:  # a bug, or a failure nobody foresaw: still a sentence
                log.exception("connection test stage %s", stage.value)
                message = sentences.stage_unexpected(stage.label, type(exc).__name__)
                self._record(stage, Outcome.FAILED, message, start)
                self._skip_rest(steps[index + 1 :], sentences.NOT_CHECKED)
                return
            if note is None:
                continue  # a stage that does not apply to this route is left out
            if isinstance(note, _Skipped):
                self._record(stage, Outcome.SKIPPED, note.said, start)
            else:
                self._record(stage, Outcome.OK, note, start)

    def _record(self, stage: Stage, outcome: Outcome, message: Message, start: float) -> None:
        clean = _redacted(message, [self.key] if len(self.key) >= 4 else [])
        elapsed = (time.perf_counter() - start) * 1000.0 if outcome is not Outcome.SKIPPED else 0.0
        result = StageResult(stage, outcome, clean.fallback, elapsed, clean)
        self.results.append(result)
        if self.on_stage is not None:
            self.on_stage(result)

    def _skip_rest(self, rest: list[tuple[Stage, Callable[[], _Note]]], why: Message) -> None:
        for stage, _step in rest:
            self._record(stage, Outcome.SKIPPED, why, 0.0)

    # -- the stages (each returns a note, a _Skipped, or raises _StageFailedError) ---------------

    def address(self) -> Message:
        if self.key:
            REDACTOR.add_secret(self.key)
        try:
            self.base_url = normalise_base_url(self.base_url)
        except Get3WError as exc:
            raise _StageFailedError(for_error(exc)) from None
        parts = urlsplit(self.base_url)
        self.scheme, self.host = parts.scheme.lower(), parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.shown_target = self.host
        problem = proxy_problem(self.proxy) if self.proxy is not None else None
        if problem is not None:
            raise _StageFailedError(sentences.proxy_unusable(problem))
        self.proxy_url = proxy_for(self.proxy, self.base_url)
        if self.proxy_url:
            problem = proxy_url_problem(self.proxy_url)
            if problem is not None:  # a system proxy this app cannot use
                shown = mask_proxy_url(self.proxy_url)
                raise _StageFailedError(sentences.system_proxy_unusable(shown, problem))
            register_proxy_secrets(self.proxy_url)
            self.route = f"through the proxy {mask_proxy_url(self.proxy_url)}"
            return sentences.address_proxy(self.base_url, mask_proxy_url(self.proxy_url))
        return sentences.address_direct(self.base_url)

    def _next_hop(self) -> tuple[str, int, bool]:
        """(host, port, is the proxy) of the machine this computer talks to."""
        if self.proxy_url:
            parts = urlsplit(self.proxy_url)
            default = 443 if parts.scheme.lower() == "https" else 1080
            default = 80 if parts.scheme.lower() == "http" else default
            return parts.hostname or "", parts.port or default, True
        return self.host, self.port, False

    def dns(self) -> Message:
        host, port, is_proxy = self._next_hop()
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise _StageFailedError(_dns_sentence(host, exc, is_proxy)) from None
        self._addresses = [info[4] for info in found]
        if any(str(a[0]) == host for a in self._addresses):
            return sentences.dns_numeric(host, is_proxy)
        shown = ", ".join(sorted({str(a[0]) for a in self._addresses})[:3])
        return sentences.dns_found(host, is_proxy, shown)

    def tcp(self) -> Message:
        host, port, is_proxy = self._next_hop()
        last: OSError | None = None
        for address in self._addresses:
            family = socket.AF_INET6 if ":" in str(address[0]) else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(CONNECT_TIMEOUT)
            try:
                sock.connect(address)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            self.sock = sock
            return sentences.tcp_connected(host, port, is_proxy)
        raise _StageFailedError(_tcp_sentence(host, port, last, is_proxy))

    def tunnel(self) -> _Note:
        if not self.proxy_url:
            return None
        scheme = urlsplit(self.proxy_url).scheme.lower()
        if scheme.startswith("socks"):
            return _Skipped(sentences.SOCKS_LATER)
        proxy_host = urlsplit(self.proxy_url).hostname or ""
        if scheme == "https":
            try:
                self.sock = self._context().wrap_socket(self.sock, server_hostname=proxy_host)
            except (ssl.SSLError, OSError) as exc:
                raise _StageFailedError(
                    sentences.proxy_tls(_tls_sentence(proxy_host, exc))
                ) from None
        if self.scheme != "https":
            return _Skipped(sentences.NO_TUNNEL)
        target = f"{self.host}:{self.port}"
        head = [f"CONNECT {target} HTTP/1.1", f"Host: {target}", f"User-Agent: {USER_AGENT}"]
        credentials = proxy_credentials(self.proxy_url)
        if credentials:
            token = base64.b64encode(":".join(credentials).encode()).decode("ascii")
            head.append(f"Proxy-Authorization: Basic {token}")
        try:
            self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            status, reason = _read_status(self.sock)
        except OSError as exc:
            raise _StageFailedError(
                sentences.tunnel_broke(proxy_host, self.host, _os_reason(exc))
            ) from None
        if status == 407:
            raise _StageFailedError(
                sentences.proxy_refused_password(proxy_host)
                if credentials
                else sentences.proxy_wants_password(proxy_host)
            )
        if not 200 <= status < 300:
            raise _StageFailedError(sentences.proxy_blocked(proxy_host, target, status, reason))
        return sentences.tunnel_open(target)

    def tls(self) -> Message | _Skipped:
        if self.scheme != "https":
            return _Skipped(sentences.TLS_NOT_NEEDED)
        try:
            context = self._context()
            if isinstance(self.sock, ssl.SSLSocket):  # TLS inside an HTTPS proxy's TLS
                self.sock = SSLTransport(self.sock, context, server_hostname=self.host)
                version = self.sock.version()
            else:
                self.sock.settimeout(TLS_TIMEOUT)
                self.sock = context.wrap_socket(self.sock, server_hostname=self.host)
                version = self.sock.version()
        except (ssl.SSLError, OSError) as exc:
            raise _StageFailedError(_tls_sentence(self.host, exc)) from None
        return sentences.tls_ok(self.host, version or "TLS")

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile or certifi.where())

    def http(self) -> Message:
        self.close()  # the stages above are done; requests opens its own connection
        session = make_api_session(None, self.base_url, self.proxy)
        if self.cafile:
            session.verify = self.cafile
        with session:
            try:
                reply = send(session, "GET", self.base_url + "/", timeout=HTTP_TIMEOUT,
                             max_bytes=256 * 1024, total_deadline=HTTP_DEADLINE)  # fmt: skip
            except Get3WError as exc:
                raise _StageFailedError(sentences.http_failed(for_error(exc))) from None
        return sentences.http_ok(self.host, reply.status)

    def auth(self) -> Message | _Skipped:
        if not self.key:
            return _Skipped(sentences.NO_KEY)
        client = Get3WClient(self.base_url, self.key, timeout=CHECK_TIMEOUT, proxy=self.proxy,
                             ca_bundle=self.cafile)  # fmt: skip
        with client:
            verdict = check_key(client)
        if verdict.verdict is Verdict.ACCEPTED:
            return verdict.said
        error = verdict.error
        if verdict.verdict is Verdict.REFUSED:
            reason = (error.detail.partition(": ")[2] if error else "") or "authentication failed"
            raise _StageFailedError(sentences.key_refused(self.host, reason))
        raise _StageFailedError(
            sentences.key_unchecked(for_error(error) if error else verdict.said)
        )


def _read_status(sock: Any) -> tuple[int, str]:
    """The status of a proxy's answer to CONNECT; reads its head and nothing more."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)  # byte by byte: what follows the head belongs to TLS
        if not chunk:
            raise ConnectionResetError("the proxy closed the connection")
        data += chunk
        if len(data) > MAX_PROXY_HEAD:
            raise ConnectionError("the proxy sent an oversized answer")
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError("the proxy did not answer in HTTP")
    return int(parts[1]), parts[2] if len(parts) > 2 else ""


def _dns_sentence(host: str, exc: socket.gaierror, is_proxy: bool) -> Message:
    if exc.errno == socket.EAI_AGAIN:
        return sentences.dns_no_answer(host, is_proxy)
    if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
        return sentences.dns_not_found(host, is_proxy)
    return sentences.dns_failed(host, is_proxy, str(exc.strerror or exc))


def _tcp_sentence(host: str, port: int, exc: OSError | None, is_proxy: bool) -> Message:
    if isinstance(exc, ConnectionRefusedError):
        return sentences.tcp_refused(host, port, is_proxy)
    if isinstance(exc, TimeoutError | socket.timeout):
        return sentences.tcp_timeout(host, port, is_proxy, CONNECT_TIMEOUT)
    if exc is not None and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return sentences.tcp_no_route(host, is_proxy)
    return sentences.tcp_failed(host, port, is_proxy, _os_reason(exc))


def _tls_sentence(host: str, exc: BaseException) -> Message:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = sentences.cert_reason(exc.verify_code or 0, exc.verify_message or "not trusted")
        return sentences.tls_untrusted(host, reason, exc.verify_code in (19, 20, 21))
    if isinstance(exc, ssl.SSLError):
        why = exc.reason or exc.__class__.__name__
        if why in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
            return sentences.tls_not_tls(host, why)
        return sentences.tls_failed(host, why)
    if isinstance(exc, TimeoutError | socket.timeout):
        return sentences.tls_timeout(host)
    if isinstance(exc, OSError):
        return sentences.tls_broke(host, _os_reason(exc))
    return sentences.tls_failed_plain(host)


def _redacted(message: Message, extra: list[str]) -> Message:
    """`message` with every secret taken out of its words and its arguments."""
    args = {
        name: _redacted(value, extra)
        if isinstance(value, Message)
        else REDACTOR.redact(value, extra=extra)
        if isinstance(value, str)
        else value
        for name, value in message.args.items()
    }
    return replace(message, args=args, fallback=REDACTOR.redact(message.fallback, extra=extra))


def _os_reason(exc: OSError | None) -> str:
    if exc is None:
        return "no address to try"
    return exc.strerror or str(exc) or type(exc).__name__
