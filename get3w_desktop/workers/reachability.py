"""Can the API host be reached? Learnt from the requests the app makes anyway.

Nothing here sends a request of its own. The balance watcher's answers say whether the host
answered: any answer (even a refusal) means reachable; a connection failure means not. While
the host cannot be reached, the watcher is asked again on a backoff (5 s, 10 s, 20 s, 40 s,
then every minute), and the first answer ends the outage. A key saved without a check starts
out as "cannot reach" until an answer proves otherwise.

Signals:
    changed(object): a `Reach` when the state changes or the next try is rescheduled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from get3w_desktop.core import messages
from get3w_desktop.core.errors import NetworkError
from get3w_desktop.core.messages import Message

#: Seconds between tries while the host cannot be reached; the last one repeats.
BACKOFF = (5.0, 10.0, 20.0, 40.0, 60.0)


@dataclass(frozen=True)
class Reach:
    """What is known about the host: reachable, or why not and when the next try is."""

    reachable: bool
    reason: Message | None = None
    retry_at: float | None = None  # time.time() of the next try
    tries: int = 0  # failed tries in a row


class Reachability(QObject):
    changed = Signal(object)

    def __init__(
        self,
        retry: Callable[[], None],
        *,
        backoff: Sequence[float] = BACKOFF,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if not backoff:
            raise ValueError("the backoff needs at least one delay")
        self._retry = retry
        self._backoff = tuple(backoff)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._try_again)
        self.state = Reach(True)
        self._stopped = False

    @property
    def reachable(self) -> bool:
        return self.state.reachable

    @Slot(object)
    def request_failed(self, error: object) -> None:
        """A request to the host failed; only a connection failure means "cannot reach"."""
        if isinstance(error, NetworkError):
            self._unreachable(messages.for_error(error))

    @Slot()
    def request_answered(self) -> None:
        """The host answered a request: it can be reached."""
        if self._stopped:
            return
        self._timer.stop()
        if not self.state.reachable:
            self.state = Reach(True)
            self.changed.emit(self.state)

    def assume_unreachable(self, reason: Message) -> None:
        """Start out unreachable (a key saved because its check got no answer: that check
        counts as the first failed try)."""
        self._unreachable(reason)

    def _unreachable(self, reason: Message) -> None:
        if self._stopped:
            return
        tries = self.state.tries + 1 if not self.state.reachable else 1
        delay = self._backoff[min(tries, len(self._backoff)) - 1]
        self.state = Reach(False, reason, time.time() + delay, tries)
        self._timer.start(round(delay * 1000))
        self.changed.emit(self.state)

    @Slot()
    def _try_again(self) -> None:
        if not self._stopped:
            self._retry()

    def stop(self) -> None:
        """No more tries (the service was replaced, or the app is quitting)."""
        self._stopped = True
        self._timer.stop()
