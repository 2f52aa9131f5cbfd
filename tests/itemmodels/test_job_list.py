from __future__ import annotations

from pytestqt.modeltest import ModelTester

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole


def test_the_job_list_passes_qt_model_checks_through_inserts_updates_and_removals(
    qtmodeltester: ModelTester,
) -> None:
    model = JobListModel()
    qtmodeltester.check(model)
    jobs = [Job(model_id="m", params={"prompt": str(i)}) for i in range(5)]
    for job in jobs:
        model.upsert(job)
    model.upsert(jobs[2].evolve(state=JobState.RUNNING))
    model.remove(jobs[0].local_id)
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    rows = [model.job_at(r) for r in range(4)]
    prompts = [row.params["prompt"] for row in rows if row is not None]
    assert prompts == ["4", "3", "2", "1"]
    assert model.index(2, 0).data(JobRole.STATE) == "running"
    assert model.index_of(jobs[0].local_id).isValid() is False


def test_the_active_count_follows_inserts_updates_and_removals() -> None:
    model = JobListModel()
    model.upsert(Job(model_id="m", params={}, state=JobState.COMPLETED))
    assert model.active_count() == 0
    running = Job(model_id="m", params={}, state=JobState.RUNNING)
    model.upsert(running)
    assert model.active_count() == 1
    model.upsert(running.evolve(state=JobState.DOWNLOADING))
    assert model.active_count() == 1
    model.upsert(running.evolve(state=JobState.COMPLETED))
    assert model.active_count() == 0
    queued = Job(model_id="m", params={}, state=JobState.QUEUED)
    model.upsert(queued)
    model.remove(queued.local_id)
    assert model.active_count() == 0


def test_the_model_knows_which_profiles_its_jobs_ran_on() -> None:
    model = JobListModel()
    work = Job(model_id="m", params={}, profile="work")
    model.reset_jobs([Job(model_id="m", params={}, profile="sandbox")] * 1)
    model.upsert(work)
    assert sorted(model.profiles()) == ["sandbox", "work"]
    model.remove(work.local_id)
    assert model.profiles() == ["sandbox"]


def test_rows_are_found_by_id_through_top_inserts_appends_resets_and_removals() -> None:
    model = JobListModel()
    older = [Job(model_id="m", params={"prompt": f"old {i}"}) for i in range(3)]
    model.reset_jobs(older[:1])
    news = [Job(model_id="m", params={"prompt": f"new {i}"}) for i in range(4)]
    for job in news:  # each goes on top; no other row is renumbered
        model.upsert(job)
    model.add_older(older[1:])
    model.remove(news[1].local_id)
    model.upsert(news[0].evolve(state=JobState.RUNNING))  # an update, not a new row
    model.upsert(Job(model_id="m", params={"prompt": "newest"}))
    expected = ["newest", "new 3", "new 2", "new 0", "old 0", "old 1", "old 2"]
    rows = [model.job_at(r) for r in range(model.rowCount())]
    assert [row.params["prompt"] if row else None for row in rows] == expected
    for number, row in enumerate(rows):
        assert row is not None
        assert model.index_of(row.local_id).row() == number
        assert model.job(row.local_id) is row
    assert model.job(news[1].local_id) is None
    assert rows[3] is not None and rows[3].state is JobState.RUNNING
