"""The one way work leaves the GUI thread: a catch-all runnable on a pool its owner holds.

Every background service derives from `PoolOwner`. It owns a private `QThreadPool`, starts
plain callables on it wrapped in `Work` (whose `run` never lets an exception reach Qt: it
logs it and calls the caller's `crashed` fallback, which emits the service's own "failed"
signal), and ends in one of two ways:

- `shutdown(timeout_ms)` at quit: drop queued work and wait for running work;
- `retire()` when the owner is merely replaced (a profile switch, a dialog that closed):
  drop queued work and *do not wait*. The owner stays alive, detached, until its last
  running callable returns, then deletes itself. Deleting a QObject whose pool still runs
  a request would block the GUI thread until that request ends (up to its deadline).

A service keeps its signals on a small QObject created on the GUI thread (`Signals`
subclasses, one per service): a callable running on the pool emits them, and Qt delivers
them queued to the GUI thread.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ClassVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)

#: How often a retired owner looks again whether its last callable returned.
_RETIRE_POLL_MS = 25


class Work(QRunnable):
    """Runs `work()` on a pool thread; an exception is logged and `crashed(exc)` is called.

    `done` (optional) is called last, whatever happened: owners count running work with it.
    """

    def __init__(
        self,
        work: Callable[[], None],
        *,
        label: str,
        crashed: Callable[[Exception], None] | None = None,
        done: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._work, self._label, self._crashed, self._done = work, label, crashed, done

    def run(self) -> None:
        try:
            self._work()
        except Exception as exc:  # never raise into Qt: log it and let the owner say so
            log.exception("%s crashed", self._label)
            if self._crashed is not None:
                try:
                    self._crashed(exc)
                except Exception:
                    log.exception("%s: its crash handler crashed too", self._label)
        finally:
            if self._done is not None:
                self._done()


class _Relay(QObject):
    """Tells the owner (GUI thread) that one of its callables returned."""

    returned = Signal()


class PoolOwner(QObject):
    """A QObject that runs work on its own pool. See the module for the life cycle."""

    #: Owners retired and not yet deleted, by id (the reference keeps them alive until Qt
    #: deletes them: never from Python inside one of their own event handlers).
    _retired: ClassVar[dict[int, PoolOwner]] = {}

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._relay = _Relay(self)
        self._relay.returned.connect(self._on_returned)
        self._closed = False
        self._is_retired = False
        self._reaper = QTimer(self)  # a retired owner looks again until its pool is idle
        self._reaper.setSingleShot(True)
        self._reaper.setInterval(_RETIRE_POLL_MS)
        self._reaper.timeout.connect(self._reap)

    @property
    def closed(self) -> bool:
        """True once shut down or retired: new work is refused."""
        return self._closed

    def run_work(
        self,
        work: Callable[[], None],
        *,
        crashed: Callable[[Exception], None] | None = None,
        priority: int = 0,
    ) -> bool:
        """Start `work` on the pool; False (and nothing started) once closed."""
        if self._closed:
            return False
        relay = self._relay
        self._pool.start(
            Work(work, label=type(self).__name__, crashed=crashed, done=relay.returned.emit),
            priority,
        )
        return True

    def start_runnable(self, runnable: QRunnable, priority: int = 0) -> None:
        """For owners that keep a handle on the runnable (to `try_take` it later)."""
        self._pool.start(runnable, priority)

    def try_take(self, runnable: QRunnable) -> bool:
        return bool(self._pool.tryTake(runnable))

    def set_threads(self, count: int) -> None:
        self._pool.setMaxThreadCount(max(1, count))

    def threads(self) -> int:
        return int(self._pool.maxThreadCount())

    def wait(self, timeout_ms: int = -1) -> bool:
        """Wait for queued and running work (tests, and flushing before a read)."""
        return bool(self._pool.waitForDone(timeout_ms))

    def idle(self) -> bool:
        """Nothing queued or running (never blocks)."""
        return bool(self._pool.waitForDone(0))

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Refuse new work, drop queued work, wait for running work. True if all returned."""
        self._closed = True
        self._about_to_close()
        self._pool.clear()
        return bool(self._pool.waitForDone(timeout_ms))

    def retire(self) -> None:
        """Refuse new work and drop queued work without waiting; delete this object once
        its running work has returned (at once when there is none). Never blocks."""
        if self._is_retired:
            return
        self._closed = self._is_retired = True
        self._about_to_close()
        self._pool.clear()
        PoolOwner._retired[id(self)] = self
        self.destroyed.connect(functools.partial(PoolOwner._forget, id(self)))
        self.setParent(None)  # a parent deleted meanwhile must not wait for this pool
        self._reap()

    def _about_to_close(self) -> None:
        """Subclasses: stop timers and set cancel events (called once, GUI thread)."""

    @Slot()
    def _on_returned(self) -> None:
        if self._is_retired:
            self._reap()

    def _reap(self) -> None:
        if not shiboken6.isValid(self):
            PoolOwner._forget(id(self))
            return
        if self.idle():
            self._reaper.stop()
            self.deleteLater()  # `destroyed` then drops the last reference
        elif not self._reaper.isActive():  # its last signal came, its thread is not free yet
            self._reaper.start()

    @staticmethod
    def _forget(key: int, *_destroyed: object) -> None:
        PoolOwner._retired.pop(key, None)

    @classmethod
    def retired_count(cls) -> int:
        return len(cls._retired)

    @classmethod
    def drain_retired(cls, timeout_ms: int = 10_000) -> bool:
        """At quit: wait for every retired owner's last callable. True if all returned."""
        done = True
        for owner in list(cls._retired.values()):
            if shiboken6.isValid(owner):
                done = bool(owner._pool.waitForDone(timeout_ms)) and done
                owner._reaper.stop()
                owner.deleteLater()
        cls._retired.clear()
        return done
