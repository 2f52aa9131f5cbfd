"""Work that waits until the main window's first frame is painted.

Start-up starts background work early: the model list's refresh, compiling JSON Schema
checkers, reading the history. Each runs off the GUI thread, but its Python (imports,
parsing) holds the interpreter lock, so started before the first frame it only delays
that frame. The app `hold()`s the gate just before it shows its window; until the first
widget is painted, `after_first_frame(work)` queues `work`, then runs it on the GUI thread
as soon as the event loop is back. When no hold is in place (the gate is open: tests that
build a window without the app, the command line) `work` runs at once.

A window that never paints (no display, an error dialog first) must not keep the work
waiting for ever: the gate also opens `FALLBACK_MS` after the hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

log = logging.getLogger(__name__)

#: The gate opens this long after `hold()` even if nothing was painted.
FALLBACK_MS = 10_000


class _Gate(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._pending: list[Callable[[], object]] = []
        self._app: QCoreApplication | None = None
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.timeout.connect(self.open)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self.open)

    @property
    def held(self) -> bool:
        return self._app is not None

    def hold(self, fallback_ms: int = FALLBACK_MS) -> None:
        app = QCoreApplication.instance()
        if app is None or self.held:
            return
        self._app = app
        app.installEventFilter(self)
        self._fallback.start(fallback_ms)

    def later(self, work: Callable[[], object]) -> None:
        if self.held:
            self._pending.append(work)
        else:
            work()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._flush.isActive():
            self._flush.start(0)  # once this paint (the whole frame) is done
        return False

    def open(self) -> None:
        """Run what waited (in order), and from now on run work at once."""
        self._release()
        pending, self._pending = self._pending, []
        for work in pending:
            try:
                work()
            except Exception:  # one failed start must not keep the rest from starting
                log.exception("work started after the first frame failed")

    def drop(self) -> None:
        """Quit before the first frame: forget what waited, open the gate."""
        self._release()
        self._pending.clear()

    def _release(self) -> None:
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None
        self._flush.stop()
        self._fallback.stop()


_gate: _Gate | None = None


def _the_gate() -> _Gate:
    global _gate
    if _gate is None:
        _gate = _Gate()
    return _gate


def hold(fallback_ms: int = FALLBACK_MS) -> None:
    """From now until the first paint (or `fallback_ms`), `after_first_frame` waits."""
    _the_gate().hold(fallback_ms)


def after_first_frame(work: Callable[[], object]) -> None:
    """Run `work` on the GUI thread once the first frame is painted (at once if it was,
    or when nothing holds the gate)."""
    _the_gate().later(work)


def waiting() -> bool:
    """Whether work is being held back until the first frame."""
    return _gate is not None and _gate.held


def drop() -> None:
    """At quit: open the gate and forget any work still waiting for a frame."""
    if _gate is not None:
        _gate.drop()
