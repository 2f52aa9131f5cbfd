"""The runner and the job book as the app wires them: each snapshot worth keeping reaches the
history once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.workers.history_writer import HistoryWriter
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner

MODEL = "google/nano-banana-pro/text-to-image"


class CountingStore:
    """The real store, remembering each job snapshot it was asked to write."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self.saved: list[Job] = []

    def save_many(self, jobs: Iterable[Job], **kw: str | None) -> None:
        jobs = list(jobs)
        self.saved.extend(jobs)
        self.store.save_many(jobs, **kw)

    def delete(self, local_ids: Iterable[str]) -> int:
        return self.store.delete(local_ids)

    def save_spend(self, records: Iterable[SpendRecord]) -> None:
        self.store.save_spend(records)


def test_submitting_and_running_are_written_once_and_unchanged_polls_never(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = SandboxConfig(time_scale=0.1, render_scale=0.1, duration_fn=lambda _m, _p: 3.0)
    with (
        SandboxServer(config) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
        HistoryStore.open(tmp_path / "history.sqlite3") as store,
    ):
        counting = CountingStore(store)
        writer = HistoryWriter(counting)
        book: JobBook | None = None

        def journal(job: Job) -> None:
            assert book is not None
            book.journal(job)

        runner = TaskRunner(client, tmp_path / "out", max_concurrency=1,
                            schedule=ScheduleParams(jitter=0.0).scaled(0.02),
                            journal=journal)  # fmt: skip
        book = JobBook(runner, JobListModel(), journal=writer)
        seen: list[Job] = []
        runner.job_changed.connect(seen.append)
        first = book.submit(MODEL, {"prompt": "one"}, "sandbox")
        queued = book.submit(MODEL, {"prompt": "two"}, "sandbox")  # waits for the only slot
        runner.cancel(queued.local_id)  # stopped before it ever started
        qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=20_000)
        assert runner.shutdown()
        assert writer.close()
        mine = [j for j in counting.saved if j.local_id == first.local_id]
        states = [j.state for j in mine]
        # The writer may fold the queued snapshot into the durable one that follows it.
        assert states.count(JobState.QUEUED) <= 1 and states.index(JobState.SUBMITTING) <= 1
        assert states.count(JobState.SUBMITTING) == 1
        statuses = [j.task.status for j in mine if j.state is JobState.RUNNING and j.task]
        assert statuses[0] == "created" and statuses == list(dict.fromkeys(statuses))
        assert states[-1] is JobState.COMPLETED
        polls = [j for j in seen if j.local_id == first.local_id and j.state is JobState.RUNNING]
        assert len(polls) > len(statuses)  # polls that changed nothing were not written
        other = [j.state for j in counting.saved if j.local_id == queued.local_id]
        assert other[-1] is JobState.CANCELLED and JobState.SUBMITTING not in other
        assert len(other) <= 2
        stored = store.get(first.local_id)
        assert stored is not None and stored.state is JobState.COMPLETED and stored.files
