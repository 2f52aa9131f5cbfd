"""What every `get3w` subcommand shares: exit codes, configuration, output."""

from __future__ import annotations

import argparse
import enum
import json
import math
import os
import re
import sys
from typing import Any, TextIO

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    ConfigError,
    DestinationError,
    DownloadError,
    Get3WError,
    InsufficientBalanceError,
    InvalidParametersError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SubmissionUncertainError,
    TaskFailedError,
    UnsupportedError,
    WaitTimeoutError,
)
from get3w_desktop.core.live_catalogue import CACHE_SUBDIR, Resolved, current
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.storage.history import HistoryDamagedError, HistoryError, HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import KeyringSecretStore, SecretStore, SecretStoreError

#: The profile the command records tasks under: the app's first Get3W profile, whose key
#: is the keyring's `default` entry (the app's sandbox profile is "sandbox").
CLI_PROFILE = "default"


class Exit(enum.IntEnum):
    """Documented exit codes of the `get3w` command (see README)."""

    OK = 0
    TASK_FAILED = 1
    USAGE = 2  # bad arguments or parameters rejected (locally or HTTP 400)
    AUTH = 3
    BALANCE = 4
    RATE_LIMITED = 5
    NETWORK = 6  # network, server or protocol trouble
    UNCERTAIN = 7  # a submit whose answer was lost: the task may exist
    TIMEOUT = 8  # --timeout passed while the task was still running
    NOT_SAVED = 9  # completed, but an output could not be downloaded
    NOT_FOUND = 10
    HISTORY = 11  # the task history cannot be read or written
    INTERRUPTED = 130


def exit_code_for(error: Get3WError) -> Exit:
    table: tuple[tuple[type[Get3WError], Exit], ...] = (
        (HistoryError, Exit.HISTORY),
        (SubmissionUncertainError, Exit.UNCERTAIN),
        (TaskFailedError, Exit.TASK_FAILED),
        (InvalidParametersError, Exit.USAGE),
        (ConfigError, Exit.USAGE),
        (DestinationError, Exit.USAGE),
        (AuthError, Exit.AUTH),
        (InsufficientBalanceError, Exit.BALANCE),
        (RateLimitedError, Exit.RATE_LIMITED),
        (WaitTimeoutError, Exit.TIMEOUT),
        (DownloadError, Exit.NOT_SAVED),
        (NotFoundError, Exit.NOT_FOUND),
        (UnsupportedError, Exit.NOT_FOUND),
        (CancelledError, Exit.INTERRUPTED),
        (NetworkError, Exit.NETWORK),
        (ServerError, Exit.NETWORK),
        (BadResponseError, Exit.NETWORK),
    )
    for kind, code in table:
        if isinstance(error, kind):
            return code
    return Exit.NETWORK


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        default=None,
        help=f"API address (default: $GET3W_BASE_URL or {DEFAULT_BASE_URL})",
    )


def base_url(args: argparse.Namespace) -> str:
    return str(args.base_url or os.environ.get("GET3W_BASE_URL") or DEFAULT_BASE_URL)


def find_model(model_id: str, url: str) -> Resolved | None:
    """`model_id` in the same model list the window shows for `url`: the server's list as
    last cached (by the window), else the bundled snapshot; retired models resolve too."""
    return current(app_paths().cache / CACHE_SUBDIR, url).resolve(model_id)


def model_of(model_id: str, url: str) -> ModelInfo | None:
    found = find_model(model_id, url)
    return found.model if found is not None else None


def seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds (`nan`, `-5`, `inf` refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def check_keyring_backend() -> None:
    """Raise ConfigError when $PYTHON_KEYRING_BACKEND names a backend that cannot be loaded
    (keyring itself would raise ImportError or ValueError from deep inside)."""
    name = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if not name:
        return
    from keyring.core import load_keyring

    try:
        load_keyring(name)
    except Exception as exc:  # ImportError, AttributeError, ValueError: all "cannot load"
        raise ConfigError(
            f"PYTHON_KEYRING_BACKEND={name} names a keyring backend that cannot be loaded. "
            "Unset it, or set GET3W_API_KEY for this command.",
            detail=f"{type(exc).__name__}: {exc}",
        ) from None


def api_key(store: SecretStore | None = None) -> str | None:
    """$GET3W_API_KEY (for scripts) wins over the keyring."""
    key = os.environ.get("GET3W_API_KEY", "").strip()
    if key:
        REDACTOR.add_secret(key)
        return key
    check_keyring_backend()
    try:
        stored = (store or KeyringSecretStore()).get()
    except SecretStoreError as exc:
        say(f"note: {exc}")
        return None
    REDACTOR.add_secret(stored)
    return stored


#: Terminal control: CSI and OSC sequences, other ESC sequences, C0 and C1 controls.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves, erase line)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (window title, hyperlinks)
    r"|\x1b[@-_]?"  # any other ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # controls, keeping tab and newline
)
_LINE_BREAKS = re.compile(r"[\n\t\u2028\u2029\x85]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")  # a cut emoji: not encodable for a terminal
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """`text` with terminal escapes and control characters removed (a server's words
    printed raw could move the cursor, rewrite a line or set the window title)."""
    return _SURROGATES.sub("\ufffd", _ESCAPES.sub("", text))


def one_line(text: str | None) -> str:
    """Server text for one line of a terminal: no escapes, no line breaks."""
    return _LINE_BREAKS.sub(" ", terminal_safe(text or "")).strip()


def say(message: str, stream: TextIO | None = None) -> None:
    """A line for people on stderr (stdout is kept for machine-readable output)."""
    print(terminal_safe(REDACTOR.redact(message)), file=stream or sys.stderr, flush=True)


def redacted(data: Any) -> Any:
    """`data` with every string (keys too) passed through the key redactor."""
    if isinstance(data, str):
        return REDACTOR.redact(data)
    if isinstance(data, dict):
        return {redacted(k): redacted(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [redacted(v) for v in data]
    return data


def emit_json(data: Any) -> None:
    """One JSON line on stdout: keys redacted, and nothing a terminal would act on (C1
    controls, line separators) or cannot encode (a lone surrogate) left unescaped."""
    line = json.dumps(redacted(data), ensure_ascii=False, sort_keys=False)
    line = _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    print(line, flush=True)


def report_error(error: Get3WError) -> Exit:
    say(f"error: {error.message}")
    if error.detail:
        say(f"  ({error.detail})")
    return exit_code_for(error)


def open_history() -> HistoryStore:
    """The history the desktop app uses too. Raises HistoryError (see report_error)."""
    return HistoryStore.open(app_paths().history_db)


def report_history_error(error: HistoryError) -> Exit:
    code = report_error(error)
    if isinstance(error, HistoryDamagedError):
        say("  To start a new, empty history (the old file is kept): get3w history --start-over")
    return code
