"""Long queries scanned a slice at a time (issue 16): the same answers as a plain scan,
never a half answer on screen, and no slice larger than asked.

The slice is made small (37 rows) so a few thousand rows take many turns of the loop.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_filter import JobFilterModel, StateGroup
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.itemmodels.job_search import Fields, SearchIndex
from tests.itemmodels.test_job_filter import MODELS, NOW, _jobs, _shown

SLICE = 37


def _ids(proxy: JobFilterModel) -> list[str]:
    return [job.local_id for job in _shown(proxy)]


def _want(
    source: JobListModel, text: str, model: str | None = None, group: StateGroup = StateGroup.ALL
) -> list[str]:
    """What a plain scan of every task finds: prompt, model, task id and error."""
    words = text.casefold().split()
    return [
        job.local_id
        for job in source.jobs()
        if all(w in f"{job.prompt} {job.model_id} {job.remote_id} {job.error}".casefold()
               for w in words)
        and (model is None or job.model_id == model)
        and group.matches(job.state)
    ]  # fmt: skip


def _scanning(proxy: JobFilterModel) -> bool:
    return proxy.scanning


@pytest.fixture
def chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many candidate rows each scan call looked at."""
    seen: list[int] = []
    original = SearchIndex._filter

    def counted(self: SearchIndex, rows: Any, words: Any, fields: Fields) -> Any:
        seen.append(len(rows))
        return original(self, rows, words, fields)

    monkeypatch.setattr(SearchIndex, "_filter", counted)
    return seen


def _filtered(n: int) -> tuple[JobListModel, JobFilterModel]:
    source = JobListModel()
    source.reset_jobs(_jobs(n))
    return source, JobFilterModel(source, clock=lambda: NOW, scan_slice=SLICE)


def test_typing_over_slices_gives_a_plain_scans_answer_at_every_key(
    qtbot: QtBot, chunks: list[int]
) -> None:
    source, proxy = _filtered(2_000)
    shown_counts: list[int] = []
    proxy.layoutChanged.connect(lambda *_: shown_counts.append(proxy.rowCount()))
    answers = set()
    for model, group in ((None, StateGroup.ALL), (MODELS[1], StateGroup.PROBLEM)):
        proxy.set_model_id(model)
        proxy.set_group(group)
        qtbot.waitUntil(lambda: not _scanning(proxy))
        shown_counts.clear()
        text = "lighthouse cas"
        keys = [text[: i + 1] for i in range(len(text))]
        keys += [text[:i] for i in range(len(text) - 1, -1, -1)]
        for typed in keys:
            before = _ids(proxy)
            proxy.set_text(typed)
            if _scanning(proxy):  # the last answer stays until the whole scan is done
                assert _ids(proxy) == before
            qtbot.waitUntil(lambda: not _scanning(proxy))
            want = _want(source, typed, model=model, group=group)
            assert _ids(proxy) == want, (typed, model)
            answers.add(len(want))
        assert set(shown_counts) <= answers  # the view never saw a half answer
    assert chunks and max(chunks) <= SLICE  # no turn of the loop scanned more
    assert len(chunks) > 200  # the long queries really ran in slices


def test_a_key_typed_during_a_scan_drops_it(qtbot: QtBot) -> None:
    source, proxy = _filtered(3_000)
    proxy.set_text("fox")
    assert _scanning(proxy)
    proxy.set_text("castle robot")
    qtbot.waitUntil(lambda: not _scanning(proxy))
    assert _ids(proxy) == _want(source, "castle robot")
    proxy.set_text("fox")  # the dropped scan left no (partial) answer behind to reuse
    qtbot.waitUntil(lambda: not _scanning(proxy))
    assert _ids(proxy) == _want(source, "fox")


def test_the_selection_survives_a_sliced_query(qtbot: QtBot) -> None:
    source, proxy = _filtered(3_000)
    selection = QItemSelectionModel(proxy)
    chosen = next(job for job in source.jobs()[2_500:] if "garden" in job.prompt)
    selection.setCurrentIndex(
        proxy.index_of(chosen.local_id), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    proxy.set_text("garden")  # the chosen row is found in one of the last slices
    assert _scanning(proxy)
    qtbot.waitUntil(lambda: not _scanning(proxy))
    current = selection.currentIndex()
    assert current.isValid() and proxy.job_at(current.row()) == chosen


def test_rows_coming_or_going_during_a_scan_finish_it_first(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    source, proxy = _filtered(3_000)
    qtmodeltester.check(proxy)
    more = _jobs(3_400)
    older = [more[3_000:3_200], more[3_200:]]
    edits = [
        lambda: source.upsert(
            Job(model_id=MODELS[0], params={"prompt": "a fox castle"}, created_at=NOW + 9)
        ),
        lambda: source.remove(source.jobs()[1_234].local_id),
        lambda: source.add_older(older.pop()),
    ]
    queries = iter(["fox", "castle", "robot", "garden", "ocean", "100%"])
    for oldest_first in (False, True):
        proxy.set_oldest_first(oldest_first)
        for edit in edits:
            query = next(queries)  # none kept yet: each is scanned
            proxy.set_text(query)
            assert _scanning(proxy)
            edit()
            assert not _scanning(proxy)  # finished before the rows moved
            want = _want(source, query)
            assert _ids(proxy) == (want[::-1] if oldest_first else want), query


def test_a_job_changing_during_a_scan_is_checked_again_when_it_ends(qtbot: QtBot) -> None:
    source, proxy = _filtered(3_000)
    proxy.set_text("fox")
    qtbot.waitUntil(lambda: not _scanning(proxy))
    repainted: list[int] = []
    proxy.dataChanged.connect(lambda top, _bottom, _roles: repainted.append(top.row()))
    early, late = source.jobs()[5], source.jobs()[2_900]
    assert "zebra" not in early.prompt + late.prompt
    proxy.set_text("fox zebra")  # narrows the kept "fox" answer, a slice at a time
    assert _scanning(proxy)
    shown_before = _ids(proxy)
    # A job the scan has passed and one it has not reached start to match; a shown
    # (fox) job stops matching "fox" at all.
    gone = next(job for job in source.jobs()[1_000:] if job.local_id in shown_before)
    source.upsert(early.evolve(error="fox zebra"))
    source.upsert(late.evolve(error="fox zebra"))
    source.upsert(gone.evolve(params={"prompt": "a cat"}))
    assert _scanning(proxy)  # the job's poll did not end the scan
    assert _ids(proxy) == shown_before  # the last answer still shows …
    assert proxy.index_of(gone.local_id).row() in repainted  # … and repainted
    qtbot.waitUntil(lambda: not _scanning(proxy))
    assert _ids(proxy) == _want(source, "fox zebra") == [early.local_id, late.local_id]
    proxy.set_text("fox")  # the kept answer was patched too
    assert gone.local_id not in _ids(proxy) and early.local_id in _ids(proxy)
    assert _ids(proxy) == _want(source, "fox")


def test_a_reset_during_a_scan_answers_the_query_afresh(qtbot: QtBot) -> None:
    source, proxy = _filtered(3_000)
    proxy.set_text("ocean")
    assert _scanning(proxy)
    source.reset_jobs(_jobs(2_500, seed=7))
    assert not _scanning(proxy)
    assert _ids(proxy) == _want(source, "ocean")
    qtbot.wait(20)  # the dropped scan's timer must not come back
    assert _ids(proxy) == _want(source, "ocean")


def test_unindexed_rows_are_indexed_a_quarter_slice_at_a_time(chunks: list[int]) -> None:
    index = SearchIndex(lambda model_id: model_id)
    jobs = _jobs(1_000)
    index.reset(jobs)  # nothing indexed yet, as right after a long history loads
    search = index.search(["robot"], Fields())
    while not search.step(400):
        pass
    assert max(chunks) <= 100 and sum(chunks) == 1_000  # indexing is the dear part
    assert index.complete
    assert list(search.rows or ()) == [i for i, job in enumerate(jobs) if "robot" in job.prompt]
    again = index.search(["robot", "fox"], Fields())  # narrows the kept, indexed answer
    count = len(chunks)
    again.step(400)
    assert chunks[count:] == [min(400, len(search.rows or ()))]


def test_a_search_rechecks_changed_jobs_and_refuses_to_go_on_after_rows_move() -> None:
    index = SearchIndex(lambda model_id: model_id)
    jobs = _jobs(100)
    index.reset(jobs)
    index.build()
    search = index.search(["fox"], Fields())
    assert not search.step(10) and search.left == 90
    with pytest.raises(RuntimeError, match="not finished"):
        _ = search.rows
    foxes = [i for i, job in enumerate(jobs) if "fox" in job.prompt]
    passed, ahead = (next(i for i in range(10) if i not in foxes),
                     next(i for i in range(10, 100) if i not in foxes))  # fmt: skip
    for row in (passed, ahead):
        index.replace(row, jobs[row].evolve(error="fox"))
    assert search.step(None)
    assert list(search.rows or ()) == sorted([*foxes, passed, ahead])
    moved = index.search(["fox", "garden"], Fields())
    assert not moved.step(3)
    index.remove(0, 0)
    with pytest.raises(RuntimeError, match="changed"):
        moved.step(10)


def test_small_queries_are_still_answered_at_once() -> None:
    source = JobListModel()
    source.reset_jobs(_jobs(500))
    proxy = JobFilterModel(source, clock=lambda: NOW)  # the real slice: 16,000 rows
    proxy.set_text("lighthouse")
    assert not _scanning(proxy)
    assert _ids(proxy) == _want(source, "lighthouse")
