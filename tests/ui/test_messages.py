"""Messages built below the UI reach people in their language: a failed task in Simplified
Chinese says why in Chinese (the sandbox fails it, the runner's lifecycle reports it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core import messages
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.ui import i18n
from get3w_desktop.ui.job_delegate import note_text, status_text
from get3w_desktop.ui.messages import job_error, job_note, render
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.workers.runner import TaskRunner

NANO = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    i18n.install_language(qapp, "en")


def failed_on_the_sandbox(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Job:
    seen: list[Job] = []
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, tmp_path / "out", schedule=ScheduleParams().scaled(0.02))
        runner.job_changed.connect(seen.append)
        job = runner.submit(NANO, {"prompt": "[fail:1200] a red fox"})
        try:
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
        finally:
            assert runner.shutdown()
    final = [j for j in seen if j.local_id == job.local_id][-1]
    assert final.state is JobState.FAILED
    return final


def test_a_failed_task_in_simplified_chinese_says_why_in_chinese(
    qtbot: QtBot, english_after: QApplication, sandbox: SandboxServer, tmp_path: Path
) -> None:
    job = failed_on_the_sandbox(qtbot, sandbox, tmp_path)
    assert job.error_message is not None and job.error_message.code is Code.TASK_FLAGGED
    # English: the server's own words, exactly.
    assert job_error(job) == job.error == "The content was flagged by moderation."
    assert i18n.install_language(english_after, "zh_CN") == "zh_CN"
    assert job_error(job) == "内容未通过审核。"
    assert status_text(job) == "内容未通过审核。"  # what the task list shows
    viewer = ResultViewer()
    qtbot.addWidget(viewer)
    viewer.show_job(job)
    assert viewer.error_page.body.text() == "内容未通过审核。"
    i18n.install_language(english_after, "en")
    assert job_error(job) == "The content was flagged by moderation."


def test_notes_and_nested_reasons_are_translated_and_unknown_words_kept(
    english_after: QApplication,
) -> None:
    note = messages.retrying(messages.text("HTTP 503 from the gateway."), 4)
    job = Job(NANO, {}).with_note(note)
    assert job_note(job) == "HTTP 503 from the gateway. Retrying in 4 s."
    network = Job(NANO, {}).with_note(messages.waiting_for_network(8))
    i18n.install_language(english_after, "zh_CN")
    assert job_note(job) == "HTTP 503 from the gateway. 4 秒后重试。"
    assert note_text(network) == "正在等待网络。 8 秒后重试。"
    # A server's unknown words stay as they came; a stale message is never shown.
    odd = messages.task_failure(4242, "Quota gremlins.")
    assert render(odd) == "Quota gremlins."
    stale = Job(NANO, {}).with_note(note).evolve(note="something newer")
    assert job_note(stale) == "something newer"
    known_text = messages.task_failure(0, "The content was flagged by moderation")
    assert known_text.code is Code.TASK_FLAGGED and render(known_text) == "内容未通过审核。"


def test_messages_survive_the_history_round_trip() -> None:
    from get3w_desktop.storage.history_schema import job_to_row, row_to_job

    nested = messages.retrying(messages.text("Busy."), 3)
    job = Job(NANO, {"prompt": "x"}).failed_with(messages.not_sent_history("disk full"))
    job = job.evolve(note=nested.fallback, note_message=nested)
    back = row_to_job(job_to_row(job))
    assert back.error_message == job.error_message
    assert back.note_message == nested
    assert isinstance(back.note_message.args["reason"], Message)
