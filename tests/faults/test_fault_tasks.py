"""Tasks the server mishandles: a lost submit answer, a forgotten task, one stuck `created`,
and a laptop that slept through its waits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import EventSleeper, Wake, wait_for_task
from get3w_desktop.core.errors import Action, NotFoundError
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import IMAGE, Recorder, files_under
from tests.faults.test_fault_network import resumed_job
from tests.sandbox.support import ManualClock

SCALE = 0.01
FAST = ScheduleParams().scaled(SCALE)


def test_a_lost_submit_answer_is_uncertain_and_never_sent_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(reset_after_submit=1.0))
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, tmp_path, schedule=FAST)
        recorder = Recorder(runner)
        job = runner.submit(IMAGE, {"prompt": "charged once"})
        try:
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
        finally:
            assert runner.shutdown()
        done = recorder.final(job)
        assert done.state is JobState.UNCERTAIN
        assert done.state.label == "Submission uncertain"
        assert done.error_action is Action.CHOOSE  # the person decides, with the facts
        assert "may have been created" in (done.error or "")
        assert "not sent again" in (done.error or "")
        assert server.stats.submits == 1 and server.task_count() == 1
        [task] = server.state.tasks.values()
        assert task.params["prompt"] == "charged once"  # it exists, and only once
        assert server.stats.polls_by_task == {}  # and nothing pretended to know its id


def test_a_task_forgotten_long_after_submit_is_reported_unknown_and_kept(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(forget_after=0.0))
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, tmp_path, schedule=FAST)
        recorder = Recorder(runner)
        job = resumed_job(server).evolve(submitted_at=time.time() - 3600)  # an hour ago
        try:
            runner.start(job)
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
        finally:
            assert runner.shutdown()
        done = recorder.final(job)
        assert done.state is JobState.FAILED
        assert "no longer knows this task" in (done.error or "")
        assert done.remote_id == job.remote_id and done.params == job.params  # kept
    assert files_under(tmp_path) == set()


def test_a_404_soon_after_submit_is_retried_then_reported_once_it_persists() -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(forget_after=30.0),
                           duration_fn=lambda _m, _p: 1000.0)  # fmt: skip
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        task = client.submit(IMAGE, {"prompt": "forgotten"})
        states: list[str] = []
        with pytest.raises(NotFoundError) as caught:
            wait_for_task(client, task, cancel=threading.Event(), params=FAST,
                          not_found_grace=0.6,
                          on_event=lambda e: states.append(e.state.value))  # fmt: skip
        assert "no longer knows this task" in caught.value.message
        assert "polled" in states  # it was known at first
        assert "retrying" in states  # the first 404s were taken for eventual consistency


def test_a_task_stuck_created_is_shown_overdue_while_still_being_checked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(stuck_created=1.0))
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, tmp_path, schedule=FAST)
        recorder = Recorder(runner)
        job = runner.submit(IMAGE, {"prompt": "stuck"})
        try:
            qtbot.waitUntil(lambda: recorder.final(job).overdue, timeout=15_000)
            overdue = recorder.final(job)
            polls_then = server.stats.polls_by_task[overdue.remote_id or ""]
            qtbot.waitUntil(
                lambda: server.stats.polls_by_task[overdue.remote_id or ""] >= polls_then + 2,
                timeout=15_000,
            )
            still = recorder.final(job)
            runner.cancel(job.local_id)
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=10_000)
        finally:
            assert runner.shutdown()
        assert overdue.state is JobState.RUNNING and overdue.task is not None
        assert overdue.task.status == "created"
        assert "Slower than usual" in overdue.note
        assert still.state is JobState.RUNNING and still.overdue
        assert server.task_count() == 1


def test_after_a_sleep_every_waiting_task_is_polled_at_once() -> None:
    clock = ManualClock()
    config = SandboxConfig(clock=clock, render_scale=0.1)
    model = "openai/sora-2/text-to-video"  # estimated 180 s: the first poll is ~90 s away
    tasks = 5
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        submitted = [client.submit(model, {"prompt": f"sleepy {n}"}) for n in range(tasks)]
        leap = [0.0]
        sleeping = threading.Semaphore(0)
        cancel = threading.Event()

        def wall() -> float:
            return time.time() + leap[0]

        class CountingSleeper(EventSleeper):
            def __call__(self, seconds: float) -> Wake:
                sleeping.release()
                return super().__call__(seconds)

        results: dict[str, Task] = {}

        def wait(task: Task) -> None:
            sleeper = CountingSleeper(cancel, slice_seconds=0.02, wall=wall)
            results[task.id] = wait_for_task(client, task, cancel=cancel, sleep=sleeper)

        threads = [threading.Thread(target=wait, args=(t,)) for t in submitted]
        for thread in threads:
            thread.start()
        try:
            for _ in range(tasks):  # every waiter is asleep in its first, long wait
                assert sleeping.acquire(timeout=10)
            clock.advance(10_000.0)  # meanwhile the tasks finished on the server
            leap[0] = 3600.0  # the lid opens: the wall clock is an hour ahead
            for thread in threads:
                thread.join(30)
        finally:
            cancel.set()
            for thread in threads:
                thread.join()
        assert sorted(results) == sorted(t.id for t in submitted)
        assert all(task.status == "completed" for task in results.values())
        assert server.stats.polls_by_task == {t.id: 1 for t in submitted}  # once each
