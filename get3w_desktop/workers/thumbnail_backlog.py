"""Thumbnail work waiting for the loader's pool, and the priority its threads run at."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable

#: The nice value of the thumbnail pool's threads (Linux): when the GUI thread and a decode
#: want the same core, the GUI thread gets it (a decode waits a few ms more, a frame does not).
DECODE_NICE = 10

#: Items one drain takes before it lets the pool's other work go first.
DRAIN_BATCH = 8

#: Requests of painted rows kept waiting at most: a view that asks again on every paint
#: (the task list) loses its oldest beyond this, rows long scrolled past, and asks again if
#: they come back. Scrolling 100,000 rows left 1,800 such decodes queued at the bottom.
REPAINTED_LIMIT = 48

#: (path, size), the work, whether its asker asks again on every paint.
Item = tuple[tuple[str, int], Callable[[], None], bool]


class Backlog:
    """Thumbnail work not started yet, newest first, drained by the pool's threads.

    `request()` runs inside the task list's paint. Starting a runnable there hands the
    interpreter lock to the woken pool thread (`QThreadPool.start` releases it), and the
    paint then waits for that thread's Python: 0.4 ms a row on average, up to 17 ms, on
    every row that asked. So a request is only pushed here; at most `threads` drains run,
    each taking the newest item until none is left (the rows on screen now before those
    scrolled past), and drains are started from a zero timer, after the paint. A drain
    that took `DRAIN_BATCH` items queues itself again, behind any other work of the pool
    (a full image someone opened, the poster player's import), instead of holding its
    thread while the list scrolls.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Item] = []
        self._repainted = 0  # items whose asker asks again on every paint
        self._draining = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def push(self, item: Item) -> list[tuple[str, int]]:
        """Stack `item`; the keys of repainted requests dropped to stay within the limit."""
        with self._lock:
            self._items.append(item)
            if not item[2]:
                return []
            self._repainted += 1
            dropped: list[tuple[str, int]] = []
            while self._repainted > REPAINTED_LIMIT:
                oldest = next(i for i, (_key, _work, again) in enumerate(self._items) if again)
                dropped.append(self._items.pop(oldest)[0])
                self._repainted -= 1
            return dropped

    def starts(self, threads: int) -> int:
        """How many drains to start now (counted as running)."""
        with self._lock:
            more = max(0, min(len(self._items), threads) - self._draining)
            self._draining += more
            return more

    def take(self) -> Item | None:
        """The newest item; None (and this drain counted out) when there is none."""
        with self._lock:
            if self._items:
                item = self._items.pop()
                self._repainted -= item[2]
                return item
            self._draining -= 1
            return None

    def stopped(self) -> None:
        """A drain ended with items left (and was not started again)."""
        with self._lock:
            self._draining -= 1

    def clear(self) -> list[Item]:
        with self._lock:
            items, self._items = self._items, []
            self._repainted = 0
            return items


def give_way() -> None:
    """Lower this pool thread's priority to DECODE_NICE (once; Linux, where the nice value
    of a thread id is the thread's own; elsewhere a thread id may be another process's)."""
    if not sys.platform.startswith("linux") or getattr(_niced, "done", False):
        return
    _niced.done = True
    with contextlib.suppress(OSError):
        thread = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, thread) < DECODE_NICE:
            os.setpriority(os.PRIO_PROCESS, thread, DECODE_NICE)


_niced = threading.local()
