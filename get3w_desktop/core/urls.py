"""Rules about which URLs the client may talk to, and with what."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from get3w_desktop.core import connection_messages as sentences
from get3w_desktop.core.errors import ConfigError, DownloadError
from get3w_desktop.core.messages import Message, coded

DEFAULT_BASE_URL = "https://api.get3w.com"


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in; hosts compared case-insensitively."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if scheme == "https" else 80
    return scheme, (parts.hostname or "").lower(), port


def normalise_base_url(url: str) -> str:
    """Validate an API base URL and return it without a trailing slash.

    HTTPS is required, except for loopback hosts (the sandbox, tests) where plain HTTP is
    allowed. The key is sent to this origin only.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise _refused(sentences.url_not_web_address(text)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _refused(sentences.url_not_web_address(text))
    if parts.username or parts.password:
        raise _refused(sentences.URL_CREDENTIALS)
    if parts.query or parts.fragment:
        raise _refused(sentences.URL_QUERY)
    if parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname):
        raise _refused(sentences.url_plain_http(parts.hostname))
    return text.rstrip("/")


def check_output_url(url: str) -> None:
    """Refuse output URLs we will not fetch: other schemes, credentials, remote plain HTTP."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise DownloadError("Refusing to download from a malformed address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"Refusing to download from a “{scheme or 'relative'}:” address.")
    if not parts.hostname:
        raise DownloadError("Refusing to download from an address without a host.")
    if parts.username or parts.password:
        raise DownloadError("Refusing to download from an address that contains credentials.")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise DownloadError(
            f"Refusing an unencrypted download from {parts.hostname} (only https:// is accepted)."
        )


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _refused(message: Message) -> ConfigError:
    """A refused API address, carrying its sentence as a code for the window."""
    return coded(ConfigError(message.fallback), message)
