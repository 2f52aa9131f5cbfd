#!/usr/bin/env python3
"""Screenshots of #15's form polish, from a real X server (Xvfb) like scripts/screenshots.py:
a width typed past its maximum and the note under it, one estimate for a running task, and
the focus ring on the control after Channel.

    .venv/bin/python scripts/screenshots_form_polish.py [--out docs/screenshots] [--size 1440x900]
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb

FLUX = "wavespeed-ai/flux-dev"  # width and height 256-1536
VEO = "google/veo3.1-fast/text-to-video"


def run(out: Path, work: Path) -> None:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import Catalogue, load_bundled
    from get3w_desktop.core.job import JobState
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.param_fields import SizeField
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)

    def wait(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        loop.exec()

    def shot(name: str) -> None:
        wait(0.6)
        path = out / f"{name}.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        print(f"wrote {path}")

    catalogue = Catalogue(load_bundled())
    # A tenth of real time: Veo's 90 s become a 9 s estimate, and the task runs for a while.
    with SandboxServer(SandboxConfig(time_scale=0.1)) as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, work / "outputs")
        thumbnails, saver = ThumbnailLoader(work / "thumbs"), FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                         FormMemory(work / "form.json"), service, saver,
                         state_file=work / "window.ini")  # fmt: skip
        win.set_spending(None, None, False, confirm_above=None)
        win.show()
        win.activateWindow()
        wait(1.0)

        def choose(model_id: str) -> None:
            win.picker.select(model_id)
            win.picker.model_chosen.emit(model_id)
            wait(0.3)

        # 1. Width: 5000 typed, the box left with Tab.
        choose(FLUX)
        prompt = win.form.field("prompt")
        assert prompt is not None
        prompt.set_value("A lighthouse at dawn, long exposure")
        size = win.form.field("size")
        assert isinstance(size, SizeField)
        win.form.scroll_area.ensureWidgetVisible(size, 0, 120)
        size.width_spin.setFocus(Qt.FocusReason.TabFocusReason)
        size.width_spin.selectAll()
        QTest.keyClicks(size.width_spin, "5000")
        QTest.keyClick(size.width_spin, Qt.Key.Key_Tab)
        shot("clamped-width-note")

        # 2. One estimate: a running Veo task, its row, viewer, details and the model header.
        choose(VEO)
        prompt = win.form.field("prompt")
        assert prompt is not None
        prompt.set_value("A paper boat drifting on a pond, morning light")
        (job,) = win.generate()
        win.select_job(job.local_id)
        for _ in range(100):
            current = win.current_job()
            if current and current.state is JobState.RUNNING and current.estimated_duration:
                break
            wait(0.1)
        wait(2.5)
        shot("one-estimate")

        # 3. Focus after Channel: Tab from Channel reaches the count, then Generate.
        channel = win.form.field("channel")
        assert channel is not None
        channel.focus_target().setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClick(channel.focus_target(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        shot("focus-ring-after-channel")

        for _ in range(200):  # let the task end before the sandbox goes
            current = win.current_job()
            if current is None or not current.state.active:
                break
            wait(0.1)
        win.close()
        runner.shutdown()
        saver.shutdown()
        thumbnails.shutdown()
        client.close()


def main() -> int:
    def shoot(out: Path) -> None:
        work = Path(os.environ["GET3W_HOME"]) / "work"
        (work / "outputs").mkdir(parents=True)
        run(out, work)

    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
