"""The history writer, the start-up loader and the worker's durable records."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.pacing import Pacer
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.workers import history_loader
from get3w_desktop.workers.history_loader import SANDBOX_GONE, HistoryLoader, LoadedHistory
from get3w_desktop.workers.history_writer import HistoryWriter, NotRecordedError
from get3w_desktop.workers.runner import TaskRunner


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as opened:
        yield opened


class _Gated:
    """A store whose first save waits for `gate`: what queues meanwhile is one batch."""

    def __init__(self, store: HistoryStore) -> None:
        self.store, self.gate, self.entered = store, threading.Event(), threading.Event()
        self.saved: list[list[JobState]] = []

    def save_many(self, jobs: Iterable[Job], **kw: str | None) -> None:
        jobs = list(jobs)
        self.entered.set()
        self.gate.wait(10)
        self.saved.append([job.state for job in jobs])
        self.store.save_many(jobs, **kw)

    def delete(self, local_ids: Iterable[str]) -> int:
        return self.store.delete(local_ids)

    def save_spend(self, records: Iterable[SpendRecord]) -> None:
        self.store.save_spend(records)


def test_snapshots_are_written_in_order_and_batched(store: HistoryStore) -> None:
    gated = _Gated(store)
    writer = HistoryWriter(gated, base_urls={"sandbox": "http://127.0.0.1:1"})
    job = Job(model_id="m", params={"prompt": "p"})
    writer.record(job)
    assert gated.entered.wait(5)  # the first write is under way, and held
    for state in (JobState.SUBMITTING, JobState.RUNNING, JobState.COMPLETED):
        writer.record(job := job.evolve(state=state))
    gated.gate.set()
    assert writer.close()
    stored = store.entry(job.local_id)
    assert stored is not None and stored.job.state is JobState.COMPLETED
    assert stored.base_url == "http://127.0.0.1:1"
    # Four snapshots, two transactions: the three queued behind the first went as one,
    # and only the newest snapshot of the job in that batch was written.
    assert writer.writes == 2
    assert gated.saved == [[JobState.QUEUED], [JobState.COMPLETED]]


def test_a_durable_record_is_on_disk_when_it_returns(store: HistoryStore) -> None:
    writer = HistoryWriter(store)
    job = Job(model_id="m", params={}, state=JobState.SUBMITTING)
    writer.record_durably(job)
    got = store.get(job.local_id)
    assert got is not None and got.state is JobState.SUBMITTING
    writer.forget([job.local_id])
    writer.close()
    assert store.get(job.local_id) is None


class _FullDisk:
    def save_many(self, jobs: Iterable[Job], **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    def delete(self, local_ids: Iterable[str]) -> int:
        return 0

    def save_spend(self, records: Iterable[SpendRecord]) -> None:
        raise OSError(28, "No space left on device")


def test_a_failed_durable_record_raises_and_reports(qtbot: QtBot) -> None:
    writer = HistoryWriter(_FullDisk())
    with (
        qtbot.waitSignal(writer.failed, timeout=5000) as failed,
        pytest.raises(NotRecordedError, match="No space"),
    ):
        writer.record_durably(Job(model_id="m", params={}))
    assert "history could not be saved" in str(failed.args[0])
    writer.close()


def test_nothing_is_sent_when_the_history_cannot_record_it(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    writer = HistoryWriter(_FullDisk())
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(client, tmp_path / "out", schedule=ScheduleParams().scaled(0.02),
                        journal=writer.record_durably)  # fmt: skip
    seen: list[Job] = []
    runner.job_changed.connect(seen.append)
    with qtbot.waitSignal(runner.idle, timeout=10000):
        runner.submit("google/nano-banana-pro/text-to-image", {"prompt": "x"})
    assert seen[-1].state is JobState.FAILED and "Not sent" in (seen[-1].error or "")
    assert sandbox.stats.submits == 0
    runner.shutdown()
    writer.close()
    client.close()


def test_the_worker_records_before_sending_and_once_the_id_is_known(
    qtbot: QtBot, sandbox: SandboxServer, store: HistoryStore, tmp_path: Path
) -> None:
    recorded: list[tuple[JobState, str | None, int]] = []
    writer = HistoryWriter(store)

    def journal(job: Job) -> None:
        writer.record_durably(job)
        recorded.append((job.state, job.remote_id, sandbox.stats.submits))

    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(client, tmp_path / "out", schedule=ScheduleParams().scaled(0.02),
                        journal=journal)  # fmt: skip
    with qtbot.waitSignal(runner.idle, timeout=20000):
        runner.submit("google/nano-banana-pro/text-to-image", {"prompt": "x"})
    assert recorded[0] == (JobState.SUBMITTING, None, 0)  # on disk before the POST
    assert recorded[1][0] is JobState.RUNNING and recorded[1][1] and recorded[1][2] == 1
    runner.shutdown()
    writer.close()
    client.close()


def _entry_job(state: JobState, profile: str, remote: bool, **kw: object) -> Job:
    task = Task(id=f"r-{state.value}-{profile}", status="processing") if remote else None
    return Job(model_id="m", params={"prompt": state.value}, state=state, profile=profile,
               task=task, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_the_loader_sorts_out_what_a_crash_left(qtbot: QtBot, store: HistoryStore) -> None:
    here, old_sandbox = "https://api.example.test", "http://127.0.0.1:9"
    running = _entry_job(JobState.RUNNING, "work", remote=True)
    queued = _entry_job(JobState.QUEUED, "work", remote=False)
    lost = _entry_job(JobState.SUBMITTING, "work", remote=False)
    other = _entry_job(JobState.RUNNING, "home", remote=True)
    stale = _entry_job(JobState.RUNNING, "sandbox", remote=True)
    done = _entry_job(JobState.COMPLETED, "work", remote=True)
    store.save_many([running, queued, lost, done], base_url=here)
    store.save_many([other], base_url="https://other.example.test")
    store.save_many([stale], base_url=old_sandbox)
    # Rows written by this very process look "owned by a live process" to a second one;
    # here the loader runs in the same process, which counts as not alive (ours).
    loader = HistoryLoader(store)
    with qtbot.waitSignal(loader.loaded, timeout=10000) as got:
        loader.load(profile="work", base_url=here, is_sandbox=False)
    result = got.args[0]
    assert isinstance(result, LoadedHistory)
    assert {j.local_id for j in result.resume} == {running.local_id, queued.local_id}
    settled = {j.local_id: j for j in result.settled}
    assert settled[lost.local_id].state is JobState.UNCERTAIN
    assert settled[stale.local_id].state is JobState.FAILED
    assert settled[stale.local_id].error == SANDBOX_GONE
    assert other.local_id not in settled and other.local_id not in {
        j.local_id for j in result.resume
    }
    assert len(result.jobs) == 6
    stored = store.get(lost.local_id)
    assert stored is not None and stored.state is JobState.UNCERTAIN  # written back
    loader.wait()


def test_the_writer_thread_stops_on_close(store: HistoryStore) -> None:
    writer = HistoryWriter(store)
    writer.record(Job(model_id="m", params={}))
    assert writer.close()
    assert not any(t.name == "history-writer" for t in threading.enumerate())


def test_the_loader_sends_the_newest_page_first_then_the_rest_in_pages(
    qtbot: QtBot, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_loader, "FIRST_PAGE", 4)
    monkeypatch.setattr(history_loader, "PAGE", 5)
    here = "https://api.example.test"
    jobs = [Job(model_id="m", params={"prompt": str(i)}, state=JobState.COMPLETED,
                profile="work", created_at=1000.0 + i) for i in range(12)]  # fmt: skip
    unfinished = _entry_job(JobState.QUEUED, "work", remote=False).evolve(created_at=1.0)
    store.save_many([*jobs, unfinished], base_url=here)
    loader = HistoryLoader(store)
    pages: list[LoadedHistory] = []
    loader.loaded.connect(pages.append)
    loader.load(profile="work", base_url=here, is_sandbox=False)
    qtbot.waitUntil(lambda: bool(pages) and not pages[-1].more, timeout=10000)
    loader.wait()
    assert [len(page.jobs) for page in pages] == [4, 5, 4]  # 13 tasks: 4, then pages of 5
    assert [page.more for page in pages] == [True, True, False]
    # The oldest task is unfinished: resumed from the first page, though listed in the last.
    assert [j.local_id for j in pages[0].resume] == [unfinished.local_id]
    assert all(not page.resume and not page.spend for page in pages[1:])
    listed = [job.local_id for page in pages for job in page.jobs]
    newest_first = [job.local_id for job in reversed(jobs)] + [unfinished.local_id]
    assert listed == newest_first  # each once, newest first


def test_each_loaded_page_is_kept_out_of_the_collectors_full_passes(
    qtbot: QtBot, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 16: a full collection walking 100,000 loaded jobs held the GIL for 0.2-0.8 s.
    monkeypatch.setattr(history_loader, "FIRST_PAGE", 2)
    monkeypatch.setattr(history_loader, "PAGE", 3)
    store.save_many([Job(model_id="m", params={"prompt": str(i)}, state=JobState.COMPLETED,
                         created_at=1000.0 + i) for i in range(7)])  # fmt: skip
    loader = HistoryLoader(store)
    pages: list[LoadedHistory] = []
    loader.loaded.connect(pages.append)
    frozen_before = gc.get_freeze_count()
    loader.load(profile="default", base_url="https://api.example.test", is_sandbox=False)
    qtbot.waitUntil(lambda: bool(pages) and not pages[-1].more, timeout=10000)
    loader.wait()
    assert [len(page.jobs) for page in pages] == [2, 3, 2]
    assert all(gc.is_tracked(job) for page in pages for job in page.jobs)
    assert gc.get_freeze_count() > frozen_before
    collectable = {id(o) for o in gc.get_objects()}  # frozen objects are not listed
    assert not any(id(job) in collectable for page in pages for job in page.jobs)


def test_pages_are_converted_row_by_row_with_the_lock_handed_over_between(
    qtbot: QtBot, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 16: a whole page converted in one go kept the GUI thread off the interpreter lock.
    monkeypatch.setattr(history_loader, "FIRST_PAGE", 2)
    monkeypatch.setattr(history_loader, "PAGE", 5)
    ticks: list[int] = []
    pacers: list[Pacer] = []

    def every_row() -> Pacer:  # a budget of 0: it pauses after every row it is told of
        pacer = Pacer(0.0, 0.0, sleep=lambda _s: ticks.append(len(pacers)))
        pacers.append(pacer)
        return pacer

    monkeypatch.setattr(history_loader, "_pacer", every_row)
    jobs = [Job(model_id="m", params={"prompt": str(i)}, state=JobState.COMPLETED,
                created_at=1000.0 + i) for i in range(13)]  # fmt: skip
    store.save_many(jobs)
    loader = HistoryLoader(store)
    pages: list[LoadedHistory] = []
    loader.loaded.connect(pages.append)
    loader.load(profile="default", base_url="https://api.example.test", is_sandbox=False)
    qtbot.waitUntil(lambda: bool(pages) and not pages[-1].more, timeout=10000)
    loader.wait()
    assert [len(page.jobs) for page in pages] == [2, 5, 5, 1]
    listed = [job.local_id for page in pages for job in page.jobs]
    assert listed == [job.local_id for job in reversed(jobs)]  # each once, newest first
    # One pacer per page, told of every row it converted: 13 rows, 13 hand-overs.
    assert [p.pauses for p in pacers] == [2, 5, 5, 1]
    assert len(ticks) == 13


def test_store_jobs_is_list_newest_first_converted_as_taken(store: HistoryStore) -> None:
    jobs = [Job(model_id="m", params={"prompt": str(i)}, state=JobState.COMPLETED,
                created_at=1000.0 + i) for i in range(7)]  # fmt: skip
    store.save_many(jobs)
    listed = [entry.job for entry in store.list(limit=4, offset=2)]
    assert list(store.jobs(limit=4, offset=2)) == listed
    assert [j.local_id for j in listed] == [j.local_id for j in reversed(jobs)][2:6]
    rows = store.jobs(limit=3)
    first = next(rows)  # converted one at a time
    assert first.local_id == jobs[-1].local_id and len(list(rows)) == 2


def test_a_history_of_one_page_is_left_to_the_collector(qtbot: QtBot, store: HistoryStore) -> None:
    store.save_many([Job(model_id="m", params={}, state=JobState.COMPLETED) for _ in range(3)])
    loader = HistoryLoader(store)
    pages: list[LoadedHistory] = []
    loader.loaded.connect(pages.append)
    frozen_before = gc.get_freeze_count()
    loader.load(profile="default", base_url="https://api.example.test", is_sandbox=False)
    qtbot.waitUntil(lambda: bool(pages), timeout=10000)
    loader.wait()
    assert [len(page.jobs) for page in pages] == [3] and not pages[0].more
    assert gc.get_freeze_count() == frozen_before
