"""The key goes to the configured API host and nowhere else, and lands in no file.

A canary key is used for a whole session (the GUI's runner, the `get3w` command, webhook
mode, redirected outputs), with a ~/.netrc entry for the very host and proxies set in the
environment; then every request the servers saw and every file under GET3W_HOME is searched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.app import setup_logging
from get3w_desktop.cli import main as cli_main
from get3w_desktop.core.job import JobState
from get3w_desktop.core.redact import REDACTED
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import SubmitMode
from get3w_desktop.sandbox import FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import IMAGE, Recorder, files_under
from tests.scripted_server import Answer, ScriptedServer

CANARY = "sk_canary_0f9e8d7c6b5a4f3e"
SCALE = 0.01


@pytest.fixture
def hostile_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        ScriptedServer]:  # fmt: skip
    """A ~/.netrc for 127.0.0.1 and every proxy variable pointing at a recording server."""
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-password-1234\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with ScriptedServer() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, proxy.url)
        yield proxy


@pytest.fixture
def cdn() -> Iterator[SandboxServer]:
    """A second host that outputs are redirected to (another CDN edge)."""
    with SandboxServer(SandboxConfig(record_requests=True)) as server:
        yield server


@pytest.fixture
def api(cdn: SandboxServer) -> Iterator[SandboxServer]:
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, keys={CANARY: 100.0},
                           record_requests=True,
                           faults=FaultConfig(redirect_to=cdn.output_base_url))  # fmt: skip
    with SandboxServer(config) as server:
        yield server


def test_the_key_reaches_only_the_api_host_and_no_file(
    qtbot: QtBot, api: SandboxServer, cdn: SandboxServer, hostile_environment: ScriptedServer,
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    paths = app_paths().ensure()
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    setup_logging(paths, verbose=True)
    try:
        # The GUI's runner, saving into the app's own outputs folder.
        with Get3WClient(api.base_url, CANARY) as client:
            runner = TaskRunner(client, paths.outputs, schedule=ScheduleParams().scaled(SCALE))
            recorder = Recorder(runner)
            jobs = [runner.submit(IMAGE, {"prompt": f"canary {n}"}) for n in range(3)]
            try:
                qtbot.waitUntil(lambda: recorder.all_done(jobs), timeout=20_000)
            finally:
                assert runner.shutdown()
            assert [recorder.final(j).state for j in jobs] == [JobState.COMPLETED] * 3
            # Webhook mode: the receiver is someone else's server.
            with ScriptedServer() as receiver:
                receiver.on("POST", "/hook", Answer(200, {"ok": True}))
                client.submit(IMAGE, {"prompt": "hooked"}, mode=SubmitMode.WEBHOOK,
                              webhook_url=f"{receiver.url}/hook")  # fmt: skip
                qtbot.waitUntil(lambda: bool(receiver.seen), timeout=20_000)
                hooks = list(receiver.seen)
        # The `get3w` command, with the key from the environment and logs on.
        monkeypatch.setenv("GET3W_API_KEY", CANARY)
        out = tmp_path / "cli-out"
        code = cli_main(["-v", "run", IMAGE, "-p", "prompt=cli canary", "--out", str(out),
                         "--base-url", api.base_url])  # fmt: skip
        assert code == 0
        logging.getLogger("get3w_desktop").warning("a key %s and another sk_live_ABCDEF123456",
                                                    CANARY)  # fmt: skip
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers_before:
                root.removeHandler(handler)
                handler.close()
    printed = capsys.readouterr()

    # The API host got it, as a Bearer token, on every request (never netrc's Basic auth).
    api_seen = [text for host, text in api.stats.requests_seen if host == "api"]
    assert api_seen and all(f"Bearer {CANARY}" in text for text in api_seen)
    assert not any("netrc-password" in text or "Basic " in text for text in api_seen)
    # No output host, redirect target, webhook receiver or proxy ever saw it.
    elsewhere = [text for host, text in api.stats.requests_seen if host != "api"]
    elsewhere += [text for _host, text in cdn.stats.requests_seen]
    assert elsewhere  # outputs were fetched: from the API's output host, then the CDN
    assert len([t for _h, t in cdn.stats.requests_seen]) >= 4
    for text in elsewhere:
        assert CANARY not in text and "Authorization" not in text
    assert hooks and all(CANARY not in f"{h.headers}{h.body!r}{h.path}" for h in hooks)
    assert hostile_environment.seen == []  # the proxies were ignored
    # Nothing the command printed, and no file under config, data, cache or logs.
    assert CANARY not in printed.out + printed.err
    files = files_under(isolated_home)
    assert any(f.parent == paths.outputs for f in files)
    assert any(f.parent == paths.logs for f in files)
    for path in files | files_under(out):
        assert CANARY.encode() not in path.read_bytes(), path
    log_text = "".join(p.read_text() for p in paths.logs.iterdir())
    assert "sk_live_ABCDEF123456" not in log_text and REDACTED in log_text
