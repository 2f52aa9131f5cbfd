"""The account balance, fetched off the GUI thread and refreshed on request.

Refreshes are coalesced: asking again while one is on the wire runs exactly one more
afterwards, so a burst of finished tasks costs at most two balance calls.

Signals:
    changed(object): the balance in USD (float), or None when the service does not say.
    failed(str): why it could not be fetched, for a tooltip; the last value stays shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from get3w_desktop.core.errors import Get3WError

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object, str)  # (balance or None, error message or "")


class _Fetch(QRunnable):
    def __init__(self, fetch: Callable[[], float | None], signals: _Signals) -> None:
        super().__init__()
        self._fetch, self._signals = fetch, signals

    def run(self) -> None:
        try:
            value = self._fetch()
        except Get3WError as exc:
            self._signals.done.emit(None, exc.message)
        except Exception:  # a bug must not take the app down from a status-bar figure
            log.exception("balance fetch crashed")
            self._signals.done.emit(None, "The balance could not be read.")
        else:
            self._signals.done.emit(value, "")


class BalanceWatcher(QObject):
    changed = Signal(object)
    failed = Signal(str)

    def __init__(self, fetch: Callable[[], float | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._busy = self._again = False
        self._closed = False
        self.fetches = 0  # how many calls went out: coalescing is observable

    @Slot()
    def refresh(self) -> None:
        if self._closed:
            return
        if self._busy:
            self._again = True
            return
        self._busy, self._again = True, False
        self.fetches += 1
        self._pool.start(_Fetch(self._fetch, self._signals))

    @Slot(object, str)
    def _on_done(self, value: float | None, error: str) -> None:
        self._busy = False
        if error:
            self.failed.emit(error)
        else:
            self.changed.emit(value)
        if self._again:
            self.refresh()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        self._closed = True
        self._pool.waitForDone(timeout_ms)
