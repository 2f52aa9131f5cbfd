"""The runner and its workers, against a scripted in-process client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.download import DownloadResult
from get3w_desktop.core.errors import (
    AuthError,
    NetworkError,
    SubmissionUncertainError,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.workers.runner import TaskRunner

FAST = ScheduleParams(jitter=0.0).scaled(0.002)


class FakeClient:
    """Scripted answers; records calls and the highest number of concurrent submits."""

    def __init__(self, polls_until_done: int = 2, final_status: str = "completed") -> None:
        self.polls_until_done = polls_until_done
        self.final_status = final_status
        self.submit_error: Exception | None = None
        self.poll_error: Exception | None = None
        self.hold_submits = threading.Event()
        self.hold_submits.set()
        self.submits = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.polls: dict[str, int] = {}
        self.uploaded: list[Path] = []
        self._lock = threading.Lock()

    def submit_with_safe_retries(self, model_id: str, params: object, **kw: Any) -> Task:
        with self._lock:
            self.submits += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            number = self.submits
        try:
            self.hold_submits.wait(10)
            if self.submit_error is not None:
                raise self.submit_error
            return Task(id=f"t-{number}", status="created", model=model_id,
                        estimated_duration=0.05)  # fmt: skip
        finally:
            with self._lock:
                self.in_flight -= 1

    def upload(self, path: Path) -> str:
        self.uploaded.append(path)
        return f"https://uploads.example.com/{path.name}"

    def get(self, task_id: str) -> Task:
        if self.poll_error is not None:
            raise self.poll_error
        with self._lock:
            self.polls[task_id] = self.polls.get(task_id, 0) + 1
            count = self.polls[task_id]
        if count < self.polls_until_done:
            return Task(id=task_id, status="processing")
        if self.final_status == "failed":
            return Task(id=task_id, status="failed", code=1200, error="Blocked by moderation")
        return Task(
            id=task_id, status="completed", outputs=(f"https://cdn.example.com/{task_id}.png",)
        )

    def download(self, url: str, folder: Path, stem: str, **kw: Any) -> DownloadResult:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\nfake")
        return DownloadResult(path, 12, "0" * 64, "image/png", url)


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


@pytest.fixture
def runner(client: FakeClient, tmp_path: Path) -> Iterator[TaskRunner]:
    runner = TaskRunner(client, tmp_path / "outputs", max_concurrency=2, schedule=FAST)
    yield runner
    runner.shutdown()


def record(runner: TaskRunner) -> dict[str, list[Job]]:
    seen: dict[str, list[Job]] = {}
    main_thread = threading.current_thread()

    def on_change(job: Job) -> None:
        assert threading.current_thread() is main_thread  # delivered on the GUI thread
        seen.setdefault(job.local_id, []).append(job)

    runner.job_changed.connect(on_change)
    return seen


def final(seen: dict[str, list[Job]], job: Job) -> Job:
    return seen[job.local_id][-1]


def test_a_job_goes_from_queued_to_saved_files(qtbot: QtBot, runner: TaskRunner) -> None:
    seen = record(runner)
    job = runner.submit("google/nano-banana-pro/text-to-image", {"prompt": "a cat"})
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.COMPLETED, timeout=5000)
    states = [j.state for j in seen[job.local_id]]
    order = [JobState.QUEUED, JobState.SUBMITTING, JobState.RUNNING, JobState.DOWNLOADING,
             JobState.COMPLETED]  # fmt: skip
    # Each state once, in this order (a state may repeat only back to back: polls, notes).
    assert [s for i, s in enumerate(states) if i == 0 or s is not states[i - 1]] == order
    done = final(seen, job)
    assert done.remote_id == "t-1"
    assert len(done.files) == 1 and Path(done.files[0]).read_bytes().startswith(b"\x89PNG")
    assert done.finished_at is not None and done.submitted_at is not None


def test_local_files_are_uploaded_before_submitting(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient, tmp_path: Path
) -> None:
    picture = tmp_path / "in.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x", "images": [picture.as_uri()]})
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.COMPLETED, timeout=5000)
    assert client.uploaded == [picture]


def test_an_uncertain_submit_is_shown_as_such_and_not_repeated(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient
) -> None:
    client.submit_error = SubmissionUncertainError("The answer was lost.")
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: not final(seen, job).state.active, timeout=5000)
    assert final(seen, job).state is JobState.UNCERTAIN
    assert client.submits == 1


def test_a_failed_task_carries_the_server_error(qtbot: QtBot, tmp_path: Path) -> None:
    client = FakeClient(final_status="failed")
    runner = TaskRunner(client, tmp_path, schedule=FAST)
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: not final(seen, job).state.active, timeout=5000)
    runner.shutdown()
    assert final(seen, job).state is JobState.FAILED
    assert final(seen, job).error == "Blocked by moderation"


def test_auth_failure_during_polling_fails_the_job_with_its_message(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient
) -> None:
    client.poll_error = AuthError("The key was refused.")
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: not final(seen, job).state.active, timeout=5000)
    assert (final(seen, job).state, final(seen, job).error) == (
        JobState.FAILED,
        "The key was refused.",
    )


def test_network_trouble_while_waiting_is_a_note_not_a_failure(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient
) -> None:
    client.poll_error = NetworkError("Could not connect.", maybe_sent=False)
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: "network" in final(seen, job).note.lower(), timeout=5000)
    assert final(seen, job).state is JobState.RUNNING
    client.poll_error = None
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.COMPLETED, timeout=10000)
    assert final(seen, job).note == ""


def test_the_concurrency_limit_holds_and_queued_jobs_can_be_cancelled(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient
) -> None:
    client.hold_submits.clear()
    seen = record(runner)
    jobs = [runner.submit("m", {"prompt": str(i)}) for i in range(4)]
    qtbot.waitUntil(lambda: client.in_flight == 2, timeout=5000)
    runner.cancel(jobs[3].local_id)  # still queued: never submitted
    assert final(seen, jobs[3]).state is JobState.CANCELLED
    client.hold_submits.set()
    qtbot.waitUntil(lambda: all(not final(seen, j).state.active for j in jobs), timeout=10000)
    assert client.max_in_flight == 2
    assert client.submits == 3
    assert [final(seen, j).state for j in jobs[:3]] == [JobState.COMPLETED] * 3


def test_cancel_stops_waiting_at_once_without_touching_the_server(
    qtbot: QtBot, client: FakeClient, tmp_path: Path
) -> None:
    client.polls_until_done = 10**9
    runner = TaskRunner(client, tmp_path, schedule=ScheduleParams())  # real-time schedule
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.RUNNING, timeout=5000)
    runner.cancel(job.local_id)
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.CANCELLED, timeout=5000)
    assert runner.shutdown(timeout_ms=5000)


def test_quitting_leaves_running_jobs_resumable(
    qtbot: QtBot, client: FakeClient, tmp_path: Path
) -> None:
    client.polls_until_done = 10**9
    runner = TaskRunner(client, tmp_path, schedule=ScheduleParams())
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: final(seen, job).state is JobState.RUNNING, timeout=5000)
    assert runner.shutdown(timeout_ms=5000)
    assert runner.shutdown(timeout_ms=5000)  # idempotent
    qtbot.wait(50)
    assert final(seen, job).state is JobState.RUNNING
    assert final(seen, job).remote_id == "t-1"


def test_a_bug_in_a_worker_fails_its_job_without_reaching_qt(
    qtbot: QtBot, runner: TaskRunner, client: FakeClient
) -> None:
    client.submit_error = ZeroDivisionError("bug")
    seen = record(runner)
    job = runner.submit("m", {"prompt": "x"})
    qtbot.waitUntil(lambda: not final(seen, job).state.active, timeout=5000)
    assert final(seen, job).state is JobState.FAILED
    assert "unexpected" in (final(seen, job).error or "")
