"""HTTP plumbing: two sessions, bounded reads, and failures classified into typed errors.

- The API session carries the key through a host-bound auth object, follows no
  redirects (every call passes allow_redirects=False; `max_redirects = 0` would make
  requests raise even then), and ignores the environment (a `~/.netrc` entry would
  otherwise replace our Authorization header).
- The output session carries no credentials of any kind; downloads follow redirects by
  hand so every hop is checked (see `download.py`).
The API session asks for `gzip, deflate` and `read_body` decodes exactly that: what we
ask for we decode, so a gateway honouring the header never hands JSON parsing a
compressed body. Every body read is bounded (compressed and decoded).
Every exchange carries a whole-exchange deadline (see `deadline.py`); `read_body` checks
it between chunks.
No layer here retries: retries and polling belong to the caller (see RELIABILITY.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import urllib3.exceptions

from get3w_desktop import __version__
from get3w_desktop.api.deadline import (  # re-exported: the deadline machinery lived here
    _DEADLINE as _DEADLINE,
)
from get3w_desktop.api.deadline import POOL_SIZE, _mount_deadline_adapters
from get3w_desktop.api.deadline import WATCHDOG as WATCHDOG
from get3w_desktop.api.deadline import DeadlineAdapter as DeadlineAdapter
from get3w_desktop.api.deadline import DeadlineWatchdog as DeadlineWatchdog
from get3w_desktop.api.deadline import _DeadlineConnection as _DeadlineConnection
from get3w_desktop.api.deadline import _HTTPPool as _HTTPPool
from get3w_desktop.api.deadline import _HTTPSPool as _HTTPSPool
from get3w_desktop.api.deadline import effective_deadline as effective_deadline
from get3w_desktop.api.deadline import exchange_deadline as exchange_deadline
from get3w_desktop.api.deadline import overall_deadline as overall_deadline
from get3w_desktop.api.parse import error_message, parse_retry_after, snippet
from get3w_desktop.core import messages as msgs
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
from get3w_desktop.core.proxy import ProxyConfig, proxies_for, register_proxy_secrets
from get3w_desktop.core.urls import host_of, origin

log = logging.getLogger(__name__)

USER_AGENT = f"get3w-desktop/{__version__}"
#: The content codings the API session asks for; `read_body` decodes exactly these.
API_ACCEPT_ENCODING = "gzip, deflate"


class _OneLineHeaderWarning(logging.Filter):
    """urllib3 logs an answer head it cannot parse (a dripping server cut off mid-header
    by the deadline) as a warning *with a traceback*; the failure itself is reported by
    `send`, so one plain line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Failed to parse headers"):
            error = record.exc_info[1]
            record.msg = "ignored a damaged answer head (%s): %s"
            record.args = (type(error).__name__ if error else "?", _url_of(record))
            record.exc_info = record.exc_text = None
        return True


def _url_of(record: logging.LogRecord) -> str:
    args = record.args if isinstance(record.args, tuple) else ()
    return str(args[0]).split("?", 1)[0] if args else "?"


logging.getLogger("urllib3.connection").addFilter(_OneLineHeaderWarning())
#: (connect, read) seconds for ordinary API calls.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: Largest JSON answer we read (a model list with schemas is the biggest).
MAX_JSON_BYTES = 32 * 1024 * 1024
#: Largest answer to a submit or a poll: a task object is a few kilobytes; a server that
#: sends more is refused instead of being read into memory.
MAX_TASK_BYTES = 4 * 1024 * 1024
#: Whole-exchange limit (seconds) for ordinary API calls, however the bytes trickle in.
DEFAULT_DEADLINE = 60.0


class MalformedKeyError(AuthError):
    """The key cannot be sent in a header at all (line breaks, spaces, non-ASCII): found
    before anything left, so nothing was sent (and nothing charged)."""


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an API key, or None. Keys are printable ASCII without spaces;
    anything else cannot travel in an HTTP header (and CR/LF would split it)."""
    if any(c in "\r\n" for c in key):
        return "it contains a line break"
    if any(not 0x21 <= ord(c) <= 0x7E for c in key):
        return "it contains spaces or characters that are not plain ASCII letters and digits"
    return None


def _key_problem_message(key: str) -> msgs.Message | None:
    if any(c in "\r\n" for c in key):
        return msgs.http_key_line_break()
    return msgs.http_key_characters() if key_problem(key) else None


class HostBoundBearer(requests.auth.AuthBase):
    """Adds `Authorization: Bearer <key>` only to requests for one exact origin."""

    def __init__(self, key: str, base_url: str) -> None:
        self._key = key
        self._origin = origin(base_url)
        self._problem = _key_problem_message(key)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.url is not None and origin(request.url) == self._origin:
            if self._problem is not None:
                raise msgs.coded(
                    MalformedKeyError(self._problem.fallback, detail="malformed key"),
                    self._problem,
                )
            request.headers["Authorization"] = f"Bearer {self._key}"
        else:
            request.headers.pop("Authorization", None)
        return request

    def __repr__(self) -> str:  # never show the key in a debugger or a log line
        return f"HostBoundBearer(origin={self._origin!r})"


class _ProxyDeadlineAdapter(DeadlineAdapter):
    """A deadline adapter whose proxied connections obey the deadline too (requests builds
    a separate urllib3 manager per proxy, with the standard pools)."""

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager


class _ProxiedSession(requests.Session):
    """A session that takes its proxy from a `ProxyConfig`, per target URL, never from the
    environment by itself (`trust_env` stays False: no `~/.netrc`, no stray variables)."""

    def __init__(self, config: ProxyConfig) -> None:
        super().__init__()
        self.proxy_config = config
        if config.proxy_url:
            register_proxy_secrets(config.proxy_url)

    def merge_environment_settings(
        self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if not proxies:  # an explicit per-call choice wins
            text = url.decode() if isinstance(url, bytes) else (url or "")
            merged["proxies"] = proxies_for(self.proxy_config, text)
        return merged

    def rebuild_proxies(self, prepared_request: Any, proxies: Any) -> Any:
        chosen = proxies_for(self.proxy_config, prepared_request.url or "")
        return super().rebuild_proxies(prepared_request, chosen)  # type: ignore[no-untyped-call]

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if "proxies" not in kwargs:
            kwargs["proxies"] = proxies_for(self.proxy_config, request.url or "")
        return super().send(request, **kwargs)


def _new_session(proxy: ProxyConfig | None) -> requests.Session:
    """A session that ignores the environment; proxied only by an explicit `proxy`."""
    if proxy is None or proxy.mode == "none":
        session = requests.Session()
        session.trust_env = False
        _mount_deadline_adapters(session)
        return session
    session = _ProxiedSession(proxy)
    session.trust_env = False
    session.mount("http://", _ProxyDeadlineAdapter(pool_maxsize=POOL_SIZE))
    session.mount("https://", _ProxyDeadlineAdapter(pool_maxsize=POOL_SIZE))
    return session


def make_api_session(
    key: str | None, base_url: str, proxy: ProxyConfig | None = None
) -> requests.Session:
    """`proxy` None (or mode none) connects directly; see `core/proxy.py`."""
    session = _new_session(proxy)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    session.headers["Accept-Encoding"] = API_ACCEPT_ENCODING
    if key:
        session.auth = HostBoundBearer(key, base_url)
    return session


def make_output_session(proxy: ProxyConfig | None = None) -> requests.Session:
    session = _new_session(proxy)
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

    The body is decoded as its Content-Encoding says (urllib3 decodes only what
    `API_ACCEPT_ENCODING` asked for, and at most one chunk at a time, so a compression
    bomb hits `max_bytes` like any other large answer). `read1` returns what has
    arrived, so a server that drips bytes is caught by the deadline even though each
    socket read succeeds.
    """
    host = host_of(response.url)
    announced = response.headers.get("Content-Length", "").strip()
    if announced.isdigit() and int(announced) > max_bytes:
        raise _too_large(host, max_bytes, f"Content-Length {announced}")
    chunks: list[bytes] = []
    total = 0
    raw = response.raw
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise _too_slow(host, f"deadline passed after {total} bytes")
        chunk = raw.read1(65536, decode_content=True)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(host, max_bytes, f"over {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(host: str, max_bytes: int, detail: str) -> BadResponseError:
    said = msgs.http_too_large(host, max_bytes)
    return msgs.coded(BadResponseError(said.fallback, detail=detail), said)


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
    """One request, fully read within `total_deadline` seconds (and by the block's
    `overall_deadline`), with transport failures mapped to `NetworkError`.

    Raises MalformedKeyError (nothing sent) for a key that cannot be put in a header;
    every other error may come after the request left (see `NetworkError.maybe_sent`).
    Each exchange is logged at INFO (method, host, path, outcome, time; never headers).
    """
    host = host_of(url)
    started = time.monotonic()
    deadline = effective_deadline(started + total_deadline if total_deadline else None)
    path = _path_of(url)
    try:
        with (
            exchange_deadline(deadline),
            session.request(
                method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs
            ) as response,
        ):
            body = read_body(response, max_bytes=max_bytes, deadline=deadline)
            log.info("%s %s%s -> %d (%.2f s, %d bytes)", method, host, path,
                     response.status_code, time.monotonic() - started, len(body))  # fmt: skip
            return Reply(response.status_code, body, response.headers, url)
    except MalformedKeyError:
        raise
    except Get3WError as exc:
        raise _logged(exc, method, host, path, started) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        error = (
            _too_slow(host, "deadline passed before the answer's head")
            if deadline is not None and time.monotonic() >= deadline
            else classify_transport_error(exc, host)
        )
        raise _logged(error, method, host, path, started) from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
        urllib3.exceptions.HTTPError,
    ) as exc:
        raise _logged(_broke(host, deadline, exc), method, host, path, started) from None
    except requests.RequestException as exc:
        said = msgs.http_no_talk(host)
        error = msgs.coded(
            NetworkError(said.fallback, maybe_sent=True, detail=type(exc).__name__), said
        )
        raise _logged(error, method, host, path, started) from None
    except OSError as exc:  # a socket error urllib3 did not wrap
        raise _logged(_broke(host, deadline, exc), method, host, path, started) from None
    except ValueError:  # requests parses a redirect's Location even when not following it
        said = msgs.http_bad_redirect(host)
        malformed = msgs.coded(
            BadResponseError(said.fallback, detail="unparsable Location header"), said
        )
        raise _logged(malformed, method, host, path, started) from None


def _broke(host: str, deadline: float | None, exc: BaseException) -> NetworkError:
    if deadline is not None and time.monotonic() >= deadline:
        return _too_slow(host, "deadline passed while reading")
    return _network(msgs.http_broke(host), True, type(exc).__name__)


def _path_of(url: str) -> str:
    """The path of `url` for a log line: no query (it may carry a webhook address)."""
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def _logged(error: Get3WError, method: str, host: str, path: str, started: float) -> Get3WError:
    log.info("%s %s%s -> %s (%.2f s)", method, host, path, error.detail or type(error).__name__,
             time.monotonic() - started)  # fmt: skip
    return error


def _too_slow(host: str, detail: str) -> NetworkError:
    return _network(msgs.http_too_slow(host), True, detail)


def _network(said: msgs.Message, maybe_sent: bool, detail: str) -> NetworkError:
    return msgs.coded(NetworkError(said.fallback, maybe_sent=maybe_sent, detail=detail), said)


def classify_transport_error(exc: requests.RequestException, host: str) -> NetworkError:
    """Tell 'never reached the server' (safe to resend anything) from 'may have been sent'."""
    if isinstance(exc, requests.ConnectTimeout):
        return _network(msgs.http_connect_timeout(host), False, "connect timeout")
    if isinstance(exc, requests.Timeout):
        return _network(msgs.http_read_timeout(host), True, "read timeout")
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    if isinstance(inner, urllib3.exceptions.NameResolutionError):
        return _network(msgs.http_dns(host), False, "name resolution failed")
    if isinstance(inner, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return _network(msgs.http_refused(host), False, "connection refused")
    if isinstance(inner, urllib3.exceptions.SSLError | requests.exceptions.SSLError):
        return _network(msgs.http_tls(host), False, "tls")
    lost = type(inner).__name__ if inner is not None else type(exc).__name__
    return _network(msgs.http_lost(host), True, lost)


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
    said: msgs.Message
    if status == 401:
        said = msgs.http_auth(host, server_says or "authentication failed")
        error = AuthError(said.fallback, detail=detail)
    elif status == 403:
        said = msgs.HTTP_BALANCE
        error = InsufficientBalanceError(said.fallback, detail=detail)
    elif status == 400 or status == 422:
        said = msgs.http_parameters(server_says or "invalid parameters")
        error = InvalidParametersError(
            said.fallback, problems=(server_says,) if server_says else (), detail=detail
        )
    elif status == 404:
        said = msgs.http_not_found(what)
        error = NotFoundError(said.fallback, detail=detail)
    elif status == 429:
        said = msgs.http_rate_limited(retry_after)
        error = RateLimitedError(said.fallback, retry_after=retry_after, detail=detail)
    elif 300 <= status < 400:
        said = msgs.http_redirected(host, what)
        error = BadResponseError(
            said.fallback, detail=f"HTTP {status} to {reply.headers.get('Location', '?')}"
        )
    else:
        said = msgs.http_server(host, what, status)
        error = ServerError(said.fallback, status=status, retry_after=retry_after, detail=detail)
    raise msgs.coded(error, said)
