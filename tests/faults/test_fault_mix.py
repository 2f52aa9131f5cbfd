"""100 tasks through the GUI's runner against a sandbox that misbehaves on purpose.

The sandbox decides the faults deterministically and keeps its own record of every task,
so the client's view can be compared with the truth: what exists on the server, in which
state, with which output bytes. Besides the network's faults, the hostile and odd
servers of issue 17 are in the mix (compressed answers, lone surrogates, deep fields,
echoed keys, estimates in milliseconds, huge and redirected submit answers, outputs cut
without a length or corrupt behind a right signature), and every snapshot is saved to a
history as the app does.
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
from get3w_desktop.core.redact import REDACTED
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
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
DOWNLOAD_ATTEMPTS = 4  # Get3WClient.download's default
HOSTILE = ("gzip", "surrogate", "deep_field", "echo_key", "absurd_estimate", "huge_submit",
           "bad_redirect", "lengthless_truncation", "corrupt_image")  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture
def faulty() -> Iterator[SandboxServer]:
    config = SandboxConfig(
        time_scale=SCALE,
        render_scale=0.1,
        seed=8,
        failure_rate=0.1,
        record_requests=True,  # to count each output's download attempts
        faults=FaultConfig(
            server_error=0.20,  # 502/503/504 with nginx's HTML page, on every API route
            rate_limit=0.10,
            retry_after=0.05,
            malformed_json=0.05,
            reset=0.05,  # polls only
            truncated_download=0.05,
            # hostile and odd servers (issue 17)
            gzip=0.3,
            surrogate=0.1,
            deep_field=0.05,
            echo_key=0.1,
            absurd_estimate=0.1,
            huge_submit=0.03,
            bad_redirect=0.03,
            lengthless_truncation=0.05,
            corrupt_image=0.05,
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
    store = HistoryStore.open(tmp_path / "history.sqlite3")
    runner = TaskRunner(client, outputs, max_concurrency=8, expected_kind=lambda _m: "image",
                        schedule=ScheduleParams().scaled(SCALE), journal=store.save)  # fmt: skip
    runner.job_changed.connect(store.save)  # every snapshot, as the app's history writer
    recorder = Recorder(runner)
    jobs = [Job(IMAGE, {"prompt": f"storm {n}"}) for n in range(TASKS)]
    try:
        with recording_excepthooks() as caught:
            run_all(qtbot, runner, recorder, jobs, timeout_ms=90_000)
    finally:
        assert runner.shutdown()
        client.close()
        stored = {entry.job.local_id: entry.job for entry in store.list()}
        store.close()
    finals = {job.params["prompt"]: recorder.final(job) for job in jobs}
    truth = server_view(faulty)
    stats = requests.get(f"{faulty.base_url}/_sandbox/stats", timeout=5).json()

    # Every fault of the mix really happened.
    injected = faulty.stats.faults_injected
    for fault in ("server_error", "rate_limit", "malformed_json", "reset", "truncated_download",
                  *HOSTILE):  # fmt: skip
        assert injected.get(fault, 0) > 0, (fault, injected)

    # No task was submitted twice: one server task per prompt, and it is the job's task,
    # unless its submit answer was lost after the POST left (huge, redirected, a 502):
    # then the job says it may have been created, and nothing pretends to know its id.
    assert len({t.prompt for t in truth}) == len(truth) == stats["submits"] == stats["tasks"]
    answer_lost = 0
    for task in truth:
        job = finals[task.prompt]
        if job.remote_id is None:
            assert job.state is JobState.UNCERTAIN, (job.state, job.error)
            assert "may have been created" in (job.error or "")
            answer_lost += 1
        else:
            assert job.remote_id == task.id
    assert answer_lost >= 1

    # Each job with a server task ends as that task truly ended, with the very bytes served.
    lines = [text.split("\r\n", 1)[0] for _host, text in faulty.stats.requests_seen]
    downloads = Counter(line.split("/")[2] for line in lines
                        if line.startswith(("GET /outputs/", "GET /files/")))  # fmt: skip
    fetched = [t.id for t in truth if t.status == "completed" and finals[t.prompt].remote_id]
    assert all(downloads[task_id] for task_id in fetched)  # the ids were read right
    not_saved = 0
    for task in truth:
        job = finals[task.prompt]
        if job.remote_id is None:
            continue
        if task.status == "completed" and job.state is JobState.NOT_SAVED:
            # Which download gets which output fault depends on the order the threads'
            # requests arrive in, so now and then one output is cut or corrupted on every
            # attempt (~4 % of runs): then "not saved, will be retried", with nothing kept,
            # is its true end. Only after the client's every attempt, and only rarely.
            tries = downloads[task.id]
            assert tries >= DOWNLOAD_ATTEMPTS, (tries, job.error)
            assert "will be retried" in (job.error or "") and not job.files
            not_saved += 1
        elif task.status == "completed":
            assert job.state is JobState.COMPLETED, (job.state, job.error)
            assert [sha256(f) for f in job.files] == list(task.checksums) != []
            assert stats["checksums"][task.id] == list(task.checksums)
        else:
            assert task.status == "failed"
            # The server's own words, maybe with a cut emoji or the key it quoted back.
            assert job.state is JobState.FAILED and (job.error or "").startswith(task.error or "")
    # The history holds every job as it ended, and never the key a server quoted back.
    assert {local_id: job.state for local_id, job in stored.items()} == {
        job.local_id: job.state for job in finals.values()
    }
    echoed = [job for job in finals.values() if SANDBOX_API_KEY in repr((job.error, job.task))]
    for job in echoed:  # the key as the server quoted it back, redacted where it stood
        kept = stored[job.local_id]
        assert REDACTED in repr((kept.error, kept.task)), job.error
    for path in tmp_path.glob("history.sqlite3*"):
        assert SANDBOX_API_KEY.encode() not in path.read_bytes()

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
    assert not_saved <= 2, not_saved
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
