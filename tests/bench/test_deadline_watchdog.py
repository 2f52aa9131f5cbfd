"""The shared deadline watchdog of api/http.py: one thread for every head read.

What bench/throughput.py measured as a per-request timer thread is now one thread; these
tests pin down what it must keep doing (shut an overdue head read, never shut a settled
one) and what it must not do (start a thread per request, outlive its use).
(They belong with tests/api; kept here while api/ tests are another helper's files.)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from get3w_desktop.api import http
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import DeadlineWatchdog
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer


def wait_until(condition: object, limit: float = 10.0) -> bool:
    """Poll `condition()` until true or `limit` seconds pass (a bound, never a figure)."""
    assert callable(condition)
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def is_shut(sock: socket.socket) -> bool:
    """True once `sock`'s peer sees end-of-file (it was shut down)."""
    sock.settimeout(0.0)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False


@pytest.fixture
def pairs() -> Iterator[list[tuple[socket.socket, socket.socket]]]:
    made: list[tuple[socket.socket, socket.socket]] = []
    yield made
    for a, b in made:
        a.close()
        b.close()


def test_an_overdue_read_is_shut_and_a_settled_one_never_is(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    watchdog = DeadlineWatchdog(linger=0.05)
    for _ in range(3):
        pairs.append(socket.socketpair())
    overdue, settled, later = pairs
    now = time.monotonic()
    watchdog.watch(now + 0.05, overdue[0])
    entry = watchdog.watch(now + 0.05, settled[0])
    watchdog.unwatch(entry)  # its head arrived in time
    far = watchdog.watch(now + 3600, later[0])
    assert wait_until(lambda: is_shut(overdue[1]))
    time.sleep(0.2)  # well past the settled one's deadline
    assert not is_shut(settled[1])
    settled[0].sendall(b"x")  # still a working connection
    assert settled[1].recv(1) == b"x"
    assert not is_shut(later[1]) and watchdog.is_running()
    watchdog.unwatch(far)
    assert wait_until(lambda: not watchdog.is_running())  # idle past `linger`: it ends


def test_a_sooner_deadline_wakes_a_watchdog_sleeping_towards_a_later_one(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    watchdog = DeadlineWatchdog(linger=60.0)  # idle, it would stay up to a minute
    adapter = http.DeadlineAdapter()
    watchdog.adapter_opened(adapter)
    pairs.extend([socket.socketpair(), socket.socketpair()])
    (slow, slow_peer), (soon, soon_peer) = pairs
    far = watchdog.watch(time.monotonic() + 3600, slow)
    time.sleep(0.05)  # the thread is asleep, planning to look in 60 s
    watchdog.watch(time.monotonic() + 0.05, soon)
    assert wait_until(lambda: is_shut(soon_peer), limit=20.0)
    assert not is_shut(slow_peer)
    watchdog.unwatch(far)
    assert watchdog.is_running()  # lingers while an adapter is open...
    adapter.close()
    watchdog.adapter_closed(adapter)
    assert wait_until(lambda: not watchdog.is_running())  # ...and ends once none is
    assert wait_until(lambda: not watchdog.is_running())


def test_many_deadlines_shut_only_the_expired_ones(
    pairs: list[tuple[socket.socket, socket.socket]],
) -> None:
    watchdog = DeadlineWatchdog(linger=0.05)
    pairs.extend(socket.socketpair() for _ in range(40))
    now = time.monotonic()
    entries = [
        watchdog.watch(now + (0.02 if i % 2 else 3600), a) for i, (a, _b) in enumerate(pairs)
    ]
    assert wait_until(lambda: all(is_shut(b) for i, (_a, b) in enumerate(pairs) if i % 2))
    assert not any(is_shut(b) for i, (_a, b) in enumerate(pairs) if not i % 2)
    for entry in entries:
        watchdog.unwatch(entry)  # settling an already shut one is harmless
    assert wait_until(lambda: not watchdog.is_running())


def test_requests_share_one_watchdog_thread_that_ends_with_the_client() -> None:
    assert wait_until(lambda: not http.WATCHDOG.is_running())  # from an earlier test
    started = http.WATCHDOG.threads_started
    with SandboxServer() as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        threads_during: set[str] = set()

        def poll() -> None:
            for _ in range(10):
                client.balance()
                threads_during.update(t.name for t in threading.enumerate())

        workers = [threading.Thread(target=poll) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        # 40 requests; one thread (a second only if the machine stalled past `linger`).
        assert 1 <= http.WATCHDOG.threads_started - started <= 2
        assert "get3w-http-deadline" in threads_during
    assert wait_until(lambda: not http.WATCHDOG.is_running())  # the client closed: gone
    assert "get3w-http-deadline" not in {t.name for t in threading.enumerate()}
