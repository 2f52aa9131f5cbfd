"""The whole window against the sandbox: from a prompt to a saved image, by keyboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.batch import variations
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.export import read_png_text
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"


Window = tuple[MainWindow, TaskRunner, FileCopier]


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Window]:
    catalogue = load_bundled()
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(
        client, tmp_path / "outputs", schedule=ScheduleParams().scaled(0.02),
        expected_kind=lambda m: model.output_kind if (model := catalogue.get(m)) else None,
    )  # fmt: skip
    thumbnails = ThumbnailLoader(tmp_path / "thumbs")
    saver = FileCopier()
    balance = BalanceWatcher(client.balance)
    service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
    win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                     FormMemory(tmp_path / "form.json"), service, saver,
                     balance=balance, state_file=tmp_path / "window.ini")  # fmt: skip
    qtbot.addWidget(win)
    # These tests send Veo runs ($1.20+) on purpose; asking first is tested in test_cost_safety.
    win.set_spending(None, None, False, confirm_above=None)
    win.show()
    yield win, runner, saver
    win.close()
    runner.shutdown()
    balance.shutdown()
    saver.shutdown()
    thumbnails.shutdown()
    client.close()


def test_a_prompt_becomes_a_shown_image_with_the_keyboard_alone(
    qtbot: QtBot, window: Window
) -> None:
    win, _runner, _saver = window
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A sunset over mountains")
    qtbot.keyClick(win.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.jobs.rowCount() == 1, timeout=5000)
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
    window: Window,
    sandbox: SandboxServer,
) -> None:
    win, _runner, _saver = window
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
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
    (single,) = variations({"prompt": "x", "seed": -1}, 1, has_seed=True)
    assert single["seed"] >= 0  # reproducible even when only one was asked for


def test_quitting_with_tasks_in_flight_returns_promptly(qtbot: QtBot, window: Window) -> None:
    win, runner, _saver = window
    win.picker.select("google/veo3.1-fast/text-to-video")
    win.generate_panel.choose_model("google/veo3.1-fast/text-to-video")
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A paper boat")
    win.count.setValue(3)
    jobs = win.generate()
    assert len(jobs) == 3
    qtbot.waitUntil(lambda: runner.active_count() == 3, timeout=5000)
    win.close()
    assert runner.shutdown(timeout_ms=10_000)


def _choose(win: MainWindow, model_id: str, prompt_text: str) -> None:
    win.picker.select(model_id)
    win.generate_panel.choose_model(model_id)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value(prompt_text)


def test_end_to_end_three_variations_save_cancel_rerun_and_a_failure(
    qtbot: QtBot, window: Window, sandbox: SandboxServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    win, runner, saver = window
    seen: dict[str, list[JobState]] = {}
    runner.job_changed.connect(lambda job: seen.setdefault(job.local_id, []).append(job.state))

    # Choose, fill, generate three variations with the keyboard.
    _choose(win, FLUX, "A lighthouse at dawn")
    output_format = win.form.field("output_format")
    assert output_format is not None
    output_format.set_value("png")
    win.count.setValue(3)
    qtbot.keyClick(win.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.jobs.rowCount() == 3, timeout=5000)
    jobs = win.jobs.jobs()
    assert len({job.params["seed"] for job in jobs}) == 3  # each variation its own seed
    qtbot.waitUntil(
        lambda: all(j.state is JobState.COMPLETED for j in win.jobs.jobs()), timeout=30000
    )
    for done in win.jobs.jobs():  # the statuses moved, in order, through the list
        states = seen[done.local_id]
        assert states[0] is JobState.QUEUED and states[-1] is JobState.COMPLETED
        assert JobState.RUNNING in states and JobState.DOWNLOADING in states
        assert states.index(JobState.RUNNING) < states.index(JobState.DOWNLOADING)
    assert win.activity_label.text() == ""
    qtbot.waitUntil(lambda: win.balance_label.text().startswith("Sandbox credit $"), timeout=5000)

    # Open one result and save it through the (patched) dialog.
    win.list_view.setCurrentIndex(win.shown.index(1, 0))
    current = win.current_job()
    assert current is not None
    job = current
    qtbot.waitUntil(lambda: win.viewer.page() == "image", timeout=10000)
    asked: list[str] = []

    def fake_save(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(tmp_path / "saved" / Path(suggested).name), ""

    (tmp_path / "saved").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    with qtbot.waitSignal(saver.copied, timeout=10000) as copied:
        qtbot.keyClick(win.list_view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    name = Path(asked[0]).name
    assert name == f"flux-dev_A lighthouse at dawn_{job.params['seed']}.png"
    saved = Path(copied.args[0])
    assert saved.parent == tmp_path / "saved"
    meta = read_png_text(saved.read_bytes())
    assert meta["Description"] == "A lighthouse at dawn"
    record = json.loads(meta["get3w"])
    assert record["model"] == FLUX and record["seed"] == job.params["seed"]
    assert record["task_id"] == job.remote_id
    assert QImage(str(saved)).size() == QImage(job.files[0]).size()  # pixels untouched

    # Save all three into a folder: three distinct files.
    win.list_view.selectAll()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_args: str(tmp_path / "saved")))  # fmt: skip
    with qtbot.waitSignal(saver.saved_all, timeout=10000) as batch:
        win.act_save_all.trigger()
    assert batch.args == [3, str(tmp_path / "saved")]
    assert len(list((tmp_path / "saved").glob("*.png"))) == 4  # 3 + the one saved before

    # Cancel a long task at once.
    _choose(win, "google/veo3.1-fast/text-to-video", "A paper boat")
    win.count.setValue(1)
    (video,) = win.generate()
    qtbot.waitUntil(lambda: seen[video.local_id][-1] is JobState.RUNNING, timeout=5000)
    win.select_job(video.local_id)
    win.act_cancel.trigger()
    qtbot.waitUntil(lambda: seen[video.local_id][-1] is JobState.CANCELLED, timeout=5000)
    assert win.viewer.page() == "error" and "Stopped" in win.viewer.error_page.title.text()

    # Re-run a finished one: a new task with the same parameters.
    win.select_job(job.local_id)
    submits = sandbox.stats.submits
    qtbot.keyClick(win.list_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    rerun = win.current_job()
    assert rerun is not None and rerun.local_id != job.local_id
    assert dict(rerun.params) == dict(job.params)
    qtbot.waitUntil(lambda: seen[rerun.local_id][-1] is JobState.COMPLETED, timeout=20000)
    assert sandbox.stats.submits == submits + 1

    # A task that fails on the server says why.
    _choose(win, NANO, "An impossible picture [fail:1200]")
    (failing,) = win.generate()
    qtbot.waitUntil(lambda: seen[failing.local_id][-1] is JobState.FAILED, timeout=20000)
    assert win.viewer.page() == "error"
    shown = win.jobs.job(failing.local_id)
    assert shown is not None and shown.error
    assert shown.error in win.viewer.error_page.body.text()


def test_window_layout_is_remembered(qtbot: QtBot, window: Window, tmp_path: Path) -> None:
    win, runner, saver = window
    win.main_split.setSizes([300, 520, 660])
    sizes = win.main_split.sizes()
    win.close()
    again = MainWindow(
        win.catalogue, JobBook(runner, JobListModel()), win._thumbnails,
        FormMemory(tmp_path / "f.json"), win._service, saver, state_file=tmp_path / "window.ini",
    )  # fmt: skip
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == win.size()
    assert again.main_split.sizes() == sizes
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    geometry = state.value("window/geometry")
    assert isinstance(geometry, QByteArray) and not geometry.isEmpty()


def test_the_sandbox_banner_asks_for_a_key(qtbot: QtBot, window: Window) -> None:
    win, *_ = window
    assert win.banner is not None and win.banner.isVisible()
    with qtbot.waitSignal(win.key_requested, timeout=1000):
        qtbot.mouseClick(win.key_button, Qt.MouseButton.LeftButton)


def test_copy_image_puts_the_decoded_image_on_the_clipboard(qtbot: QtBot, window: Window) -> None:
    win, *_ = window
    _choose(win, NANO, "A teapot")
    (job,) = win.generate()
    qtbot.waitUntil(
        lambda: (j := win.jobs.job(job.local_id)) is not None and j.state is JobState.COMPLETED,
        timeout=20000,
    )
    QGuiApplication.clipboard().clear()
    win.list_view.setFocus()
    win.act_copy_image.trigger()
    qtbot.waitUntil(lambda: not QGuiApplication.clipboard().image().isNull(), timeout=10000)
    done = win.jobs.job(job.local_id)
    assert done is not None
    assert QGuiApplication.clipboard().image().size() == QImage(done.files[0]).size()


def test_dragging_a_task_carries_its_output_files(qtbot: QtBot, window: Window) -> None:
    win, *_ = window
    _choose(win, NANO, "A kite")
    (job,) = win.generate()
    qtbot.waitUntil(
        lambda: (j := win.jobs.job(job.local_id)) is not None and j.state is JobState.COMPLETED,
        timeout=20000,
    )
    index = win.jobs.index_of(job.local_id)
    assert win.jobs.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    mime = win.jobs.mimeData([index])
    done = win.jobs.job(job.local_id)
    assert done is not None
    assert [url.toLocalFile() for url in mime.urls()] == list(done.files)


def test_searching_the_task_list_and_a_new_task_is_never_hidden(
    qtbot: QtBot, window: Window
) -> None:
    win, *_ = window
    jobs = [Job(model_id=NANO, params={"prompt": p}, state=JobState.COMPLETED)
            for p in ("a red fox", "a blue whale", "a red kite")]  # fmt: skip
    win.jobs.reset_jobs(jobs)
    assert win.filter_bar.isVisibleTo(win) and win.filter_bar.count.text() == "3 tasks"
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.filter_bar.search.hasFocus()
    qtbot.keyClicks(win.filter_bar.search, "red")
    qtbot.waitUntil(lambda: win.shown.rowCount() == 2, timeout=2000)
    assert win.filter_bar.count.text() == "2 of 3"
    qtbot.keyClicks(win.filter_bar.search, " nothing")
    qtbot.waitUntil(lambda: win.shown.rowCount() == 0, timeout=2000)
    assert win.empty_hint.isVisibleTo(win) and "No task matches" in win.empty_hint.text()
    _choose(win, NANO, "a green frog")
    (new,) = win.generate()
    current = win.current_job()
    assert current is not None and current.local_id == new.local_id  # the search was cleared
    assert win.filter_bar.search.text() == ""


def test_a_batch_from_the_window_runs_every_prompt_once(
    qtbot: QtBot, window: Window, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from get3w_desktop.core.batch import build_plan, parse_lines
    from get3w_desktop.ui.batch_dialog import BatchDialog

    win, *_ = window
    _choose(win, NANO, "")
    model = win.catalogue.get(NANO)
    assert model is not None

    def fake_ask(*_args: object, **_kwargs: object) -> object:
        return build_plan(model, win.form.values(), parse_lines("a fox\na kite\na boat", model), 2)

    monkeypatch.setattr(BatchDialog, "ask", staticmethod(fake_ask))
    jobs = win.batch()
    assert len(jobs) == 6
    assert win.batch_bar.isVisibleTo(win)
    qtbot.waitUntil(
        lambda: all((j := win.jobs.job(job.local_id)) is not None and not j.state.active
                    for job in jobs),
        timeout=30000,
    )  # fmt: skip
    assert sandbox.stats.submits == 6
    prompts = sorted(str(job.params["prompt"]) for job in jobs)
    assert prompts == ["a boat"] * 2 + ["a fox"] * 2 + ["a kite"] * 2


def test_compare_opens_from_the_window_and_feeds_back_into_the_form(
    qtbot: QtBot, window: Window
) -> None:
    win, *_ = window
    _choose(win, NANO, "A lighthouse")
    compare = win.compare()
    assert compare is not None and compare.isVisible()
    assert win.compare() is compare  # reused, not stacked
    compare.use_params.emit(FLUX, {"prompt": "From the grid", "seed": 7})
    assert win.generate_panel.model is not None and win.generate_panel.model.model_id == FLUX
    values = win.form.values()
    assert values["prompt"] == "From the grid" and values["seed"] == 7
    compare.close()
