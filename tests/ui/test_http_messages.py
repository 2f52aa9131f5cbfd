"""Every failure the HTTP layer raises carries a code, and reaches the window in Chinese.

The errors are produced for real wherever the sandbox can (closed port, TLS to a plain
port, 401, 404, 429, 5xx, cut JSON, resets, hangs, drips, oversize answers, a malformed
key); the statuses it never sends (403, 422, 302) are classified from a real-looking reply.
The English `str()` stays exactly what the `get3w` command and the logs print.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import Reply, make_api_session, raise_for_status, send
from get3w_desktop.api.parse import loads_object
from get3w_desktop.core import messages
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.sandbox.config import FaultConfig
from get3w_desktop.ui import i18n
from get3w_desktop.ui.messages import _TEXTS, job_error, render
from get3w_desktop.workers.runner import TaskRunner
from tests.ui.test_chinese_sweep import english_in

TASK = "0123456789abcdef0123456789abcdef"
NANO = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fails(call: Callable[[], object]) -> Get3WError:
    with pytest.raises(Get3WError) as caught:
        call()
    return caught.value


def _get(base_url: str, path: str, *, key: str = SANDBOX_API_KEY, **kwargs: object) -> object:
    with make_api_session(key, base_url) as session:
        reply = send(session, "GET", base_url + path, **kwargs)  # type: ignore[arg-type]
        raise_for_status(reply, "the thing asked")
        return loads_object(reply.body, "the thing asked")


def _faulty(faults: FaultConfig) -> SandboxServer:
    return SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.25, faults=faults))


def _submitted(sandbox: SandboxServer) -> str:
    """A real task's id (the GET faults hit only tasks the sandbox knows)."""
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        return client.submit(NANO, {"prompt": "a lighthouse"}).id


def _real_errors(sandbox: SandboxServer) -> Iterator[tuple[str, Get3WError]]:
    base = sandbox.base_url
    port = base.rsplit(":", 1)[1]
    yield "refused", _fails(lambda: _get(f"http://127.0.0.1:{_closed_port()}", "/api/v3/balance"))
    yield "tls", _fails(lambda: _get(f"https://127.0.0.1:{port}", "/api/v3/balance"))
    yield "auth", _fails(lambda: _get(base, "/api/v3/balance", key="sk_wrong_key_0000"))
    yield "not found", _fails(lambda: _get(base, f"/v1/requests/{TASK}"))
    yield "too large", _fails(lambda: _get(base, "/api/v3/models", max_bytes=64))
    yield "malformed key", _fails(lambda: _get(base, "/api/v3/balance", key="sk key"))
    with _faulty(FaultConfig(rate_limit=1.0)) as limited:
        yield "429", _fails(lambda: _get(limited.base_url, "/api/v3/balance"))
    with _faulty(FaultConfig(server_error=1.0)) as failing:
        yield "5xx", _fails(lambda: _get(failing.base_url, "/api/v3/balance"))
    with _faulty(FaultConfig(malformed_json=1.0)) as cut:
        task = _submitted(cut)
        yield "cut json", _fails(lambda: _get(cut.base_url, f"/v1/requests/{task}"))
    with _faulty(FaultConfig(reset=1.0)) as resetting:
        task = _submitted(resetting)
        yield "reset", _fails(lambda: _get(resetting.base_url, f"/v1/requests/{task}"))
    with _faulty(FaultConfig(hang=1.0)) as hanging:
        yield "hang", _fails(lambda: _get(hanging.base_url, "/api/v3/balance",
                                          timeout=(2.0, 0.3)))  # fmt: skip
    with _faulty(FaultConfig(drip=1.0)) as dripping:
        yield "drip", _fails(lambda: _get(dripping.base_url, "/api/v3/balance",
                                          total_deadline=0.5))  # fmt: skip


def _reply(status: int, body: bytes = b"{}", **headers: str) -> Reply:
    return Reply(status, body, requests.structures.CaseInsensitiveDict(headers),
                 "https://api.get3w.com/api/v3/balance")  # fmt: skip


def test_every_http_failure_is_coded_and_reads_as_chinese(
    chinese: QApplication, sandbox: SandboxServer
) -> None:
    errors = list(_real_errors(sandbox))
    errors += [
        (f"HTTP {status}", _fails(lambda status=status: raise_for_status(  # type: ignore[misc]
            _reply(status, b'{"message": "prompt is required"}', Location="https://x.test/"),
            "the balance")))
        for status in (403, 422, 302)
    ]  # fmt: skip
    seen: set[Code] = set()
    for kind, error in errors:
        said = messages.for_error(error)
        assert said.code is not Code.TEXT, f"{kind}: no code for {error.message!r}"
        assert said.fallback == error.message == str(error)  # the CLI's words, unchanged
        shown = render(said)
        assert shown != error.message, f"{kind}: not translated: {shown!r}"
        assert english_in(shown, set()) is None, f"{kind}: English in {shown!r}"
        seen.add(said.code)
    # The real errors covered many kinds, not one kind many times.
    assert {Code.HTTP_UNREADABLE, Code.HTTP_REFUSED, Code.HTTP_TLS, Code.HTTP_READ_TIMEOUT,
            Code.HTTP_TOO_SLOW, Code.HTTP_SERVER, Code.HTTP_RATE_LIMITED} <= seen  # fmt: skip
    assert seen & {Code.HTTP_LOST, Code.HTTP_BROKE, Code.HTTP_NO_TALK}, sorted(seen)  # reset
    assert len(seen) >= 15, sorted(seen)


def test_the_english_words_stay_for_the_command_line(sandbox: SandboxServer) -> None:
    error = _fails(lambda: _get(f"http://127.0.0.1:{_closed_port()}", "/api/v3/balance"))
    assert str(error).startswith("Could not connect to 127.0.0.1: it refused the connection")
    assert error.coded is not None and error.coded.code is Code.HTTP_REFUSED
    assert error.coded.args == {"host": "127.0.0.1"}
    # English UI: the fallback itself, word for word.
    assert render(error.coded) == str(error)


def test_every_code_has_a_chinese_text_without_an_english_sentence(
    chinese: QApplication,
) -> None:
    sample: dict[str, messages.ArgValue] = {
        "host": "api.get3w.com", "max_bytes": "4,194,304", "reason": messages.http_dns("x.test"),
        "what": "the balance", "seconds": 5, "status": 503, "balance": "$12.00",
        "code": 1200, "text": "", "problem": Message(Code.KEYRING_LOCKED, {}, "Locked."),
    }  # fmt: skip
    for code in _TEXTS:
        if not code.value.startswith(("http.", "key.")):
            continue
        shown = render(Message(code, sample, "English fallback words here"))
        assert shown != "English fallback words here", f"{code}: no Chinese text"
        assert english_in(shown, set()) is None, f"{code}: English in {shown!r}"


def test_a_task_failed_by_an_http_error_says_why_in_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seen: list[Job] = []
    with Get3WClient(sandbox.base_url, "sk_wrong_key_0000") as client:
        runner = TaskRunner(client, tmp_path / "out", schedule=ScheduleParams().scaled(0.02))
        runner.job_changed.connect(seen.append)
        job = runner.submit(NANO, {"prompt": "a red fox"})
        try:
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
        finally:
            assert runner.shutdown()
    final = [j for j in seen if j.local_id == job.local_id][-1]
    assert final.state is JobState.FAILED
    assert final.error_message is not None and final.error_message.code is Code.HTTP_AUTH
    assert final.error is not None and "refused the API key" in final.error  # history, CLI
    shown = job_error(final)
    assert shown is not None and "拒绝了 API 密钥" in shown
    assert english_in(shown, set()) is None, shown
