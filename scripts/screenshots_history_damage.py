#!/usr/bin/env python3
"""Screenshot of the damaged-history question asked from the running window: the real app
starts on a history only SQLite's quick check finds damaged (tests/storage/damaged_history.py),
shows its window and newest tasks, and asks once the check on its own thread answers.
Taken on Xvfb like scripts/screenshots.py; then "Continue without history" is pressed.

    .venv/bin/python scripts/screenshots_history_damage.py [--out docs/screenshots]
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb

LIMIT_MS = 60_000


def shoot(out: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

    from get3w_desktop import app as app_module
    from get3w_desktop.storage.paths import app_paths
    from tests.storage.damaged_history import damaged_history

    damaged_history(app_paths().ensure().history_db)
    app = QApplication([sys.argv[0]])  # app.main takes the one that exists
    shown: list[str] = []

    def poll() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                 and w.objectName() == "damaged_history" and w.isVisible()]  # fmt: skip
        if not boxes:
            QTimer.singleShot(50, poll)
            return
        box = boxes[0]
        app.processEvents()
        parent = box.parentWidget()
        window = parent.window() if parent is not None else box
        area = window.frameGeometry().united(box.frameGeometry()).adjusted(-8, -8, 8, 8)
        shot = app.primaryScreen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
        shot.save(str(out / "history-damaged.png"))
        shown.append(f"{box.text()}\n{box.informativeText()}")
        [button] = [b for b in box.findChildren(QPushButton) if b.objectName() == "no_history"]
        button.click()
        QTimer.singleShot(300, QApplication.quit)

    QTimer.singleShot(50, poll)
    QTimer.singleShot(LIMIT_MS, QApplication.quit)
    app_module.main(["--sandbox"])
    print("asked:", *shown, sep="\n")
    if not shown:
        raise SystemExit("the damaged-history question never showed")


def main() -> int:
    return int(shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0]))


if __name__ == "__main__":
    sys.exit(main())
