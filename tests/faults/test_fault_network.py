"""The network goes away, hangs or trickles: tasks wait, time out cleanly and resume."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api import download as dl
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import make_output_session
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.errors import DownloadError, Get3WError, NetworkError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import IMAGE, Recorder, files_under, sha256

SCALE = 0.01
WAITING = "Waiting for the network"


def in_thread(call: Callable[[], object], limit: float) -> tuple[bool, object]:
    """(returned within `limit` seconds, its result or exception). The thread is joined
    for good afterwards, so a regression shows as a failure, not as a hung suite."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as exc:
            result.append(exc)

    thread = threading.Thread(target=run, name="bounded-call")
    thread.start()
    thread.join(limit)
    returned = not thread.is_alive()
    return returned, result[0] if result else None


def test_tasks_wait_through_an_outage_and_finish_by_themselves(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, duration_fn=lambda _m, _p: 150.0)
    server = SandboxServer(config).start()
    client = Get3WClient(server.base_url, SANDBOX_API_KEY, timeout=(1.0, 2.0), deadline=5.0)
    runner = TaskRunner(client, tmp_path / "out", max_concurrency=4,
                        schedule=ScheduleParams().scaled(SCALE))  # fmt: skip
    recorder = Recorder(runner)
    jobs = [Job(IMAGE, {"prompt": f"outage {n}"}) for n in range(4)]
    back: SandboxServer | None = None
    try:
        for job in jobs:
            runner.start(job)
        qtbot.waitUntil(lambda: all(recorder.final(j).remote_id for j in jobs), timeout=10_000)
        server.stop()  # the network is gone: refused connections, reset keep-alives
        qtbot.waitUntil(
            lambda: all(WAITING in recorder.final(j).note for j in jobs), timeout=10_000
        )
        assert all(recorder.final(j).state is JobState.RUNNING for j in jobs)
        back = server.restarted()  # same port, same memory
        assert back.base_url == server.base_url
        qtbot.waitUntil(lambda: recorder.all_done(jobs), timeout=20_000)
    finally:
        assert runner.shutdown()
        client.close()
        (back or server).stop()
    finals = recorder.finals(jobs)
    assert [j.state for j in finals] == [JobState.COMPLETED] * 4, [j.error for j in finals]
    assert back.stats.submits == 4  # resumed by polling, never by submitting again
    for job in finals:
        assert [sha256(f) for f in job.files] == back.output_checksums(job.remote_id or "")


def resumed_job(server: SandboxServer) -> Job:
    """A job whose task the server already has (as after an app restart): only polls."""
    model = load_bundled().get(IMAGE)
    assert model is not None
    task = server.state.create(SANDBOX_API_KEY, model, {"prompt": "resumed"}, None)
    return Job(IMAGE, {"prompt": "resumed"}, state=JobState.RUNNING, submitted_at=time.time(),
               task=Task(task.id, "created", IMAGE, estimated_duration=task.estimate))  # fmt: skip


@pytest.mark.parametrize("fault", ["hang", "drip"])
def test_a_server_that_hangs_or_drips_gets_time_outs_retries_and_a_prompt_cancel(
    qtbot: QtBot, tmp_path: Path, fault: str
) -> None:
    faults = FaultConfig(**{fault: 1.0})  # type: ignore[arg-type]
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, faults=faults)
    with SandboxServer(config) as server:
        # A read timeout longer than the drip's one byte a second: only the deadline helps.
        client = Get3WClient(server.base_url, SANDBOX_API_KEY, timeout=(0.5, 1.5), deadline=1.0)
        runner = TaskRunner(client, tmp_path, schedule=ScheduleParams().scaled(SCALE))
        recorder = Recorder(runner)
        job = resumed_job(server)
        try:
            runner.start(job)
            qtbot.waitUntil(lambda: sum(WAITING in j.note for j in recorder.snapshots.get(
                job.local_id, [])) >= 2, timeout=15_000)  # fmt: skip
            runner.cancel(job.local_id)
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=10_000)
        finally:
            assert runner.shutdown(5_000)
            client.close()
        assert recorder.final(job).state is JobState.CANCELLED
        assert server.stats.polls_by_task[job.remote_id or ""] >= 2  # retried, not stuck
        assert server.stats.faults_injected[fault] >= 2


def test_a_dripping_answer_head_is_cut_off_by_the_deadline() -> None:
    """requests' timeouts are per socket read: without the deadline this waits minutes."""
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(drip=1.0))
    with (
        SandboxServer(config) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY, timeout=(0.5, 2.0), deadline=1.5) as client,
    ):
        returned, outcome = in_thread(lambda: client.get("any-task"), limit=20.0)
        assert returned, "a dripping head held the request past its deadline"
        assert isinstance(outcome, NetworkError) and outcome.maybe_sent
        assert "too slowly" in outcome.message


def test_a_dripping_download_head_is_cut_off_and_leaves_no_file(tmp_path: Path) -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(drip=1.0))
    with SandboxServer(config) as server, make_output_session() as session:
        url = f"{server.output_base_url}/outputs/none/0.png"

        def fetch() -> object:
            return dl.download(session, url, tmp_path, "t_0", timeout=(0.5, 2.0),
                               head_deadline=1.5)  # fmt: skip

        returned, outcome = in_thread(fetch, limit=20.0)
        assert returned
        assert isinstance(outcome, DownloadError) and outcome.transient
        assert "too slowly" in outcome.message
    assert files_under(tmp_path) == set()


def test_a_hanging_server_is_a_clean_time_out() -> None:
    config = SandboxConfig(time_scale=SCALE, faults=FaultConfig(hang=1.0))
    with (
        SandboxServer(config) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY, timeout=(0.5, 0.5), deadline=5.0) as client,
    ):
        returned, outcome = in_thread(lambda: client.get("any-task"), limit=20.0)
        assert returned
        assert isinstance(outcome, Get3WError) and outcome.transient
        assert "did not answer in time" in outcome.message
