"""Download outputs without trusting the output host.

- No credentials: the output session has none, and redirects are followed by hand so
  every hop is checked (scheme, userinfo, plain HTTP only on loopback).
- The file name is ours (`stem` from the caller + an extension from the magic bytes),
  never the URL's or a header's, so nothing can be written outside `folder`.
- Streamed to a hidden `.part` file in the same folder while counting and hashing;
  length checked against Content-Length; fsync; atomic rename. Any failure removes the
  `.part` file, so a partial output never looks complete.
- Finished only when its length or its format says it is whole (`integrity.py`): a
  picture must decode, a movie's boxes must reach the end, a glTF's header length must
  match; a body of unknown format with no announced length is refused.
- Every wait obeys the caller's `overall_deadline` as well as its own limits.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import requests
import urllib3.exceptions

from get3w_desktop.api.deadline import WATCHDOG, effective_deadline, exchange_deadline
from get3w_desktop.api.http import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, classify_transport_error
from get3w_desktop.api.integrity import incomplete_reason, kind_matches, sniff
from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.errors import CancelledError, DownloadError
from get3w_desktop.core.files import fsync_dir
from get3w_desktop.core.urls import check_output_url, host_of

MAX_REDIRECTS = 5
#: Ceiling on one output (video included).
MAX_OUTPUT_BYTES = 2 * 1024**3
_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")

log = logging.getLogger(__name__)
__all__ = [
    "DownloadResult",
    "check_download_url",
    "disk_error",
    "download",
    "sniff",
]


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    size: int
    sha256: str
    media_type: str
    url: str


def download(
    session: requests.Session,
    url: str,
    folder: Path,
    stem: str,
    *,
    expected_kind: str | None = None,
    cancel: threading.Event | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_OUTPUT_BYTES,
    total_deadline: float = 30 * 60.0,
    min_rate: float = 2048.0,
    rate_grace: float = 20.0,
    head_deadline: float = DEFAULT_DEADLINE,
) -> DownloadResult:
    """Fetch `url` into `folder/stem.<ext>`; see the module docstring for the guarantees.

    `expected_kind` ("image", "video", "audio", "3d") refuses files of another kind; the
    extension comes from the bytes. Each hop's answer head must arrive within
    `head_deadline` seconds (a dripping head is cut off), and the whole transfer within
    `total_deadline` (both shortened by an enclosing `overall_deadline`).
    Raises DownloadError (with `transient` set when a retry may help), NetworkError or
    CancelledError.
    """
    if not _SAFE_STEM.fullmatch(stem) or ".." in stem:
        raise DownloadError(f"Refusing an unsafe file name: {stem!r}.")
    _ensure_folder(folder)
    started = time.monotonic()
    end = effective_deadline(started + total_deadline)
    limited = end is not None and end < started + total_deadline  # by the caller's limit
    if end is not None:
        total_deadline = end - started
    if total_deadline <= 0:
        raise DownloadError("The time limit ran out before the output could be saved.")
    response = _open(session, url, timeout, head_deadline)
    part: Path | None = None
    try:
        with response:
            expected = _content_length(response)
            if expected is not None and expected > max_bytes:
                raise DownloadError(
                    f"The output at {host_of(url)} is too large ({expected:,} bytes); refused."
                )
            fd, part_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".part", dir=folder)
            part = Path(part_name)
            with os.fdopen(fd, "wb") as sink:
                size, digest, head = _stream(
                    response,
                    sink,
                    cancel,
                    max_bytes,
                    total_deadline,
                    min_rate,
                    rate_grace,
                    limited,
                )
                if expected is not None and size != expected:
                    raise DownloadError(
                        f"The download from {host_of(url)} stopped early "
                        f"({size:,} of {expected:,} bytes). It will be retried.",
                        transient=True,
                    )
                if size == 0:
                    raise DownloadError(f"{host_of(url)} sent an empty file.", transient=True)
                sink.flush()
                os.fsync(sink.fileno())
            kind = sniff(head)
            ext, media_type = kind or (".bin", "application/octet-stream")
            if expected_kind and not kind_matches(media_type, expected_kind):
                raise DownloadError(
                    f"{host_of(url)} sent {media_type if kind else 'an unrecognised file'} "
                    f"where {'an' if expected_kind == 'image' else 'a'} {expected_kind} "
                    "was expected; refused."
                )
            length_known = expected is not None or bool(getattr(response.raw, "chunked", False))
            problem = incomplete_reason(part, media_type, length_known=length_known)
            if problem is not None:
                raise DownloadError(
                    f"The file from {host_of(url)} is incomplete or damaged ({problem}); "
                    "it was not kept and will be retried.",
                    transient=True,
                    detail=f"{media_type}, {size:,} bytes",
                )
            final = folder / f"{stem}{ext}"
            os.replace(part, final)
            part = None
            fsync_dir(folder)
            return DownloadResult(final, size, digest, media_type, response.url)
    except OSError as exc:
        raise disk_error(exc, folder) from None
    finally:
        if part is not None:
            with contextlib.suppress(OSError):
                part.unlink()


def _open(
    session: requests.Session, url: str, timeout: tuple[float, float], head_deadline: float
) -> requests.Response:
    """GET with redirects followed by hand, checking every hop. Returns a 2xx response."""
    for _hop in range(MAX_REDIRECTS + 1):
        check_download_url(url)
        started = time.monotonic()
        deadline = effective_deadline(started + head_deadline)
        assert deadline is not None
        try:
            with exchange_deadline(deadline):
                response = session.get(url, stream=True, allow_redirects=False, timeout=timeout)
            log.info("GET %s (output) -> %d (%.2f s)", host_of(url), response.status_code,
                     time.monotonic() - started)  # fmt: skip
        except (requests.ConnectionError, requests.Timeout) as exc:
            if time.monotonic() >= deadline:
                raise DownloadError(
                    f"{host_of(url)} is answering too slowly; it will be retried.",
                    transient=True,
                    detail="deadline passed before the answer's head",
                ) from None
            raise classify_transport_error(exc, host_of(url)) from None
        except ValueError:  # requests parses a redirect's Location even when not following it
            raise DownloadError(
                f"{host_of(url)} redirected the download to a malformed address; refused."
            ) from None
        if response.is_redirect:
            location = response.headers.get("Location", "")
            response.close()
            try:
                url = urljoin(url, location)
            except ValueError:
                raise DownloadError(
                    f"{host_of(url)} redirected the download to a malformed address; refused."
                ) from None
            continue
        if 200 <= response.status_code < 300:
            return response
        status = response.status_code
        response.close()
        if status in (404, 410):
            raise DownloadError(
                f"The output is no longer on {host_of(url)} (HTTP {status}); "
                "Get3W keeps outputs for 7 days."
            )
        raise DownloadError(
            f"{host_of(url)} refused the download (HTTP {status}).",
            transient=status == 429 or status >= 500,
        )
    raise DownloadError(f"Too many redirects while downloading from {host_of(url)}.")


def check_download_url(url: str) -> None:
    """`check_output_url`, with addresses Python cannot even split ("https://[") refused
    the same way instead of raising ValueError."""
    try:
        check_output_url(url)
    except ValueError:
        raise DownloadError("Refusing to download from a malformed address.") from None


def _stream(
    response: requests.Response,
    sink: BinaryIO,
    cancel: threading.Event | None,
    max_bytes: int,
    total_deadline: float,
    min_rate: float,
    rate_grace: float,
    limited: bool = False,
) -> tuple[int, str, bytes]:
    """Copy the body to `sink`: (size, sha256, first 64 bytes). `limited`: the deadline is
    the caller's overall time limit, so running past it is final, not worth a retry."""
    started = time.monotonic()
    # A caller's limit must hold even when the body stalls inside one read: the shared
    # watchdog shuts the socket at the limit (the read then fails, and is reported so).
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    watch = WATCHDOG.watch(started + total_deadline, sock) if limited and sock else None
    try:
        return _copy(response, sink, cancel, max_bytes, total_deadline, min_rate, rate_grace,
                     limited, started)  # fmt: skip
    finally:
        if watch is not None:
            WATCHDOG.unwatch(watch)


def _copy(
    response: requests.Response,
    sink: BinaryIO,
    cancel: threading.Event | None,
    max_bytes: int,
    total_deadline: float,
    min_rate: float,
    rate_grace: float,
    limited: bool,
    started: float,
) -> tuple[int, str, bytes]:
    write = sink.write
    digest = hashlib.sha256()
    head = b""
    size = 0
    host = host_of(response.url)
    while True:
        if cancel is not None and cancel.is_set():
            raise CancelledError("Download cancelled.")
        elapsed = time.monotonic() - started
        if limited and elapsed > total_deadline:
            raise DownloadError(
                f"The time limit ran out while downloading from {host} ({size:,} bytes saved "
                "so far); the partial file was not kept."
            )
        if elapsed > total_deadline or (elapsed > rate_grace and size < min_rate * elapsed):
            raise DownloadError(
                f"The download from {host} is too slow ({size:,} bytes in {elapsed:.0f} s); "
                "it will be retried.",
                transient=True,
            )
        try:
            chunk = response.raw.read1(256 * 1024)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            if limited and time.monotonic() - started >= total_deadline:
                raise DownloadError(
                    f"The time limit ran out while downloading from {host} ({size:,} bytes "
                    "saved so far); the partial file was not kept."
                ) from None
            raise DownloadError(
                f"The connection to {host} broke during the download; it will be retried.",
                transient=True,
                detail=type(exc).__name__,
            ) from None
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError(f"The output from {host} is larger than {max_bytes:,} bytes.")
        if len(head) < 64:
            head = (head + chunk)[:64]
        digest.update(chunk)
        write(chunk)
    return size, digest.hexdigest(), head


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, folder) from None


def disk_error(exc: OSError, folder: Path) -> DownloadError:
    """A person-readable message for a file-system failure while saving (coded for the UI)."""
    where = str(folder)
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        said = worker_messages.disk_full(where)
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        said = worker_messages.disk_read_only(where)
    elif exc.errno == errno.ENAMETOOLONG:
        said = worker_messages.disk_path_too_long(where)
    else:
        said = worker_messages.disk_other(where, str(exc.strerror or exc))
    error = DownloadError(said.fallback, detail=f"{type(exc).__name__} errno={exc.errno}")
    return messages.coded(error, said)
