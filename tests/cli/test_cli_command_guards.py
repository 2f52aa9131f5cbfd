"""#17's command findings: the destination is checked before money is spent, the key never
reaches stdout, a server's escapes never reach a terminal, odd arguments are clear errors,
and a killed download's leftovers are cleaned by resume."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.outputs import output_stem
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.cli import main
from get3w_desktop.cli.common import CLI_PROFILE, Exit
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from tests.cli.support import last_json
from tests.fs_support import read_only
from tests.scripted_server import Answer, ScriptedServer

MODEL = "google/nano-banana-pro/text-to-image"
ESC = "\x1b"


def history() -> HistoryStore:
    return HistoryStore.open(app_paths().history_db)


def finished_task(server: SandboxServer) -> Task:
    with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        task = client.submit(MODEL, {"prompt": "a lighthouse"})
        return wait_for_task(client, task, cancel=threading.Event(),
                             params=ScheduleParams().scaled(0.02))  # fmt: skip


# -- 5: the destination, before anything is paid for -------------------------------------


def test_an_out_that_is_a_file_is_refused_before_the_submit(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    assert main(["run", MODEL, "-p", "prompt=x", "--out", str(target)]) == Exit.USAGE
    out, err = capsys.readouterr()
    assert "is a file, not a folder" in err and "Nothing was charged" in err
    assert last_json(out)["state"] == "failed" and last_json(out)["id"] is None
    assert env.stats.submits == 0 and target.read_text() == "mine"


def test_a_read_only_out_is_refused_before_the_submit(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        code = main(["run", MODEL, "-p", "prompt=x", "--out", str(folder)])
    assert code == Exit.USAGE
    assert "read-only or no permission" in capsys.readouterr().err
    assert env.stats.submits == 0 and list(folder.iterdir()) == []


def test_a_full_out_is_refused_before_the_submit(
    env: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = __import__("shutil").disk_usage

    def full(path: Any) -> Any:
        usage = real(path)
        return type(usage)(usage.total, usage.total, 0)

    monkeypatch.setattr("get3w_desktop.api.outputs.shutil.disk_usage", full)
    assert main(["run", MODEL, "-p", "prompt=x", "--out", str(tmp_path / "o")]) == Exit.USAGE
    assert "The disk is full" in capsys.readouterr().err
    assert env.stats.submits == 0


def test_resume_out_fetches_a_not_saved_tasks_outputs_again(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = finished_task(env)
    job = Job(MODEL, {"prompt": "a lighthouse"}, profile=CLI_PROFILE, task=task,
              state=JobState.NOT_SAVED, error="The disk is full.", submitted_at=time.time(),
              finished_at=time.time())  # fmt: skip
    with history() as store:
        store.save(job, base_url=env.base_url, out_dir=str(tmp_path / "was-full"))
    assert main(["resume"]) == Exit.OK  # without --out: left for the person to choose
    assert "nothing to resume" in capsys.readouterr().err
    out = tmp_path / "fresh"
    assert main(["resume", "--out", str(out), "--json"]) == Exit.OK
    line = last_json(capsys.readouterr().out)
    assert line["id"] == task.id and line["state"] == "completed"
    assert line["files"] == [str(out / f"{output_stem(task.id, 0)}.png")]
    with history() as store:
        saved = store.get(job.local_id)
    assert saved is not None and saved.state is JobState.COMPLETED and saved.error is None
    assert Path(saved.files[0]).stat().st_size > 0
    assert env.stats.submits == 1  # fetched again, never sent again


# -- 7 and 8: the key and terminal escapes ---------------------------------------------------


def hostile(error: str, status: str = "failed") -> ScriptedServer:
    server = ScriptedServer()
    server.on("POST", f"/v1/{MODEL}", Answer(200, {"id": "t-1", "status": status, "code": 1403,
                                                    "error": error, "outputs": []}))  # fmt: skip
    return server


def test_a_key_quoted_back_by_the_server_never_reaches_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "k-9f8e7d6c5b4a3210"  # not key-shaped: redacted because it is the key in use
    other = "sk_live_0123456789abcdef"  # someone's key-shaped string
    with hostile(f"Invalid request (key {key}; also tried {other})") as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.url)
        monkeypatch.setenv("GET3W_API_KEY", key)
        assert main(["run", MODEL, "-p", "prompt=x", "--no-history", "--sync"]) == Exit.TASK_FAILED
    out, err = capsys.readouterr()
    for text in (out, err):
        assert key not in text and other not in text
    line = last_json(out)
    assert line["error"] == "Invalid request (key «redacted»; also tried «redacted»)"


def test_server_text_cannot_drive_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = f"{ESC}[2K\r{ESC}[32msaved /tmp/fake.png{ESC}[0m{ESC}]0;owned\x07\x9b31m cut \ud83d"
    with hostile(evil) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        code = main(["run", MODEL, "-p", f"prompt=x{ESC}[2J", "--sync"])
    out, err = capsys.readouterr()
    assert code == Exit.TASK_FAILED
    for text in (out, err):
        assert ESC not in text and "\x9b" not in text and "\r" not in text and "\x07" not in text
    assert "saved /tmp/fake.png" in err  # the words stay, readable, on the failure line
    assert err.splitlines()[-1].startswith("failed (code 1403)")
    line = last_json(out)  # the JSON line keeps every character, escaped; a lone
    # surrogate (half an emoji) is kept as its visible escape, as the history stores it
    assert line["error"] == evil.replace("\ud83d", "\\ud83d") and line["prompt"] == f"x{ESC}[2J"
    assert main(["history"]) == Exit.OK
    table = capsys.readouterr().out
    assert ESC not in table
    assert table.strip().splitlines()[-1].endswith("  x")  # the prompt, escape removed


# -- 9: odd arguments and environments -------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "-5", "0", "inf", "soon"])
def test_a_timeout_that_is_not_a_positive_number_is_refused_before_the_submit(
    env: SandboxServer, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", MODEL, "-p", "prompt=x", f"--timeout={value}"])
    assert stopped.value.code == Exit.USAGE
    assert "--timeout" in capsys.readouterr().err
    assert env.stats.submits == 0
    with pytest.raises(SystemExit):
        main(["resume", f"--timeout={value}"])


def test_an_uncertain_submit_still_prints_its_json_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = FaultConfig(reset_after_submit=1.0)
    with SandboxServer(SandboxConfig(time_scale=0.02, faults=faults)) as server:
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        assert main(["run", MODEL, "-p", "prompt=lost"]) == Exit.UNCERTAIN
    line = last_json(capsys.readouterr().out)
    assert line["state"] == "uncertain" and line["id"] is None
    assert "may have been created" in line["error"] and line["local_id"]


def test_a_prompt_that_is_not_utf8_is_a_clear_error(
    sandbox: SandboxServer, isolated_home: Path
) -> None:
    get3w = str(Path(sys.executable).with_name("get3w"))
    env = {**os.environ, "GET3W_HOME": str(isolated_home), "GET3W_BASE_URL": sandbox.base_url,
           "GET3W_API_KEY": SANDBOX_API_KEY, "LC_ALL": "C.UTF-8"}  # fmt: skip
    done = subprocess.run([get3w.encode(), b"run", MODEL.encode(), b"-p", b"prompt=\xff fox"],
                          env=env, capture_output=True, timeout=60)  # fmt: skip
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == Exit.USAGE, err
    assert "prompt is not valid UTF-8" in err and "Traceback" not in err
    assert sandbox.stats.submits == 0


def test_an_unknown_keyring_backend_is_a_clear_error(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "nowhere.NoSuchKeyring")
    assert main(["run", MODEL, "-p", "prompt=x", "--no-history"]) == Exit.USAGE
    assert main(["balance"]) == Exit.USAGE
    assert main(["key", "status"]) == Exit.USAGE
    err = capsys.readouterr().err
    assert "PYTHON_KEYRING_BACKEND=nowhere.NoSuchKeyring" in err and "Traceback" not in err
    assert sandbox.stats.submits == 0


def test_resume_cleans_the_part_file_a_killed_download_left(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = finished_task(env)
    out = tmp_path / "out"
    out.mkdir()
    stem = output_stem(task.id, 0)
    # What a SIGKILL mid-download leaves: the downloader's own hidden part file.
    part = out / f".{stem}.k1ll3d.part"
    part.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1000)
    other = out / ".someone-else_0.abc.part"
    other.write_bytes(b"not ours")
    job = Job(MODEL, {"prompt": "a lighthouse"}, profile=CLI_PROFILE, state=JobState.DOWNLOADING,
              task=task, submitted_at=time.time())  # fmt: skip
    with history() as store:
        store.save(job, base_url=env.base_url, out_dir=str(out))
    assert main(["resume"]) == Exit.OK, capsys.readouterr().err
    assert not part.exists() and other.exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([other.name, f"{stem}.png"])
    stats = requests.get(f"{env.base_url}/_sandbox/stats", timeout=10).json()
    assert env.stats.submits == 1 and stats["checksums"][task.id]


def _noise_png() -> bytes:
    """A real PNG of about 200 KB (noise does not compress), so a download can stall half-way
    and the finished file still decodes (a broken picture is never kept)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (256, 256), random.Random(7).randbytes(256 * 256 * 3)).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


PNG_BYTES = _noise_png()


class SlowThenWholeOutput:
    """An output host: the first download sends a little and then stalls (so the process
    can be killed mid-download); later ones send the whole file."""

    def __init__(self) -> None:
        owner = self
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.downloads = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.downloads += 1
                first = owner.downloads == 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG_BYTES)))
                self.end_headers()
                if first:
                    self.wfile.write(PNG_BYTES[:4096])
                    self.wfile.flush()
                    owner.stalled.set()
                    owner.release.wait(30)
                    return
                self.wfile.write(PNG_BYTES)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="slow-output")

    def __enter__(self) -> SlowThenWholeOutput:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_a_download_killed_mid_way_is_finished_by_resume_and_its_part_file_removed(
    isolated_home: Path, tmp_path: Path
) -> None:
    get3w = str(Path(sys.executable).with_name("get3w"))
    with SlowThenWholeOutput() as cdn, ScriptedServer() as api:
        host, port = cdn.server.server_address[:2]
        url = f"http://{host!s}:{port}/outputs/t-kill/0.png"
        done = {"id": "t-kill", "status": "completed", "outputs": [url]}
        api.on("POST", f"/v1/{MODEL}", Answer(200, done))
        api.on("GET", "/v1/requests/t-kill", Answer(200, done))
        env = {**os.environ, "GET3W_HOME": str(isolated_home), "GET3W_BASE_URL": api.url,
               "GET3W_API_KEY": SANDBOX_API_KEY}  # fmt: skip
        out = tmp_path / "out"
        run = subprocess.Popen([get3w, "run", MODEL, "-p", "prompt=x", "--sync", "--out", str(out)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        try:
            assert cdn.stalled.wait(60), "the download never started"
            deadline = time.monotonic() + 10
            while not list(out.glob(".*.part")) and time.monotonic() < deadline:
                time.sleep(0.02)
            [part] = list(out.glob(".*.part"))
            run.kill()  # SIGKILL: no cleanup runs
        finally:
            run.kill()
            run.communicate(timeout=20)
        assert part.exists()  # what a killed download leaves
        resumed = subprocess.run([get3w, "resume"], env=env, capture_output=True, text=True,
                                 timeout=60)  # fmt: skip
        assert resumed.returncode == Exit.OK, resumed.stderr
    assert not part.exists()
    assert [p.name for p in out.iterdir()] == [f"{output_stem('t-kill', 0)}.png"]
    assert (out / "t-kill_0.png").read_bytes() == PNG_BYTES
    assert len(api.requests_to("POST", f"/v1/{MODEL}")) == 1  # never sent again


def test_timeout_also_bounds_a_stalled_download_and_resume_fetches_it_later(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "out"
    with SlowThenWholeOutput() as cdn, ScriptedServer() as api:
        host, port = cdn.server.server_address[:2]
        url = f"http://{host!s}:{port}/outputs/t-slow/0.png"
        done = {"id": "t-slow", "status": "completed", "outputs": [url]}
        api.on("POST", f"/v1/{MODEL}", Answer(200, done))
        api.on("GET", "/v1/requests/t-slow", Answer(200, done))
        monkeypatch.setenv("GET3W_BASE_URL", api.url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        started = time.monotonic()
        code = main(["run", MODEL, "-p", "prompt=x", "--sync", "--out", str(out),
                     "--timeout", "2"])  # fmt: skip
        took = time.monotonic() - started
        assert cdn.stalled.is_set()
        assert code != Exit.OK
        assert took < 15  # the stall lasts 30 s; the limit cuts the download at ~2 s
        capsys.readouterr()
        assert main(["resume", "--out", str(out)]) == Exit.OK  # fetched whole, not resent
    assert (out / f"{output_stem('t-slow', 0)}.png").read_bytes() == PNG_BYTES
    assert len(api.requests_to("POST", f"/v1/{MODEL}")) == 1
