"""The real app (app.main, --sandbox) on $GET3W_HOME, run by tests/ui/test_history_damage.py
in a process of its own (the app's start-up leaves global Qt state behind it).

    python tests/ui/damaged_history_app.py new|none|intact

Records what the window showed when the integrity check started, what the check answered,
the start-up steps as they ended and the question's words; with new/none, presses that
answer once the question shows, and notes whether the file was intact and its bytes just
after; quits. One `RESULT {json}` line.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from get3w_desktop import app as app_module
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.workers.history_loader import HistoryChecker
from get3w_desktop.workers.start_steps import StartSteps
from tests.storage.damaged_history import intact

LIMIT_MS = 90_000  # the app quits by itself if what a test waits for never comes
SETTLE_POLLS = 10  # intact: polls (20 ms) after the check's answer before quitting


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def the_window() -> MainWindow | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, MainWindow) and w.isVisible()]  # fmt: skip
    return found[0] if found else None


def the_question() -> QMessageBox | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "damaged_history"
             and w.isVisible()]  # fmt: skip
    return found[0] if found else None


def main() -> int:
    mode = sys.argv[1]
    history = app_paths().history_db
    result: dict[str, Any] = {"at_check": [], "answers": [], "asked": [], "after": []}
    check, check_integrity = HistoryChecker.check, HistoryStore.check_integrity

    def watched_check(checker: HistoryChecker) -> None:
        window = the_window()
        result["at_check"].append([window is not None, len(window.book.jobs()) if window else 0])
        check(checker)

    def watched_integrity(store: HistoryStore) -> object:
        answer = check_integrity(store)
        result["answers"].append(None if answer is None else type(answer).__name__)
        return answer

    run_steps = StartSteps.run

    def watched_run(steps: StartSteps) -> None:
        result["steps"] = steps.outcomes  # the list itself: filled in as they end
        run_steps(steps)

    StartSteps.run = watched_run  # type: ignore[method-assign,assignment]
    HistoryChecker.check = watched_check  # type: ignore[method-assign,assignment]
    HistoryStore.check_integrity = watched_integrity  # type: ignore[method-assign,assignment]
    settled: list[int] = []

    def poll() -> None:
        box = the_question()
        if box is not None and mode in ("new", "none"):
            result["asked"].append(f"{box.text()}\n{box.informativeText()}")
            name = "new_history" if mode == "new" else "no_history"
            [button] = [b for b in box.findChildren(QPushButton) if b.objectName() == name]
            button.click()
            result["after"] = [intact(history), digest(history)]
            QTimer.singleShot(0, QApplication.quit)
            return
        if mode == "intact" and result["answers"]:
            result["asked"] += [] if box is None else [box.text()]
            settled.append(1)
            if len(settled) >= SETTLE_POLLS:
                QTimer.singleShot(0, QApplication.quit)
                return
        QTimer.singleShot(20, poll)

    QApplication([sys.argv[0]])  # the app's own (app.main takes the one that exists)
    QTimer.singleShot(20, poll)
    QTimer.singleShot(LIMIT_MS, QApplication.quit)
    result["exit"] = app_module.main(["--sandbox"])
    result["at_exit"] = [intact(history), digest(history)]
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
