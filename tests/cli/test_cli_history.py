"""`get3w run` records every task; `get3w history` lists them; `get3w resume` finishes them."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

from get3w_desktop.cli import main
from get3w_desktop.cli.common import CLI_PROFILE, Exit
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore, process_owner
from get3w_desktop.storage.paths import app_paths

MODEL = "google/nano-banana-pro/text-to-image"
AUTH = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}


def history() -> HistoryStore:
    return HistoryStore.open(app_paths().history_db)


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sandbox_stats(server: SandboxServer) -> dict[str, Any]:
    reply = requests.get(f"{server.base_url}/_sandbox/stats", timeout=10)
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()
    return data


def submit_directly(server: SandboxServer, prompt: str) -> dict[str, Any]:
    reply = requests.post(f"{server.base_url}/v1/{MODEL}", json={"prompt": prompt},
                          headers=AUTH, timeout=10)  # fmt: skip
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


def test_run_records_the_task_before_the_submit_is_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen_at_submit: list[list[tuple[JobState, str | None]]] = []

    def duration(model_id: str, params: Mapping[str, Any]) -> float:
        # Runs inside the server while it handles the POST: what is recorded by then?
        with history() as store:
            seen_at_submit.append([(e.job.state, e.job.remote_id) for e in store.list()])
        return 1.0

    config = SandboxConfig(time_scale=0.02, render_scale=0.25, duration_fn=duration)
    with SandboxServer(config) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        code = main(["run", MODEL, "-p", "prompt=A lighthouse", "--out", str(tmp_path / "o")])
    assert code == Exit.OK, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert seen_at_submit == [[(JobState.SUBMITTING, None)]]
    with history() as store:
        [entry] = store.list()
    job = entry.job
    assert job.state is JobState.COMPLETED and job.remote_id == result["id"]
    assert list(job.files) == result["files"] and Path(job.files[0]).exists()
    assert job.task is not None and job.task.status == "completed"
    assert (job.profile, job.prompt) == (CLI_PROFILE, "A lighthouse")
    assert (entry.base_url, entry.out_dir) == (server.base_url, str((tmp_path / "o").resolve()))
    assert job.submitted_at is not None and job.finished_at is not None


def test_failed_and_uncertain_runs_are_recorded_and_never_resent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = FaultConfig(reset_after_submit=1.0)
    with SandboxServer(SandboxConfig(time_scale=0.02, faults=faults)) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        assert main(["run", MODEL, "-p", "prompt=lost answer"]) == Exit.UNCERTAIN
        assert server.stats.submits == 1
        with history() as store:
            [entry] = store.list()
        assert entry.job.state is JobState.UNCERTAIN and entry.job.remote_id is None
        capsys.readouterr()
        assert main(["resume"]) == Exit.OK  # nothing it may finish; never a second submit
        assert "1 earlier task(s) are marked uncertain" in capsys.readouterr().err
        assert server.stats.submits == 1


def test_a_task_that_fails_on_the_server_is_recorded_as_failed(
    env: SandboxServer, tmp_path: Path
) -> None:
    assert main(["run", MODEL, "-p", "prompt=[fail:1200] x", "--out", str(tmp_path)]) == 1
    with history() as store:
        [entry] = store.list()
    assert entry.job.state is JobState.FAILED and entry.job.error
    assert entry.job.task is not None and entry.job.task.code == 1200


def test_history_lists_filters_and_prints_json(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", MODEL, "-p", "prompt=100% real fox", "--no-download"]) == Exit.OK
    ran = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    with history() as store:
        store.save_many(
            Job("bytedance/seedream-v4.5", {"prompt": f"generated {i}"},
                state=JobState.FAILED, created_at=1_000_000 + i)
            for i in range(30)
        )  # fmt: skip
    capsys.readouterr()
    assert main(["history"]) == Exit.OK
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert lines[0].split() == ["ID", "CREATED", "MODEL", "STATE", "PROMPT"]
    assert len(lines) == 1 + 20 and "100% real fox" in lines[1]  # newest first
    assert "of 31" in err
    assert main(["history", "--search", "100%", "--json"]) == Exit.OK
    [line] = capsys.readouterr().out.strip().splitlines()
    record = json.loads(line)
    assert record["state"] == "completed" and record["prompt"] == "100% real fox"
    # One task shape: `id` is the server's id, as in `get3w run`'s line, key for key.
    assert list(record) == list(ran) and record["id"] == ran["id"]
    assert record["local_id"] and record["local_id"] != record["id"]
    assert record["status"] == ran["status"] == "completed"
    assert record["base_url"] == env.base_url and record["created_at"].endswith("+00:00")
    assert main(["history", "--state", "failed", "--limit", "0", "--json"]) == Exit.OK
    assert len(capsys.readouterr().out.strip().splitlines()) == 30
    assert main(["history", "--model", MODEL, "--search", "generated"]) == Exit.OK
    assert "no tasks in the history match" in capsys.readouterr().err


def test_a_damaged_history_stops_run_before_sending_until_the_person_starts_over(
    env: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = app_paths().history_db
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    assert main(["run", MODEL, "-p", "prompt=x"]) == Exit.HISTORY
    err = capsys.readouterr().err
    assert "damaged" in err and "Nothing was sent" in err and "--start-over" in err
    assert env.stats.submits == 0
    assert main(["history"]) == Exit.HISTORY
    assert main(["run", MODEL, "-p", "prompt=x", "--no-history", "--no-download"]) == Exit.OK
    assert path.read_bytes() == b"this is not a database" * 100
    assert main(["history", "--start-over"]) == Exit.OK
    assert main(["run", MODEL, "-p", "prompt=x", "--no-download"]) == Exit.OK
    with history() as store:
        assert store.count() == 1
    kept = [p for p in path.parent.iterdir() if p.name.endswith(".bak")]
    assert len(kept) >= 2 and all(p.read_bytes().startswith(b"this is not") for p in kept)


def test_resume_finishes_polls_downloads_and_marks_lost_submits_uncertain(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    created = submit_directly(env, "a harbour at dawn")
    failing = submit_directly(env, "[fail:1200] refused")
    now = time.time()
    running = Job(MODEL, {"prompt": "a harbour at dawn"}, profile=CLI_PROFILE,
                  state=JobState.RUNNING, submitted_at=now,
                  task=Task(created["id"], "created",
                            estimated_duration=created["estimated_duration"]))  # fmt: skip
    doomed = Job(MODEL, {"prompt": "[fail:1200] refused"}, profile=CLI_PROFILE,
                 state=JobState.RUNNING, submitted_at=now,
                 task=Task(failing["id"], "created"))  # fmt: skip
    lost = Job(MODEL, {"prompt": "lost"}, profile=CLI_PROFILE, state=JobState.SUBMITTING)
    elsewhere = Job(MODEL, {"prompt": "x"}, profile=CLI_PROFILE, state=JobState.RUNNING,
                    task=Task("not-here", "created"))  # fmt: skip
    with history() as store:
        store.save_many([running, doomed, lost], base_url=env.base_url)
        store.save(elsewhere, base_url="http://127.0.0.1:1")
    out = tmp_path / "out"
    capsys.readouterr()

    assert main(["resume", "--out", str(out)]) == Exit.UNCERTAIN  # the first problem reported
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(lost.local_id[:8]) and "not sent again" in lines[0]

    with history() as store:
        finished = store.get(running.local_id)
        assert finished is not None and finished.state is JobState.COMPLETED
        [saved] = finished.files
        assert Path(saved).parent == out
        assert sha256(saved) in sandbox_stats(env)["checksums"][created["id"]]
        failed = store.get(doomed.local_id)
        assert failed is not None and failed.state is JobState.FAILED
        marked = store.get(lost.local_id)
        assert marked is not None and marked.state is JobState.UNCERTAIN
        assert store.get(elsewhere.local_id) == elsewhere  # another server's task: untouched
    assert env.stats.submits == 2  # only the two this test sent itself

    assert main(["resume", "--out", str(out)]) == Exit.OK
    out_text, err = capsys.readouterr()
    assert out_text == "" and "nothing to resume" in err
    assert env.stats.submits == 2


def test_resume_marks_a_task_the_server_forgot_as_failed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = FaultConfig(forget_after=0.5)  # x time_scale: forgotten after 0.01 s
    with SandboxServer(SandboxConfig(time_scale=0.02, faults=faults)) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        created = submit_directly(server, "soon forgotten")
        an_hour_ago = time.time() - 3600
        job = Job(MODEL, {"prompt": "soon forgotten"}, profile=CLI_PROFILE,
                  state=JobState.RUNNING, submitted_at=an_hour_ago, created_at=an_hour_ago,
                  task=Task(created["id"], "created"))  # fmt: skip
        with history() as store:
            store.save(job, base_url=server.base_url)
        time.sleep(0.05)
        assert main(["resume"]) == Exit.NOT_FOUND
        assert "no longer knows" in capsys.readouterr().out
        with history() as store:
            gone = store.get(job.local_id)
        assert gone is not None and gone.state is JobState.FAILED
        assert main(["resume"]) == Exit.OK  # not tried again and again
        assert server.stats.submits == 1


def test_resume_leaves_tasks_another_live_process_owns(
    env: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    job = Job(MODEL, {"prompt": "x"}, profile=CLI_PROFILE, state=JobState.SUBMITTING)
    with history() as store:
        store.save(job, base_url=env.base_url)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        boot = process_owner().rpartition(":")[0]
        with sqlite3.connect(app_paths().history_db) as conn:
            conn.execute("UPDATE jobs SET owner = ?", (f"{boot}:{other.pid}",))
        conn.close()
        assert main(["resume"]) == Exit.OK
        assert "another process" in capsys.readouterr().out
        with history() as store:
            assert store.get(job.local_id) == job
    finally:
        other.kill()
        other.wait()
    assert main(["resume"]) == Exit.UNCERTAIN  # its owner is gone now: the answer was lost


def test_a_killed_run_is_finished_by_resume_and_nothing_is_sent_twice(
    isolated_home: Path, tmp_path: Path
) -> None:
    """SIGKILL `get3w run` mid-wait; `get3w resume` completes the task from the history."""
    get3w = str(Path(sys.executable).with_name("get3w"))
    # Every image takes its estimate (20 s) x 0.2 = 4 s: long enough to be killed mid-wait.
    config = SandboxConfig(time_scale=0.2, render_scale=0.25, duration_fn=lambda m, p: 20.0)
    with SandboxServer(config) as server:
        env = {**os.environ, "GET3W_HOME": str(isolated_home), "QT_QPA_PLATFORM": "offscreen",
               "GET3W_BASE_URL": server.base_url, "GET3W_API_KEY": SANDBOX_API_KEY}  # fmt: skip
        run = subprocess.Popen(
            [get3w, "run", MODEL, "-p", "prompt=killed mid-wait", "--out", str(tmp_path / "a")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            entry = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and run.poll() is None:
                if app_paths().history_db.exists():
                    with history() as store:
                        entries = store.list()
                    if entries and entries[0].job.remote_id:
                        entry = entries[0]
                        break
                time.sleep(0.05)
            assert entry is not None, "the run never recorded a remote id"
            run.send_signal(signal.SIGKILL)
        finally:
            run.kill()
            run.communicate(timeout=20)
        assert run.returncode == -signal.SIGKILL
        assert entry.job.state is JobState.RUNNING and entry.job.finished_at is None
        task_id = entry.job.remote_id
        assert task_id is not None

        out = tmp_path / "resumed"
        done = subprocess.run([get3w, "resume", "--out", str(out)], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        [line] = done.stdout.strip().splitlines()
        assert task_id in line and "saved 1 file" in line

        with history() as store:
            job = store.get(entry.job.local_id)
        assert job is not None and job.state is JobState.COMPLETED
        [saved] = job.files
        stats = sandbox_stats(server)
        assert [sha256(saved)] == stats["checksums"][task_id]
        assert Path(saved).parent == out
        assert stats["submits"] == 1
    with sqlite3.connect(app_paths().history_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
