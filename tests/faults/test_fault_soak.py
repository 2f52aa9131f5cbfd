"""A soak: 300 short tasks through the GUI's runner, memory sampled as they finish.

The sandbox runs in a child process, so this process's memory is the client's alone
(runner, workers, sessions, snapshots), and the sandbox's own view comes over HTTP.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from statistics import mean

import pytest
import requests
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import files_under, sha256

SCALE = 0.002
TASKS = 300
IN_FLIGHT = 12
SAMPLES = 12
MODEL = "wavespeed-ai/flux-dev"

pytestmark = pytest.mark.slow

_SERVE = """
import sys
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
config = SandboxConfig(time_scale=%r, render_scale=0.05, seed=3, concurrency_limit=50,
                       keys={%r: 1e6})
with SandboxServer(config) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def remote_sandbox() -> Iterator[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVE % (SCALE, SANDBOX_API_KEY)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path.cwd(),
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    try:
        yield child.stdout.readline().strip()
    finally:
        child.stdin.close()  # the server stops when its input ends
        child.wait(timeout=20)
        child.stdout.close()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_three_hundred_tasks_leave_no_growth_no_threads_and_every_file(
    qtbot: QtBot, remote_sandbox: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outputs = tmp_path / "outputs"
    client = Get3WClient(remote_sandbox, SANDBOX_API_KEY)
    runner = TaskRunner(client, outputs, max_concurrency=IN_FLIGHT,
                        schedule=ScheduleParams().scaled(SCALE))  # fmt: skip
    finals: dict[str, tuple[JobState, str | None, tuple[str, ...]]] = {}
    traced: list[int] = []
    rss: list[int] = []
    started = 0

    def start_one() -> None:
        nonlocal started
        started += 1
        runner.start(Job(MODEL, {"prompt": f"soak {started}"}))

    def on_change(job: Job) -> None:
        if job.state.active or job.local_id in finals:
            return
        finals[job.local_id] = (job.state, job.remote_id, job.files)
        if len(finals) % (TASKS // SAMPLES) == 0:
            traced.append(tracemalloc.get_traced_memory()[0])
            rss.append(rss_bytes())
        if started < TASKS:
            start_one()

    runner.job_changed.connect(on_change)
    tracemalloc.start()
    try:
        for _ in range(IN_FLIGHT):
            start_one()
        qtbot.waitUntil(
            lambda: len(finals) == TASKS and runner.active_count() == 0, timeout=240_000
        )
    finally:
        tracemalloc.stop()
        assert runner.shutdown()
        client.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []

    states = {state for state, _, _ in finals.values()}
    assert states == {JobState.COMPLETED}
    stats = requests.get(f"{remote_sandbox}/_sandbox/stats", timeout=10).json()
    assert stats["submits"] == stats["tasks"] == TASKS
    expected = {remote: stats["checksums"][remote] for _, remote, _ in finals.values() if remote}
    assert len(expected) == TASKS
    # The same number of files on disk as outputs, each the very bytes served.
    on_disk = files_under(outputs)
    assert len(on_disk) == sum(len(sums) for sums in expected.values())
    for _, remote, files in finals.values():
        assert [sha256(f) for f in files] == expected[remote or ""]
        assert {Path(f) for f in files} <= on_disk

    # Memory: once warmed up, no growth trend (last third against the middle third).
    assert len(traced) == SAMPLES
    third = SAMPLES // 3
    middle, last = traced[third : 2 * third], traced[2 * third :]
    assert mean(last) <= mean(middle) * 1.25 + 2 * 1024**2, traced
    rss_middle, rss_last = rss[third : 2 * third], rss[2 * third :]
    assert mean(rss_last) <= mean(rss_middle) * 1.2 + 32 * 1024**2, rss


def test_finished_workers_are_released(qtbot: QtBot, sandbox: object, tmp_path: Path) -> None:
    import gc

    from get3w_desktop.sandbox import SandboxServer
    from get3w_desktop.workers.job_worker import JobWorker

    assert isinstance(sandbox, SandboxServer)
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, tmp_path, schedule=ScheduleParams().scaled(0.02))
        for n in range(5):
            runner.submit(MODEL, {"prompt": f"released {n}"})
        qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=30_000)
        assert runner.shutdown()
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, JobWorker)
             and str(o.job.params.get("prompt", "")).startswith("released")]  # fmt: skip
    assert alive == []
