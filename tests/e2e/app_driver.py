"""Runs the real desktop app (offscreen) in a child process, for the crash test.

    python tests/e2e/app_driver.py submit N PROMPT   # generate N tasks, then stay running
    python tests/e2e/app_driver.py resume N          # wait until N tasks are settled, quit

It prints one line per milestone on stdout; the test reads them.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from get3w_desktop import app as desktop
from get3w_desktop.ui.main_window import MAX_VARIATIONS, MainWindow

MODEL = "google/nano-banana-pro/text-to-image"


def main() -> int:
    mode, count = sys.argv[1], int(sys.argv[2])
    prompt = sys.argv[3] if len(sys.argv) > 3 else "crash test"
    qapp = QApplication([sys.argv[0]])
    state = {"sent": False}

    def window() -> MainWindow | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        return found[0] if found and found[0].isVisible() else None

    def step() -> None:
        win = window()
        if win is None:
            QTimer.singleShot(50, step)
            return
        if mode == "submit" and not state["sent"]:
            win.picker.select(MODEL)
            win.picker.model_chosen.emit(MODEL)
            field = win.form.field("prompt")
            assert field is not None
            field.set_value(prompt)
            # Twenty tasks are more than $1: asking first is tested in tests/ui/test_cost_safety.py.
            win.set_spending(None, None, False, confirm_above=None)
            left = count
            while left:
                win.count.setValue(min(left, MAX_VARIATIONS))
                left -= len(win.generate())
            state["sent"] = True
            print(f"generated {count}", flush=True)
        if mode == "resume":
            jobs = win.jobs.jobs()
            if len(jobs) >= count and win.jobs.active_count() == 0:
                print(f"settled {len(jobs)}", flush=True)
                win.close()
                return
        QTimer.singleShot(50, step)

    QTimer.singleShot(0, step)
    code = desktop.main([])
    del qapp
    return code


if __name__ == "__main__":
    sys.exit(main())
