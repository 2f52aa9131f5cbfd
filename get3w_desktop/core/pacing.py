"""Long Python loops on worker threads hand the interpreter lock over every few ms.

A thread waiting for the interpreter lock (the GIL) gets it only when the holder drops
it: at a blocking call, or when the waiter asks after `sys.getswitchinterval()` (5 ms) and
the holder next checks. The GUI thread asks again for every Python call Qt makes into it
(each `paint` and `data` of a row), so with one worker converting rows flat out, each of
them could wait up to 5 ms, and a repaint of 30 rows became a 50-100 ms stall on a busy
2-core machine (issue 16). A loop that calls a `Pacer` after each item sleeps a moment
once every `work_s` of its own: the lock is free then, and whoever waits takes it.

The GUI thread also drops the lock inside most Qt calls it makes while painting, and a
paced worker that takes it then keeps it until its next pause: so `WORK_S` bounds each of
those waits. At 2 ms, the window's heartbeat was still 18-23 ms late at p99 while a
100,000-task history loaded; at 0.5 ms, 7-9 ms (bench.scale, 3 alternated pairs), for
the last row in 0.3-1.4 s later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: A worker's loop holds the lock this long at most before it pauses ...
WORK_S = 0.0005
#: ... for this long (enough for a waiting thread to wake and take the lock).
PAUSE_S = 0.0003


class Pacer:
    """Call it after each item of a long loop; it pauses once every `work_s` seconds."""

    def __init__(
        self,
        work_s: float = WORK_S,
        pause_s: float = PAUSE_S,
        *,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.work_s, self.pause_s = work_s, pause_s
        self._clock, self._sleep = clock, sleep
        self._since = clock()
        self.pauses = 0

    def __call__(self) -> None:
        if self._clock() - self._since < self.work_s:
            return
        self._sleep(self.pause_s)
        self.pauses += 1
        self._since = self._clock()


def paced(items: Iterable[T], pace: Callable[[], None] | None) -> Iterator[T]:
    """`items` one by one, calling `pace` (a `Pacer`) after each; `pace` None: no pauses."""
    for item in items:
        yield item
        if pace is not None:
            pace()
