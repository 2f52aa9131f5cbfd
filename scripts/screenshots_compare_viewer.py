#!/usr/bin/env python3
"""Screenshots of #15's Compare list and the viewer following the task filter: Compare from
a text-to-image form offers only the models that can run from it, the others folded under
one row, greyed, each saying why; a search that hides the shown task moves the viewer to
the first match. Taken on Xvfb like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_compare_viewer.py [--out docs/screenshots]
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

NANO = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"
PROMPTS = (
    "A red fox curled up in fresh snow, soft morning light",
    "A blue whale under a calm sea, seen from below",
    "A red kite flying over green hills, wide shot",
)


def shoot(out: Path) -> None:
    from PySide6.QtWidgets import QAbstractItemView, QApplication

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled
    from get3w_desktop.core.schedule import ScheduleParams
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication([sys.argv[0]])
    work = Path(tempfile.mkdtemp(prefix="get3w-compare-shots-"))
    catalogue = load_bundled()

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    with SandboxServer(SandboxConfig(time_scale=0.05)) as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, work / "outputs", schedule=ScheduleParams().scaled(0.05))
        thumbnails, saver = ThumbnailLoader(work / "thumbs"), FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                         FormMemory(work / "form.json"), service, saver,
                         state_file=work / "window.ini")  # fmt: skip
        win.set_spending(None, None, False, confirm_above=None)
        win.resize(1360, 840)
        win.show()
        # The viewer following the filter: three tasks, the whale shown, then "red".
        win.picker.select(FLUX)
        win.generate_panel.choose_model(FLUX)
        field = win.form.field("prompt")
        assert field is not None
        for prompt in PROMPTS:
            field.set_value(prompt)
            win.generate()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            len(win.book.jobs()) < 3 or any(j.state.active for j in win.book.jobs())
        ):
            settle(0.1)
        whale = next(j for j in win.book.jobs() if "whale" in j.prompt)
        win.select_job(whale.local_id)
        settle(1.0)
        win.filter_bar.search.setText("red")
        win.filter_bar.search.returnPressed.emit()
        settle(1.5)
        win.grab().save(str(out / "viewer-follows-filter.png"))
        win.filter_bar.search.setText("lighthouse")
        win.filter_bar.search.returnPressed.emit()
        settle(0.8)
        win.grab().save(str(out / "viewer-follows-filter-none.png"))
        win.filter_bar.clear()
        settle(0.5)

        # Compare from a text-to-image form: what can run, and what cannot (and why).
        win.picker.select(NANO)
        win.generate_panel.choose_model(NANO)
        field = win.form.field("prompt")
        assert field is not None
        field.set_value("A lighthouse on a cliff at dusk, warm windows")
        compare = win.compare()
        assert compare is not None
        compare.resize(1180, 820)
        compare.set_checked_models([NANO, FLUX])
        compare.set_seeds(2)
        tree = compare.setup.model_list
        group = tree.topLevelItem(tree.topLevelItemCount() - 1)
        assert group is not None
        group.setExpanded(True)
        tree.scrollToItem(group, QAbstractItemView.ScrollHint.PositionAtTop)
        tree.verticalScrollBar().setValue(tree.verticalScrollBar().value() - 2)
        settle(1.0)
        compare.grab().save(str(out / "compare-offers-runnable.png"))
        compare.close()
        win.close()
        runner.shutdown()
        thumbnails.shutdown()
        saver.shutdown()
        client.close()


def main() -> int:
    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
