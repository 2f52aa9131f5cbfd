"""One estimate per task: once the service answers with its `estimated_duration`, the task's
row, the viewer's header and progress, the details and the model's header all say that
figure in the same words, and none of them still says the model list's typical time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.model_catalogue import Role
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from get3w_desktop.ui.job_delegate import status_text
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.texts import estimate_text
from tests.window_support import open_window

VEO = "google/veo3.1-fast/text-to-video"  # the model list says about 1½ min


@pytest.fixture
def slow_sandbox() -> Iterator[SandboxServer]:
    # A twentieth of real time: the service estimates 4.5 s, and the task runs long enough
    # to be looked at.
    with SandboxServer(SandboxConfig(time_scale=0.05, render_scale=0.25)) as server:
        yield server


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, slow_sandbox: SandboxServer) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, slow_sandbox.base_url) as win:
        win.resize(1400, 900)
        yield win


def places(win: MainWindow, job: Job) -> dict[str, str]:
    """Every text that speaks of how long `job` takes, where the window shows it."""
    row = win.shown.index(0, 0)
    return {
        "row": status_text(job),  # what the task list's delegate paints under the prompt
        "row (screen reader)": str(row.data(Qt.ItemDataRole.AccessibleTextRole)),
        "viewer header": win.viewer.subtitle.text(),
        "viewer progress": win.viewer.progress_page.body.text(),
        "details": win.viewer.details.total.text(),
        "model header": win.form.meta.text(),
        "model list": str(
            win.picker.source.data(
                win.picker.source.index(win.picker.source.row_of(job.model_id)), Role.DURATION
            )
        ),
    }


@pytest.mark.qt_log_ignore("No HW decoder", "No RHI backend", "ensureRhi")  # the video plays
def test_a_running_task_shows_the_services_estimate_everywhere(
    qtbot: QtBot, window: MainWindow
) -> None:
    win = window
    win.picker.select(VEO)
    win.generate_panel.choose_model(VEO)
    model = win.generate_panel.model
    assert model is not None and model.estimated_duration
    typical = estimate_text(model.estimated_duration)
    assert typical in win.form.meta.text()  # before sending: the model's typical time
    assert "model list" in win.form.meta.toolTip()

    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A paper boat on a pond")
    (sent,) = win.generate()
    win.select_job(sent.local_id)

    def running() -> Job | None:
        job = win.current_job()
        return job if job and job.state is JobState.RUNNING and job.estimated_duration else None

    qtbot.waitUntil(lambda: running() is not None, timeout=10000)
    job = running()
    assert job is not None and job.estimated_duration is not None
    said = estimate_text(job.estimated_duration)
    assert said != typical  # the service's figure differs from the list's: a real test
    found = places(win, job)
    assert all(said in text for text in found.values()), found
    assert not any(typical in text for text in found.values()), found
    assert not any("~" in text for text in found.values()), found  # one wording
    assert "service" in win.form.meta.toolTip()

    # Done: the estimate has served; the details say what it took instead.
    qtbot.waitUntil(
        lambda: (j := win.current_job()) is not None and j.state is JobState.COMPLETED,
        timeout=30000,
    )
    assert said not in win.viewer.details.total.text()
    assert said not in win.viewer.subtitle.text()
