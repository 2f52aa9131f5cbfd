"""The batch dialog (paste, load, count, preview, problems, Start) and the progress strip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.core.batch import MAX_TASKS, SourceFormat
from get3w_desktop.core.catalogue import ModelInfo, load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.ui.batch_bar import BatchBar
from get3w_desktop.ui.batch_dialog import PREVIEW_ROWS, BatchDialog
from get3w_desktop.workers.batch import BatchTracker
from get3w_desktop.workers.runner import TaskRunner
from tests.workers.test_runner import FAST, FakeClient

NANO = "google/nano-banana-pro/text-to-image"  # $0.14 a task
FLUX = "wavespeed-ai/flux-dev"


def model(model_id: str) -> ModelInfo:
    found = load_bundled().get(model_id)
    assert found is not None
    return found


def make(qtbot: QtBot, model_id: str = NANO, **kw: object) -> BatchDialog:
    base = kw.pop("base", {"aspect_ratio": "1:1"})
    dialog = BatchDialog(model(model_id), base, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def visible_problems(dialog: BatchDialog) -> list[str]:
    if dialog.problem_list.isHidden():
        return []
    return [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]


def cell(dialog: BatchDialog, row: int, column: int) -> QTableWidgetItem:
    item = dialog.preview.item(row, column)
    assert item is not None
    return item


def test_an_empty_dialog_cannot_start(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    assert dialog.summary_label.text() == "No prompts yet"
    assert not dialog.start_button.isEnabled()
    assert dialog.preview.rowCount() == 0 and visible_problems(dialog) == []


def test_typing_prompts_updates_the_count_and_cost_live(qtbot: QtBot) -> None:
    dialog = make(qtbot, variations=2)
    qtbot.keyClicks(dialog.text, "a red fox")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.text, "a lighthouse")
    qtbot.waitUntil(lambda: "2 prompts" in dialog.summary_label.text(), timeout=3000)
    assert dialog.summary_label.text() == "2 prompts × 2 variations = 4 tasks · about $0.56"
    assert dialog.start_button.isEnabled() and dialog.start_button.text() == "Start 4 tasks"
    dialog.variations_spin.setValue(3)
    assert dialog.summary_label.text().startswith("2 prompts × 3 variations = 6 tasks")
    plan = dialog.plan()
    assert [p["prompt"] for p in plan.params] == ["a red fox"] * 3 + ["a lighthouse"] * 3
    assert all(p["aspect_ratio"] == "1:1" for p in plan.params)  # the form's value


def test_a_csv_paste_fills_the_preview_and_highlights_the_bad_cell(qtbot: QtBot) -> None:
    dialog = make(qtbot, FLUX, base={"prompt": "from the form", "num_images": 3})
    dialog.set_source("prompt,seed,num_images\na cat,1,2\na dog,abc,\n", SourceFormat.CSV)
    assert visible_problems(dialog) == ["Row 3, column seed: “abc” is not a whole number"]
    assert not dialog.start_button.isEnabled()
    headers = [dialog.preview.model().headerData(i, Qt.Orientation.Horizontal) for i in range(4)]
    assert headers == ["Row", "prompt", "seed", "num_images"]
    assert cell(dialog, 1, 2).text() == "abc"
    assert "whole number" in cell(dialog, 1, 2).toolTip()
    good, bad = cell(dialog, 0, 2).background(), cell(dialog, 1, 2).background()
    assert bad.color() != good.color() and bad.style() != Qt.BrushStyle.NoBrush
    assert cell(dialog, 1, 3).text() == "3"  # an empty cell shows the form's value, greyed
    assert cell(dialog, 1, 3).toolTip() == "From the form"
    assert dialog.preview_label.text() == "Preview · grey values come from the form"
    dialog.set_source("prompt,seed,num_images\na cat,1,2\na dog,7,\n", SourceFormat.CSV)
    assert dialog.start_button.isEnabled() and visible_problems(dialog) == []
    assert [(p["prompt"], p["seed"]) for p in dialog.plan().params] == [("a cat", 1), ("a dog", 7)]


def test_switching_the_format_rereads_the_same_text(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    dialog.set_source("prompt,aspect_ratio\na cat,16:9\n", SourceFormat.LINES)
    assert dialog.summary_label.text().startswith("2 prompts")  # the header is a "prompt" too
    dialog.csv_radio.setChecked(True)
    assert dialog.summary_label.text().startswith("1 row ×")
    assert dialog.plan().params[0]["aspect_ratio"] == "16:9"


def test_loading_a_csv_file_in_cp1252_reads_it_and_warns(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("prompt,resolution\nun café au lait,2K\n".encode("cp1252"))
    dialog = make(qtbot)
    assert dialog.load_file(path)
    assert dialog.csv_radio.isChecked() and dialog.file_label.text() == "From list.csv"
    assert dialog.plan().params[0]["prompt"] == "un café au lait"
    assert dialog.plan().params[0]["resolution"] == "2k"
    assert any("not UTF-8" in text for text in visible_problems(dialog))
    assert dialog.start_button.isEnabled()  # a warning does not block


def test_a_file_that_cannot_be_read_is_explained_and_blocks_start(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = make(qtbot)
    dialog.set_source("a cat\n", SourceFormat.LINES)
    assert dialog.start_button.isEnabled()
    assert not dialog.load_file(tmp_path / "missing.txt")
    assert visible_problems(dialog)[0].startswith("Could not read missing.txt:")
    assert not dialog.start_button.isEnabled()
    good = tmp_path / "ok.txt"
    good.write_text("\ufeffone\r\ntwo\r\n", encoding="utf-8")
    assert dialog.load_file(good)
    assert dialog.start_button.isEnabled() and dialog.lines_radio.isChecked()
    assert [p["prompt"] for p in dialog.plan().params] == ["one", "two"]


def test_too_many_tasks_block_start_with_a_clear_message(qtbot: QtBot) -> None:
    dialog = make(qtbot, variations=2)
    dialog.set_source("\n".join(f"prompt {i}" for i in range(MAX_TASKS // 2 + 1)),
                      SourceFormat.LINES)  # fmt: skip
    assert not dialog.start_button.isEnabled()
    assert any("at most 1,000" in text for text in visible_problems(dialog))
    assert dialog.preview.rowCount() == PREVIEW_ROWS
    assert dialog.preview_label.text() == f"Preview: the first {PREVIEW_ROWS} of 501"
    dialog.variations_spin.setValue(1)
    assert dialog.start_button.isEnabled()


def test_start_accepts_and_returns_the_plan(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    dialog.set_source("one\ntwo\nthree\n", SourceFormat.LINES)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.plan().count == 3 and dialog.plan().ok


def test_start_is_refused_when_the_text_just_became_invalid(qtbot: QtBot) -> None:
    dialog = make(qtbot, FLUX, base={})
    dialog.set_source("prompt\nok\n", SourceFormat.CSV)
    dialog.text.setPlainText("prompt,steps\nok,1\n")  # not yet re-checked (debounced)
    dialog.accept()
    assert dialog.result() != BatchDialog.DialogCode.Accepted
    assert any("steps" in text for text in visible_problems(dialog))


# -- the progress strip ----------------------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[TaskRunner]:
    client = FakeClient(final_status="failed")
    runner = TaskRunner(client, tmp_path, max_concurrency=2, schedule=FAST)
    yield runner
    runner.shutdown()


def test_the_strip_follows_a_batch_and_retries_the_failed_ones(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    window = QWidget()  # the strip lives in the window, hidden until a batch starts
    qtbot.addWidget(window)
    bar = BatchBar()
    QVBoxLayout(window).addWidget(bar)
    window.show()
    assert bar.isHidden()
    tracker = BatchTracker(runner)
    bar.bind(tracker)
    tracker.start("m", [{"prompt": f"p{i}"} for i in range(3)], "sandbox")
    assert bar.isVisible() and bar.cancel_button.isVisible()
    qtbot.waitUntil(lambda: tracker.counts().finished, timeout=10_000)
    assert bar.label.text() == "Batch: 0 of 3 done · 3 failed"
    assert bar.progress.value() == 1000
    assert bar.retry_button.isVisible() and bar.retry_button.text() == "Retry 3 failed"
    assert not bar.cancel_button.isVisible() and bar.close_button.isVisible()
    with qtbot.waitSignal(bar.retried, timeout=2000) as sent:
        qtbot.mouseClick(bar.retry_button, Qt.MouseButton.LeftButton)
    assert [job.params["prompt"] for job in sent.args[0]] == ["p0", "p1", "p2"]
    qtbot.waitUntil(lambda: tracker.counts().finished, timeout=10_000)
    with qtbot.waitSignal(bar.dismissed, timeout=2000):
        qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert bar.isHidden() and bar.tracker is None


def test_cancel_batch_stops_the_queued_tasks(qtbot: QtBot, tmp_path: Path) -> None:
    client = FakeClient()
    client.hold_submits.clear()  # nothing gets past its submit until released
    runner = TaskRunner(client, tmp_path, max_concurrency=1, schedule=FAST)
    try:
        tracker = BatchTracker(runner)
        bar = BatchBar()
        qtbot.addWidget(bar)
        bar.bind(tracker)
        tracker.start("m", [{"prompt": f"p{i}"} for i in range(4)], "sandbox")
        qtbot.waitUntil(lambda: client.in_flight == 1, timeout=5000)
        qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
        client.hold_submits.set()
        qtbot.waitUntil(lambda: tracker.counts().finished, timeout=10_000)
    finally:
        runner.shutdown()
    assert tracker.counts().stopped >= 3 and client.submits == 1
    assert "stopped" in bar.label.text()


def test_uncertain_tasks_are_sent_again_only_after_saying_yes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from get3w_desktop.core.errors import SubmissionUncertainError

    client = FakeClient()
    client.submit_error = SubmissionUncertainError("The answer was lost.")
    runner = TaskRunner(client, tmp_path, max_concurrency=2, schedule=FAST)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return answers[len(asked) - 1]

    monkeypatch.setattr(QMessageBox, "question", question)
    try:
        tracker = BatchTracker(runner)
        bar = BatchBar()
        qtbot.addWidget(bar)
        bar.show()
        bar.bind(tracker)
        tracker.start("m", [{"prompt": "a"}, {"prompt": "b"}], "sandbox")
        qtbot.waitUntil(lambda: tracker.counts().uncertain == 2, timeout=5000)
        assert bar.uncertain_button.isVisible() and not bar.retry_button.isVisible()
        qtbot.mouseClick(bar.uncertain_button, Qt.MouseButton.LeftButton)  # "No"
        qtbot.wait(50)
        assert client.submits == 2
        client.submit_error = None
        qtbot.mouseClick(bar.uncertain_button, Qt.MouseButton.LeftButton)  # "Yes"
        qtbot.waitUntil(lambda: tracker.counts().done == 2, timeout=5000)
    finally:
        runner.shutdown()
    assert client.submits == 4 and len(asked) == 2 and "charged" in asked[0]


def test_the_dialog_plan_runs_through_a_real_sandbox(
    qtbot: QtBot, sandbox: SandboxServer, sandbox_key: str, tmp_path: Path
) -> None:
    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.schedule import ScheduleParams

    dialog = make(qtbot, FLUX, base={"num_inference_steps": 4, "seed": 100}, variations=2)
    dialog.set_source("prompt,seed\na fox,\na owl,7\n", SourceFormat.CSV)
    plan = dialog.plan()
    assert plan.ok and [p["seed"] for p in plan.params] == [100, 101, 7, 8]
    client = Get3WClient(sandbox.base_url, sandbox_key)
    runner = TaskRunner(client, tmp_path, schedule=ScheduleParams().scaled(0.02))
    try:
        tracker = BatchTracker(runner)
        jobs = tracker.start(plan.model_id, plan.params, "sandbox")
        qtbot.waitUntil(lambda: tracker.counts().finished, timeout=20_000)
    finally:
        assert runner.shutdown()
        client.close()
    assert tracker.counts().done == 4 == sandbox.stats.submits
    assert [dict(job.params) for job in jobs] == list(plan.params)
    assert all(isinstance(job, Job) and job.state is JobState.QUEUED for job in jobs)
