"""Start-up probe for the packaged app (`bench.startup --exe`, bench/README.md).

With $GET3W_STARTUP_PROBE set, the frozen entry point calls `install()` before the app's
main(): it creates the QApplication (main() reuses it, as with bench/startup_child.py),
records when the main window is shown and first painted, quits at the first idle moment
after that, and prints `STARTUP {"marks": {...}}` (seconds since $BENCH_T0) on exit.
Without the variable nothing here runs.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from typing import Any

T0 = float(os.environ.get("BENCH_T0", "nan"))
MARKS: dict[str, float] = {"python": time.monotonic() - T0}


def mark(name: str) -> None:
    MARKS.setdefault(name, time.monotonic() - T0)


def report() -> None:
    mark("exited_loop")
    print("STARTUP " + json.dumps({"mode": "exe", "marks": MARKS, "spans": {}}), flush=True)  # noqa: T201


def install() -> Any:
    from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0]])
    mark("qapplication")

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.painted = False
            app.installEventFilter(self)
            dispatcher = QAbstractEventDispatcher.instance()
            assert dispatcher is not None
            dispatcher.aboutToBlock.connect(self.about_to_block)

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
            kind = event.type()
            if kind == QEvent.Type.Show and isinstance(watched, QMainWindow):
                mark("shown")
            elif kind == QEvent.Type.Expose and "shown" in MARKS:
                mark("exposed")
            elif (
                kind == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and isinstance(watched.window(), QMainWindow)
            ):
                mark("first_paint")
                self.painted = True
                app.removeEventFilter(self)
            return False

        def about_to_block(self) -> None:
            if self.painted and "idle" not in MARKS:
                mark("idle")
                QCoreApplication.quit()

    atexit.register(report)
    return Probe()
