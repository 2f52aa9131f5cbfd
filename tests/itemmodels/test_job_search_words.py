"""The words a row shows (`RowWords`: state labels, rendered errors and notes) are matched
like the rest of its text, whichever language they are in, and are re-read when they
change; wide (non-ASCII) labels, matched through the states column, give exactly what a
plain scan of the shown text gives."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message
from get3w_desktop.itemmodels.job_filter import JobFilterModel, StateGroup
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.itemmodels.job_search import RowWords
from tests.itemmodels.test_job_filter import NOW, _jobs, _shown

#: Labels in another language (wide characters), and English ones (plain ASCII).
WIDE = {JobState.COMPLETED: "已完成", JobState.FAILED: "失败", JobState.CANCELLED: "已停止",
        JobState.NOT_SAVED: "未保存", JobState.UNCERTAIN: "提交结果未知"}  # fmt: skip
FLAGGED = Message(Code.TASK_FLAGGED, {}, "The content was flagged by moderation.")


def wide_label(state: JobState) -> str:
    return WIDE.get(state, state.label)  # the active states keep English words


def rendered(job: Job) -> str:
    """A stand-in for the window's rendering: a coded error in "Chinese"."""
    return "内容未通过审核" if job.error_message == FLAGGED else ""


WORDS = RowWords(state_label=wide_label, messages=rendered)
ENGLISH = RowWords(state_label=lambda state: state.label, messages=lambda job: "")


def with_errors(jobs: list[Job]) -> list[Job]:
    return [job.failed_with(FLAGGED) if i % 7 == 0 else job for i, job in enumerate(jobs)]


def expected(jobs: list[Job], text: str, words: RowWords, group: StateGroup) -> list[str]:
    label = words.state_label or (lambda state: "")
    shown = words.messages or (lambda job: "")
    return [
        job.local_id for job in jobs
        if group.matches(job.state) and all(
            w in f"{job.prompt} {job.model_id} {job.remote_id} {job.error} {label(job.state)} "
                 f"{shown(job)}".casefold()
            for w in text.casefold().split()
        )
    ]  # fmt: skip


def listed(proxy: JobFilterModel, qtbot: QtBot) -> list[str]:
    qtbot.waitUntil(lambda: not proxy.scanning)
    return [job.local_id for job in _shown(proxy)]


def test_shown_words_in_any_language_match_a_plain_scan_at_every_key(qtbot: QtBot) -> None:
    jobs = with_errors(_jobs(3_000))
    source = JobListModel()
    source.set_texts(lambda job: job.prompt, lambda job: None, WORDS)
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW, scan_slice=101)
    for group in (StateGroup.ALL, StateGroup.PROBLEM):
        proxy.set_group(group)
        for text in ("失败 fox", "已 castle", "审核 robot", "queued 100%", "flagged 已"):
            keys = [text[: i + 1] for i in range(len(text))]
            keys += [text[:i] for i in range(len(text) - 1, -1, -1)]
            for typed in keys:
                proxy.set_text(typed)
                assert listed(proxy, qtbot) == expected(jobs, typed, WORDS, group), typed
    proxy.set_group(StateGroup.ALL)
    proxy.set_text("失败")
    failed = len(listed(proxy, qtbot))
    assert 0 < failed < len(jobs)
    # Jobs that come and change are matched by the same words (the index's per-job path).
    source.upsert(Job("x/y", {"prompt": "new"}, created_at=NOW + 1, local_id="new"))
    assert "new" not in listed(proxy, qtbot)
    new = source.job("new")
    assert new is not None
    source.upsert(new.failed_with(FLAGGED))
    assert listed(proxy, qtbot)[0] == "new" and len(listed(proxy, qtbot)) == failed + 1
    source.upsert(Job("x/y", {"prompt": "newer"}, state=JobState.FAILED, created_at=NOW + 2,
                      local_id="newer"))  # fmt: skip
    assert listed(proxy, qtbot)[:2] == ["newer", "new"]


def test_new_words_are_read_again_and_answer_the_query_afresh(qtbot: QtBot) -> None:
    """A language change: `set_texts` (or `retranslate`) re-indexes every row."""
    jobs = with_errors(_jobs(2_000))
    source = JobListModel()
    source.set_texts(lambda job: job.prompt, lambda job: None, ENGLISH)
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW, scan_slice=101)
    proxy.set_text("failed")
    english = listed(proxy, qtbot)
    assert english == expected(jobs, "failed", ENGLISH, StateGroup.ALL) and english
    proxy.set_text("失败")
    assert listed(proxy, qtbot) == []
    changes: list[int] = []
    proxy.layoutChanged.connect(lambda *_: changes.append(proxy.rowCount()))
    source.set_texts(lambda job: job.prompt, lambda job: None, WORDS)
    chinese = listed(proxy, qtbot)
    assert chinese == expected(jobs, "失败", WORDS, StateGroup.ALL) and chinese
    assert changes == [len(chinese)]  # one layout change, with the whole new answer
    proxy.set_text("failed")  # the English error words stay; the English label is gone
    assert listed(proxy, qtbot) == expected(jobs, "failed", WORDS, StateGroup.ALL)
    source.set_texts(lambda job: job.prompt, lambda job: None, ENGLISH)
    assert listed(proxy, qtbot) == english


def test_a_language_change_passes_qt_model_checks(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    """The re-read words repaint the rows shown (one dataChanged over them) and answer the
    query again in one layout change, as Qt's model checks require."""
    source = JobListModel()
    source.set_texts(lambda job: job.prompt, lambda job: None, ENGLISH)
    source.reset_jobs(with_errors(_jobs(300)))
    proxy = JobFilterModel(source, clock=lambda: NOW, scan_slice=37)
    qtmodeltester.check(proxy)
    repainted: list[tuple[int, int]] = []
    proxy.dataChanged.connect(lambda first, last, *_: repainted.append((first.row(), last.row())))
    proxy.set_text("fox")
    shown = listed(proxy, qtbot)
    source.retranslate()  # same words: the same answer, every shown row repainted
    assert repainted == [(0, len(shown) - 1)]
    assert listed(proxy, qtbot) == shown
    source.set_texts(lambda job: job.prompt, lambda job: None, WORDS)
    proxy.set_text("失败 fox")
    assert listed(proxy, qtbot) == expected(source.jobs(), "失败 fox", WORDS, StateGroup.ALL)
    qtmodeltester.check(proxy)
