"""Keys for profiles, off the GUI thread: keyring reads and writes, and the key check.

Keyring calls can block (an unlock prompt nobody sees), so each one runs in a short-lived
daemon thread behind one lock, and the pool worker waits for it at most `timeout` seconds.
A keyring that is missing, insecure, locked or silent is reported as that, never as a bad
key, and the key is then kept in memory for this session only (never in a file).

Every request returns a ticket; its answer carries the same ticket.

Signals (all on the GUI thread):
    loaded(int ticket, str profile, KeyLookup): the stored key (or None) and where it is.
    saved(int ticket, str profile, StoreInfo): where the key went (keyring, or session only).
    removed(int ticket, str profile, StoreInfo): the key is gone from the keyring and memory.
    checked(int ticket, KeyCheck): the server's verdict on a key.
    failed(int ticket, str profile, Message message): a request that could not be done (the
        window shows it in the person's language; `str()` of it is the English sentence).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from get3w_desktop.api.keycheck import KeyCheck, check_key_at
from get3w_desktop.core import worker_messages
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.storage.secrets import (
    MemorySecretStore,
    Problem,
    SecretStore,
    SecretStoreError,
    StoreInfo,
    account_for,
    store_info,
)
from get3w_desktop.workers.base import PoolOwner

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds to wait for the keyring before keeping a key for the session only.
KEYRING_TIMEOUT = 5.0


@dataclass(frozen=True)
class KeyLookup:
    key: str | None
    info: StoreInfo

    def __repr__(self) -> str:  # never show the key in a log line or a debugger
        return f"KeyLookup(key={'set' if self.key else None}, info={self.info!r})"


class _Signals(QObject):
    loaded = Signal(int, str, object)
    saved = Signal(int, str, object)
    removed = Signal(int, str, object)
    checked = Signal(int, object)
    failed = Signal(int, str, object)  # core.messages.Message


class KeyringGuard:
    """Runs keyring calls one at a time, each with a deadline."""

    def __init__(self, timeout: float = KEYRING_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()

    def call(self, work: Callable[[], T]) -> T:
        outcome: list[T] = []
        problem: list[BaseException] = []

        def target() -> None:
            with self._lock:
                try:
                    outcome.append(work())
                except BaseException as exc:  # handed to the caller's thread below
                    problem.append(exc)

        thread = threading.Thread(target=target, name="keyring-call", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            raise SecretStoreError(
                f"The keyring did not answer within {self.timeout:.0f} s (an unlock prompt "
                "may be waiting). The key is kept for this session only; try again later.",
                Problem.TIMEOUT,
            )
        if problem:
            raise problem[0]
        return outcome[0]


class KeyService(PoolOwner):
    loaded = Signal(int, str, object)
    saved = Signal(int, str, object)
    removed = Signal(int, str, object)
    checked = Signal(int, object)
    failed = Signal(int, str, object)  # core.messages.Message

    def __init__(
        self,
        store: SecretStore,
        *,
        timeout: float = KEYRING_TIMEOUT,
        checker: Callable[[str, str], KeyCheck] = check_key_at,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(2, parent)  # two threads: a slow keyring must not hold up a check
        self._store = store
        self._session = MemorySecretStore()
        self._session_reasons: dict[str, SecretStoreError] = {}
        self._reasons_lock = threading.Lock()
        self._guard = KeyringGuard(timeout)
        self._checker = checker
        self._tickets = itertools.count(1)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.saved.connect(self._on_saved)
        self._signals.removed.connect(self._on_removed)
        self._signals.checked.connect(self._on_checked)
        self._signals.failed.connect(self._on_failed)

    # -- requests (GUI thread) ---------------------------------------------------------

    def load(self, profile: str) -> int:
        return self._start(profile, lambda ticket: self._load(ticket, profile))

    def save(self, profile: str, key: str) -> int:
        REDACTOR.add_secret(key)
        return self._start(profile, lambda ticket: self._save(ticket, profile, key.strip()))

    def delete(self, profile: str) -> int:
        return self._start(profile, lambda ticket: self._delete(ticket, profile))

    def check(self, base_url: str, key: str) -> int:
        REDACTOR.add_secret(key)
        return self._start("", lambda ticket: self._check(ticket, base_url, key))

    def fetch(self, profile: str) -> str | None:
        """The stored key, read on the calling (non-GUI) thread through the keyring guard;
        None when there is none or the keyring does not answer."""
        account = account_for(profile)
        try:
            key = self._guard.call(lambda: self._store.get(account))
        except SecretStoreError:
            key = None
        key = key or self._session.get(account)
        REDACTOR.add_secret(key)
        return key

    def session_key(self, profile: str) -> str | None:
        """A key kept for this session only (no keyring involved: safe on the GUI thread)."""
        return self._session.get(account_for(profile))

    def _start(self, profile: str, work: Callable[[int], None]) -> int:
        if self.closed:
            raise RuntimeError("the key service has been shut down")
        ticket = next(self._tickets)
        signals = self._signals
        self.run_work(lambda: work(ticket), crashed=lambda _exc: signals.failed.emit(
            ticket, profile, worker_messages.KEY_SERVICE_FAILED))  # fmt: skip
        return ticket

    # -- the work (pool threads) -------------------------------------------------------

    def _load(self, ticket: int, profile: str) -> None:
        account = account_for(profile)
        try:
            key, info = self._guard.call(
                lambda: (self._store.get(account), store_info(self._store))
            )
        except SecretStoreError as exc:
            key, info = None, self._session_info(exc)
        if key is None:
            kept = self._session.get(account)
            if kept is not None:
                key, info = kept, self._session_info(self._reason(account))
        REDACTOR.add_secret(key)
        self._signals.loaded.emit(ticket, profile, KeyLookup(key, info))

    def _save(self, ticket: int, profile: str, key: str) -> None:
        account = account_for(profile)
        try:
            info = self._guard.call(lambda: self._set_in_keyring(key, account))
        except SecretStoreError as exc:
            self._session.set(key, account)
            with self._reasons_lock:
                self._session_reasons[account] = exc
            log.warning("key for profile %s kept for this session only: %s", profile, exc.message)
            self._signals.saved.emit(ticket, profile, self._session_info(exc))
            return
        self._session.delete(account)
        self._signals.saved.emit(ticket, profile, info)

    def _set_in_keyring(self, key: str, account: str) -> StoreInfo:
        self._store.set(key, account)
        return store_info(self._store)

    def _delete(self, ticket: int, profile: str) -> None:
        account = account_for(profile)
        self._session.delete(account)
        try:
            info = self._guard.call(lambda: self._delete_in_keyring(account))
        except SecretStoreError as exc:
            if exc.problem is not Problem.MISSING:  # a locked keyring may still hold it
                log.warning("key for profile %s not removed from the keyring: %s", profile, exc)
                said = worker_messages.key_not_removed(exc.problem.value, str(exc))
                self._signals.failed.emit(ticket, profile, said)
                return
            info = self._session_info(exc)
        self._signals.removed.emit(ticket, profile, info)

    def _delete_in_keyring(self, account: str) -> StoreInfo:
        self._store.delete(account)
        return store_info(self._store)

    def _check(self, ticket: int, base_url: str, key: str) -> None:
        self._signals.checked.emit(ticket, self._checker(base_url, key))

    def _reason(self, account: str) -> SecretStoreError | None:
        with self._reasons_lock:
            return self._session_reasons.get(account)

    def _session_info(self, reason: SecretStoreError | None) -> StoreInfo:
        if reason is None:
            return StoreInfo(self._session.backend_name, False, True,
                             "The key is kept for this session only.")  # fmt: skip
        return StoreInfo(self._session.backend_name, False, True, reason.message,
                         reason.problem, reason.backend)  # fmt: skip

    # -- back on the GUI thread --------------------------------------------------------

    @Slot(int, str, object)
    def _on_loaded(self, ticket: int, profile: str, lookup: object) -> None:
        self.loaded.emit(ticket, profile, lookup)

    @Slot(int, str, object)
    def _on_saved(self, ticket: int, profile: str, info: object) -> None:
        self.saved.emit(ticket, profile, info)

    @Slot(int, str, object)
    def _on_removed(self, ticket: int, profile: str, info: object) -> None:
        self.removed.emit(ticket, profile, info)

    @Slot(int, object)
    def _on_checked(self, ticket: int, result: object) -> None:
        self.checked.emit(ticket, result)

    @Slot(int, str, object)
    def _on_failed(self, ticket: int, profile: str, message: object) -> None:
        self.failed.emit(ticket, profile, message)
