"""The worker base: a run that never raises into Qt, shutdown that waits, retire that does not."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from get3w_desktop.workers.base import PoolOwner


def test_a_crash_is_logged_and_handed_to_the_fallback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    owner = PoolOwner()
    seen: list[str] = []
    ran = threading.Event()

    def work() -> None:
        raise ValueError("boom")

    def crashed(exc: Exception) -> None:
        seen.append(str(exc))
        ran.set()

    with caplog.at_level(logging.ERROR, logger="get3w_desktop.workers.base"):
        owner.run_work(work, crashed=crashed)
        assert ran.wait(5)
        assert owner.shutdown()
    assert seen == ["boom"]
    assert any("PoolOwner crashed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_shutdown_waits_and_drops_queued_work() -> None:
    owner = PoolOwner(threads=1)
    release, started = threading.Event(), threading.Event()
    ran: list[int] = []

    def first() -> None:
        started.set()
        release.wait(5)
        ran.append(1)

    owner.run_work(first)
    owner.run_work(lambda: ran.append(2))  # queued behind the first: dropped by shutdown
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    assert owner.shutdown(5000)
    assert ran == [1]
    assert not owner.run_work(lambda: ran.append(3))  # closed: refused
    assert ran == [1]


def test_retire_returns_at_once_and_deletes_when_the_work_returns(qtbot: QtBot) -> None:
    owner = PoolOwner()
    started, release = threading.Event(), threading.Event()

    def blocked() -> None:
        started.set()
        release.wait(10)

    owner.run_work(blocked)
    assert started.wait(5)
    began = time.monotonic()
    owner.retire()
    assert time.monotonic() - began < 0.5  # the work is still blocked: nothing waited for it
    assert PoolOwner.retired_count() == 1 and shiboken6.isValid(owner)
    release.set()
    qtbot.waitUntil(lambda: PoolOwner.retired_count() == 0, timeout=5000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=5000)


def test_drain_waits_for_retired_owners(qtbot: QtBot) -> None:
    owner = PoolOwner()
    done = threading.Event()

    def slow() -> None:
        time.sleep(0.3)
        done.set()

    owner.run_work(slow)
    owner.retire()
    assert not done.is_set()
    assert PoolOwner.drain_retired(5000)
    assert done.is_set() and PoolOwner.retired_count() == 0
