"""The account balance, fetched off the GUI thread and refreshed on request.

Refreshes are coalesced: asking again while one is on the wire runs exactly one more
afterwards, so a burst of finished tasks costs at most two balance calls.

Signals:
    changed(object): the balance in USD (float), or None when the service does not say.
    failed(Message): why it could not be fetched, for a tooltip (core/messages.py: the
        window shows it in the person's language); the last value stays shown.
    unreachable(NetworkError): no answer came (a connection failure; see reachability.py).
    answered(): the host answered, with the balance or with an error of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from get3w_desktop.core import messages
from get3w_desktop.core.errors import Get3WError, NetworkError
from get3w_desktop.workers.base import PoolOwner


class _Signals(QObject):
    done = Signal(object, object, object)  # (balance or None, Message or None, the error)


class BalanceWatcher(PoolOwner):
    changed = Signal(object)
    failed = Signal(object)
    unreachable = Signal(object)
    answered = Signal()

    def __init__(self, fetch: Callable[[], float | None], parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._fetch = fetch
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._busy = self._again = False
        self.fetches = 0  # how many calls went out: coalescing is observable

    @Slot()
    def refresh(self) -> None:
        if self.closed:
            return
        if self._busy:
            self._again = True
            return
        self._busy, self._again = True, False
        self.fetches += 1
        fetch, signals = self._fetch, self._signals

        def work() -> None:
            try:
                value = fetch()
            except Get3WError as exc:
                signals.done.emit(None, messages.for_error(exc), exc)
            else:
                signals.done.emit(value, None, None)

        # A bug must not take the app down from a status-bar figure.
        self.run_work(work, crashed=lambda _exc: signals.done.emit(
            None, messages.text("The balance could not be read."), None))  # fmt: skip

    @Slot(object, object, object)
    def _on_done(self, value: float | None, error: object, exc: object) -> None:
        self._busy = False
        if self.closed:
            return
        if isinstance(exc, NetworkError):
            self.unreachable.emit(exc)
        elif exc is not None or error is None:
            self.answered.emit()
        if error is not None:
            self.failed.emit(error)
        else:
            self.changed.emit(value)
        if self._again:
            self.refresh()
