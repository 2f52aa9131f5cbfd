"""Runs "test connection" off the GUI thread: DNS, sockets and TLS can each take seconds.

One test at a time: starting another cancels the one running (it stops before its next
stage). The key, when wanted, is fetched by `key_for` on the pool thread too, since a
keyring read can block.

Signals (all on the GUI thread):
    stage_done(int ticket, StageResult): one stage's result, as soon as it is known.
    finished(int ticket, ConnectionReport): the whole report; always arrives, once.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from get3w_desktop.api.connection_test import (
    ConnectionReport,
    Outcome,
    Stage,
    StageResult,
    check_connection,
)
from get3w_desktop.core.proxy import ProxyConfig

log = logging.getLogger(__name__)

Runner = Callable[..., ConnectionReport]


class _Signals(QObject):
    stage_done = Signal(int, object)
    finished = Signal(int, object)


class _Test(QRunnable):
    def __init__(self, ticket: int, base_url: str, proxy: ProxyConfig | None,
                 key_for: Callable[[], str | None] | None, cancel: threading.Event,
                 run: Runner, signals: _Signals) -> None:  # fmt: skip
        super().__init__()
        self._ticket, self._base_url, self._proxy = ticket, base_url, proxy
        self._key_for, self._cancel, self._run, self._signals = key_for, cancel, run, signals

    def run(self) -> None:
        ticket = self._ticket
        try:
            key = self._key()
            report = self._run(
                self._base_url, key, self._proxy, cancel=self._cancel,
                on_stage=lambda result: self._signals.stage_done.emit(ticket, result),
            )  # fmt: skip
        except Exception:  # a bug: say so in the report, never raise into Qt
            log.exception("connection test failed")
            broken = StageResult(Stage.ADDRESS, Outcome.FAILED,
                                 "The test could not run; the log has the details.")  # fmt: skip
            report = ConnectionReport(self._base_url, "direct", (broken,))
        self._signals.finished.emit(ticket, report)

    def _key(self) -> str | None:
        if self._key_for is None:
            return None
        try:
            return self._key_for()
        except Exception:  # a keyring that fails: test everything but the key
            log.warning("connection test: the key could not be read", exc_info=True)
            return None


class ConnectionTester(QObject):
    stage_done = Signal(int, object)
    finished = Signal(int, object)

    def __init__(self, run: Runner = check_connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self._tickets = itertools.count(1)
        self._cancel: threading.Event | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.stage_done.connect(self._on_stage)
        self._signals.finished.connect(self._on_finished)
        self.running: int | None = None  # the ticket of the test whose answer is awaited

    def start(self, base_url: str, proxy: ProxyConfig | None,
              key_for: Callable[[], str | None] | None = None) -> int:  # fmt: skip
        """Test `base_url` through `proxy`; `key_for` (run off the GUI thread) gives the key."""
        self.cancel()
        ticket = next(self._tickets)
        self._cancel = threading.Event()
        self.running = ticket
        self._pool.start(_Test(ticket, base_url, proxy, key_for, self._cancel, self._run,
                               self._signals))  # fmt: skip
        return ticket

    def cancel(self) -> None:
        """Stop the running test before its next stage (its report still arrives)."""
        if self._cancel is not None:
            self._cancel.set()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        self.cancel()
        self._pool.clear()
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot(int, object)
    def _on_stage(self, ticket: int, result: object) -> None:
        self.stage_done.emit(ticket, result)

    @Slot(int, object)
    def _on_finished(self, ticket: int, report: object) -> None:
        if ticket == self.running:
            self.running = None
        self.finished.emit(ticket, report)
