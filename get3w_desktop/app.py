"""The composition root: builds every object once and wires them together.

Where tasks go: a key from $GET3W_API_KEY or the keyring means Get3W (or
$GET3W_BASE_URL); no key means the built-in sandbox, clearly labelled.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from get3w_desktop import __version__
from get3w_desktop.core.redact import RedactingFilter
from get3w_desktop.core.resources import resource_path
from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.storage.paths import AppPaths, app_paths

if TYPE_CHECKING:
    from get3w_desktop.sandbox import SandboxServer
    from get3w_desktop.storage.history import HistoryStore

log = logging.getLogger("get3w_desktop")

#: The sandbox in the app runs at 1/4 of real time: a 20 s image takes 5 s.
SANDBOX_TIME_SCALE = 0.25
KEYRING_TIMEOUT = 3.0


def setup_logging(paths: AppPaths, verbose: bool = False) -> None:
    handler = logging.handlers.RotatingFileHandler(
        paths.logs / "get3w-desktop.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if verbose:
        stream = logging.StreamHandler()
        stream.addFilter(RedactingFilter())
        root.addHandler(stream)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    log.setLevel(logging.INFO)


def stored_key(timeout: float = KEYRING_TIMEOUT) -> str | None:
    """The key from the environment or the keyring; a keyring that hangs counts as none."""
    key = os.environ.get("GET3W_API_KEY", "").strip()
    if key:
        return key
    found: list[str | None] = []

    def look() -> None:
        from get3w_desktop.storage.secrets import KeyringSecretStore, SecretStoreError

        try:
            found.append(KeyringSecretStore().get())
        except SecretStoreError as exc:
            log.warning("keyring unavailable: %s", exc)

    thread = threading.Thread(target=look, name="keyring-lookup", daemon=True)
    thread.start()
    thread.join(timeout)
    return found[0] if found else None


def start_sandbox() -> SandboxServer:
    """The app's offline service. A fresh seed per session, so task ids never repeat
    across restarts (history keys on them)."""
    from get3w_desktop.sandbox import SandboxConfig, SandboxServer

    seed = int.from_bytes(os.urandom(4), "big") >> 1
    return SandboxServer(SandboxConfig(time_scale=SANDBOX_TIME_SCALE, seed=seed)).start()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="get3w-desktop", description="Get3W Desktop")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in sandbox")
    parser.add_argument("--base-url", help="API address (default $GET3W_BASE_URL or Get3W)")
    parser.add_argument("--verbose", action="store_true", help="also log to stderr")
    parser.add_argument(
        "--self-test", action="store_true",
        help="check this installation offscreen against a built-in sandbox, print one line, exit",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def missing_display(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why no window can open, in plain words; None when one can.

    Without this, Qt aborts with a misleading message about xcb-cursor0.
    """
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "Get3W Desktop needs a graphical session, and none was found (DISPLAY and "
        "WAYLAND_DISPLAY are unset). Start it from your desktop, or use the `get3w` "
        "command in a terminal."
    )


def open_history(paths: AppPaths) -> HistoryStore | None:
    """The task history, or None when it cannot be used (the person was told why).

    A damaged or newer file was already copied aside by the store; the person chooses
    between a fresh history and quitting. Never a silent reset.
    """
    from PySide6.QtWidgets import QMessageBox

    from get3w_desktop.storage.history import (
        HistoryDamagedError,
        HistoryError,
        HistoryStore,
    )

    path = paths.history_db
    try:
        return HistoryStore.open(path)
    except HistoryDamagedError as exc:
        kept = f"A copy was kept at {exc.backup}." if exc.backup else ""
        box = QMessageBox(QMessageBox.Icon.Warning, "Task history",
                          f"{exc.message} {kept}".strip())  # fmt: skip
        box.setInformativeText("Start a new, empty history? Your old one stays in that copy.")
        fresh = box.addButton("Start a new history", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Continue without history", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is fresh:
            try:
                return HistoryStore.open_fresh(path)
            except HistoryError as again:
                QMessageBox.warning(None, "Task history", again.message)
        return None
    except HistoryError as exc:
        QMessageBox.warning(
            None, "Task history",
            f"{exc.message}\n\nTasks will run, but they will not be kept after you quit.",
        )  # fmt: skip
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:  # offscreen: needs no display, and touches no settings
        from get3w_desktop.selftest import run_self_test

        return run_self_test()
    problem = missing_display(os.environ)
    if problem:
        print(problem, file=sys.stderr)  # noqa: T201 - before any window exists
        return 1
    paths = app_paths().ensure()
    setup_logging(paths, args.verbose)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.ui.main_window import MainWindow, ServiceInfo
    from get3w_desktop.workers.balance import BalanceWatcher
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.history_loader import HistoryLoader
    from get3w_desktop.workers.history_writer import HistoryWriter
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Get3W Desktop")
    app.setOrganizationName("Get3W")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("get3w-desktop")  # Wayland matches the window to the .desktop entry
    app.setWindowIcon(QIcon(str(resource_path("icons", "get3w-desktop.svg"))))

    catalogue = load_bundled()
    key = None if args.sandbox else stored_key()
    sandbox: SandboxServer | None = None
    if key:
        base_url = args.base_url or os.environ.get("GET3W_BASE_URL") or DEFAULT_BASE_URL
        service = ServiceInfo("default", "Get3W", f"Tasks run on {base_url} and are charged.",
                              is_sandbox=False)  # fmt: skip
    else:
        sandbox = start_sandbox()
        base_url, key = sandbox.base_url, SANDBOX_API_KEY
        service = ServiceInfo(
            "sandbox", "Sandbox",
            "Offline sandbox: results are simulated on this computer and nothing is charged. "
            "Add a Get3W API key to use the real service.",
            is_sandbox=True,
        )  # fmt: skip
    client = Get3WClient(base_url, key)
    history = open_history(paths)
    writer = HistoryWriter(history, base_urls={service.profile: base_url}) if history else None
    runner = TaskRunner(
        client, paths.outputs,
        expected_kind=lambda model_id: m.output_kind if (m := catalogue.get(model_id)) else None,
        journal=writer.record_durably if writer else None,
    )  # fmt: skip
    jobs = JobListModel()
    thumbnails = ThumbnailLoader()
    copier = FileCopier()
    balance = BalanceWatcher(client.balance)
    window = MainWindow(
        catalogue, runner, jobs, thumbnails, FormMemory(), service, copier,
        balance=balance, state_file=paths.config / "window.ini",
    )  # fmt: skip
    loader = HistoryLoader(history) if history else None
    if writer is not None and loader is not None:
        runner.job_changed.connect(writer.record)
        window.jobs_removed.connect(writer.forget)
        writer.failed.connect(lambda message: window.statusBar().showMessage(message, 15000))
        loader.loaded.connect(window.add_history)
        loader.failed.connect(lambda message: window.statusBar().showMessage(message, 15000))
    window.show()
    if loader is not None:  # after the first frame is on its way
        loader.load(profile=service.profile, base_url=base_url, is_sandbox=service.is_sandbox)
    try:
        return int(app.exec())
    finally:
        runner.shutdown()
        if loader is not None:
            loader.wait()
        if writer is not None:
            writer.close()
        if history is not None:
            history.close()
        balance.shutdown()
        thumbnails.shutdown()
        copier.shutdown()
        client.close()
        if sandbox is not None:
            sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
