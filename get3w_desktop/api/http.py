"""HTTP plumbing: two sessions, bounded reads, and failures classified into typed errors.

- The API session carries the key through a host-bound auth object, follows no
  redirects (every call passes allow_redirects=False; `max_redirects = 0` would make
  requests raise even then), and ignores the environment (a `~/.netrc` entry would
  otherwise replace our Authorization header).
- The output session carries no credentials of any kind; downloads follow redirects by
  hand so every hop is checked (see `download.py`).
Every exchange may carry a whole-exchange deadline: `requests` timeouts are per socket
read, so a server that drips its head one byte a second would otherwise hold a worker
for as long as it likes. A short-lived timer shuts the socket when the deadline passes
while the head is being read; `read_body` checks the same deadline between chunks.
No layer here retries: retries and polling belong to the caller (see RELIABILITY.md).
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from get3w_desktop import __version__
from get3w_desktop.api.parse import error_message, parse_retry_after, snippet
from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    Get3WError,
    InsufficientBalanceError,
    InvalidParametersError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from get3w_desktop.core.urls import host_of, origin

USER_AGENT = f"get3w-desktop/{__version__}"
#: (connect, read) seconds for ordinary API calls.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: Largest JSON answer we read (a model list with schemas is the biggest).
MAX_JSON_BYTES = 32 * 1024 * 1024
#: Whole-exchange limit (seconds) for ordinary API calls, however the bytes trickle in.
DEFAULT_DEADLINE = 60.0

#: The monotonic time by which the current thread's exchange must have its answer head.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "get3w_deadline", default=None
)


@contextlib.contextmanager
def exchange_deadline(deadline: float | None) -> Iterator[None]:
    """Bound the answer heads read in this block by `deadline` (monotonic seconds)."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _DeadlineConnection:
    """Mixin for urllib3 connections: reading the answer head obeys `_DEADLINE`.

    A socket shut by the timer makes the head read fail; `send` reports it as too slow.
    The timer thread lives only while a head is read, and is joined before returning.
    """

    sock: socket.socket | None

    def getresponse(self) -> Any:
        deadline = _DEADLINE.get()
        sock = self.sock
        if deadline is None or sock is None:
            return super().getresponse()  # type: ignore[misc]

        def expire() -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, deadline - time.monotonic()), expire)
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            timer.cancel()
            timer.join()


class _HTTPConnection(_DeadlineConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """The standard adapter, with connections whose head reads obey `exchange_deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


#: Kept-alive connections per host: above the runner's concurrency, so parallel workers
#: never discard (and reopen) connections.
POOL_SIZE = 32


def _mount_deadline_adapters(session: requests.Session) -> None:
    session.mount("http://", DeadlineAdapter(pool_maxsize=POOL_SIZE))
    session.mount("https://", DeadlineAdapter(pool_maxsize=POOL_SIZE))


class HostBoundBearer(requests.auth.AuthBase):
    """Adds `Authorization: Bearer <key>` only to requests for one exact origin."""

    def __init__(self, key: str, base_url: str) -> None:
        self._key = key
        self._origin = origin(base_url)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.url is not None and origin(request.url) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._key}"
        else:
            request.headers.pop("Authorization", None)
        return request

    def __repr__(self) -> str:  # never show the key in a debugger or a log line
        return f"HostBoundBearer(origin={self._origin!r})"


def make_api_session(key: str | None, base_url: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    _mount_deadline_adapters(session)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    if key:
        session.auth = HostBoundBearer(key, base_url)
    return session


def make_output_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    _mount_deadline_adapters(session)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "identity"  # Content-Length must mean file bytes
    return session


@dataclass(frozen=True)
class Reply:
    """A fully read HTTP answer."""

    status: int
    body: bytes
    headers: requests.structures.CaseInsensitiveDict[str]
    url: str


def read_body(
    response: requests.Response, *, max_bytes: int, deadline: float | None = None
) -> bytes:
    """Read a streamed body with a size ceiling and a whole-transfer deadline.

    `read1` returns what has arrived, so a server that drips bytes is caught by the
    deadline even though each socket read succeeds.
    """
    chunks: list[bytes] = []
    total = 0
    raw = response.raw
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise _too_slow(host_of(response.url), f"deadline passed after {total} bytes")
        chunk = raw.read1(65536)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise BadResponseError(
                f"{host_of(response.url)} sent an answer larger than expected; refused.",
                detail=f"over {max_bytes} bytes",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_JSON_BYTES,
    total_deadline: float | None = DEFAULT_DEADLINE,
    **kwargs: Any,
) -> Reply:
    """One request, fully read within `total_deadline` seconds, with transport failures
    mapped to `NetworkError`."""
    host = host_of(url)
    deadline = time.monotonic() + total_deadline if total_deadline else None
    try:
        with (
            exchange_deadline(deadline),
            session.request(
                method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs
            ) as response,
        ):
            body = read_body(response, max_bytes=max_bytes, deadline=deadline)
            return Reply(response.status_code, body, response.headers, url)
    except (requests.ConnectionError, requests.Timeout) as exc:
        if deadline is not None and time.monotonic() >= deadline:
            raise _too_slow(host, "deadline passed before the answer's head") from None
        raise classify_transport_error(exc, host) from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
        urllib3.exceptions.HTTPError,
    ) as exc:
        if deadline is not None and time.monotonic() >= deadline:
            raise _too_slow(host, "deadline passed while reading") from None
        raise NetworkError(
            f"The connection to {host} broke while reading the answer.",
            maybe_sent=True,
            detail=type(exc).__name__,
        ) from None
    except requests.RequestException as exc:
        raise NetworkError(
            f"Could not talk to {host}.", maybe_sent=True, detail=type(exc).__name__
        ) from None
    except ValueError:  # requests parses a redirect's Location even when not following it
        raise BadResponseError(
            f"{host} sent a malformed redirect; the client does not follow API redirects.",
            detail="unparsable Location header",
        ) from None


def _too_slow(host: str, detail: str) -> NetworkError:
    return NetworkError(f"{host} is answering too slowly; gave up.", maybe_sent=True, detail=detail)


def classify_transport_error(exc: requests.RequestException, host: str) -> NetworkError:
    """Tell 'never reached the server' (safe to resend anything) from 'may have been sent'."""
    if isinstance(exc, requests.ConnectTimeout):
        return NetworkError(
            f"Could not connect to {host} (timed out).", maybe_sent=False, detail="connect timeout"
        )
    if isinstance(exc, requests.Timeout):
        return NetworkError(
            f"{host} did not answer in time.", maybe_sent=True, detail="read timeout"
        )
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    if isinstance(inner, urllib3.exceptions.NameResolutionError):
        return NetworkError(
            f"Could not find {host}: check the address and your internet connection.",
            maybe_sent=False,
            detail="name resolution failed",
        )
    if isinstance(inner, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return NetworkError(
            f"Could not connect to {host}: it refused the connection or is unreachable.",
            maybe_sent=False,
            detail="connection refused",
        )
    if isinstance(inner, urllib3.exceptions.SSLError | requests.exceptions.SSLError):
        return NetworkError(
            f"The secure connection to {host} failed (certificate or TLS problem).",
            maybe_sent=False,
            detail="tls",
        )
    return NetworkError(
        f"The connection to {host} was lost before an answer arrived.",
        maybe_sent=True,
        detail=type(inner).__name__ if inner is not None else type(exc).__name__,
    )


def raise_for_status(reply: Reply, what: str) -> None:
    """Map a non-2xx answer to the typed error family; 2xx passes."""
    status = reply.status
    if 200 <= status < 300:
        return
    server_says = error_message(reply.body)
    detail = f"HTTP {status}: {server_says or snippet(reply.body)}"
    retry_after = parse_retry_after(reply.headers.get("Retry-After"), reply.headers.get("Date"))
    host = host_of(reply.url)
    error: Get3WError
    if status == 401:
        error = AuthError(
            f"{host} refused the API key ({server_says or 'authentication failed'}). "
            "Check the key in Settings.",
            detail=detail,
        )
    elif status == 403:
        error = InsufficientBalanceError(
            "Your Get3W balance is too low for this task. Top up your account, then try again.",
            detail=detail,
        )
    elif status == 400 or status == 422:
        error = InvalidParametersError(
            f"Get3W rejected the parameters: {server_says or 'invalid parameters'}.",
            problems=(server_says,) if server_says else (),
            detail=detail,
        )
    elif status == 404:
        error = NotFoundError(f"Not found: {what}.", detail=detail)
    elif status == 429:
        wait = f" Retrying in {retry_after:.0f} s." if retry_after else ""
        error = RateLimitedError(
            f"Get3W is limiting requests (too many tasks at once).{wait}",
            retry_after=retry_after,
            detail=detail,
        )
    elif 300 <= status < 400:
        error = BadResponseError(
            f"{host} redirected {what} elsewhere; the client does not follow API redirects.",
            detail=f"HTTP {status} to {reply.headers.get('Location', '?')}",
        )
    else:
        error = ServerError(
            f"{host} had a problem answering {what} (HTTP {status}). This is usually temporary.",
            status=status,
            retry_after=retry_after,
            detail=detail,
        )
    raise error
