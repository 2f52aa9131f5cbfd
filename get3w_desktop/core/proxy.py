"""Which proxy (if any) a request goes through: the system's, none, or one per profile.

Both HTTP sessions ignore the environment (`trust_env = False`, so a `~/.netrc` entry can
never replace the key); the proxy is chosen here instead, explicitly, per target URL:

- `system`: what the operating system says (`urllib.request.getproxies`: the
  `*_proxy` variables on Linux, then the registry on Windows or SystemConfiguration on
  macOS), honouring `no_proxy` and the system's bypass list.
- `none`: always connect directly.
- `custom`: one proxy address for every request of the profile.

Loopback targets (the sandbox, tests) never go through a proxy: the sandbox is plain
HTTP, and a proxy would see every header of a plain-HTTP request. For HTTPS targets a
proxy only ever sees a `CONNECT host:port` line; the request, and the key in it, travel
inside the TLS tunnel.

A proxy address may hold a user name and password. They are masked whenever an address
is shown (`mask_proxy_url`) and registered with the redactor (`register_proxy_secrets`)
so no log line carries them.
"""

from __future__ import annotations

import base64
import importlib.util
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import unquote, urlsplit

from get3w_desktop.core import connection_messages as sentences
from get3w_desktop.core.messages import Message
from get3w_desktop.core.redact import REDACTOR, Redactor
from get3w_desktop.core.urls import is_loopback_host

ProxyMode = Literal["system", "none", "custom"]
PROXY_MODES: tuple[ProxyMode, ...] = get_args(ProxyMode)
MASK = "••••"
EXAMPLE = "http://proxy.example.com:3128"


def socks_available() -> bool:
    """SOCKS proxies need PySocks, which requests imports only when asked."""
    return importlib.util.find_spec("socks") is not None


def allowed_schemes() -> tuple[str, ...]:
    base = ("http", "https")
    return (*base, "socks5", "socks5h") if socks_available() else base


@dataclass(frozen=True)
class ProxyConfig:
    """A profile's proxy choice. `url` matters only for `custom` (it is kept otherwise, so
    switching modes back and forth in the dialog loses nothing)."""

    mode: ProxyMode = "system"
    url: str = ""

    def __post_init__(self) -> None:
        if self.mode not in PROXY_MODES:
            raise ValueError(f"unknown proxy mode {self.mode!r}")

    @property
    def proxy_url(self) -> str | None:
        """The custom proxy in use, or None (system and none choose per request)."""
        return self.url.strip() if self.mode == "custom" and self.url.strip() else None

    def describe(self) -> str:
        """One line for people (and diagnostics): the password is never in it."""
        if self.mode == "none":
            return "No proxy: direct connections"
        if self.mode == "custom":
            return f"Proxy {mask_proxy_url(self.url)}"
        return "System proxy settings"

    def __repr__(self) -> str:  # a debugger or a log line never shows the password
        return f"ProxyConfig(mode={self.mode!r}, url={mask_proxy_url(self.url)!r})"


SYSTEM_PROXY = ProxyConfig("system")
NO_PROXY = ProxyConfig("none")


def validate_proxy_url(url: str) -> str | None:
    """None when `url` is a usable proxy address, else what is wrong, in plain words."""
    problem = proxy_url_problem(url)
    return problem.fallback if problem is not None else None


def proxy_url_problem(url: str) -> Message | None:
    """`validate_proxy_url` as a coded message, for the window to show in the person's language."""
    text = url.strip()
    if not text:
        return sentences.proxy_empty(EXAMPLE)
    if "://" not in text:
        return sentences.proxy_no_kind(text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return sentences.proxy_not_address(mask_proxy_url(text), EXAMPLE)
    scheme = parts.scheme.lower()
    if scheme not in allowed_schemes():
        if scheme.startswith("socks"):
            return (
                sentences.PROXY_SOCKS_KIND if socks_available() else sentences.PROXY_SOCKS_MISSING
            )
        kinds = ", ".join(f"{s}://" for s in allowed_schemes())
        return sentences.proxy_kind_unsupported(kinds, scheme)
    if not parts.hostname:
        return sentences.proxy_no_host(EXAMPLE)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return sentences.PROXY_PATH
    return None


def validate_proxy(config: ProxyConfig) -> str | None:
    """None when `config` can be used; only a custom proxy has anything to check."""
    problem = proxy_problem(config)
    return problem.fallback if problem is not None else None


def proxy_problem(config: ProxyConfig) -> Message | None:
    """`validate_proxy` as a coded message."""
    if config.mode != "custom":
        return None
    return proxy_url_problem(config.url)


def normalise_proxy_url(url: str) -> str:
    return url.strip().rstrip("/")


def proxy_credentials(url: str) -> tuple[str, str] | None:
    """(user, password) written in a proxy address, decoded; None when there are none."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.username is None and parts.password is None:
        return None
    return unquote(parts.username or ""), unquote(parts.password or "")


def has_password(url: str) -> bool:
    found = proxy_credentials(url)
    return bool(found and found[1])


def mask_proxy_url(url: str) -> str:
    """`http://user:••••@host:3128`: the user name stays (it helps), the password never."""
    text = url.strip()
    if "@" not in text:
        return text
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    userinfo, _at, hostpart = rest.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    masked = f"{user}:{MASK}" if colon else user
    return f"{scheme}{sep}{masked}@{hostpart}"


def register_proxy_secrets(url: str, redactor: Redactor = REDACTOR) -> None:
    """Tell the redactor about a proxy password, in every form it may take on the wire."""
    found = proxy_credentials(url)
    if not found or not found[1]:
        return
    user, password = found
    redactor.add_secret(password)
    try:
        raw_password = urlsplit(url.strip()).password or ""
    except ValueError:
        raw_password = ""
    redactor.add_secret(raw_password)  # as written (percent-encoded)
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    redactor.add_secret(token)  # as a Proxy-Authorization: Basic value


def system_proxies() -> dict[str, str]:
    """The operating system's proxies by scheme (`http`, `https`, `all`, `no`)."""
    import urllib.request  # ~35 ms: only when a request is made, never at start-up

    try:
        return dict(urllib.request.getproxies())
    except Exception:  # a broken registry or SystemConfiguration answer means "none"
        return {}


def _bypassed(host: str) -> bool:
    import urllib.request

    try:
        return bool(urllib.request.proxy_bypass(host))
    except Exception:  # an unreadable bypass list: do not guess a bypass
        return False


def proxies_for(config: ProxyConfig | None, target_url: str) -> dict[str, str]:
    """The `proxies` mapping requests should use for `target_url` ({} = direct)."""
    if config is None or config.mode == "none":
        return {}
    try:
        parts = urlsplit(target_url)
    except ValueError:
        return {}
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if not host or is_loopback_host(host):
        return {}
    if config.mode == "custom":
        chosen = config.proxy_url
        return {scheme: normalise_proxy_url(chosen)} if chosen else {}
    found = system_proxies()
    chosen = found.get(scheme) or found.get("all")
    if not chosen or _bypassed(host):
        return {}
    if "://" not in chosen:  # `proxy:3128` in a variable means an HTTP proxy
        chosen = "http://" + chosen
    register_proxy_secrets(chosen)
    return {scheme: normalise_proxy_url(chosen)}


def proxy_for(config: ProxyConfig | None, target_url: str) -> str | None:
    """The one proxy address `target_url` goes through, or None for a direct connection."""
    found = proxies_for(config, target_url)
    return next(iter(found.values()), None)


def describe_route(config: ProxyConfig | None, target_url: str) -> str:
    """Where a request to `target_url` goes, in words, e.g. for the settings dialog."""
    return route_said(config, target_url).fallback


def route_said(config: ProxyConfig | None, target_url: str) -> Message:
    """`describe_route` as a coded message, for the window to show in the person's language."""
    host = urlsplit(target_url).hostname or target_url
    chosen = proxy_for(config, target_url)
    if chosen:
        return sentences.route_proxy(host, mask_proxy_url(chosen))
    if is_loopback_host(host):
        return sentences.route_local(host)
    if config is not None and config.mode == "system":
        return sentences.route_system_direct(host)
    return sentences.route_direct(host)
