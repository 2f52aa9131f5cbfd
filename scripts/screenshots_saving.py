#!/usr/bin/env python3
"""Screenshots of saving and opening (#15): the Settings file-name example (the name Save…
proposes for a FLUX task) and the message shown when no app can open an output. Taken on
Xvfb like scripts/screenshots.py; the save dialog itself is the system's and is not shot.

    .venv/bin/python scripts/screenshots_saving.py [--out docs/screenshots] [--size 1440x900]
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
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QApplication, QTabWidget

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.core.job import JobState
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.storage.settings import Settings
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.ui.settings_dialog import SettingsDialog
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication([sys.argv[0]])

    def settle(rounds: int = 30) -> None:
        for _ in range(rounds):
            app.processEvents()
            time.sleep(0.01)

    work = Path(tempfile.mkdtemp(prefix="get3w-saving-shots-"))
    settings = SettingsDialog(Settings(download_folder=str(Path.home() / "Pictures" / "Get3W")))
    tabs = settings.findChild(QTabWidget)
    assert tabs is not None
    tabs.setCurrentIndex(1)  # Files
    settings.show()
    settle()
    settings.grab().save(str(out / "settings-file-name-example.png"))
    settings.close()

    catalogue = load_bundled()
    with SandboxServer() as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, work / "outputs")
        thumbnails, saver = ThumbnailLoader(work / "thumbs"), FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                         FormMemory(work / "form.json"), service, saver,
                         state_file=work / "window.ini")  # fmt: skip
        win.set_spending(None, None, False, confirm_above=None)
        win.resize(1300, 820)
        win.show()
        win.picker.select(FLUX)
        win.generate_panel.choose_model(FLUX)
        for name, value in (("prompt", "A sunset over mountains"), ("seed", 1234),
                            ("output_format", "png")):  # fmt: skip
            field = win.form.field(name)
            assert field is not None
            field.set_value(value)
        (job,) = win.generate()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = win.jobs.job(job.local_id)
            if done is not None and done.state is JobState.COMPLETED:
                break
            settle(5)
        win.select_job(job.local_id)
        settle(60)
        QDesktopServices.openUrl = staticmethod(lambda _url: False)  # type: ignore[method-assign]
        win.act_open.trigger()
        settle(60)
        screen = win.screen()
        frame = win.frameGeometry()
        shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        shot.save(str(out / "open-failed-message.png"))
        box = win.outputs.open_failed_box
        if box is not None:
            box.close()
        win.close()
        runner.shutdown()
        thumbnails.shutdown()
        saver.shutdown()
        client.close()


def main() -> int:
    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
