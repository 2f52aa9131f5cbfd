"""A damaged history, found after start: the app (app.main, in a process of its own) shows its
window and newest tasks first, checks the file off the GUI thread, then asks from the
window; each answer does what it says. An intact history asks nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui.history_damage import DamagedHistory
from get3w_desktop.ui.i18n import install_language
from tests.storage.damaged_history import damaged_history, intact

APP_RUN = Path(__file__).with_name("damaged_history_app.py")


def the_question() -> QMessageBox | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "damaged_history"
             and w.isVisible()]  # fmt: skip
    return found[0] if found else None


def run_app(mode: str) -> dict[str, Any]:
    """tests/ui/damaged_history_app.py on this test's $GET3W_HOME: its RESULT."""
    done = subprocess.run([sys.executable, str(APP_RUN), mode], capture_output=True, text=True,
                          timeout=150, check=False, env=dict(os.environ))  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["exit"] == 0
    return result


def backups(history: Path, kind: str) -> list[Path]:
    return sorted(history.parent.glob(f"{history.name}.{kind}-*.bak"))


def test_damage_found_after_the_window_shows_asks_and_a_new_history_starts() -> None:
    history = app_paths().ensure().history_db
    old = damaged_history(history, tasks=30)
    result = run_app("new")
    # the window and its newest tasks were shown before the check began
    assert result["at_check"] == [[True, 30]]
    assert result["answers"] == ["HistoryCorruptError"]
    [text] = result["asked"]
    assert "damaged" in text and str(history) in text
    [corrupt] = backups(history, "corrupt")
    assert corrupt.name in text and not intact(corrupt)
    # "Start a new history": at once a new intact file; the damaged one moved aside
    assert result["after"][0] is True
    [moved] = backups(history, "replaced")
    assert not intact(moved)
    with HistoryStore.open(history) as store:  # the full check at open passes
        assert all(store.get(local_id) is None for local_id in old)


def test_continue_without_history_leaves_the_damaged_file_and_writes_nothing_more() -> None:
    history = app_paths().ensure().history_db
    damaged_history(history, tasks=30)
    result = run_app("none")
    assert result["at_check"] == [[True, 30]] and len(result["asked"]) == 1
    assert result["after"][0] is False  # still the damaged file…
    assert result["at_exit"] == result["after"]  # …and nothing written to it after the choice
    assert backups(history, "replaced") == [] and len(backups(history, "corrupt")) == 1


def test_an_intact_history_is_checked_after_the_window_and_asks_nothing() -> None:
    history = app_paths().ensure().history_db
    damaged_history(history, tasks=30)
    with sqlite3.connect(history) as conn:  # no damage: forget the broken table (its page
        conn.execute("PRAGMA writable_schema = ON")  # is dropped by the VACUUM)
        conn.execute("DELETE FROM sqlite_master WHERE name = 'filler'")
    conn.close()
    with sqlite3.connect(history) as conn:
        conn.execute("VACUUM")
    conn.close()
    assert intact(history)
    result = run_app("intact")
    assert result["at_check"] == [[True, 30]] and result["answers"] == [None]
    # start-up work one step after another, what the person sees first (app.py)
    names = [name for name, _how in result["steps"]]
    assert names == ["history, newest page", "model list", "schema warm-up", "history check",
                     "history, older pages"]  # fmt: skip
    assert dict(result["steps"])["history check"] == "done"  # its answer, not its limit
    assert result["asked"] == []
    assert list(history.parent.glob(f"{history.name}.*.bak")) == []


def test_the_question_is_asked_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    path = tmp_path / "history.sqlite3"
    damaged_history(path)
    with HistoryStore.open(path, check_later=True) as store:
        damage = store.check_integrity()
        assert damage is not None
        assert install_language(app, "zh_CN") == "zh_CN"
        try:
            asking = DamagedHistory(None, store)
            asking.found(damage)
            qtbot.waitUntil(lambda: the_question() is not None)
            box = the_question()
            assert box is not None
            texts = [box.windowTitle(), box.text(), box.informativeText(),
                     *(b.text() for b in box.findChildren(QPushButton))]  # fmt: skip
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), texts
            assert damage.backup is not None and damage.backup.name in box.text()
            [none] = [b for b in box.findChildren(QPushButton) if b.objectName() == "no_history"]
            none.click()
            assert store.in_memory
        finally:
            install_language(app, "en")
