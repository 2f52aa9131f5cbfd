"""A real main window for tests, wired as app.py wires it (a runner, a job book, the
thumbnail loader, the saver), talking to a sandbox or to no server at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

SANDBOX_SERVICE = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)


@contextmanager
def open_window(
    qtbot: QtBot,
    tmp_path: Path,
    base_url: str | None,
    *,
    catalogue: Catalogue | None = None,
    service: ServiceInfo = SANDBOX_SERVICE,
    max_concurrency: int = 4,
) -> Iterator[MainWindow]:
    """A shown window; `base_url` None: no client (nothing can be sent). Its own copy of
    the bundled catalogue unless one is given (a window may adopt a live list)."""
    models = catalogue if catalogue is not None else Catalogue(load_bundled())
    client = Get3WClient(base_url, SANDBOX_API_KEY) if base_url is not None else None
    runner = TaskRunner(
        client, tmp_path / "outputs", max_concurrency=max_concurrency,
        schedule=ScheduleParams().scaled(0.02),
        expected_kind=lambda m: model.output_kind if (model := models.get(m)) else None,
    )  # fmt: skip
    thumbnails, saver = ThumbnailLoader(tmp_path / "thumbs"), FileCopier()
    win = MainWindow(models, JobBook(runner, JobListModel()), thumbnails,
                     FormMemory(tmp_path / "form.json"), service, saver,
                     state_file=tmp_path / "window.ini")  # fmt: skip
    # No spending limit and no question before a run: tests send $1+ runs on purpose (the
    # questions and limits have their own tests, tests/ui/test_cost_safety.py).
    win.set_spending(None, None, False, confirm_above=None)
    qtbot.addWidget(win)
    win.show()
    try:
        yield win
    finally:
        win.close()
        runner.shutdown()
        saver.shutdown()
        thumbnails.shutdown()
        if client is not None:
            client.close()
