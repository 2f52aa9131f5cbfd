#!/usr/bin/env python3
"""Screenshots of cost safety (#15): Generate showing the total of ×3 Veo 3.1 Fast, and the
question asked before that run is sent. Taken on Xvfb like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_money.py [--out docs/screenshots] [--size 1440x900]
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb

VEO = "google/veo3.1-fast/text-to-video"


def shoot(out: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.run_confirm import RunConfirmation
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication([sys.argv[0]])
    work = Path(tempfile.mkdtemp(prefix="get3w-money-shots-"))
    catalogue = load_bundled()
    with SandboxServer() as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, work / "outputs")
        thumbnails, saver = ThumbnailLoader(work / "thumbs"), FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                         FormMemory(work / "form.json"), service, saver,
                         state_file=work / "window.ini")  # fmt: skip
        win.resize(1300, 820)
        win.show()
        win.picker.select(VEO)
        win.generate_panel.choose_model(VEO)
        field = win.form.field("prompt")
        assert field is not None
        field.set_value("A paper boat drifting down a rainy street, evening light")
        win.count.setValue(3)
        for _ in range(30):
            app.processEvents()
        win.grab().save(str(out / "money-generate-total.png"))
        panel = win.generate_panel
        panel.grab().save(str(out / "money-generate-total-panel.png"))
        box = RunConfirmation(win, "Veo 3.1 Fast", 3, panel.unit_price(VEO, win.form.values()), 1.0)
        box.show()
        for _ in range(30):
            app.processEvents()
        box.grab().save(str(out / "money-confirmation.png"))
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
