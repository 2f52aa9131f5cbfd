"""`get3w run` (and `resume`, `history`) against hostile and odd servers: each finding of
issue 17 with the sandbox fault that reproduces it switched on."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from get3w_desktop.cli import main
from get3w_desktop.cli.common import Exit
from get3w_desktop.core.job import JobState
from get3w_desktop.core.jsontext import DEEP_JSON_KEY, dumps
from get3w_desktop.core.redact import REDACTED
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryEntry, HistoryStore
from get3w_desktop.storage.paths import app_paths
from tests.faults.support import files_under
from tests.sandbox.support import ManualClock

MODEL = "google/nano-banana-pro/text-to-image"
FAST_MODEL = "wavespeed-ai/flux-dev"  # estimated 8 s


@contextlib.contextmanager
def hostile(
    monkeypatch: pytest.MonkeyPatch, *, key: str = SANDBOX_API_KEY, **options: Any
) -> Iterator[SandboxServer]:
    """A sandbox with `options` as FaultConfig fields (or SandboxConfig ones), in the env."""
    fault_names = {f.name for f in dataclasses.fields(FaultConfig)}
    faults = FaultConfig(**{k: v for k, v in options.items() if k in fault_names})
    rest = {k: v for k, v in options.items() if k not in fault_names}
    config = SandboxConfig(**{"time_scale": 0.02, "render_scale": 0.25, **rest}, faults=faults)
    with SandboxServer(config) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", key)
        yield server


def result_of(out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def only_entry() -> HistoryEntry:
    with HistoryStore.open(app_paths().history_db) as store:
        [entry] = store.list()
    return entry


def run(tmp_path: Path, *extra: str, model: str = MODEL, prompt: str = "hostile") -> int:
    return main(["run", model, "-p", f"prompt={prompt}", "--out", str(tmp_path / "out"), *extra])


# 1. Compressed answers ------------------------------------------------------------------


def test_gzip_answers_are_decoded_for_submits_and_polls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile(monkeypatch, gzip=1.0) as server:
        code = run(tmp_path)
        out, err = capsys.readouterr()
        assert code == Exit.OK, err
        assert server.stats.faults_injected.get("gzip", 0) >= 2  # the submit and the polls
    [saved] = result_of(out)["files"]
    with Image.open(saved) as image:
        image.load()
    assert only_entry().job.state is JobState.COMPLETED


# 2. Valid JSON that used to crash the history write -------------------------------------


def test_lone_surrogates_and_deep_fields_are_stored_losslessly_before_anything_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile(monkeypatch, surrogate=1.0, deep_field=1.0):
        code = run(tmp_path)
    out, err = capsys.readouterr()
    assert code == Exit.OK, err
    assert "Traceback" not in err
    result = result_of(out)
    assert f"submitted {result['id']}" in err
    entry = only_entry()
    assert entry.job.remote_id == result["id"] and entry.job.state is JobState.COMPLETED
    task = entry.job.task
    assert task is not None
    assert task.extra["message"] == "Rendering \ud83d"  # the very string the server sent
    trace = dumps(task.extra["trace"])
    assert DEEP_JSON_KEY in trace  # kept as its own text beyond 64 levels …
    assert trace.count("[") == 1000 and "1" in trace  # … all 1000 levels of it


def test_a_failed_task_whose_error_holds_a_lone_surrogate_is_recorded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile(monkeypatch, surrogate=1.0):
        code = run(tmp_path, prompt="[fail:1200] cut emoji")
    err = capsys.readouterr().err
    assert code == Exit.TASK_FAILED, err
    assert "Traceback" not in err
    entry = only_entry()
    assert entry.job.state is JobState.FAILED
    assert entry.job.error is not None and entry.job.error.endswith("\\ud83d")  # escaped


def test_resume_survives_polls_with_surrogates_and_deep_fields(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = ManualClock()
    with hostile(monkeypatch, clock=clock) as server:
        assert run(tmp_path, "--timeout", "0.3") == Exit.TIMEOUT  # still running: resumable
        clock.advance(10_000)
        server.config = dataclasses.replace(
            server.config, faults=FaultConfig(surrogate=1.0, deep_field=1.0)
        )
        code = main(["resume"])
        injected = server.stats.faults_injected
    err = capsys.readouterr().err
    assert code == Exit.OK, err
    assert "Traceback" not in err
    assert injected.get("deep_field", 0) >= 1 and injected.get("surrogate", 0) >= 1
    entry = only_entry()
    assert entry.job.state is JobState.COMPLETED and len(entry.job.files) == 1


# 3. Failed where it should be uncertain -------------------------------------------------


@pytest.mark.parametrize("fault", ["huge_submit", "bad_redirect"])
def test_a_submit_answer_lost_after_the_post_left_is_uncertain(
    fault: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options: dict[str, Any] = {fault: 1.0}
    with hostile(monkeypatch, **options) as server:
        code = run(tmp_path)
        assert server.stats.submits == 1 and server.task_count() == 1  # created, once
    err = capsys.readouterr().err
    assert code == Exit.UNCERTAIN, err
    assert "may have been created" in err
    assert "redirect" not in err or fault == "bad_redirect"
    entry = only_entry()
    assert entry.job.state is JobState.UNCERTAIN
    assert entry.job.error is not None and "not sent again" in entry.job.error


# 4. Broken downloads kept as finished ---------------------------------------------------


@pytest.mark.parametrize("fault", ["lengthless_truncation", "corrupt_image"])
def test_a_broken_download_is_never_kept(
    fault: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options: dict[str, Any] = {fault: 1.0}
    with hostile(monkeypatch, **options) as server:
        code = run(tmp_path)
        assert server.stats.faults_injected.get(fault, 0) >= 2  # retried, broken each time
    out, err = capsys.readouterr()
    assert code == Exit.NOT_SAVED, err
    assert "incomplete or damaged" in err
    assert result_of(out)["files"] == []
    assert files_under(tmp_path / "out") == set()  # no file, no .part
    assert only_entry().job.state is JobState.NOT_SAVED


# 5. Estimates trusted blindly -----------------------------------------------------------


def test_an_absurd_estimate_still_gets_a_poll_before_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Done in 0.2 s, announced as 8000 (milliseconds by mistake): --timeout 3 must see it.
    with hostile(monkeypatch, absurd_estimate=1.0, time_scale=1.0,
                 duration_fn=lambda _m, _p: 0.2) as server:  # fmt: skip
        code = run(tmp_path, "--timeout", "3", model=FAST_MODEL)
        polls = sum(server.stats.polls_by_task.values())
    err = capsys.readouterr().err
    assert code == Exit.OK, err
    assert "estimated 8000 s" in err  # what the server claimed …
    assert 1 <= polls <= 2  # … and one poll, the last look before the limit, found it done


def test_a_dripping_poll_ends_by_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile(monkeypatch, time_scale=1.0, duration_fn=lambda _m, _p: 0.5) as server:

        def drip_after_submit() -> None:
            while server.stats.submits == 0 and not server.stopping.is_set():
                time.sleep(0.01)
            server.config = dataclasses.replace(server.config, faults=FaultConfig(drip=1.0))

        flipper = threading.Thread(target=drip_after_submit)
        flipper.start()
        started = time.monotonic()
        try:
            code = run(tmp_path, "--timeout", "2", model=FAST_MODEL)
        finally:
            flipper.join()
        took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == Exit.TIMEOUT, err
    assert took < 20  # the exchange deadline alone is 60 s; the limit cuts the drip at ~2 s
    assert "Traceback" not in err


# 6. A key quoted back by the server -----------------------------------------------------


def test_a_key_the_server_quotes_back_never_reaches_the_history_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "sk_hostile_echo_9f3e27"
    with hostile(monkeypatch, key=key, echo_key=1.0, keys={key: 100.0}) as server:
        code = run(tmp_path, prompt="[fail:1200] echo")
        assert server.stats.faults_injected.get("echo_key", 0) >= 1
    capsys.readouterr()
    assert code == Exit.TASK_FAILED
    entry = only_entry()
    assert entry.job.error is not None and REDACTED in entry.job.error
    assert entry.job.task is not None
    assert entry.job.task.extra["request"] == {"authorization": f"Bearer {REDACTED}"}
    db = app_paths().history_db
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert key.encode() not in stored


# 7. Smaller ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sk_line\r\nX-Injected: 1", "sk_schlüssel_0000"])
def test_a_malformed_key_is_called_malformed_and_nothing_is_sent(
    key: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with hostile(monkeypatch, key=key) as server:
        code = run(tmp_path)
        assert server.stats.submits == 0
    err = capsys.readouterr().err
    assert code == Exit.AUTH
    assert "key is malformed" in err and "Nothing was sent" in err
    assert "redirect" not in err


def test_verbose_logs_each_request_without_the_key(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="get3w_desktop.api")
    with hostile(monkeypatch):
        code = main(["-v", "run", MODEL, "-p", "prompt=logged", "--out", str(tmp_path)])
    capsys.readouterr()
    assert code == Exit.OK
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("get3w_desktop.api")]
    assert any(line.startswith(f"POST 127.0.0.1/v1/{MODEL} -> 200") for line in lines), lines
    assert any(line.startswith("GET 127.0.0.1/v1/requests/") and "-> 200" in line
               for line in lines)  # fmt: skip
    assert any("(output) -> 200" in line for line in lines)
    assert all(" s" in line for line in lines)  # each with its time
    assert not any(SANDBOX_API_KEY in line or "Bearer" in line for line in lines)


def test_commands_on_a_damaged_history_keep_one_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = app_paths().history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    damaged = bytearray(db.read_bytes())
    damaged[100:4096] = b"\xff" * (4096 - 100)  # a damaged schema page
    db.write_bytes(bytes(damaged))
    codes = [main(["history"]) for _ in range(3)]
    err = capsys.readouterr().err
    assert codes == [Exit.HISTORY] * 3, err
    backups = [p for p in db.parent.iterdir() if ".corrupt-" in p.name]
    assert len(backups) == 1, backups
    assert backups[0].read_bytes() == bytes(damaged)
