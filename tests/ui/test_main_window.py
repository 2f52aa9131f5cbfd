"""The whole window against the sandbox: from a prompt to a saved image, by keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui.main_window import MainWindow, ServiceInfo, variations
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def window(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> Iterator[tuple[MainWindow, TaskRunner, list[tuple[str, str]]]]:
    catalogue = load_bundled()
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(
        client, tmp_path / "outputs", schedule=ScheduleParams().scaled(0.02),
        expected_kind=lambda m: model.output_kind if (model := catalogue.get(m)) else None,
    )  # fmt: skip
    thumbnails = ThumbnailLoader(tmp_path / "thumbs")
    copies: list[tuple[str, str]] = []
    service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
    win = MainWindow(catalogue, runner, JobListModel(), thumbnails,
                     FormMemory(tmp_path / "form.json"), service,
                     lambda src, dst: copies.append((src, dst)))  # fmt: skip
    qtbot.addWidget(win)
    win.show()
    yield win, runner, copies
    win.close()
    runner.shutdown()
    thumbnails.shutdown()
    client.close()


def test_a_prompt_becomes_a_shown_image_with_the_keyboard_alone(
    qtbot: QtBot, window: tuple[MainWindow, TaskRunner, list[tuple[str, str]]]
) -> None:
    win, _runner, _copies = window
    win.picker.select(NANO)
    win._on_model_chosen(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A sunset over mountains")
    qtbot.keyClick(win.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win._jobs.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: (job := win.current_job()) is not None and job.state is JobState.COMPLETED,
        timeout=20000,
    )
    job = win.current_job()
    assert job is not None and job.profile == "sandbox"
    assert job.params["prompt"] == "A sunset over mountains"
    assert QImage(job.files[0]).width() > 0
    qtbot.waitUntil(lambda: win.viewer.page() == "image", timeout=10000)


def test_invalid_input_is_explained_and_nothing_is_sent(
    qtbot: QtBot,
    window: tuple[MainWindow, TaskRunner, list[tuple[str, str]]],
    sandbox: SandboxServer,
) -> None:
    win, _runner, _copies = window
    win.picker.select(NANO)
    win._on_model_chosen(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("")
    assert win.generate() == []
    assert "prompt" in win.statusBar().currentMessage().lower()
    assert sandbox.stats.submits == 0


def test_variations_each_get_their_own_seed() -> None:
    fixed = variations({"prompt": "x", "seed": 10}, 3, has_seed=True)
    assert [v["seed"] for v in fixed] == [10, 11, 12]
    randomised = variations({"prompt": "x", "seed": -1}, 4, has_seed=True)
    assert len({v["seed"] for v in randomised}) == 4
    assert all(v["seed"] >= 0 for v in randomised)
    assert variations({"prompt": "x"}, 3, has_seed=False) == [{"prompt": "x"}] * 3


def test_quitting_with_tasks_in_flight_returns_promptly(
    qtbot: QtBot, window: tuple[MainWindow, TaskRunner, list[tuple[str, str]]]
) -> None:
    win, runner, _copies = window
    win.picker.select("google/veo3.1-fast/text-to-video")
    win._on_model_chosen("google/veo3.1-fast/text-to-video")
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A paper boat")
    win.count.setValue(3)
    jobs = win.generate()
    assert len(jobs) == 3
    qtbot.waitUntil(lambda: runner.active_count() == 3, timeout=5000)
    win.close()
    assert runner.shutdown(timeout_ms=10_000)
