"""The connection tester: off the GUI thread, one test at a time, never raising into Qt."""

from __future__ import annotations

import threading
from typing import Any

from pytestqt.qtbot import QtBot

from get3w_desktop.api.connection_test import ConnectionReport, Outcome, Stage, StageResult
from get3w_desktop.core.proxy import NO_PROXY, ProxyConfig
from get3w_desktop.workers.connection import ConnectionTester


class Recorder:
    def __init__(self, tester: ConnectionTester) -> None:
        self.stages: list[tuple[int, StageResult]] = []
        self.reports: list[tuple[int, ConnectionReport]] = []
        tester.stage_done.connect(lambda t, r: self.stages.append((t, r)))
        tester.finished.connect(lambda t, r: self.reports.append((t, r)))


def test_a_broken_runner_still_reports_in_plain_words(qtbot: QtBot) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> ConnectionReport:
        raise RuntimeError("bug")

    tester = ConnectionTester(broken)
    seen = Recorder(tester)
    ticket = tester.start("https://api.get3w.com", NO_PROXY)
    qtbot.waitUntil(lambda: bool(seen.reports), timeout=10_000)
    assert tester.shutdown()
    (got, report), = seen.reports  # fmt: skip
    assert got == ticket and not report.ok and "could not run" in report.summary
    assert tester.running is None


def test_the_key_is_read_on_the_worker_and_a_failing_keyring_means_no_key(qtbot: QtBot) -> None:
    keys: list[str | None] = []
    threads: list[threading.Thread] = []

    def run(base_url: str, key: str | None, proxy: ProxyConfig | None, *,
            cancel: threading.Event, on_stage: Any) -> ConnectionReport:  # fmt: skip
        keys.append(key)
        result = StageResult(Stage.ADDRESS, Outcome.OK, "fine", 1.0)
        on_stage(result)
        return ConnectionReport(base_url, "direct", (result,))

    def lookup() -> str:
        threads.append(threading.current_thread())
        return "sk_from_keyring_1234"

    def failing() -> str:
        raise OSError("keyring is locked")

    tester = ConnectionTester(run)
    seen = Recorder(tester)
    first = tester.start("https://api.get3w.com", NO_PROXY, lookup)
    qtbot.waitUntil(lambda: len(seen.reports) == 1, timeout=10_000)
    second = tester.start("https://api.get3w.com", NO_PROXY, failing)
    qtbot.waitUntil(lambda: len(seen.reports) == 2, timeout=10_000)
    assert tester.shutdown()
    assert keys == ["sk_from_keyring_1234", None]
    assert threads and threads[0] is not threading.main_thread()
    assert [t for t, _r in seen.stages] == [first, second]
    assert [t for t, _r in seen.reports] == [first, second]


def test_a_new_test_cancels_the_running_one(qtbot: QtBot) -> None:
    cancels: list[threading.Event] = []
    release = threading.Event()

    def run(base_url: str, key: str | None, proxy: ProxyConfig | None, *,
            cancel: threading.Event, on_stage: Any) -> ConnectionReport:  # fmt: skip
        cancels.append(cancel)
        if len(cancels) == 1:
            cancel.wait(10)
        else:
            release.set()
        return ConnectionReport(base_url, "direct", ())

    tester = ConnectionTester(run)
    seen = Recorder(tester)
    tester.start("https://a.example", NO_PROXY)
    qtbot.waitUntil(lambda: len(cancels) == 1, timeout=10_000)
    tester.start("https://b.example", NO_PROXY)
    qtbot.waitUntil(lambda: len(seen.reports) == 2, timeout=10_000)
    assert cancels[0].is_set() and not cancels[1].is_set() and release.is_set()
    assert tester.shutdown()
    assert [r.target for _t, r in seen.reports] == ["https://a.example", "https://b.example"]
