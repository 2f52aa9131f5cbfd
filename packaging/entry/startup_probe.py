"""Start-up probe: when the main window is shown, first painted and the loop idle.

One implementation for both measurements of `bench.startup` (bench/README.md):
- the packaged app: with $GET3W_STARTUP_PROBE set, the frozen entry point calls
  `install()` before the app's main(); on exit it prints `STARTUP {json}`;
- the app from source: bench/startup_child.py imports this file and prints its own line.

`install()` creates the QApplication (the app's main() reuses it), records when a
QMainWindow is shown, exposed and first painted, and quits the first time the event loop
is about to block after that. Marks are seconds since $BENCH_T0 (the parent's
CLOCK_MONOTONIC reading just before the spawn, shared by every process on Linux), with
the process's CPU seconds beside them. Without the variable (frozen app) nothing here runs.
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
#: CPU seconds of the whole process (every thread) at each mark: on a loaded machine the
#: wall-clock marks include waiting for a core, these do not.
CPU: dict[str, float] = {"python": time.process_time()}
#: With `install(modules=True)`: sys.modules' names at the first paint.
MODULES: list[str] = []


def mark(name: str) -> None:
    MARKS.setdefault(name, time.monotonic() - T0)
    CPU.setdefault(name, time.process_time())


def report_line(mode: str, spans: dict[str, float] | None = None) -> str:
    mark("exited_loop")
    report: dict[str, Any] = {"mode": mode, "marks": MARKS, "cpu": CPU, "spans": spans or {}}
    if MODULES:
        report["modules_at_first_paint"] = MODULES
    return "STARTUP " + json.dumps(report)


def install(*, report_at_exit: bool = True, modules: bool = False) -> Any:
    """Watch for the first frame; quit at the first idle moment after it."""
    from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0]])
    mark("qapplication")

    class Probe(QObject):
        """Watches events only until the first paint, then only the dispatcher."""

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
                if modules:
                    MODULES[:] = sorted(sys.modules)
                self.painted = True
                app.removeEventFilter(self)
            return False

        def about_to_block(self) -> None:
            if self.painted and "idle" not in MARKS:
                mark("idle")
                QCoreApplication.quit()

    if report_at_exit:
        atexit.register(lambda: print(report_line("exe"), flush=True))  # noqa: T201
    return Probe()
