"""The job book against a real sandbox and a real history: parking and resuming tasks of a
profile not in use, writing only on change, and spending that survives restarts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job, JobState, history_key
from get3w_desktop.core.money import Quote, reported_cost
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.workers.history_loader import HistoryLoader, LoadedHistory
from get3w_desktop.workers.history_writer import HistoryWriter
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner

VIDEO = "google/veo3.1-fast/text-to-video"
IMAGE = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def slow_sandbox() -> Iterator[SandboxServer]:
    """Slow enough that a video task is still running when the app quits."""
    with SandboxServer(SandboxConfig(time_scale=0.1, render_scale=0.25)) as server:
        yield server


@dataclass
class Session:
    """One run of the app: its history, writer, runner, task list and book."""

    store: HistoryStore
    writer: HistoryWriter
    runner: TaskRunner
    book: JobBook
    client: Get3WClient

    def quit(self) -> None:
        assert self.runner.shutdown()
        assert self.writer.close()
        self.client.close()
        self.store.close()


def open_session(path: Path, server: SandboxServer, out: Path) -> Session:
    store = HistoryStore.open(path)
    # Profiles "work" and "home" are two accounts; here both live on the same sandbox.
    writer = HistoryWriter(store, base_urls={"work": server.base_url, "home": server.base_url})
    client = Get3WClient(server.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(client, out, schedule=ScheduleParams().scaled(0.05),
                        journal=lambda job: book.journal(job))  # fmt: skip
    book = JobBook(runner, JobListModel(), journal=writer, catalogue=load_bundled())
    return Session(store, writer, runner, book, client)


def load(qtbot: QtBot, session: Session, profile: str, base_url: str) -> LoadedHistory:
    loader = HistoryLoader(session.store)
    with qtbot.waitSignal(loader.loaded, timeout=10_000) as got:
        loader.load(profile=profile, base_url=base_url, is_sandbox=False)
    loader.shutdown()
    loaded = got.args[0]
    assert isinstance(loaded, LoadedHistory)
    return loaded


def wait_state(qtbot: QtBot, book: JobBook, job: Job, *states: JobState) -> Job:
    qtbot.waitUntil(lambda: (j := book.job(job.local_id)) is not None and j.state in states,
                    timeout=30_000)  # fmt: skip
    found = book.job(job.local_id)
    assert found is not None
    return found


def run_then_quit(qtbot: QtBot, server: SandboxServer, tmp_path: Path, *prompts: str) -> list[Job]:
    """A session on profile "work" that quits while its video tasks run on the server."""
    first = open_session(tmp_path / "history.sqlite3", server, tmp_path / "out")
    first.book.activate_profile("work")
    jobs = [first.book.submit(VIDEO, {"prompt": prompt}, "work") for prompt in prompts]
    running = [wait_state(qtbot, first.book, job, JobState.RUNNING) for job in jobs]
    assert all(job.remote_id is not None for job in running)
    first.quit()  # quitting leaves the tasks running on the server, and resumable here
    return running


def test_tasks_of_a_profile_not_in_use_wait_and_resume_when_it_is(
    qtbot: QtBot, slow_sandbox: SandboxServer, tmp_path: Path
) -> None:
    history, out = tmp_path / "history.sqlite3", tmp_path / "out"
    (running,) = run_then_quit(qtbot, slow_sandbox, tmp_path, "a slow boat")
    job = running
    submits = slow_sandbox.stats.submits

    second = open_session(history, slow_sandbox, out)
    second.book.activate_profile("home")  # the app starts on another profile
    loaded = load(qtbot, second, "home", slow_sandbox.base_url)
    assert [j.local_id for j in loaded.parked] == [job.local_id] and not loaded.resume
    assert second.book.add_history(loaded) == 0
    shown = second.book.job(job.local_id)
    assert shown is not None and shown.state is JobState.RUNNING and "work" in shown.note
    # Parked: not counted as running, and not run by anyone.
    assert second.book.is_parked(job.local_id) and not second.book.is_running(shown)
    assert second.book.active_count() == 0 and second.runner.active_count() == 0

    with qtbot.waitSignal(second.book.resumed, timeout=5000) as resumed:
        assert second.book.activate_profile("work") == 1
    assert resumed.args == [1, "work"]
    assert second.book.active_count() == 1 and second.runner.active_count() == 1
    done = wait_state(qtbot, second.book, job, JobState.COMPLETED, JobState.FAILED)
    assert done.state is JobState.COMPLETED and done.files
    assert done.remote_id == running.remote_id  # polled again, never sent again
    assert slow_sandbox.stats.submits == submits
    second.quit()


def test_a_parked_task_can_be_stopped_and_removed(
    qtbot: QtBot, slow_sandbox: SandboxServer, tmp_path: Path
) -> None:
    history, out = tmp_path / "history.sqlite3", tmp_path / "out"
    stopped, removed = run_then_quit(qtbot, slow_sandbox, tmp_path, "one", "two")

    second = open_session(history, slow_sandbox, out)
    second.book.activate_profile("home")
    second.book.add_history(load(qtbot, second, "home", slow_sandbox.base_url))
    second.book.stop([stopped.local_id])  # Stop works on a parked task
    shown = second.book.job(stopped.local_id)
    assert shown is not None and shown.state is JobState.CANCELLED
    second.book.forget([removed.local_id])  # and Remove takes it out
    assert second.book.job(removed.local_id) is None
    assert second.book.activate_profile("work") == 0  # neither comes back
    assert second.runner.active_count() == 0
    second.quit()
    with HistoryStore.open(history) as store:
        kept = store.get(stopped.local_id)
        assert kept is not None and kept.state is JobState.CANCELLED
        assert store.get(removed.local_id) is None


def test_spent_today_survives_a_restart_and_removing_tasks(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    history, out = tmp_path / "history.sqlite3", tmp_path / "out"
    first = open_session(history, sandbox, out)
    first.book.activate_profile("work")
    assert first.book.spent_today() == 0
    quote = Quote(0.25)  # the price shown when sent (the catalogue's differs)
    jobs = [first.book.submit(IMAGE, {"prompt": f"p{i}"}, "work", quote) for i in range(3)]
    costs = [reported_cost(wait_state(qtbot, first.book, job, JobState.COMPLETED))
             for job in jobs[:2]]  # fmt: skip
    first.book.stop([jobs[2].local_id])  # may never reach the server: then only its quote
    settled = [state for state in JobState if not state.active]  # stopped, done, not saved…
    wait_state(qtbot, first.book, jobs[2], *settled)
    spent = first.book.spent_today()
    assert None not in costs and spent >= sum(c for c in costs if c is not None) > 0
    first.book.forget([jobs[0].local_id])  # removing a task does not give its money back
    assert first.book.spent_today() == pytest.approx(spent)
    first.quit()

    second = open_session(history, sandbox, out)
    second.book.activate_profile("work")
    assert second.book.spent_today() == 0  # nothing known before the history loads
    second.book.add_history(load(qtbot, second, "work", sandbox.base_url))
    assert second.book.spent_today() == pytest.approx(spent)
    assert all(second.book.quotes[job.local_id] == quote for job in jobs)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert second.book.spent_today(tomorrow) == 0
    second.quit()


def test_the_history_is_written_only_when_a_snapshot_changes(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path / "history.sqlite3", sandbox, tmp_path / "out")
    saved: list[Job] = []
    save_many = session.store.save_many

    def counting(jobs: Iterable[Job], **kw: str | None) -> None:
        jobs = list(jobs)
        saved.extend(jobs)
        save_many(jobs, **kw)

    monkeypatch.setattr(session.store, "save_many", counting)
    session.book.activate_profile("work")
    seen: list[Job] = []
    session.runner.job_changed.connect(seen.append)
    repaints: list[int] = []  # the list's dataChanged: each makes the view repaint a row
    rows = session.book.rows
    assert isinstance(rows, JobListModel)
    rows.dataChanged.connect(lambda first, *_: repaints.append(first.row()))
    job = session.book.submit(IMAGE, {"prompt": "x"}, "work")
    wait_state(qtbot, session.book, job, JobState.COMPLETED)
    writes, repainted = session.book.history_writes, len(repaints)
    # The same snapshot again (a poll that learnt nothing) writes nothing, repaints nothing.
    final = session.book.job(job.local_id)
    session.runner.job_changed.emit(final)
    assert session.book.history_writes == writes
    assert len(repaints) == repainted
    session.quit()  # drains the writer
    keys = [history_key(j) for j in saved if j.local_id == job.local_id]
    changes = list(dict.fromkeys(history_key(j) for j in seen))
    assert len(seen) > len(changes)  # notes and polls that learnt nothing…
    moved = sum(1 for before, after in itertools.pairwise(seen) if before != after)
    assert 0 < repainted <= moved < len(seen) - 1  # …repainted nothing: a row update per change
    assert len(keys) == len(set(keys))  # …were never written, and no change was written twice
    assert set(keys) <= set(changes) and keys[-1] == history_key(seen[-1])
    assert len(keys) >= 4  # submitting, running, downloading, completed at least


def test_without_a_profile_the_loaders_plan_is_followed(
    qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A book never told the profile (a window without a service) resumes what the loader
    planned for the profile in use, and leaves the other profiles' tasks parked."""
    session = open_session(tmp_path / "history.sqlite3", sandbox, tmp_path / "out")
    mine = Job(model_id=IMAGE, params={"prompt": "never sent"}, profile="work")
    other = Job(model_id=IMAGE, params={"prompt": "elsewhere"}, profile="home")
    loaded = LoadedHistory((mine, other), (mine,), (), 0.0, parked=(other,))
    assert session.book.add_history(loaded) == 1
    assert session.book.is_parked(other.local_id) and not session.book.is_parked(mine.local_id)
    done = wait_state(qtbot, session.book, mine, JobState.COMPLETED, JobState.FAILED)
    assert done.state is JobState.COMPLETED
    session.quit()
