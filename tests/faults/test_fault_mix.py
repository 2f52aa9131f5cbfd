"""100 tasks through the GUI's runner against a sandbox that misbehaves on purpose.

The sandbox decides the faults deterministically and keeps its own record of every task,
so the client's view can be compared with the truth: what exists on the server, in which
state, with which output bytes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import (
    IMAGE,
    Recorder,
    files_under,
    recording_excepthooks,
    run_all,
    server_view,
    sha256,
)

SCALE = 0.002
TASKS = 100

pytestmark = pytest.mark.slow


@pytest.fixture
def faulty() -> Iterator[SandboxServer]:
    config = SandboxConfig(
        time_scale=SCALE,
        render_scale=0.1,
        seed=8,
        failure_rate=0.1,
        faults=FaultConfig(
            server_error=0.20,  # 502/503/504 with nginx's HTML page, on every API route
            rate_limit=0.10,
            retry_after=0.05,
            malformed_json=0.05,
            reset=0.05,  # polls only
            truncated_download=0.05,
        ),
    )
    with SandboxServer(config) as server:
        yield server


def test_every_task_reaches_its_true_state_through_a_storm_of_faults(
    qtbot: QtBot, faulty: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    outputs = tmp_path / "outputs"
    client = Get3WClient(faulty.base_url, SANDBOX_API_KEY, timeout=(2.0, 5.0), deadline=10.0)
    runner = TaskRunner(client, outputs, max_concurrency=8, expected_kind=lambda _m: "image",
                        schedule=ScheduleParams().scaled(SCALE))  # fmt: skip
    recorder = Recorder(runner)
    jobs = [Job(IMAGE, {"prompt": f"storm {n}"}) for n in range(TASKS)]
    try:
        with recording_excepthooks() as caught:
            run_all(qtbot, runner, recorder, jobs, timeout_ms=90_000)
    finally:
        assert runner.shutdown()
        client.close()
    finals = {job.params["prompt"]: recorder.final(job) for job in jobs}
    truth = server_view(faulty)
    stats = requests.get(f"{faulty.base_url}/_sandbox/stats", timeout=5).json()

    # Every fault of the mix really happened.
    injected = faulty.stats.faults_injected
    for fault in ("server_error", "rate_limit", "malformed_json", "reset", "truncated_download"):
        assert injected.get(fault, 0) > 0, injected

    # No task was submitted twice: one server task per prompt, and it is the job's task.
    assert len({t.prompt for t in truth}) == len(truth) == stats["submits"] == stats["tasks"]
    for task in truth:
        assert finals[task.prompt].remote_id == task.id

    # Each job with a server task ends as that task truly ended, with the very bytes served.
    for task in truth:
        job = finals[task.prompt]
        if task.status == "completed":
            assert job.state is JobState.COMPLETED, (job.state, job.error)
            assert [sha256(f) for f in job.files] == list(task.checksums) != []
            assert stats["checksums"][task.id] == list(task.checksums)
        else:
            assert task.status == "failed"
            assert job.state is JobState.FAILED and job.error == task.error
    # A job without one was never created: it says so (or that it may have been), nothing
    # was charged silently, and nothing was sent again.
    on_server = {t.prompt for t in truth}
    unsent = [job for prompt, job in finals.items() if prompt not in on_server]
    for job in unsent:
        assert job.remote_id is None
        assert job.state in (JobState.UNCERTAIN, JobState.FAILED), job.state
        assert job.error
    assert any(job.state is JobState.UNCERTAIN for job in unsent)  # 502/504 after the POST
    assert all("may have been created" in (j.error or "") for j in unsent
               if j.state is JobState.UNCERTAIN)  # fmt: skip
    states = Counter(job.state for job in finals.values())
    assert states[JobState.COMPLETED] >= TASKS // 2, states

    # On disk: exactly the completed jobs' files, no partial download left behind.
    saved = {Path(f) for job in finals.values() for f in job.files}
    assert files_under(outputs) == saved

    # People were told what was going on while it happened.
    notes = " ".join(recorder.notes())
    assert "Retrying in" in notes and "Waiting for the network" in notes, notes[:500]
    assert "Rate limited" in notes or "limiting requests" in notes

    # Nothing escaped: no excepthook, no crashed worker, no error logged.
    assert caught == []
    assert not any("unexpected error" in (job.error or "") for job in finals.values())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert recorder.idle_count >= 1
