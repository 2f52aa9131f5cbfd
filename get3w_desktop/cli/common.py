"""What every `get3w` subcommand shares: exit codes, configuration, output."""

from __future__ import annotations

import argparse
import enum
import json
import os
import sys
from typing import Any, TextIO

from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    ConfigError,
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
from get3w_desktop.core.job import Job
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.task import Task
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


def api_key(store: SecretStore | None = None) -> str | None:
    """$GET3W_API_KEY (for scripts) wins over the keyring."""
    key = os.environ.get("GET3W_API_KEY", "").strip()
    if key:
        REDACTOR.add_secret(key)
        return key
    try:
        stored = (store or KeyringSecretStore()).get()
    except SecretStoreError as exc:
        say(f"note: {exc}")
        return None
    REDACTOR.add_secret(stored)
    return stored


def say(message: str, stream: TextIO | None = None) -> None:
    """A line for people on stderr (stdout is kept for machine-readable output)."""
    print(REDACTOR.redact(message), file=stream or sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, sort_keys=False), flush=True)


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


class Recorder:
    """Writes a command's job to the history as it goes.

    The first write (`begin`, before a submit is sent) must succeed, or nothing is sent.
    Later writes must not stop a task that is already paid for: a failure is reported once
    and the command goes on. With no store (`--no-history`) nothing is written.
    """

    def __init__(
        self, store: HistoryStore | None, *, base_url: str | None = None, out_dir: str | None = None
    ) -> None:
        self.store = store
        self._base_url = base_url
        self._out_dir = out_dir
        self._warned = False
        #: The newest snapshot recorded (or that would have been, without a store).
        self.last: Job | None = None

    def latest_task(self, default: Task) -> Task:
        return self.last.task if self.last is not None and self.last.task else default

    def begin(self, job: Job) -> None:
        self.last = job
        if self.store is not None:
            self.store.save(job, base_url=self._base_url, out_dir=self._out_dir)

    def update(self, job: Job) -> None:
        self.last = job
        if self.store is None:
            return
        try:
            self.store.save(job, base_url=self._base_url, out_dir=self._out_dir)
        except HistoryError as exc:
            if not self._warned:
                say(f"warning: {exc.message} The task goes on; its record may be out of date.")
                self._warned = True
