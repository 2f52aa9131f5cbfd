"""One typed family for everything that can go wrong talking to Get3W.

Each error carries a message written for a person and a suggested action, so every
front end (the window, the `get3w` command) can show it without knowing HTTP.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # messages import this module; only the type is needed here
    from get3w_desktop.core.messages import Message


class Action(enum.Enum):
    """What the person can do about an error; front ends map these to buttons."""

    NONE = "none"
    RETRY = "retry"
    OPEN_SETTINGS = "open_settings"
    TOP_UP = "top_up"
    FIX_INPUT = "fix_input"
    CHECK_NETWORK = "check_network"
    CHOOSE = "choose"  # e.g. a submission whose answer was lost: the person decides


class Get3WError(Exception):
    """Base of every expected failure. `message` is for people; `detail` for logs."""

    action: Action = Action.NONE
    #: True when repeating the same idempotent request may succeed.
    transient: bool = False
    #: The same words as a code and arguments (see core/messages.py), when the raiser
    #: built them that way; the window then shows them in the person's language.
    coded: Message | None = None

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ConfigError(Get3WError):
    """The client is configured in a way we refuse to use (e.g. HTTP to a remote host)."""

    action = Action.OPEN_SETTINGS


class AuthError(Get3WError):
    """HTTP 401: the key is missing, malformed or revoked. The only 'invalid key' signal."""

    action = Action.OPEN_SETTINGS


class InsufficientBalanceError(Get3WError):
    """HTTP 403: the account cannot pay for this task."""

    action = Action.TOP_UP


class InvalidParametersError(Get3WError):
    """HTTP 400, or local validation before anything was sent."""

    action = Action.FIX_INPUT

    def __init__(self, message: str, *, problems: tuple[str, ...] = (), detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.problems = problems


class NotFoundError(Get3WError):
    """HTTP 404: unknown model, route or task."""


class RateLimitedError(Get3WError):
    """HTTP 429: too many concurrent tasks (or requests). `retry_after` in seconds if known."""

    action = Action.RETRY
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class ServerError(Get3WError):
    """HTTP 5xx (or another unexpected status)."""

    action = Action.RETRY
    transient = True

    def __init__(
        self, message: str, *, status: int, retry_after: float | None = None, detail: str = ""
    ) -> None:
        super().__init__(message, detail=detail)
        self.status = status
        self.retry_after = retry_after


class NetworkError(Get3WError):
    """No usable answer: DNS, refused, reset, timeout.

    `maybe_sent` is False only when we know the request never reached the server
    (connection refused, DNS, connect timeout); a submit may only be repeated then.
    """

    action = Action.CHECK_NETWORK
    transient = True

    def __init__(self, message: str, *, maybe_sent: bool, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.maybe_sent = maybe_sent


class BadResponseError(Get3WError):
    """The server answered, but not with what the contract promises (HTML, bad JSON, bad types)."""

    action = Action.RETRY
    transient = True


class SubmissionUncertainError(Get3WError):
    """A submit may have reached the server but its answer was lost.

    The task may exist (and be charged); we never repeat the submit automatically.
    """

    action = Action.CHOOSE

    def __init__(self, message: str, *, cause: Get3WError | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.cause = cause


class TaskFailedError(Get3WError):
    """The task reached status `failed` on the server.

    Task codes 1xxx mean the input must change; 5xxx mean a retry may help.
    """

    def __init__(self, message: str, *, code: int, task_id: str, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.code = code
        self.task_id = task_id
        self.action = Action.RETRY if 5000 <= code < 6000 else Action.FIX_INPUT


class DownloadError(Get3WError):
    """An output could not be saved: refused URL, truncated body, too large, disk problems."""

    action = Action.RETRY

    def __init__(self, message: str, *, transient: bool = False, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.transient = transient


class CancelledError(Get3WError):
    """The person (or quitting) cancelled a wait. The server task is untouched."""


class WaitTimeoutError(Get3WError):
    """The local time limit ran out while the task was still running on the server."""

    def __init__(self, message: str, *, task_id: str, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.task_id = task_id


class UnsupportedError(Get3WError):
    """The server does not offer this optional route (e.g. /api/v3 upload)."""


class DestinationError(Get3WError):
    """The output folder cannot take the outputs (a file, read-only, full): found before
    anything is sent, so nothing is paid for outputs that could not be kept."""

    action = Action.FIX_INPUT
