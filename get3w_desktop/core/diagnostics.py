"""A diagnostics bundle for bug reports: versions, platform, settings, recent log lines.

Nothing secret may leave in it. Every string goes through the process redactor (the
current key, `Bearer …`, `sk_…`) and then through a second, blunter pass that removes
whatever merely looks like a credential: Authorization headers, `password=…`, URL
user:password parts, long hex and base64 tokens. Settings whose names or values look
secret are dropped, not masked. Qt facts are passed in as strings so this stays Qt-free.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from get3w_desktop import __version__
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.redact import REDACTED, REDACTOR

#: Log lines put in a bundle by default, and the longest line kept.
DEFAULT_LOG_LINES = 500
MAX_LINE_CHARS = 2000
#: Bytes read from the end of each log file (the rotating log keeps 2 MB per file).
_TAIL_BYTES = 4 * 1024 * 1024
_ROTATED_FILES = 3

_PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
#: Environment variables whose values help and hold nothing secret.
_PLAIN_VARS = ("QT_QPA_PLATFORM", "QT_SCALE_FACTOR", "QT_STYLE_OVERRIDE", "XDG_SESSION_TYPE",
               "XDG_CURRENT_DESKTOP", "LANG", "LC_ALL")  # fmt: skip
#: Reported as present or not, never with their values.
_PRESENCE_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")

_SECRET_WORDS = {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "passphrase",
                 "auth", "authorization", "credential", "credentials", "cookie", "bearer",
                 "session", "signature", "private"}  # fmt: skip
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

_SECOND_PASS = (
    # Whole header values: "Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization=…"
    (re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*)[^\n]*"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b((?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=\-]{6,}"), r"\1" + REDACTED),
    # name=value and "name": "value" for credential-like names
    (
        re.compile(
            r"(?i)\b([\w\-]*(?:api[_\-]?key|apikey|token|secret|passw(?:or)?d|pwd|passphrase|"
            r"signature|credential)s?[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
        ),
        r"\1" + REDACTED,
    ),
    # user:password@ in any URL
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@:]*:[^/\s@]*@"), r"\1" + REDACTED + "@"),
    (re.compile(r"\b(?:sk|pk|rk|whsec)_[A-Za-z0-9_\-]{4,}"), REDACTED),
    (re.compile(r"(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])"), REDACTED),
)
_TOKEN_CANDIDATE = re.compile(r"[A-Za-z0-9+/=_\-]{32,}")


def strip_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with known secrets and anything credential-shaped replaced by «redacted»."""
    text = REDACTOR.redact(text, extra=[s for s in secrets if s and len(s) >= 4])
    for pattern, replacement in _SECOND_PASS:
        text = pattern.sub(replacement, text)
    return _TOKEN_CANDIDATE.sub(_token_or_text, text)


def _token_or_text(match: re.Match[str]) -> str:
    """Long base64-ish runs are tokens, unless they are paths or identifiers made of words."""
    run = match.group(0)
    for piece in run.split("/"):
        core = piece.strip("=")
        if len(core) < 32 or not re.search(r"\d", core) or not re.search(r"[A-Za-z]", core):
            continue
        if max(len(word) for word in re.split(r"[_\-]", core)) <= 12:
            continue  # snake_case names, UUIDs and the like
        return REDACTED
    return run


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return strip_secrets(value, secrets)
    if isinstance(value, Mapping):
        return {strip_secrets(str(k), secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v, secrets) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return strip_secrets(str(value), secrets)


def is_secret_name(name: str) -> bool:
    """True for setting names like `api_key`, `proxyPassword`, `auth.token`."""
    return any(word.lower() in _SECRET_WORDS for word in _WORDS.findall(name))


def summarise_settings(
    settings: Mapping[str, Any], secrets: Iterable[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """(settings without anything secret-looking, dotted names of what was dropped)."""
    known = tuple(secrets)
    dropped: list[str] = []

    def walk(mapping: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for raw_name, value in mapping.items():
            name = str(raw_name)
            dotted = f"{prefix}{name}"
            if is_secret_name(name) or strip_secrets(name, known) != name:
                dropped.append(strip_secrets(dotted, known))
            elif isinstance(value, Mapping):
                kept[name] = walk(value, dotted + ".")
            else:
                clean = _scrub(value, known)
                if clean != _plain(value):
                    dropped.append(dotted)
                else:
                    kept[name] = clean
        return kept

    return walk(settings, ""), dropped


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def mask_url(value: str) -> str:
    """`scheme://host:port` of a proxy-style URL: no user, password, path or query."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "(set, not a valid address)"
    if not parts.hostname:
        return "(set, not a valid address)"
    user = f"{REDACTED}@" if parts.username or parts.password else ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{user}{host}" + (f":{port}" if port else "")


def proxy_report(environ: Mapping[str, str]) -> dict[str, Any]:
    """Which proxy variables are set (either case), with credentials masked."""
    found: dict[str, str] = {}
    for name, value in environ.items():
        if name.upper() not in _PROXY_VARS or not value.strip():
            continue
        if name.upper() == "NO_PROXY":
            found[name] = strip_secrets(value)
        else:
            found[name] = mask_url(value)
    return {"mode": "environment" if found else "none", "variables": dict(sorted(found.items()))}


def environment_report(environ: Mapping[str, str]) -> dict[str, str]:
    report: dict[str, str] = {}
    for name in sorted(environ):
        if name.startswith("GET3W_"):
            value = environ[name]
            report[name] = mask_url(value) if name == "GET3W_BASE_URL" else "(set)"
        elif name in _PLAIN_VARS:
            report[name] = strip_secrets(environ[name])[:200]
        elif name in _PRESENCE_VARS:
            report[name] = "(set)"
    return report


def build_report(
    *,
    qt_version: str = "",
    pyside_version: str = "",
    qt_platform: str = "",
    keyring_backend: str = "",
    settings: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    app_version: str = __version__,
    extra: Mapping[str, Any] | None = None,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """Everything a bug report needs about this installation, with nothing secret in it.

    `secrets` (the current key, at least) are removed wherever they appear; the Qt facts
    and the keyring backend's name come from the layers that know them.
    """
    known = tuple(s for s in secrets if s)
    env = os.environ if environ is None else environ
    clean_settings, dropped = summarise_settings(settings or {}, known)
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app": {"name": "Get3W Desktop", "version": app_version},
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "frozen": bool(getattr(sys, "frozen", False)),
        },
        "qt": {"qt": qt_version, "pyside6": pyside_version, "platform_plugin": qt_platform},
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "description": platform.platform(),
        },
        "keyring_backend": keyring_backend,
        "proxy": proxy_report(env),
        "environment": environment_report(env),
        "settings": clean_settings,
        "settings_dropped_as_secret": sorted(dropped),
    }
    if extra:
        report["extra"] = dict(extra)
    scrubbed: dict[str, Any] = _scrub(report, known)
    return scrubbed


def recent_log_lines(log_path: Path | None, lines: int = DEFAULT_LOG_LINES) -> list[str]:
    """The last `lines` lines of the log, reaching into rotated files (`.1`, `.2`…) as needed."""
    if log_path is None or lines <= 0:
        return []
    files = [log_path.with_name(f"{log_path.name}.{n}") for n in range(_ROTATED_FILES, 0, -1)]
    collected: list[str] = []
    for path in [log_path, *reversed(files)]:  # newest first
        try:
            with path.open("rb") as source:
                size = source.seek(0, os.SEEK_END)
                source.seek(max(0, size - _TAIL_BYTES))
                data = source.read()
        except OSError:
            continue
        text = data.decode("utf-8", "replace").splitlines()
        if size > _TAIL_BYTES and text:
            text = text[1:]  # the first line was cut in half
        collected = text[-(lines - len(collected)) :] + collected
        if len(collected) >= lines:
            break
    return collected[-lines:]


def write_bundle(
    path: str | os.PathLike[str],
    report: Mapping[str, Any],
    *,
    log_path: Path | None = None,
    lines: int = DEFAULT_LOG_LINES,
    secrets: Iterable[str] = (),
) -> Path:
    """Write a .zip with `report.json` and `log.txt` (redacted), atomically.

    Stored uncompressed, so what is in the file is exactly what a reader sees. Raises
    OSError (disk full, read-only…) with nothing left behind, and ValueError if a known
    secret would still be in it (it never should).
    """
    known = tuple(s for s in secrets if s and len(s) >= 4)
    target = Path(path)
    report_text = json.dumps(_scrub(report, known), indent=2, ensure_ascii=False, default=str)
    log_text = "".join(
        strip_secrets(line[:MAX_LINE_CHARS], known) + "\n"
        for line in recent_log_lines(log_path, lines)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("report.json", report_text + "\n")
        bundle.writestr("log.txt", log_text)
        bundle.writestr("README.txt", _README)
    data = buffer.getvalue()
    if any(secret.encode("utf-8") in data for secret in known):
        raise ValueError("A secret survived redaction; the diagnostics bundle was not written.")
    return write_atomically(target, data)


_README = """\
Get3W Desktop diagnostics

report.json  versions, platform, Qt platform plugin, keyring backend (not the key),
             proxy mode, and settings without anything secret-looking
log.txt      the most recent lines of the app's log

API keys, passwords and tokens were removed before this file was written.
Read both files before attaching them to a bug report if you want to be sure.
"""
