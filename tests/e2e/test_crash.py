"""Kill the app with tasks in flight; start it again: nothing lost, nothing sent twice."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from get3w_desktop.core.job import JobState
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths

DRIVER = Path(__file__).with_name("app_driver.py")
TASKS = 20


def _env(home: Path, server: SandboxServer) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GET3W_HOME=str(home), GET3W_API_KEY=SANDBOX_API_KEY,
               GET3W_BASE_URL=server.base_url, QT_QPA_PLATFORM="offscreen")  # fmt: skip
    return env


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.slow
def test_sigkill_with_twenty_tasks_in_flight_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    paths = app_paths(home).ensure()
    from get3w_desktop.storage.settings import Settings, save_settings

    save_settings(Settings(concurrency=32), paths)  # all twenty in flight at once
    config = SandboxConfig(time_scale=0.4, concurrency_limit=100, render_scale=0.25)
    with SandboxServer(config) as server:
        log = (tmp_path / "first.log").open("w")
        first = subprocess.Popen(
            [sys.executable, str(DRIVER), "submit", str(TASKS), "a lighthouse"],
            env=_env(home, server), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait(lambda: server.stats.submits >= TASKS, 60, "twenty submits")
            with HistoryStore.open(paths.history_db, check=False) as store:
                _wait(lambda: sum(1 for e in store.list() if e.job.remote_id) == TASKS, 30,
                      "twenty remote ids in the history")  # fmt: skip
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            log.close()
        assert first.returncode == -signal.SIGKILL
        with HistoryStore.open(paths.history_db, check=False) as store:
            at_kill = [entry.job for entry in store.list()]
        unfinished = [job for job in at_kill if job.state is not JobState.COMPLETED]
        assert len(unfinished) >= TASKS // 2, "the tasks were meant to be in flight"
        assert server.stats.submits == TASKS

        second = subprocess.run(
            [sys.executable, str(DRIVER), "resume", str(TASKS)],
            env=_env(home, server), capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr[-3000:]
        assert f"settled {TASKS}" in second.stdout
        assert server.stats.submits == TASKS  # nothing sent twice
        with HistoryStore.open(paths.history_db) as store:
            assert store.integrity_check()
            jobs = [entry.job for entry in store.list()]
        assert len(jobs) == TASKS
        assert all(job.state is JobState.COMPLETED for job in jobs), [j.state for j in jobs]
        for job in jobs:
            assert job.remote_id is not None and job.files
            served = server.output_checksums(job.remote_id)
            on_disk = [hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in job.files]
            assert on_disk == served
