"""The task search finds what the row shows, in the window's language.

A person using the app in Simplified Chinese types a word they see in the list: a
failure's Chinese sentence, a cleaned-up task's note, a status. The failures here are
real: tasks the sandbox fails over loopback HTTP, a clean-up by the Housekeeper, an old
history row that still holds the English sentence written before notes were coded. The
English words stay searchable (people paste errors from logs), and switching the language
re-reads every row's words.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.legacy_messages import cleaned_up
from get3w_desktop.core.messages import Code
from get3w_desktop.itemmodels.job_filter import JobFilterModel
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui import i18n
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.messages import job_error
from get3w_desktop.ui.search_words import row_words
from get3w_desktop.ui.task_panel import row_text, row_tooltip
from get3w_desktop.workers.housekeeping import Housekeeper
from tests.ui.test_chinese_storage import DAY, job_with_file, old_cleaned_words
from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"
#: The sandbox fails a prompt holding "[fail:N]" with that code (1200: moderation).
FLAGGED, DONE = "a red fox [fail:1200]", "a blue whale at sea"


@pytest.fixture
def win(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as window:
        yield window
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


def run_tasks(qtbot: QtBot, win: MainWindow) -> dict[str, Job]:
    """A task the sandbox fails (moderation) and one it completes, by prompt."""
    win.picker.select(FLUX)
    win.generate_panel.choose_model(FLUX)
    field = win.form.field("prompt")
    assert field is not None
    for prompt in (FLAGGED, DONE):
        field.set_value(prompt)
        win.generate()
    qtbot.waitUntil(
        lambda: len(win.book.jobs()) == 2 and not any(j.state.active for j in win.book.jobs()),
        timeout=20_000,
    )
    return {job.prompt: job for job in win.book.jobs()}


def search(qtbot: QtBot, win: MainWindow, text: str) -> list[str]:
    """Put `text` into the task search (an input method commits Chinese in one go; QTest
    types ASCII only) and press Enter; the prompts listed then."""
    box = win.filter_bar.search
    box.setText(text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not win.shown.scanning)
    return listed(win)


def listed(win: MainWindow) -> list[str]:
    return [job.prompt for row in range(win.shown.rowCount()) if (job := win.shown.job_at(row))]


def test_a_chinese_window_finds_a_failed_task_by_the_words_its_row_shows(
    qtbot: QtBot, win: MainWindow
) -> None:
    tasks = run_tasks(qtbot, win)
    failed = tasks[FLAGGED]
    assert failed.state is JobState.FAILED and failed.error_message is not None
    assert failed.error_message.code is Code.TASK_FLAGGED
    assert search(qtbot, win, "审核") == []  # English window: the row shows no Chinese
    i18n.install_language(QApplication.instance(), "zh_CN")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: listed(win) == [FLAGGED])  # the same query, re-read in Chinese
    shown = job_error(failed)
    assert shown is not None and "审核" in shown  # what the row says: "内容未通过审核。"
    assert search(qtbot, win, "未通过审核") == [FLAGGED]
    assert search(qtbot, win, "暂时不可用") == []  # another failure's words: no task has it
    assert search(qtbot, win, "失败") == [FLAGGED]  # the status chip
    assert search(qtbot, win, "已完成") == [DONE]
    assert search(qtbot, win, "flagged by moderation") == [FLAGGED]  # the English (logs)
    assert search(qtbot, win, "whale") == [DONE]  # prompts, as before
    assert search(qtbot, win, "审核 whale") == []  # every word must match
    search(qtbot, win, "审核")
    i18n.install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: listed(win) == [])  # back in English: no row shows it
    assert search(qtbot, win, "failed") == [FLAGGED]
    assert search(qtbot, win, "失败") == []


def words_model() -> tuple[JobListModel, JobFilterModel]:
    """The task list wired as the task panel wires it (its row texts and search words)."""
    jobs = JobListModel()
    jobs.set_texts(lambda job: row_text(job, lambda model_id: model_id), row_tooltip, row_words())
    return jobs, JobFilterModel(jobs)


def found(proxy: JobFilterModel, qtbot: QtBot, text: str) -> list[str]:
    proxy.set_text(text)
    qtbot.waitUntil(lambda: not proxy.scanning)
    return [job.local_id for row in range(proxy.rowCount()) if (job := proxy.job_at(row))]


def test_a_task_cleaned_up_by_the_housekeeper_is_found_by_its_chinese_note(
    qtbot: QtBot, chinese: QApplication
) -> None:
    paths = app_paths().ensure()
    job = job_with_file(paths.outputs, 2000, age_days=3.0)
    other = job_with_file(paths.outputs, 2000, age_days=1.0)
    with HistoryStore.open(paths.history_db) as store:
        store.save_many([job, other])
        keeper = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
        try:
            with qtbot.waitSignal(keeper.finished, timeout=10_000) as planned:
                keeper.plan_cleanup(lambda: [job, other], older_than_days=2.0)
            plan = planned.args[1]
            assert isinstance(plan, hk.CleanupPlan) and plan.jobs == (job,)
            with qtbot.waitSignal(keeper.finished, timeout=10_000):
                keeper.clean_up(plan)
        finally:
            keeper.shutdown()
        cleaned, kept = store.get(job.local_id), store.get(other.local_id)
    assert cleaned is not None and kept is not None and hk.was_cleaned_up(cleaned)
    jobs, proxy = words_model()
    jobs.reset_jobs([cleaned, kept])
    assert found(proxy, qtbot, "清理") == [cleaned.local_id]
    assert found(proxy, qtbot, "释放磁盘空间") == [cleaned.local_id]
    assert found(proxy, qtbot, "cleaned up") == [cleaned.local_id]  # the stored English
    assert found(proxy, qtbot, "暂时不可用") == []


@pytest.mark.parametrize("age_days", [3.0, 30.0])
def test_an_old_english_cleaned_up_note_reads_and_searches_as_chinese(
    qtbot: QtBot, chinese: QApplication, age_days: float
) -> None:
    """A task cleaned up before the note was coded: the history holds only the English
    sentence. It is shown in Chinese with the same dates, found by its Chinese words, and
    the stored words are never rewritten."""
    when = time.time() - DAY
    finished = when - age_days * DAY
    words = old_cleaned_words(when, finished)
    job = Job(FLUX, {"prompt": "a lighthouse"}, state=JobState.COMPLETED,
              created_at=finished - 60, finished_at=finished, error=words)  # fmt: skip
    paths = app_paths().ensure()
    with HistoryStore.open(paths.history_db) as store:
        store.save_many([job])
        stored = store.get(job.local_id)
    assert stored is not None and stored.error == words and stored.error_message is None
    shown = job_error(stored)
    assert shown is not None and shown != words and "本地副本已于" in shown
    day = QLocale("zh_CN").toString(QDateTime.fromSecsSinceEpoch(int(when)).date(), "yyyy年M月d日")
    assert day in shown  # the date it carries, in the person's locale
    if age_days < 7:
        until = QDateTime.fromSecsSinceEpoch(int(finished + hk.OUTPUT_RETENTION)).date()
        assert QLocale("zh_CN").toString(until, "M月d日") in shown and "保留到大约" in shown
    else:
        assert "可能已过期" in shown
    assert row_tooltip(stored) == shown
    jobs, proxy = words_model()
    jobs.reset_jobs([stored, Job(FLUX, {"prompt": "another"}, state=JobState.COMPLETED)])
    assert found(proxy, qtbot, "清理") == [stored.local_id]
    assert found(proxy, qtbot, "to free disk space") == [stored.local_id]
    i18n.install_language(chinese, "en")
    assert job_error(stored) == words  # English: the stored sentence, word for word


def test_old_cleaned_up_words_are_read_back_with_their_dates() -> None:
    """Every date the old sentence can carry, including a year's end (the "until" day is
    then in the next year); anything else is left alone."""
    start = time.mktime((2026, 1, 1, 12, 0, 0, 0, 0, -1))
    for offset in range(0, 366, 5):
        when = start + offset * DAY
        for finished in (when - DAY, when - 30 * DAY):
            words = old_cleaned_words(when, finished)
            said = cleaned_up(words)
            assert said is not None and said.code is Code.HK_CLEANED_UP and said.fallback == words
            day = said.args["day"]
            assert not isinstance(day, str | int | float)
            epoch = day.args["epoch"]
            assert isinstance(epoch, int)
            assert time.localtime(epoch)[:3] == time.localtime(when)[:3]
            remote = said.args["remote"]
            assert not isinstance(remote, str | int | float)
            if finished + hk.OUTPUT_RETENTION > when:
                until = remote.args["until"]
                assert not isinstance(until, str | int | float)
                expires = finished + hk.OUTPUT_RETENTION
                epoch = until.args["epoch"]
                assert isinstance(epoch, int)
                assert time.localtime(epoch)[:3] == time.localtime(expires)[:3]
            else:
                assert remote.code is Code.HK_REMOTE_EXPIRED
    words = old_cleaned_words(start, start - DAY)
    assert cleaned_up(words.replace(" Jan ", " 1月 ")) is not None  # a Chinese system locale
    for other in (
        "The task failed.",
        words.replace(" Jan ", " Jän "),  # a month name we cannot be sure of: shown as stored
        words.replace("01 Jan", "31 Feb"),  # no such day
        words + " And more.",
        words.replace("Get3W keeps", "Someone keeps"),
    ):
        assert cleaned_up(other) is None, other
