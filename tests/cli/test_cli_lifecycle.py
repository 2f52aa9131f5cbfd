"""The window's worker and `get3w run` are one lifecycle: same inputs sent, same outputs kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.cli import main
from get3w_desktop.cli.common import Exit
from get3w_desktop.core import live_catalogue
from get3w_desktop.core.job import TEXT_KIND, Job, JobState, TextOutput
from get3w_desktop.core.resources import resource_path
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.workers.runner import TaskRunner
from tests.cli.support import last_json
from tests.scripted_server import Answer, ScriptedServer

NANO = "google/nano-banana-pro/text-to-image"

EDIT = "google/nano-banana-pro/edit"
CAPTIONER = "example/captioner/image-to-text"
FAST = ScheduleParams(jitter=0.0).scaled(0.002)


def through_the_window(
    qtbot: QtBot,
    base_url: str,
    outputs: Path,
    model: str,
    params: dict[str, Any],
    *,
    expected_kind: Callable[[str], str | None] = lambda _m: None,
    schedule: ScheduleParams | None = None,
) -> Job:
    """One job through the window's runner and worker; its last snapshot."""
    seen: list[Job] = []
    with Get3WClient(base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, outputs, expected_kind=expected_kind,
                            schedule=schedule or ScheduleParams().scaled(0.02))  # fmt: skip
        runner.job_changed.connect(seen.append)
        job = runner.submit(model, params)
        try:
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=20_000)
        finally:
            assert runner.shutdown()
    return [j for j in seen if j.local_id == job.local_id][-1]


@pytest.mark.parametrize("upload_route", [True, False], ids=["uploaded", "inline"])
def test_run_sends_a_local_image_exactly_as_the_window_does(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    upload_route: bool,
) -> None:
    photo = tmp_path / "photo.png"
    Image.new("RGB", (24, 16), (200, 30, 30)).save(photo)
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, v3_enabled=upload_route)
    with SandboxServer(config) as server:
        window = through_the_window(
            qtbot, server.base_url, tmp_path / "window", EDIT,
            {"prompt": "make it blue", "images": [photo.as_uri()]},
        )  # fmt: skip
        monkeypatch.setenv("GET3W_BASE_URL", server.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        monkeypatch.chdir(tmp_path)
        code = main(["run", EDIT, "-p", "prompt=make it blue", "-p", "images=photo.png",
                     "--out", str(tmp_path / "command")])  # fmt: skip
        assert code == Exit.OK, capsys.readouterr().err
        line = last_json(capsys.readouterr().out)
        tasks = {t.id: t for t in server.state.tasks.values()}
        assert window.state is JobState.COMPLETED and window.remote_id in tasks
        sent = [tasks[window.remote_id].params["images"], tasks[line["id"]].params["images"]]
        for [value] in sent:
            assert not value.startswith("file:")
            if upload_route:  # the sandbox's own upload address, holding the very bytes
                assert value.startswith(server.output_base_url + "/uploads/")
                data, _type = server.state.uploads[value.split("/")[-2]]
                assert data == photo.read_bytes()
            else:  # no upload route: inline, the same bytes
                assert value.startswith("data:image/png;base64,")
        if not upload_route:
            assert sent[0] == sent[1]
        assert server.stats.submits == 2
    # Both record the person's own file in the history, not the address it became.
    assert line["params"]["images"] == [photo.as_uri()]
    assert Path(line["files"][0]).parent == tmp_path / "command"


def test_a_missing_local_file_is_refused_before_anything_is_sent(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
    code = main(["run", EDIT, "-p", "prompt=x", "-p", "images=/nowhere/photo.png"])
    assert code == Exit.USAGE
    assert "neither an address" in capsys.readouterr().err
    assert sandbox.stats.submits == 0


# -- text outputs (captioners, LLMs, speech-to-text, moderation) --------------------------

CAPTION = "A red fox sits in fresh snow.\nIt looks at the camera."


def captioner(server: ScriptedServer, outputs: list[str], *, sync: bool = False) -> None:
    """A server whose model answers with text, the way Get3W's text models do."""
    done = {"id": "cap-1", "status": "completed", "outputs": outputs}
    created = {"id": "cap-1", "status": "created"}
    server.on("POST", f"/v1/{CAPTIONER}", Answer(200, done if sync else created))
    server.on("GET", "/v1/requests/cap-1",
              Answer(200, {"id": "cap-1", "status": "processing"}),
              Answer(200, {"id": "cap-1", "status": "completed", "outputs": outputs}))  # fmt: skip


def test_run_prints_a_text_output_and_writes_it_to_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScriptedServer() as server:
        captioner(server, [CAPTION], sync=True)
        monkeypatch.setenv("GET3W_BASE_URL", server.url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        code = main(["run", CAPTIONER, "-p", "image=https://example.com/fox.png", "--sync",
                     "--out", str(tmp_path)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == Exit.OK, err
    line = last_json(out)
    assert line["state"] == "completed" and line["texts"] == [CAPTION]
    assert line["files"] == [str(tmp_path / "cap-1_0.txt")]
    assert (tmp_path / "cap-1_0.txt").read_text(encoding="utf-8") == CAPTION
    assert not server.requests_to("GET", "/fox.png")  # nothing fetched for a text
    with HistoryStore.open(app_paths().history_db) as store:
        [entry] = store.list()
    assert entry.job.texts == (TextOutput(0, CAPTION),)
    assert entry.job.state is JobState.COMPLETED


def test_the_window_keeps_a_text_output_whole_even_one_shaped_like_an_address(
    qtbot: QtBot, tmp_path: Path
) -> None:
    answer = "https://example.com is the site in the picture"
    bare = "https://example.com/"  # an LLM may well answer with just an address
    with ScriptedServer() as server:
        captioner(server, [answer, bare])
        job = through_the_window(qtbot, server.url, tmp_path / "o", CAPTIONER, {"image": "x"},
                                 expected_kind=lambda _m: TEXT_KIND, schedule=FAST)  # fmt: skip
        fetched = [s for s in server.seen if s.method == "GET" and "requests" not in s.path]
    assert job.state is JobState.COMPLETED
    assert job.texts == (TextOutput(0, answer), TextOutput(1, bare))
    assert job.files == () and fetched == []
    assert not (tmp_path / "o").exists() or list((tmp_path / "o").iterdir()) == []


def test_a_non_address_output_of_an_image_model_is_kept_as_text_and_addresses_still_checked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with ScriptedServer() as server:
        captioner(server, ["no image: the prompt was refused", "ftp://example.com/x.png"])
        job = through_the_window(qtbot, server.url, tmp_path / "o", CAPTIONER, {"image": "x"},
                                 expected_kind=lambda _m: "image", schedule=FAST)  # fmt: skip
    # The text is kept; the address is an address, refused by the strict check.
    assert job.texts == (TextOutput(0, "no image: the prompt was refused"),)
    assert job.state is JobState.NOT_SAVED
    assert job.error == "Refusing to download from a “ftp:” address."


def test_run_status_and_history_print_one_task_shape(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
    assert main(["run", EDIT.replace("/edit", "/text-to-image"), "-p", "prompt=a fox",
                 "--no-download"]) == Exit.OK  # fmt: skip
    ran = last_json(capsys.readouterr().out)
    assert main(["status", ran["id"]]) == Exit.OK
    status = last_json(capsys.readouterr().out)
    assert main(["history", "--json"]) == Exit.OK
    listed = last_json(capsys.readouterr().out)
    assert list(ran) == list(status) == list(listed)
    assert ran["id"] == status["id"] == listed["id"] and ran["local_id"] == listed["local_id"]
    assert status["local_id"] is None  # the server's snapshot alone has no local record
    assert (ran["state"], status["state"], listed["state"]) == ("completed",) * 3
    assert ran["base_url"] == status["base_url"] == listed["base_url"] == sandbox.base_url


def test_a_key_echoed_in_a_task_error_is_redacted_in_the_window_too(
    qtbot: QtBot, tmp_path: Path
) -> None:
    echoed = f"Request by {SANDBOX_API_KEY} was refused."
    failed = {"id": "t-9", "status": "failed", "code": 1401, "error": echoed}
    with ScriptedServer() as server:
        server.on("POST", f"/v1/{CAPTIONER}", Answer(200, failed))
        job = through_the_window(qtbot, server.url, tmp_path / "o", CAPTIONER, {}, schedule=FAST)
    assert job.state is JobState.FAILED
    assert job.error == "Request by «redacted» was refused."
    assert job.error_message is not None and SANDBOX_API_KEY not in str(job.error_message)


def test_run_checks_parameters_against_the_model_list_the_window_cached(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service's own schema (cached by the window) rules, not the shipped snapshot."""
    entries = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))["models"]
    nano = json.loads(json.dumps(next(e for e in entries if e["model_id"] == NANO)))
    nano["api_schema"]["api_schemas"][0]["request_schema"]["properties"]["prompt"]["maxLength"] = 8
    live_catalogue.write_cache(app_paths().cache / live_catalogue.CACHE_SUBDIR,
                               sandbox.base_url, [nano])  # fmt: skip
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
    code = main(["run", NANO, "-p", "prompt=a prompt longer than eight", "--no-history"])
    err = capsys.readouterr().err
    assert code == Exit.USAGE and "8" in err
    assert sandbox.stats.submits == 0  # refused before anything was sent
    # The shipped snapshot would have let it through: the cache is what decided.
    assert main(["run", NANO, "-p", "prompt=short", "--no-history", "--no-download"]) == Exit.OK
