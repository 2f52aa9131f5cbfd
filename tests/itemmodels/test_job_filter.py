"""Search, filters and order over the task list (10,000 rows, no disk)."""

from __future__ import annotations

import random

from pytestqt.modeltest import ModelTester

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
