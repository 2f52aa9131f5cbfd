"""Saving outputs off the GUI thread, and the coalesced balance refresh."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from get3w_desktop.core.errors import NetworkError
from get3w_desktop.core.messages import Message
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.file_copy import FileCopier


def test_save_all_reports_once_with_the_count(qtbot: QtBot, tmp_path: Path) -> None:
    sources = []
    for i in range(3):
        path = tmp_path / f"s{i}.bin"
        path.write_bytes(bytes([i]) * 100)
        sources.append(path)
    out = tmp_path / "out"
    out.mkdir()
    saver = FileCopier()
    copied: list[str] = []
    saver.copied.connect(copied.append)
    with qtbot.waitSignal(saver.saved_all, timeout=5000) as done:
        saver.save_all([(str(p), str(out / p.name), None, None) for p in sources])
    assert done.args == [3, str(out)] and copied == []
    assert sorted(p.read_bytes() for p in out.iterdir()) == sorted(p.read_bytes() for p in sources)
    saver.shutdown()


def test_a_save_into_a_missing_folder_fails_in_plain_words(qtbot: QtBot, tmp_path: Path) -> None:
    source = tmp_path / "s.bin"
    source.write_bytes(b"data")
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")  # a folder "inside" a file cannot exist, even for root
    saver = FileCopier()
    with qtbot.waitSignal(saver.failed, timeout=5000) as failed:
        saver.copy(str(source), str(blocker / "out.bin"))
    assert isinstance(failed.args[0], Message) and str(failed.args[0])
    assert "Traceback" not in str(failed.args[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "s.bin"]
    saver.shutdown()


def test_balance_refreshes_are_coalesced(qtbot: QtBot) -> None:
    gate = threading.Event()
    calls: list[int] = []

    def fetch() -> float:
        calls.append(1)
        gate.wait(5)
        return 12.5

    watcher = BalanceWatcher(fetch)
    values: list[object] = []
    watcher.changed.connect(values.append)
    for _ in range(5):  # a burst of finished tasks
        watcher.refresh()
    assert watcher.fetches == 1
    gate.set()
    qtbot.waitUntil(lambda: len(values) == 2, timeout=5000)
    assert watcher.fetches == 2 and values == [12.5, 12.5]
    watcher.shutdown()


def test_balance_failure_keeps_the_app_going(qtbot: QtBot) -> None:
    def fetch() -> float:
        raise NetworkError("The network is unreachable.", maybe_sent=False)

    watcher = BalanceWatcher(fetch)
    with qtbot.waitSignal(watcher.failed, timeout=5000) as failed:
        watcher.refresh()
    assert "network" in str(failed.args[0]).lower()
    watcher.shutdown()
