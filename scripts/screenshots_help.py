#!/usr/bin/env python3
"""Screenshots of the Help windows and of a status message beside the service badge (#15),
taken on Xvfb like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_help.py [--out docs/screenshots] [--size 1440x900]
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb

FLUX = "wavespeed-ai/flux-dev"


def shoot(out: Path) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.storage.paths import app_paths
    from get3w_desktop.storage.secrets import MemorySecretStore
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication([sys.argv[0]])
    work = Path(tempfile.mkdtemp(prefix="get3w-help-shots-"))
    paths = app_paths(work / "home").ensure()

    def settle(seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def save(widget: QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))

    config = SandboxConfig(time_scale=0.05, render_scale=0.5, account_file=paths.sandbox_account)
    with SandboxServer(config) as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, paths.outputs)
        thumbnails, saver = ThumbnailLoader(paths.cache / "thumbnails"), FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        win = MainWindow(load_bundled(), JobBook(runner, JobListModel()), thumbnails,
                         FormMemory(paths.config / "form_values.json"), service, saver,
                         state_file=paths.config / "window.ini", paths=paths)  # fmt: skip
        win.set_spending(None, None, False, confirm_above=None)
        win.help.key_store = MemorySecretStore()  # no keyring on Xvfb: the words say so
        win.resize(1300, 820)
        win.show()
        win.picker.select(FLUX)
        win.generate_panel.choose_model(FLUX)
        field = win.form.field("prompt")
        assert field is not None
        field.set_value("A lighthouse on a cliff at dusk, warm windows, long exposure")
        win.generate()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(j.state.active for j in win.book.jobs()):
            settle(0.1)
        win.select_job(win.book.jobs()[0].local_id)
        settle(1.0)
        win.act_load.trigger()  # "Parameters loaded into the form", beside the badge
        save(win, "status-message-with-badge.png")

        shortcuts = win.help.open_shortcuts()
        save(shortcuts, "help-shortcuts.png")
        shortcuts.close()
        guide = win.help.open_guide()
        save(guide, "help-guide.png")
        guide.close()
        data = win.help.open_data()
        save(data, "help-data-locations.png")
        data.close()
        win.close()
        runner.shutdown()
        thumbnails.shutdown()
        saver.shutdown()
        client.close()


def main() -> int:
    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
