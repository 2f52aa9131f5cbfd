"""The `get3w` command: output, files and exit codes, against the sandbox."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from PIL import Image

from get3w_desktop.cli import main
from get3w_desktop.cli.common import Exit
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.cli.support import last_json

MODEL = "google/nano-banana-pro/text-to-image"


def test_run_saves_the_output_and_prints_one_json_line(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", MODEL, "-p", "prompt=A sunset over mountains", "-p", "aspect_ratio=16:9",
                 "--out", str(tmp_path)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == Exit.OK, err
    assert len(out.strip().splitlines()) == 1
    result = last_json(out)
    assert result["status"] == "completed"
    files = result["files"]
    assert isinstance(files, list) and len(files) == 1
    with Image.open(files[0]) as image:
        assert image.format == "PNG"
        assert abs(image.size[0] / image.size[1] - 16 / 9) < 0.02
    assert "submitted" in err


def test_a_failed_task_exits_1_with_its_code(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["run", MODEL, "-p", "prompt=[fail:1200] x", "--out", str(out)])
    result = last_json(capsys.readouterr().out)
    assert code == Exit.TASK_FAILED
    assert result["code"] == 1200 and result["error"]
    assert not out.exists() or list(out.iterdir()) == []


def test_parameters_are_checked_before_anything_is_sent(
    env: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", MODEL, "-p", "aspect_ratio=7:3"])
    err = capsys.readouterr().err
    assert code == Exit.USAGE
    assert "aspect_ratio" in err and "prompt" in err
    assert env.stats.submits == 0


def test_params_file_and_unknown_models(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"prompt": "from a file", "output_format": "jpeg"}))
    assert main(["run", MODEL, "--params-file", str(params), "--out", str(tmp_path)]) == Exit.OK
    files = last_json(capsys.readouterr().out)["files"]
    assert isinstance(files, list) and files[0].endswith(".jpg")
    assert main(["run", "nobody/nothing", "-p", "prompt=x"]) == Exit.NOT_FOUND


def test_auth_balance_and_network_exit_codes(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("GET3W_API_KEY", "sk_wrong_key_0000")
    assert main(["run", MODEL, "-p", "prompt=x"]) == Exit.AUTH
    assert "sk_wrong_key_0000" not in capsys.readouterr().err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("GET3W_BASE_URL", f"http://127.0.0.1:{closed_port}")
    assert main(["run", MODEL, "-p", "prompt=x"]) == Exit.NETWORK
    monkeypatch.setenv("GET3W_BASE_URL", "http://api.get3w.com")
    assert main(["run", MODEL, "-p", "prompt=x"]) == Exit.USAGE


def test_insufficient_balance_exits_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SandboxServer(SandboxConfig(time_scale=0.02, keys={"sk_broke_000000": 0.0})) as srv:
        monkeypatch.setenv("GET3W_BASE_URL", srv.base_url)
        monkeypatch.setenv("GET3W_API_KEY", "sk_broke_000000")
        assert main(["run", MODEL, "-p", "prompt=x"]) == Exit.BALANCE
    assert "Top up" in capsys.readouterr().err


def test_status_models_and_balance(env: SandboxServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", MODEL, "-p", "prompt=x", "--no-download"]) == Exit.OK
    task_id = last_json(capsys.readouterr().out)["id"]
    assert main(["status", str(task_id)]) == Exit.OK
    assert last_json(capsys.readouterr().out)["id"] == task_id
    assert main(["status", "no-such-task"]) == Exit.NOT_FOUND
    capsys.readouterr()
    assert main(["models"]) == Exit.OK
    listing = capsys.readouterr().out
    assert MODEL in listing and "bytedance/seedream-v4.5" in listing
    assert main(["models", MODEL]) == Exit.OK
    assert "aspect_ratio" in capsys.readouterr().out
    assert main(["models", "--remote", "--json"]) == Exit.OK
    assert any(m["model_id"] == MODEL for m in json.loads(capsys.readouterr().out))
    assert main(["balance"]) == Exit.OK
    assert capsys.readouterr().out.startswith("$")


def test_timeout_exits_8_and_the_task_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SandboxServer(SandboxConfig(time_scale=1.0, render_scale=0.25)) as srv:
        monkeypatch.setenv("GET3W_BASE_URL", srv.base_url)
        monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
        assert main(["run", MODEL, "-p", "prompt=x", "--timeout", "0.3"]) == Exit.TIMEOUT
        result = last_json(capsys.readouterr().out)
        assert result["status"] in ("created", "processing")


def test_key_set_checks_and_stores_then_status_masks_then_delete(
    env: SandboxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GET3W_API_KEY")
    monkeypatch.setattr(sys, "stdin", io.StringIO("sk_wrong_key_0000\n"))
    assert main(["key", "set"]) == Exit.AUTH
    assert keyring.get_password("get3w-desktop", "default") is None
    monkeypatch.setattr(sys, "stdin", io.StringIO(SANDBOX_API_KEY + "\n"))
    assert main(["key", "set"]) == Exit.OK
    assert keyring.get_password("get3w-desktop", "default") == SANDBOX_API_KEY
    capsys.readouterr()
    assert main(["key", "status"]) == Exit.OK
    out = capsys.readouterr().out
    assert SANDBOX_API_KEY not in out and SANDBOX_API_KEY[-4:] in out
    # The stored key is used when the environment has none.
    assert main(["balance"]) == Exit.OK
    assert main(["key", "delete"]) == Exit.OK
    assert keyring.get_password("get3w-desktop", "default") is None


def test_the_documented_command_line_works_end_to_end(tmp_path: Path) -> None:
    """README: `get3w sandbox --port N &` then `get3w run …` in another process."""
    get3w = Path(sys.executable).with_name("get3w")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with subprocess.Popen(
        [str(get3w), "sandbox", "--port", str(port), "--output-port", "0", "--time-scale", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as server:  # fmt: skip
        try:
            assert server.stdout is not None
            assert f"http://127.0.0.1:{port}" in server.stdout.readline()
            env = {
                **os.environ,
                "GET3W_BASE_URL": f"http://127.0.0.1:{port}",
                "GET3W_API_KEY": SANDBOX_API_KEY,
                "GET3W_HOME": str(tmp_path / "home"),
            }
            done = subprocess.run(
                [str(get3w), "run", MODEL, "-p", "prompt=A sunset over mountains",
                 "-p", "aspect_ratio=16:9", "--out", str(tmp_path / "out")],
                env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            result = json.loads(done.stdout.strip().splitlines()[-1])
            [saved] = result["files"]
            with Image.open(saved) as image:
                assert image.format == "PNG"
                assert abs(image.size[0] / image.size[1] - 16 / 9) < 0.02
        finally:
            server.terminate()
            server.communicate(timeout=20)
    assert server.returncode == 0  # SIGTERM is a clean stop
