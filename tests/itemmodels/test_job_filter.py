"""Search, filters and order over the task list (10,000 rows, no disk)."""

from __future__ import annotations

import random

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.itemmodels.job_filter import JobFilterModel, Period, StateGroup
from get3w_desktop.itemmodels.job_list import JobListModel

NOW = 1_800_000_000.0
MODELS = ("google/nano-banana-pro/text-to-image", "wavespeed-ai/flux-dev", "openai/sora-2")
WORDS = ("fox", "lighthouse", "castle", "robot", "garden", "ocean", "100%", "under_score")
STATES = list(JobState)


def _jobs(n: int, seed: int = 1) -> list[Job]:
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        prompt = " ".join(rng.sample(WORDS, 3))
        jobs.append(Job(
            model_id=MODELS[i % 3], params={"prompt": prompt},
            profile="sandbox" if i % 4 else "work", state=STATES[i % len(STATES)],
            created_at=NOW - i * 600, local_id=f"job{i:05d}",
            task=Task(id=f"remote-{i}", status="x") if i % 2 else None,
        ))  # fmt: skip
    return jobs


def _expected(
    job: Job, text: str, model: str | None, group: StateGroup, profile: str | None,
    period: Period,
) -> bool:  # fmt: skip
    hay = f"{job.prompt} {job.model_id} {job.remote_id or ''}".casefold()
    return (
        all(w in hay for w in text.casefold().split())
        and (model is None or job.model_id == model)
        and group.matches(job.state)
        and (profile is None or job.profile == profile)
        and (period.seconds is None or job.created_at >= NOW - period.seconds)
    )


def _shown(proxy: JobFilterModel) -> list[Job]:
    return [job for row in range(proxy.rowCount()) if (job := proxy.job_at(row)) is not None]


def test_the_filter_passes_qt_model_checks(qtmodeltester: ModelTester) -> None:
    source = JobListModel()
    proxy = JobFilterModel(source, clock=lambda: NOW)
    qtmodeltester.check(proxy)
    source.reset_jobs(_jobs(50))
    proxy.set_text("fox")
    source.upsert(Job(model_id=MODELS[0], params={"prompt": "a fox"}, created_at=NOW + 5))
    proxy.set_group(StateGroup.ACTIVE)
    qtmodeltester.check(proxy)


def test_filters_match_a_plain_scan_on_ten_thousand_tasks() -> None:
    jobs = _jobs(10_000)
    source = JobListModel()
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW)
    assert proxy.rowCount() == 10_000
    cases = [
        ("fox castle", None, StateGroup.ALL, None, Period.ANY),
        ("100%", MODELS[1], StateGroup.DONE, None, Period.ANY),
        ("under_score", None, StateGroup.PROBLEM, "work", Period.WEEK),
        ("", MODELS[2], StateGroup.ACTIVE, "sandbox", Period.DAY),
        ("remote-77", None, StateGroup.ALL, None, Period.ANY),
        ("FLUX", None, StateGroup.STOPPED, None, Period.MONTH),
    ]
    for text, model, group, profile, period in cases:
        proxy.set_text(text)
        proxy.set_model_id(model)
        proxy.set_group(group)
        proxy.set_profile(profile)
        proxy.set_period(period)
        want = [j.local_id for j in jobs if _expected(j, text, model, group, profile, period)]
        got = [job.local_id for job in _shown(proxy)]
        assert got == want, (text, model, group, profile, period)  # newest first, as scanned
    assert proxy.is_filtered()


def test_oldest_first_and_live_updates() -> None:
    source = JobListModel()
    source.reset_jobs(_jobs(20))
    proxy = JobFilterModel(source, clock=lambda: NOW)
    proxy.set_oldest_first(True)
    created = [job.created_at for job in _shown(proxy)]
    assert created == sorted(created)
    proxy.set_oldest_first(False)
    proxy.set_group(StateGroup.ACTIVE)
    running = next(job for job in _shown(proxy))
    source.upsert(running.evolve(state=JobState.COMPLETED))  # finished: leaves "in progress"
    assert running.local_id not in {job.local_id for job in _shown(proxy)}
    assert not proxy.index_of(running.local_id).isValid()
    proxy.set_group(StateGroup.DONE)
    assert proxy.index_of(running.local_id).isValid()


def test_adding_older_jobs_keeps_the_known_ones() -> None:
    source = JobListModel()
    jobs = _jobs(10)
    source.reset_jobs(jobs[:4])
    source.add_older(jobs[2:])
    assert source.rowCount() == 10
    assert [source.job_at(r).local_id for r in range(10)] == [j.local_id for j in jobs]  # type: ignore[union-attr]


def test_typing_and_deleting_matches_a_plain_scan_at_every_key() -> None:
    """Narrowing (each key scans the last result) and the kept results for deleting back
    give exactly what a fresh scan gives, with and without other filters."""
    jobs = _jobs(3_000)
    source = JobListModel()
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW)
    for model, group in ((None, StateGroup.ALL), (MODELS[0], StateGroup.PROBLEM)):
        proxy.set_model_id(model)
        proxy.set_group(group)
        text = "lighthouse cas"
        keys = [text[: i + 1] for i in range(len(text))]
        keys += [text[:i] for i in range(len(text) - 1, -1, -1)]
        for typed in keys:
            proxy.set_text(typed)
            want = [j.local_id for j in jobs
                    if _expected(j, typed, model, group, None, Period.ANY)]  # fmt: skip
            assert [job.local_id for job in _shown(proxy)] == want, (typed, model)


def test_a_changed_job_is_matched_by_its_new_text_even_after_searches(
    qtmodeltester: ModelTester,
) -> None:
    jobs = _jobs(200)
    source = JobListModel()
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW)
    qtmodeltester.check(proxy)
    proxy.set_text("zebra")
    assert proxy.rowCount() == 0
    proxy.set_text("fox")
    target = next(job for job in _shown(proxy))
    source.upsert(target.evolve(state=JobState.FAILED, error="Zebra crossing not allowed"))
    proxy.set_text("zebra")  # a cached empty result would hide it
    assert [job.local_id for job in _shown(proxy)] == [target.local_id]
    proxy.set_text("fox")
    assert target.local_id in {job.local_id for job in _shown(proxy)}


def test_the_selection_stays_on_its_job_while_the_filter_and_order_change() -> None:
    from PySide6.QtCore import QItemSelectionModel

    jobs = _jobs(500)
    source = JobListModel()
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW)
    selection = QItemSelectionModel(proxy)
    proxy.set_text("castle")
    chosen = _shown(proxy)[7]
    selection.setCurrentIndex(
        proxy.index_of(chosen.local_id), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    for change in (lambda: proxy.set_text("cast"), lambda: proxy.set_oldest_first(True),
                   lambda: proxy.set_text("")):  # fmt: skip
        change()
        current = selection.currentIndex()
        assert current.isValid() and proxy.job_at(current.row()) == chosen
    proxy.set_text("no such words")
    assert not selection.currentIndex().isValid()


def test_live_inserts_and_removals_while_filtered_and_oldest_first(
    qtmodeltester: ModelTester,
) -> None:
    jobs = _jobs(60)
    source = JobListModel()
    source.reset_jobs(jobs[10:])
    proxy = JobFilterModel(source, clock=lambda: NOW)
    qtmodeltester.check(proxy)
    for oldest_first in (False, True):
        proxy.set_oldest_first(oldest_first)
        proxy.set_text("fox")
        source.add_older(jobs[:10])  # already-known ones are skipped; none here are
        source.upsert(Job(model_id=MODELS[0], params={"prompt": "a fox"}, created_at=NOW + 9))
        source.upsert(Job(model_id=MODELS[0], params={"prompt": "a cat"}, created_at=NOW + 8))
        victim = _shown(proxy)[3]
        source.remove(victim.local_id)
        shown = [job.local_id for job in _shown(proxy)]
        want = [job.local_id for job in source.jobs() if _expected(job, "fox", None,
                StateGroup.ALL, None, Period.ANY)]  # fmt: skip
        assert shown == (want[::-1] if oldest_first else want)
        source.reset_jobs(jobs[10:])


def test_a_long_history_is_indexed_in_slices_after_it_loads(qtbot: QtBot) -> None:
    source = JobListModel()
    proxy = JobFilterModel(source, clock=lambda: NOW)
    source.add_older(_jobs(20_000))
    assert not proxy.search_ready  # nothing indexed during the load itself
    qtbot.waitUntil(lambda: proxy.search_ready, timeout=10_000)
    proxy.set_text("fox")  # 20,000 candidates: scanned over a few turns of the loop
    assert proxy.scanning and proxy.rowCount() == 20_000
    qtbot.waitUntil(lambda: not proxy.scanning, timeout=10_000)
    assert proxy.rowCount() == sum(_expected(j, "fox", None, StateGroup.ALL, None, Period.ANY)
                                   for j in _jobs(20_000))  # fmt: skip


def test_dragging_rows_out_carries_their_files_through_both_proxy_layers() -> None:
    from PySide6.QtCore import Qt

    jobs = [job.evolve(files=(f"/tmp/out/{job.local_id}.png",)) for job in _jobs(30)]
    source = JobListModel()
    source.reset_jobs(jobs)
    proxy = JobFilterModel(source, clock=lambda: NOW)
    proxy.set_text("fox")
    proxy.set_oldest_first(True)
    first, second = _shown(proxy)[:2]
    indexes = [proxy.index(0, 0), proxy.index(1, 0)]
    assert proxy.flags(indexes[0]) & Qt.ItemFlag.ItemIsDragEnabled
    urls = {url.toLocalFile() for url in proxy.mimeData(indexes).urls()}
    assert urls == {first.files[0], second.files[0]}
    assert proxy.data(indexes[0], Qt.ItemDataRole.DisplayRole) == source.data(
        source.index_of(first.local_id), Qt.ItemDataRole.DisplayRole
    )
