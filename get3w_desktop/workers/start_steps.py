"""Start-up work one step after another, instead of all at once after the first frame.

Each step's work runs off the GUI thread, but its Python (imports, parsing, turning rows
into jobs) holds the interpreter lock. Started together, the model list's refresh, the
JSON Schema warm-up and the history's pages take turns on the lock, and the GUI thread,
which needs it to paint, waited up to 136 ms at a time behind them (issue 16). So each
waits for the one before: the history's newest page (what the person sees) first.

A step is `start(done)`: it begins its work (on the GUI thread, at once) and calls
`done()` (from any thread) when its CPU-heavy part is over, or when it failed. The next
step begins then, or `limit_ms` after this one began if `done` never comes (a server that
does not answer must not hold the rest back), or at once if `start` raises. `done` called
late (after the limit) or twice changes nothing.

`outcomes` records, in order, each step's name and how it ended ("done", "late" (the
limit passed) or "failed"), for the log and the tests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance, Slot

log = logging.getLogger(__name__)

Done = Callable[[], None]
Start = Callable[[Done], object]

#: A step that has not said it is done after this long no longer holds the next one back.
DEFAULT_LIMIT_MS = 1500


class StartSteps(QObject):
    """Runs the steps `add`ed, one after another, from `run()` on (see the module)."""

    _finished = Signal(int)  # a step's number: from any thread to the GUI thread
    all_done = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: list[tuple[str, Start, int]] = []
        self._current = -1
        self._running = False
        self._began = 0.0
        self.outcomes: list[tuple[str, str]] = []
        self._limit = QTimer(self)
        self._limit.setSingleShot(True)
        self._limit.timeout.connect(self._late)
        # Queued even from the GUI thread: the next step begins from the event loop.
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    def add(self, name: str, start: Start, *, limit_ms: int = DEFAULT_LIMIT_MS) -> None:
        self._steps.append((name, start, limit_ms))

    @property
    def finished(self) -> bool:
        return self._current >= len(self._steps)

    def run(self) -> None:
        """Begin the first step (once)."""
        if not self._running and self._current < 0:
            self._running = True
            self._next()

    def stop(self) -> None:
        """At quit: begin no further step."""
        self._limit.stop()
        self._current = len(self._steps)
        self._running = False

    def _next(self) -> None:
        while self._running:
            self._current += 1
            if self._current >= len(self._steps):
                self._running = False
                self._limit.stop()
                self.all_done.emit()
                return
            name, start, limit_ms = self._steps[self._current]
            number, finished = self._current, self._finished
            self._began = time.perf_counter()
            self._limit.start(limit_ms)
            try:
                start(_done(finished, number))
            except Exception:
                log.exception("start-up step %r failed to start", name)
                self._end("failed")
                continue
            return

    def _end(self, how: str) -> None:
        name = self._steps[self._current][0]
        self.outcomes.append((name, how))
        log.info("start-up step %s: %s after %.0f ms", name, how,
                 1000 * (time.perf_counter() - self._began))  # fmt: skip
        self._limit.stop()

    @Slot(int)
    def _on_finished(self, number: int) -> None:
        if number == self._current and self._running:
            self._end("done")
            self._next()

    @Slot()
    def _late(self) -> None:
        if self._running and 0 <= self._current < len(self._steps):
            self._end("late")
            self._next()


def _done(finished: SignalInstance, number: int) -> Done:
    """A step's `done`: safe to call from any thread, any number of times."""
    return lambda: finished.emit(number)
