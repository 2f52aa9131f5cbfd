"""Deadlines for whole HTTP exchanges, however slowly the bytes trickle in.

`requests` timeouts are per socket read, so a server that drips its head one byte a
second would otherwise hold a worker for as long as it likes. One shared watchdog thread
shuts the socket when an exchange's deadline passes while its head is being read
(`exchange_deadline`); body loops check the same deadline between chunks. A caller with
a time limit of its own (`get3w run --timeout`) wraps its work in `overall_deadline`, and
every exchange inside ends by then at the latest.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from weakref import WeakSet

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool

#: An overall deadline (monotonic seconds) set by a caller with a time limit of its own
#: (`get3w run --timeout`): every exchange in the block ends by then at the latest.
_OVERALL: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "get3w_overall_deadline", default=None
)


@contextlib.contextmanager
def overall_deadline(deadline: float | None) -> Iterator[None]:
    """Bound every exchange (API call or download) in this block by `deadline`
    (monotonic seconds); an outer, sooner deadline still wins."""
    token = _OVERALL.set(effective_deadline(deadline))
    try:
        yield
    finally:
        _OVERALL.reset(token)


def effective_deadline(deadline: float | None) -> float | None:
    """`deadline` (monotonic), or the block's overall deadline when that comes sooner."""
    outer = _OVERALL.get()
    if outer is None:
        return deadline
    return outer if deadline is None else min(deadline, outer)


#: The monotonic time by which the current thread's exchange must have its answer head.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "get3w_deadline", default=None
)


@contextlib.contextmanager
def exchange_deadline(deadline: float | None) -> Iterator[None]:
    """Bound the answer heads read in this block by `deadline` (monotonic seconds)."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _Watch:
    """One head read under watch: shut `sock` at `deadline` unless the head came first."""

    __slots__ = ("deadline", "sock")

    def __init__(self, deadline: float, sock: socket.socket) -> None:
        self.deadline = deadline
        self.sock: socket.socket | None = sock  # None once settled (head arrived, or shut)

    def __lt__(self, other: _Watch) -> bool:
        return self.deadline < other.deadline


class DeadlineWatchdog:
    """One daemon thread shuts the sockets of head reads whose deadline has passed.

    Starting and joining a timer thread per request cost about a third of the client's
    CPU per task (bench/throughput.py), so every exchange in the process shares this one:
    a heap of `_Watch` entries under a condition. `watch` and `unwatch` take the lock
    briefly and wake the thread only when a deadline comes sooner than it planned to
    look. A socket is shut while the lock is held, so once `unwatch` returns it is never
    shut for that exchange (a kept-alive connection is safe to reuse).

    The thread starts with the first watch and ends once nothing is watched and either
    every adapter is closed or `linger` seconds pass idle, so nothing outlives its use.
    """

    def __init__(self, linger: float = 1.0) -> None:
        self._linger = linger
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[_Watch] = []
        self._live = 0  # entries in the heap not settled yet
        self._wake_at = 0.0  # when the thread will look again
        self._last_active = 0.0
        self._thread: threading.Thread | None = None
        self._adapters: WeakSet[DeadlineAdapter] = WeakSet()
        self.threads_started = 0

    def watch(self, deadline: float, sock: socket.socket) -> _Watch:
        entry = _Watch(deadline, sock)
        with self._cond:
            heapq.heappush(self._heap, entry)
            self._live += 1
            if self._thread is None:
                self._start()
            elif deadline < self._wake_at:
                self._cond.notify()
        return entry

    def unwatch(self, entry: _Watch) -> None:
        """The head arrived (or the read failed): stop watching. Never shuts afterwards."""
        with self._cond:
            if entry.sock is None:
                return  # already shut by the watchdog
            entry.sock = None
            self._live -= 1
            if self._live == 0:
                self._heap.clear()  # only settled entries were left
                self._last_active = time.monotonic()
            elif len(self._heap) > 64 and self._live * 2 < len(self._heap):
                self._heap = [e for e in self._heap if e.sock is not None]
                heapq.heapify(self._heap)

    def adapter_opened(self, adapter: DeadlineAdapter) -> None:
        with self._cond:
            self._adapters.add(adapter)

    def adapter_closed(self, adapter: DeadlineAdapter) -> None:
        """With every adapter closed and nothing watched, the thread ends at once."""
        with self._cond:
            self._adapters.discard(adapter)
            if not self._adapters:
                self._cond.notify()

    def is_running(self) -> bool:
        with self._cond:
            return self._thread is not None

    def _start(self) -> None:
        self._last_active = time.monotonic()
        self._wake_at = 0.0
        self._thread = threading.Thread(target=self._run, name="get3w-http-deadline",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        self.threads_started += 1

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                heap = self._heap
                while heap and (heap[0].sock is None or heap[0].deadline <= now):
                    entry = heapq.heappop(heap)
                    if entry.sock is not None:  # expired while its head is being read
                        with contextlib.suppress(OSError):
                            entry.sock.shutdown(socket.SHUT_RDWR)
                        entry.sock = None
                        self._live -= 1
                        self._last_active = now
                if self._live == 0:
                    heap.clear()
                    idle_until = self._last_active + self._linger
                    if not self._adapters or now >= idle_until:
                        self._thread = None
                        return
                    self._wake_at = idle_until
                else:
                    self._wake_at = min(heap[0].deadline, now + self._linger)
                self._cond.wait(max(0.0, self._wake_at - now))

    def _after_fork(self) -> None:
        """In a forked child the thread is gone and the lock may be held: start over."""
        self._cond = threading.Condition(threading.Lock())
        self._heap, self._live, self._thread = [], 0, None


#: The process's one deadline watchdog.
WATCHDOG = DeadlineWatchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._after_fork)


class _DeadlineConnection:
    """Mixin for urllib3 connections: reading the answer head obeys `_DEADLINE`.

    A socket shut by the watchdog makes the head read fail; `send` reports it as too slow.
    """

    sock: socket.socket | None

    def getresponse(self) -> Any:
        deadline = _DEADLINE.get()
        sock = self.sock
        if deadline is None or sock is None:
            return super().getresponse()  # type: ignore[misc]
        entry = WATCHDOG.watch(deadline, sock)
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            WATCHDOG.unwatch(entry)


class _HTTPConnection(_DeadlineConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """The standard adapter, with connections whose head reads obey `exchange_deadline`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        WATCHDOG.adapter_opened(self)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def close(self) -> None:
        super().close()
        WATCHDOG.adapter_closed(self)


#: Kept-alive connections per host: above the runner's concurrency, so parallel workers
#: never discard (and reopen) connections.
POOL_SIZE = 32


def _mount_deadline_adapters(session: requests.Session) -> None:
    session.mount("http://", DeadlineAdapter(pool_maxsize=POOL_SIZE))
    session.mount("https://", DeadlineAdapter(pool_maxsize=POOL_SIZE))
