"""The "test connection" check: walk the path to the API stage by stage, naming what broke.

Stages, in order: the address, the name lookup (DNS: of the proxy when one is used, since
the proxy then looks the API up), the TCP connection, the proxy tunnel (`CONNECT`), the
TLS handshake with certificate checks, one plain HTTP request any server answers, and
the key (the same check as the key dialog). The first failure stops the walk; its
sentence says what failed and what to try, in plain words. The report never holds the key
(every sentence goes through the redactor with the key named) nor a proxy password.
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
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import certifi
from urllib3.util.ssltransport import SSLTransport

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import USER_AGENT, make_api_session, send
from get3w_desktop.api.keycheck import CHECK_TIMEOUT, Verdict, check_key
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.proxy import (
    ProxyConfig,
    mask_proxy_url,
    proxy_credentials,
    proxy_for,
    register_proxy_secrets,
    validate_proxy,
    validate_proxy_url,
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
    stage: Stage
    outcome: Outcome
    message: str
    elapsed_ms: float = 0.0


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
        failed = self.first_failure
        if failed is not None:
            return failed.message
        return f"Everything works: {self.target} answered every check."

    def lines(self) -> list[str]:
        marks = {Outcome.OK: "✓", Outcome.FAILED: "✗", Outcome.SKIPPED: "–"}
        return [
            f"{marks[s.outcome]} {s.stage.label}: {s.message} ({s.elapsed_ms:.0f} ms)"
            if s.outcome is not Outcome.SKIPPED
            else f"{marks[s.outcome]} {s.stage.label}: {s.message}"
            for s in self.stages
        ]


class _StageFailedError(Exception):
    """A stage failed; `args[0]` is the sentence for people."""


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
        steps: list[tuple[Stage, Callable[[], str | None]]] = [
            (Stage.ADDRESS, self.address), (Stage.DNS, self.dns), (Stage.TCP, self.tcp),
            (Stage.PROXY, self.tunnel), (Stage.TLS, self.tls), (Stage.HTTP, self.http),
            (Stage.AUTH, self.auth),
        ]  # fmt: skip
        for index, (stage, step) in enumerate(steps):
            if self.cancel is not None and self.cancel.is_set():
                self._skip_rest(steps[index:], "Stopped before this check.")
                return
            start = time.perf_counter()
            try:
                note = step()
            except _StageFailedError as failure:
                self._record(stage, Outcome.FAILED, str(failure.args[0]), start)
                self._skip_rest(steps[index + 1 :], "Not checked: an earlier check failed.")
                return
            except Exception as exc:  # a bug, or a failure nobody foresaw: still a sentence
                log.exception("connection test stage %s", stage.value)
                message = f"{stage.label} failed unexpectedly ({type(exc).__name__})."
                self._record(stage, Outcome.FAILED, message, start)
                self._skip_rest(steps[index + 1 :], "Not checked: an earlier check failed.")
                return
            if note is None:
                continue  # a stage that does not apply to this route is left out
            outcome = Outcome.SKIPPED if note.startswith("-") else Outcome.OK
            self._record(stage, outcome, note.lstrip("-"), start)

    def _record(self, stage: Stage, outcome: Outcome, message: str, start: float) -> None:
        clean = REDACTOR.redact(message, extra=[self.key] if len(self.key) >= 4 else [])
        elapsed = (time.perf_counter() - start) * 1000.0 if outcome is not Outcome.SKIPPED else 0.0
        result = StageResult(stage, outcome, clean, elapsed)
        self.results.append(result)
        if self.on_stage is not None:
            self.on_stage(result)

    def _skip_rest(self, rest: list[tuple[Stage, Callable[[], str | None]]], why: str) -> None:
        for stage, _step in rest:
            self._record(stage, Outcome.SKIPPED, why, 0.0)

    # -- the stages (each returns a note, "-note" for skipped, or raises _StageFailedError) --------

    def address(self) -> str:
        if self.key:
            REDACTOR.add_secret(self.key)
        try:
            self.base_url = normalise_base_url(self.base_url)
        except Get3WError as exc:
            raise _StageFailedError(exc.message) from None
        parts = urlsplit(self.base_url)
        self.scheme, self.host = parts.scheme.lower(), parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.shown_target = self.host
        problem = validate_proxy(self.proxy) if self.proxy is not None else None
        if problem:
            raise _StageFailedError(f"The proxy setting is not usable: {problem}")
        self.proxy_url = proxy_for(self.proxy, self.base_url)
        if self.proxy_url:
            problem = validate_proxy_url(self.proxy_url)
            if problem:  # a system proxy this app cannot use
                shown = mask_proxy_url(self.proxy_url)
                raise _StageFailedError(f"The system proxy {shown} is not usable: {problem}")
            register_proxy_secrets(self.proxy_url)
            self.route = f"through the proxy {mask_proxy_url(self.proxy_url)}"
            return f"{self.base_url}, {self.route}."
        return f"{self.base_url}, direct connection."

    def _next_hop(self) -> tuple[str, int, bool]:
        """(host, port, is the proxy) of the machine this computer talks to."""
        if self.proxy_url:
            parts = urlsplit(self.proxy_url)
            default = 443 if parts.scheme.lower() == "https" else 1080
            default = 80 if parts.scheme.lower() == "http" else default
            return parts.hostname or "", parts.port or default, True
        return self.host, self.port, False

    def dns(self) -> str:
        host, port, is_proxy = self._next_hop()
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise _StageFailedError(_dns_sentence(host, exc, is_proxy)) from None
        self._addresses = [info[4] for info in found]
        who = f"The proxy {host}" if is_proxy else host
        if any(str(a[0]) == host for a in self._addresses):
            return f"{who} is a numeric address: nothing to look up."
        shown = ", ".join(sorted({str(a[0]) for a in self._addresses})[:3])
        return f"{who} is at {shown}."

    def tcp(self) -> str:
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
            return f"Connected to {'the proxy ' if is_proxy else ''}{host} on port {port}."
        raise _StageFailedError(_tcp_sentence(host, port, last, is_proxy))

    def tunnel(self) -> str | None:
        if not self.proxy_url:
            return None
        scheme = urlsplit(self.proxy_url).scheme.lower()
        if scheme.startswith("socks"):
            return "-The SOCKS handshake is checked with the web request below."
        proxy_host = urlsplit(self.proxy_url).hostname or ""
        if scheme == "https":
            try:
                self.sock = self._context().wrap_socket(self.sock, server_hostname=proxy_host)
            except (ssl.SSLError, OSError) as exc:
                raise _StageFailedError("The proxy: " + _tls_sentence(proxy_host, exc)) from None
        if self.scheme != "https":
            return "-Plain HTTP goes to the proxy as it is; no tunnel is needed."
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
                f"The proxy {proxy_host} broke off while opening a tunnel to {self.host} "
                f"({_os_reason(exc)})."
            ) from None
        if status == 407:
            raise _StageFailedError(
                f"The proxy {proxy_host} asks for a user name and password (HTTP 407). "
                "Write them in the proxy address, e.g. http://user:password@host:port."
                if not credentials
                else f"The proxy {proxy_host} refused the user name or password (HTTP 407)."
            )
        if not 200 <= status < 300:
            raise _StageFailedError(
                f"The proxy {proxy_host} would not connect to {target} "
                f"(HTTP {status} {reason}). The proxy may block this address."
            )
        return f"The proxy opened a tunnel to {target}."

    def tls(self) -> str:
        if self.scheme != "https":
            return "-Plain HTTP to this computer: no encryption is needed."
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
        return f"{self.host} proved its identity ({version or 'TLS'})."

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile or certifi.where())

    def http(self) -> str:
        self.close()  # the stages above are done; requests opens its own connection
        session = make_api_session(None, self.base_url, self.proxy)
        if self.cafile:
            session.verify = self.cafile
        with session:
            try:
                reply = send(session, "GET", self.base_url + "/", timeout=HTTP_TIMEOUT,
                             max_bytes=256 * 1024, total_deadline=HTTP_DEADLINE)  # fmt: skip
            except Get3WError as exc:
                raise _StageFailedError(f"The web request failed (HTTP): {exc.message}") from None
        return f"{self.host} answered a web request (HTTP {reply.status})."

    def auth(self) -> str:
        if not self.key:
            return "-No API key was given for this address, so the key was not checked."
        client = Get3WClient(self.base_url, self.key, timeout=CHECK_TIMEOUT, proxy=self.proxy,
                             ca_bundle=self.cafile)  # fmt: skip
        with client:
            verdict = check_key(client)
        if verdict.verdict is Verdict.ACCEPTED:
            return verdict.message
        error = verdict.error
        if verdict.verdict is Verdict.REFUSED:
            reason = (error.detail.partition(": ")[2] if error else "") or "authentication failed"
            raise _StageFailedError(
                f"{self.host} refused the API key (auth: {reason}). Check that the whole key "
                "was pasted, or set a new one."
            )
        why = error.message if error else verdict.message
        raise _StageFailedError(f"The key could not be checked (auth): {why}")


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


def _dns_sentence(host: str, exc: socket.gaierror, is_proxy: bool) -> str:
    what = f"the proxy's name {host}" if is_proxy else f"the name {host}"
    fix = (
        "Check the proxy address in the profile's settings."
        if is_proxy
        else "Check the address, your internet connection or proxy settings."
    )
    if exc.errno == socket.EAI_AGAIN:
        return (
            f"{what.capitalize()} could not be looked up right now (DNS: no answer). "
            "Check your internet connection."
        )
    if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
        return f"{what.capitalize()} could not be found (DNS). {fix}"
    return f"Looking up {what} failed (DNS: {exc.strerror or exc}). {fix}"


def _tcp_sentence(host: str, port: int, exc: OSError | None, is_proxy: bool) -> str:
    who = f"The proxy {host}" if is_proxy else host
    fix = "Check the proxy address and port." if is_proxy else "Check the address and port."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"{who} refused the connection on port {port} (TCP): nothing is listening there, "
            f"or a firewall blocks it. {fix}"
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return (
            f"{who} did not answer on port {port} within {CONNECT_TIMEOUT:.0f} s (TCP). "
            "A firewall may be blocking it, or the network is down."
        )
    if exc is not None and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return f"{who} cannot be reached from this computer (TCP: no route). {fix}"
    return f"Could not connect to {who} on port {port} (TCP: {_os_reason(exc)})."


_CERT_REASONS = {
    9: "its certificate is not valid yet. Check this computer's date and time",
    10: "its certificate has expired. If this computer's date is right, the server must "
    "renew its certificate",
    18: "its certificate is self-signed, so nobody vouches for it",
    19: "its certificate chain ends in an authority this computer does not trust",
    20: "its certificate comes from an authority this computer does not trust",
    21: "its certificate could not be checked against a trusted authority",
    62: "its certificate is for another name",
}


def _tls_sentence(host: str, exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = _CERT_REASONS.get(exc.verify_code or 0, exc.verify_message or "not trusted")
        hint = (
            " A company network that inspects traffic can cause this."
            if exc.verify_code in (19, 20, 21)
            else ""
        )
        return f"The secure connection to {host} is not trusted (TLS): {reason}.{hint}"
    if isinstance(exc, ssl.SSLError):
        why = exc.reason or exc.__class__.__name__
        if why in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
            return (
                f"{host} did not answer in TLS (TLS: {why}). Is the address http:// rather "
                "than https://, or the port wrong?"
            )
        return f"The secure connection to {host} failed (TLS: {why})."
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"{host} did not finish the secure handshake in time (TLS)."
    if isinstance(exc, OSError):
        return f"{host} broke off the secure handshake (TLS: {_os_reason(exc)})."
    return f"The secure connection to {host} failed (TLS)."


def _os_reason(exc: OSError | None) -> str:
    if exc is None:
        return "no address to try"
    return exc.strerror or str(exc) or type(exc).__name__
