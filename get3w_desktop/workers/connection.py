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

from PySide6.QtCore import QObject, Signal, Slot

from get3w_desktop.api.connection_test import (
    ConnectionReport,
    Outcome,
    Stage,
    StageResult,
    check_connection,
)
from get3w_desktop.core import connection_messages as sentences
from get3w_desktop.core.proxy import ProxyConfig
from get3w_desktop.workers.base import PoolOwner

log = logging.getLogger(__name__)

Runner = Callable[..., ConnectionReport]


class _Signals(QObject):
    stage_done = Signal(int, object)
    finished = Signal(int, object)


class ConnectionTester(PoolOwner):
    stage_done = Signal(int, object)
    finished = Signal(int, object)

    def __init__(self, run: Runner = check_connection, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._run = run
        self._tickets = itertools.count(1)
        self._cancel: threading.Event | None = None
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
        cancel, run, signals = self._cancel, self._run, self._signals

        def work() -> None:
            key = _key(key_for)
            report = run(
                base_url, key, proxy, cancel=cancel,
                on_stage=lambda result: signals.stage_done.emit(ticket, result),
            )  # fmt: skip
            signals.finished.emit(ticket, report)

        def crashed(_exc: Exception) -> None:  # a bug: say so in the report
            why = sentences.COULD_NOT_RUN
            broken = StageResult(Stage.ADDRESS, Outcome.FAILED, why.fallback, coded=why)
            signals.finished.emit(ticket, ConnectionReport(base_url, "direct", (broken,)))

        self.run_work(work, crashed=crashed)
        return ticket

    def cancel(self) -> None:
        """Stop the running test before its next stage (its report still arrives)."""
        if self._cancel is not None:
            self._cancel.set()

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        return super().shutdown(timeout_ms)

    def _about_to_close(self) -> None:
        self.cancel()

    @Slot(int, object)
    def _on_stage(self, ticket: int, result: object) -> None:
        self.stage_done.emit(ticket, result)

    @Slot(int, object)
    def _on_finished(self, ticket: int, report: object) -> None:
        if ticket == self.running:
            self.running = None
        self.finished.emit(ticket, report)


def _key(key_for: Callable[[], str | None] | None) -> str | None:
    if key_for is None:
        return None
    try:
        return key_for()
    except Exception:  # a keyring that fails: test everything but the key
        log.warning("connection test: the key could not be read", exc_info=True)
        return None
