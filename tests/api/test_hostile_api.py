"""The API layer's defences against hostile servers, one function at a time: compressed
answers and bombs, a malformed key, urllib3's warning about a cut head, files that are
not whole, estimates that make no sense and the last poll before a time limit."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import logging
import socket
import struct
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.deadline import overall_deadline
from get3w_desktop.api.http import MAX_TASK_BYTES, MalformedKeyError, key_problem
from get3w_desktop.api.integrity import incomplete_reason, kind_matches, sniff
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.errors import (
    BadResponseError,
    DownloadError,
    NetworkError,
    SubmissionUncertainError,
    WaitTimeoutError,
)
from get3w_desktop.core.resources import resource_path
from get3w_desktop.core.schedule import PollSchedule, ScheduleParams, sane_estimate
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from tests.faults.support import IMAGE
from tests.scripted_server import Answer, ScriptedServer

KEY = "sk_hostile_api_units_0001"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


# -- compressed answers -------------------------------------------------------------------


def test_a_gzip_answer_is_decoded_and_the_api_session_asks_only_for_what_it_decodes(
    server: ScriptedServer,
) -> None:
    body = gzip.compress(json.dumps({"id": "t-1", "status": "processing"}).encode())
    server.on("GET", "/v1/requests/t-1", Answer(200, body, {"Content-Encoding": "gzip"}))
    with Get3WClient(server.url, KEY) as client:
        task = client.get("t-1")
    assert task.status == "processing"
    assert server.seen[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_every_api_call_decodes_gzip_against_the_sandbox(tmp_path: Path) -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.1, faults=FaultConfig(gzip=1.0))
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        assert client.balance() == 100.0
        assert len(client.list_models()) > 0
        quote = client.price(IMAGE, {"prompt": "x"})
        assert quote is not None
        task = client.submit(IMAGE, {"prompt": "x"})
        assert client.get(task.id).id == task.id
        assert server.stats.faults_injected["gzip"] >= 5


def test_a_compression_bomb_stops_at_the_ceiling_and_a_submit_is_uncertain(
    server: ScriptedServer,
) -> None:
    bomb = gzip.compress(
        b'{"id": "t-1", "status": "created", "pad": "' + b" " * (MAX_TASK_BYTES * 2)
    )
    assert len(bomb) < 100_000
    server.on("POST", "/v1/some/model", Answer(200, bomb, {"Content-Encoding": "gzip"}))
    server.on("GET", "/v1/requests/t-1", Answer(200, bomb, {"Content-Encoding": "gzip"}))
    with Get3WClient(server.url, KEY) as client:
        with pytest.raises(BadResponseError) as caught:
            client.get("t-1")
        assert "larger than expected" in caught.value.message
        with pytest.raises(SubmissionUncertainError) as uncertain:
            client.submit("some/model", {"prompt": "x"})
    assert "may have been created" in uncertain.value.message
    assert len(server.requests_to("POST", "/v1/some/model")) == 1


def test_an_unparsable_submit_redirect_is_uncertain_not_failed(server: ScriptedServer) -> None:
    server.on("POST", "/v1/some/model", Answer(302, b"", {"Location": "http://[moved"}))
    with Get3WClient(server.url, KEY) as client, pytest.raises(SubmissionUncertainError):
        client.submit("some/model", {"prompt": "x"})


# -- the key --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sk_a\r\nX-Evil: 1", "sk_a\nb", "sk_ключ_1234", "sk_a b"])
def test_a_key_that_cannot_be_a_header_is_malformed_and_never_sent(
    key: str, server: ScriptedServer
) -> None:
    assert key_problem(key) is not None
    with Get3WClient(server.url, key) as client:
        with pytest.raises(MalformedKeyError) as caught:
            client.get("t-1")
        assert "key is malformed" in caught.value.message
        with pytest.raises(MalformedKeyError):  # never "uncertain": nothing left
            client.submit("some/model", {"prompt": "x"})
    assert server.seen == []
    assert key_problem(KEY) is None


# -- a head cut by the deadline -------------------------------------------------------------


@contextlib.contextmanager
def cut_head_server() -> Iterator[str]:
    """Answers every request with a status line and half a header, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Ty")
                connection.shutdown(socket.SHUT_WR)

    thread = threading.Thread(target=serve, name="cut-head-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_cut_answer_head_is_one_log_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    with (
        cut_head_server() as url,
        Get3WClient(url, KEY) as client,
        contextlib.suppress(NetworkError, BadResponseError),
    ):
        client.get("t-1")
    warnings = [r for r in caplog.records if r.name.startswith("urllib3")]
    assert warnings, "urllib3 no longer warns: the filter may be dropped"
    for record in warnings:
        assert record.exc_info is None and record.exc_text is None
        assert "\n" not in record.getMessage()
        assert "damaged answer head" in record.getMessage()


# -- whole files ----------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    stream = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(stream, "PNG")
    return stream.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reason(tmp_path: Path, data: bytes, *, length_known: bool = False) -> str | None:
    kind = sniff(data[:64])
    media_type = kind[1] if kind else "application/octet-stream"
    return incomplete_reason(write(tmp_path, "f", data), media_type, length_known=length_known)


def glb(payload: bytes = b'{"asset":{"version":"2.0"}}  ') -> bytes:
    chunk = struct.pack("<I4s", len(payload), b"JSON") + payload
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunk)) + chunk


def safetensors(data: bytes = b"\x00" * 16) -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, len(data)]}})
    raw = header.encode()
    return struct.pack("<Q", len(raw)) + raw + data


def zipped() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mesh.obj", "v 0 0 0\n" * 500)
    return stream.getvalue()


def test_whole_files_pass_and_their_kind_comes_from_the_bytes(tmp_path: Path) -> None:
    video = resource_path("sandbox", "clip_1x1.mp4").read_bytes()
    cases = {
        ".png": png_bytes(),
        ".mp4": video,
        ".glb": glb(),
        ".safetensors": safetensors(),
        ".zip": zipped(),
        ".gz": gzip.compress(b"weights" * 100),
    }
    for ext, data in cases.items():
        kind = sniff(data[:64])
        assert kind is not None and kind[0] == ext, (ext, kind)
        assert reason(tmp_path, data) is None, ext
    assert kind_matches("model/gltf-binary", "3d") and not kind_matches(
        "model/gltf-binary", "image"
    )
    assert kind_matches("application/x-safetensors", None)


@pytest.mark.parametrize("name", ["png", "mp4", "glb", "safetensors", "zip", "gz"])
def test_a_file_cut_in_the_middle_is_not_whole(name: str, tmp_path: Path) -> None:
    data = {
        "png": png_bytes(),
        "mp4": resource_path("sandbox", "clip_1x1.mp4").read_bytes(),
        "glb": glb(),
        "safetensors": safetensors(),
        "zip": zipped(),
        "gz": gzip.compress(bytes(range(256)) * 400),
    }[name]
    assert reason(tmp_path, data[: len(data) * 2 // 3]) is not None


def test_a_right_signature_followed_by_zeros_is_not_a_picture(tmp_path: Path) -> None:
    data = png_bytes()
    assert reason(tmp_path, data[:8] + b"\x00" * (len(data) - 8), length_known=True) is not None


def test_an_unknown_format_is_whole_only_when_its_length_was_announced(tmp_path: Path) -> None:
    assert reason(tmp_path, b"plain bytes of no known kind", length_known=True) is None
    assert reason(tmp_path, b"plain bytes of no known kind") is not None


# -- estimates and the last poll ------------------------------------------------------------


def test_absurd_estimates_are_read_as_milliseconds_or_unknown() -> None:
    limit = ScheduleParams().max_plausible_estimate
    assert sane_estimate(52.0, limit) == 52.0
    assert sane_estimate(52000.0, limit) == 52.0
    assert sane_estimate(1e12, limit) is None
    assert sane_estimate(float("inf"), limit) is None
    assert sane_estimate(-3.0, limit) is None
    schedule = PollSchedule(52000.0, ScheduleParams(jitter=0.0))
    assert schedule.estimate == 52.0
    assert schedule.delay(0.0) < 60  # not 10,235 s
    long = PollSchedule(7000.0, ScheduleParams(jitter=0.0))  # plausible, but far away
    assert long.delay(0.0) == ScheduleParams().first_poll_cap


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class DoneAfter:
    """A task that finishes `after` seconds on `clock`; counts the polls it answers."""

    def __init__(self, clock: FakeClock, after: float) -> None:
        self.clock, self.after, self.polls = clock, after, 0

    def get(self, task_id: str) -> Task:
        self.polls += 1
        status = "completed" if self.clock.now >= self.after else "processing"
        return Task(id=task_id, status=status)


def test_a_task_done_long_before_its_estimate_is_seen_by_the_last_poll() -> None:
    clock = FakeClock()

    def sleep(seconds: float) -> object:
        from get3w_desktop.api.waiting import Wake

        clock.now += seconds
        return Wake.ELAPSED

    server = DoneAfter(clock, after=1.0)
    task = Task(id="t-1", status="created", estimated_duration=100.0)
    done = wait_for_task(server, task, cancel=threading.Event(), timeout=20.0, clock=clock,
                         sleep=sleep)  # type: ignore[arg-type]  # fmt: skip
    assert done.status == "completed"
    assert server.polls == 1 and 17.0 <= clock.now <= 20.0  # one look, just before the limit

    clock.now = 0.0
    still = DoneAfter(clock, after=1e9)
    with pytest.raises(WaitTimeoutError):
        wait_for_task(still, task, cancel=threading.Event(), timeout=20.0, clock=clock,
                      sleep=sleep)  # type: ignore[arg-type]  # fmt: skip
    assert still.polls == 1  # it still looked once before giving up


@contextlib.contextmanager
def dripping_output_server() -> Iterator[str]:
    """Sends a PNG's head at once, then its body one byte every 0.2 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()
    body = png_bytes((256, 256))

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection, contextlib.suppress(OSError):
                connection.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n"
                connection.sendall(head.encode())
                for i in range(len(body)):
                    if stop.wait(0.2):
                        break
                    connection.sendall(body[i : i + 1])

    thread = threading.Thread(target=serve, name="dripping-output-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/x.png"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_slow_download_ends_by_the_callers_time_limit(tmp_path: Path) -> None:
    with dripping_output_server() as url, Get3WClient("http://127.0.0.1:1", KEY) as client:
        started = time.monotonic()
        with overall_deadline(started + 1.5), pytest.raises(DownloadError) as caught:
            client.download(url, tmp_path, "t_0", expected_kind="image")
        took = time.monotonic() - started
    assert "time limit ran out" in caught.value.message
    assert not caught.value.transient  # not retried: the limit is the caller's
    assert took < 10  # the transfer's own limits (20 s grace, 30 min) would allow far more
    assert list(tmp_path.iterdir()) == []
