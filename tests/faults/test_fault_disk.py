"""Saving fails on the disk's side: a clear message, and no partial file left behind."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api import download as dl
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.errors import DownloadError
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import IMAGE, Recorder, files_under

SCALE = 0.01


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(time_scale=SCALE, render_scale=0.1)) as srv:
        yield srv


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The disk fills after the first bytes of every download: write raises ENOSPC."""
    written: list[int] = []
    original = dl._stream

    class FullDisk:
        def __init__(self, sink: Any) -> None:
            self._sink = sink

        def write(self, data: bytes) -> int:
            written.append(self._sink.write(data[:100]))
            self._sink.flush()  # the partial bytes really are on disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> Any:
            return getattr(self._sink, name)

    def stream(response: Any, sink: Any, *args: Any) -> Any:
        return original(response, cast(BinaryIO, FullDisk(sink)), *args)

    monkeypatch.setattr(dl, "_stream", stream)
    return written


def finished_output(client: Get3WClient) -> str:
    """The URL of a freshly finished task's output."""
    task = client.submit(IMAGE, {"prompt": "x"})
    final = wait_for_task(client, task, cancel=threading.Event(),
                          params=ScheduleParams().scaled(SCALE))  # fmt: skip
    return final.outputs[0]


def run_one(qtbot: QtBot, server: SandboxServer, folder: Path) -> Any:
    with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        runner = TaskRunner(client, folder, schedule=ScheduleParams().scaled(SCALE))
        recorder = Recorder(runner)
        job = runner.submit(IMAGE, {"prompt": "a full disk"})
        try:
            qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
        finally:
            assert runner.shutdown()
        return recorder.final(job)


def test_a_full_disk_is_explained_and_leaves_no_partial_file(
    qtbot: QtBot, server: SandboxServer, tmp_path: Path, disk_fills_up: list[int]
) -> None:
    folder = tmp_path / "outputs"
    done = run_one(qtbot, server, folder)
    assert disk_fills_up == [100]  # bytes reached the disk, once: a full disk is not retried
    assert done.state is JobState.NOT_SAVED
    assert done.error.startswith("The disk is full")
    assert "Free some space" in done.error
    assert done.remote_id and done.task.status == "completed"  # the task itself is fine
    assert files_under(folder) == set()


def test_a_save_folder_that_cannot_exist_is_explained(
    qtbot: QtBot, server: SandboxServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")  # root ignores modes; this refuses root too
    done = run_one(qtbot, server, blocker / "outputs")
    # Found before the submit: nothing was sent, nothing paid for (#17.5).
    assert done.state is JobState.FAILED and done.remote_id is None
    assert done.error.startswith(f"Not sent: Could not save into {blocker / 'outputs'}")
    assert server.stats.submits == 0
    assert blocker.read_bytes() == b"not a folder"
    assert files_under(tmp_path) == {blocker}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EROFS, "read-only or no permission"),
        (errno.EACCES, "read-only or no permission"),
        (errno.ENOSPC, "The disk is full"),
        (errno.EDQUOT, "The disk is full"),
        (errno.ENAMETOOLONG, "too long"),
    ],
)
def test_every_disk_refusal_while_creating_the_part_file_is_explained(
    server: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int,
    expected: str,
) -> None:  # fmt: skip
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        url = finished_output(client)
        monkeypatch.setattr("tempfile.mkstemp", refuse)  # what download() creates .part files with
        with pytest.raises(DownloadError) as caught:
            client.download(url, tmp_path, "t_0", attempts=1)
    assert expected in caught.value.message
    assert not caught.value.transient
    assert files_under(tmp_path) == set()


def test_a_failed_rename_removes_the_part_file(
    server: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last step can fail too (a folder that turned read-only mid-download)."""

    def refuse(*_args: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        url = finished_output(client)
        monkeypatch.setattr("os.replace", refuse)  # the atomic rename at the end
        with pytest.raises(DownloadError) as caught:
            client.download(url, tmp_path, "t_0", attempts=1)
    assert "read-only" in caught.value.message
    assert files_under(tmp_path) == set()
