"""One start-up, measured from inside: run by bench/startup.py, never by hand.

    python bench/startup_child.py bare|app [--breakdown] [--modules]

The parent passes its CLOCK_MONOTONIC reading taken just before spawning us in
$BENCH_T0 (the clock is shared by every process on Linux), so the figures include
interpreter start-up. We create the QApplication ourselves (app.main() reuses it), watch
for the main window to be exposed and painted, and quit the first time the event loop is
about to block with that window on screen: "shown and idle". One line goes to stdout:
`STARTUP {json}` with seconds since $BENCH_T0 (with `--modules`, also the modules that
were imported when the first frame was painted). Kept lean on purpose: every import here
would count against the figures.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The packaged app's probe (not a package: the frozen entry point imports it by name), so
# the app from source and the packaged one are timed by the same code.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging" / "entry"))
import startup_probe  # type: ignore[import-not-found]
from startup_probe import mark

SPANS: dict[str, float] = {}


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func`, recording how long its (first) call took under `name`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return func(*args, **kwargs)
        finally:
            SPANS.setdefault(name, time.monotonic() - start)

    return wrapper


def install_probe() -> Any:
    """Quit at the first idle moment after a QMainWindow is exposed and painted."""
    return startup_probe.install(report_at_exit=False, modules="--modules" in sys.argv)


def run_bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    mark("imports")
    probe = install_probe()
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("A bare PySide6 window"))
    window.resize(1100, 640)
    window.show()
    app = QApplication.instance()
    assert app is not None and probe is not None
    return int(app.exec())


def run_app(breakdown: bool) -> int:
    if breakdown:
        # Import in the order main() does, timing each group, then time main()'s steps.
        start = time.monotonic()
        from PySide6 import QtWidgets  # noqa: F401

        SPANS["import PySide6.QtWidgets"] = time.monotonic() - start
        start = time.monotonic()
        import get3w_desktop.api.client
        import get3w_desktop.sandbox

        SPANS["import api.client + sandbox (requests, keyring-free)"] = time.monotonic() - start
        start = time.monotonic()
        import get3w_desktop.ui.main_window
        import get3w_desktop.workers.runner
        import get3w_desktop.workers.thumbnails

        SPANS["import ui.main_window + workers"] = time.monotonic() - start
        import get3w_desktop.app as app_module
        import get3w_desktop.core.catalogue as catalogue_module

        catalogue_module.load_bundled = timed(  # type: ignore[assignment]
            "catalogue load", catalogue_module.load_bundled
        )
        # The lookup thread starts before Qt loads; what the first frame pays is the wait.
        app_module.KeyringLookup.result = timed(  # type: ignore[method-assign]
            "keyring lookup (wait)", app_module.KeyringLookup.result
        )
        app_module.start_sandbox = timed("sandbox start", app_module.start_sandbox)
        import get3w_desktop.storage.settings as settings_module
        import get3w_desktop.ui.notifier as notifier_module
        import get3w_desktop.ui.services as services_module
        import get3w_desktop.ui.shell as shell_module
        import get3w_desktop.ui.theme as theme_module

        settings_module.load_settings = timed("settings load", settings_module.load_settings)
        app_module.setup_logging = timed("logging setup", app_module.setup_logging)
        app_module.open_history = timed("history open (checked later)", app_module.open_history)
        services_module.ServiceController.activate = timed(  # type: ignore[method-assign]
            "service activate (client, sandbox, balance)",
            services_module.ServiceController.activate,
        )
        notifier_module.Notifier.__init__ = timed(  # type: ignore[method-assign]
            "Notifier() (tray)", notifier_module.Notifier.__init__
        )
        theme_module.apply_theme = timed("theme", theme_module.apply_theme)
        shell_module.StartupShell.show_now = timed(  # type: ignore[method-assign]
            "start-up shell painted", shell_module.StartupShell.show_now
        )
        ui = get3w_desktop.ui.main_window
        original_window = ui.MainWindow

        class TimedWindow(original_window):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                start = time.monotonic()
                super().__init__(*args, **kwargs)
                SPANS["MainWindow()"] = time.monotonic() - start

        ui.MainWindow = TimedWindow  # type: ignore[misc]
    mark("imports")
    probe = install_probe()
    from get3w_desktop.app import main

    code = main([])  # no key in the environment: the keyring is asked, then the sandbox
    assert probe is not None
    return code


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "bare"
    if mode == "bare":
        code = run_bare()
    elif mode == "app":
        code = run_app("--breakdown" in sys.argv)
    else:
        print(f"unknown mode {mode!r}: bare or app", file=sys.stderr)
        return 2
    print(startup_probe.report_line(mode, SPANS), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
