"""Thumbnail work waiting for the loader's pool: newest first, flung-past rows never."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Items one drain takes before it lets the pool's other work go first.
DRAIN_BATCH = 8

#: Requests of painted rows kept waiting at most: a view that asks again on every paint
#: (the task list) loses its oldest beyond this, rows long scrolled past, and asks again if
#: they come back. Scrolling 100,000 rows left 1,800 such decodes queued at the bottom.
REPAINTED_LIMIT = 48

#: A painted row's request waits this long before its decode may start: a row that showed
#: for less (the list flung past it) is never decoded, only the rows it stops on. Scrolling
#: a page per frame decoded 2,300 thumbnails nobody saw, each taking a core and the
#: interpreter lock from the painting GUI thread. A request made SETTLE_MS ago is already
#: past REPAINTED_LIMIT others at that speed (9 frames of 9-12 rows), so it went unseen.
SETTLE_MS = 150

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
        self._settled: list[float] = []  # each item's monotonic time its decode may start
        self._repainted = 0  # items whose asker asks again on every paint
        self._draining = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def push(self, item: Item) -> list[tuple[str, int]]:
        """Stack `item`; the keys of repainted requests dropped to stay within the limit."""
        settled = time.monotonic() + (SETTLE_MS / 1000 if item[2] else 0.0)
        with self._lock:
            self._items.append(item)
            self._settled.append(settled)
            if not item[2]:
                return []
            self._repainted += 1
            dropped: list[tuple[str, int]] = []
            while self._repainted > REPAINTED_LIMIT:
                oldest = next(i for i, (_key, _work, again) in enumerate(self._items) if again)
                dropped.append(self._items.pop(oldest)[0])
                del self._settled[oldest]
                self._repainted -= 1
            return dropped

    def starts(self, threads: int) -> int:
        """How many drains to start now (counted as running)."""
        with self._lock:
            more = max(0, min(len(self._items), threads) - self._draining)
            self._draining += more
            return more

    def take(self) -> Item | None:
        """The newest item that settled; None (and this drain counted out) when there is
        none (the loader starts drains again SETTLE_MS after the last painted request)."""
        now = time.monotonic()
        with self._lock:
            for i in range(len(self._items) - 1, -1, -1):
                if self._settled[i] <= now:
                    item = self._items.pop(i)
                    del self._settled[i]
                    self._repainted -= item[2]
                    return item
            self._draining -= 1
            return None

    def settles_in(self) -> float | None:
        """Seconds until the next waiting item settles; None when none waits to."""
        now = time.monotonic()
        with self._lock:
            waiting = [at - now for at in self._settled if at > now]
        return min(waiting) if waiting else None

    def stopped(self) -> None:
        """A drain ended with items left (and was not started again)."""
        with self._lock:
            self._draining -= 1

    def clear(self) -> list[Item]:
        with self._lock:
            items, self._items = self._items, []
            self._settled, self._repainted = [], 0
            return items
