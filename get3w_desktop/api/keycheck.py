"""Is this key good? One cheap authenticated call, shared by the key dialog and `get3w key set`.

Only an HTTP 401 means "the key is wrong". A network failure, a server error or a bad
address means "could not check", and says why; the caller decides whether to store anyway.
"""

from __future__ import annotations

import contextlib
import enum
import uuid
from dataclasses import dataclass

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core import messages
from get3w_desktop.core.errors import (
    AuthError,
    Get3WError,
    InsufficientBalanceError,
    NotFoundError,
)
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.urls import host_of

#: (connect, read) seconds: a check is interactive, so it gives up sooner than a task call.
CHECK_TIMEOUT = (5.0, 15.0)


class Verdict(enum.Enum):
    ACCEPTED = "accepted"  # the server authenticated the key
    REFUSED = "refused"  # HTTP 401: missing, malformed or revoked key
    UNCHECKED = "unchecked"  # no answer about the key (network, server, address)


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of checking a key: one sentence for people, as a code and arguments
    (`said`, for the window) and in English (`message`, for the command and logs)."""

    verdict: Verdict
    said: messages.Message
    balance: float | None = None
    error: Get3WError | None = None

    @property
    def message(self) -> str:
        return self.said.fallback

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


def check_key(client: Get3WClient) -> KeyCheck:
    """A cheap call that fails only on authentication. Raises nothing expected."""
    try:
        try:
            balance = client.balance()
        except InsufficientBalanceError:
            # 403 on the balance itself: authenticated, with nothing to spend.
            return KeyCheck(Verdict.ACCEPTED, messages.KEY_ACCEPTED_EMPTY, 0.0)
        if balance is not None:
            return KeyCheck(Verdict.ACCEPTED, messages.key_accepted(balance), balance)
        # No balance route: ask for a task that cannot exist; a 404 means the key passed.
        with contextlib.suppress(NotFoundError):
            client.get(str(uuid.uuid4()))
        return KeyCheck(Verdict.ACCEPTED, messages.KEY_ACCEPTED_NO_BALANCE)
    except AuthError as exc:
        reason = exc.detail.partition(": ")[2] or "authentication failed"
        return KeyCheck(Verdict.REFUSED, messages.key_refused(client.host, reason), error=exc)
    except Get3WError as exc:
        return _unchecked(client.host, exc)


def check_key_at(base_url: str, key: str) -> KeyCheck:
    """Check `key` against the API at `base_url` (HTTPS except loopback)."""
    REDACTOR.add_secret(key)
    if not key.strip():
        return KeyCheck(Verdict.REFUSED, messages.KEY_NOT_GIVEN)
    try:
        client = Get3WClient(base_url, key.strip(), timeout=CHECK_TIMEOUT)
    except Get3WError as exc:  # a refused address (plain HTTP to a remote host, …)
        return _unchecked(host_of(base_url), exc)
    with client:
        return check_key(client)


def _unchecked(host: str, exc: Get3WError) -> KeyCheck:
    return KeyCheck(Verdict.UNCHECKED, messages.key_unchecked(host, exc), error=exc)
