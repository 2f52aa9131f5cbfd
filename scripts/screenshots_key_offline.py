#!/usr/bin/env python3
"""Screenshots of #15's key and offline items: the status bar when Get3W cannot be reached
after saving an unchecked key, the keyring warning in words, and a failed key check in
Simplified Chinese. Taken on Xvfb like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_key_offline.py [--out docs/screenshots]
"""

from __future__ import annotations

import importlib
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait(app: object, done: Callable[[], bool], seconds: float = 20.0) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    end = time.monotonic() + seconds
    while not done():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the screen to settle")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()


def shoot(out: Path) -> None:
    import keyring
    import keyring.backends.fail
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication, QToolTip

    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.storage.paths import app_paths
    from get3w_desktop.storage.secrets import KeyringSecretStore
    from get3w_desktop.storage.settings import SANDBOX, Profile, Settings
    from get3w_desktop.ui import i18n
    from get3w_desktop.ui.key_dialog import KeyDialog
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.services import ServiceController
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.keys import KeyService
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication([sys.argv[0]])
    work = Path(tempfile.mkdtemp(prefix="get3w-key-shots-"))
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    keys = KeyService(KeyringSecretStore())
    port = closed_port()

    # 1. A key saved while nothing answers at the profile's address: "cannot reach".
    paths = app_paths(work / "home").ensure()
    settings = Settings(profiles=(SANDBOX, Profile("default", f"http://127.0.0.1:{port}")))
    runner = TaskRunner(None, work / "outputs")
    sandboxes: list[SandboxServer] = []

    def start_sandbox() -> SandboxServer:
        sandboxes.append(SandboxServer().start())
        return sandboxes[-1]

    services = ServiceController(settings, paths, keys, runner, {}, start_sandbox=start_sandbox)
    live = services.activate(SANDBOX, None)
    thumbnails, saver = ThumbnailLoader(work / "thumbs"), FileCopier()
    win = MainWindow(load_bundled(), JobBook(runner, JobListModel()), thumbnails,
                     FormMemory(work / "form.json"), live.info, saver, balance=live.balance,
                     state_file=work / "window.ini")  # fmt: skip
    services.attach(win)
    win.resize(1200, 760)
    win.show()
    dialog = services.open_key_dialog("default")
    wait(app, lambda: not dialog.is_busy())
    dialog.key_edit.setText("sk_live_offline_example_1234")
    dialog.save_button.click()
    wait(app, lambda: dialog.save_unchecked_button.isVisible())
    dialog.save_unchecked_button.click()
    wait(app, lambda: win.service_label.unreachable)
    dialog.accept()
    wait(app, lambda: not dialog.isVisible())
    win.statusBar().clearMessage()  # "Looking up the key…" would cover the badge
    badge = win.service_label
    corner = badge.mapToGlobal(QPoint(0, 0))
    QToolTip.showText(corner + QPoint(4, -100), badge.toolTip(), badge)
    wait(app, QToolTip.isVisible)
    top_left = win.mapToGlobal(QPoint(0, win.height() - 150))
    screen = app.primaryScreen()
    screen.grabWindow(0, top_left.x(), top_left.y(), 900, 150).save(
        str(out / "offline-cannot-reach.png")
    )
    QToolTip.hideText()

    # 2. The keyring warning, in words (the class name only in the tooltip).
    with SandboxServer() as sandbox:
        profile = Profile("default", sandbox.base_url)
        human = KeyDialog(profile, keys)
        human.show()
        wait(app, lambda: not human.is_busy())
        human.key_edit.setText(SANDBOX_API_KEY)
        human.save_button.click()
        wait(app, lambda: not human.is_busy())
        where = human.where_label
        QToolTip.showText(human.mapToGlobal(QPoint(20, human.height() - 8)), where.toolTip(),
                          where)  # fmt: skip
        wait(app, QToolTip.isVisible)
        origin = human.mapToGlobal(QPoint(0, 0))
        shot = screen.grabWindow(0, origin.x(), origin.y(), human.width(), human.height() + 85)
        shot.save(str(out / "keyring-warning-human.png"))
        QToolTip.hideText()
        human.close()

    # 3. A failed key check in Simplified Chinese.
    i18n.install_language(app, "zh_CN")
    chinese = KeyDialog(Profile("default", f"http://127.0.0.1:{port}"), keys)
    chinese.show()
    wait(app, lambda: not chinese.is_busy())
    chinese.key_edit.setText("sk_live_offline_example_1234")
    chinese.save_button.click()
    wait(app, lambda: chinese.save_unchecked_button.isVisible())
    chinese.grab().save(str(out / "chinese-key-check-error.png"))
    chinese.close()

    win.close()
    services.shutdown()
    runner.shutdown()
    keys.shutdown()
    thumbnails.shutdown()
    saver.shutdown()


def main() -> int:
    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
