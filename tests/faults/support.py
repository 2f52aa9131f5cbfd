"""What the fault and security tests share: a runner harness and the sandbox's own view."""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.workers.runner import TaskRunner

IMAGE = "google/nano-banana-pro/text-to-image"


class Recorder:
    """Every snapshot the runner emitted, by local id, received on the GUI thread."""

    def __init__(self, runner: TaskRunner) -> None:
        self.snapshots: dict[str, list[Job]] = {}
        self.idle_count = 0
        runner.job_changed.connect(self._on_change)
        runner.idle.connect(self._on_idle)

    def _on_change(self, job: Job) -> None:
        self.snapshots.setdefault(job.local_id, []).append(job)

    def _on_idle(self) -> None:
        self.idle_count += 1

    def final(self, job: Job) -> Job:
        return self.snapshots[job.local_id][-1]

    def finals(self, jobs: list[Job]) -> list[Job]:
        return [self.final(job) for job in jobs]

    def all_done(self, jobs: list[Job]) -> bool:
        return all(not self.final(job).state.active for job in jobs)

    def notes(self) -> list[str]:
        return [j.note for history in self.snapshots.values() for j in history if j.note]


def run_all(qtbot: QtBot, runner: TaskRunner, recorder: Recorder, jobs: list[Job],
            timeout_ms: int) -> None:  # fmt: skip
    """Start `jobs` and wait (pumping Qt events) until the runner is idle and all are done."""
    for job in jobs:
        runner.start(job)
    qtbot.waitUntil(
        lambda: runner.active_count() == 0 and recorder.all_done(jobs), timeout=timeout_ms
    )


@dataclass(frozen=True)
class ServerTask:
    """One task as the sandbox itself knows it."""

    id: str
    prompt: str
    status: str
    error: str | None
    checksums: tuple[str, ...]


def server_view(server: SandboxServer) -> list[ServerTask]:
    """Every task the sandbox created, with its status now and its outputs' checksums."""
    with server.state.lock:
        tasks = list(server.state.tasks.values())
    view = []
    for task in tasks:
        data = server.state.task_json(task, server.output_base_url)
        view.append(ServerTask(
            task.id, str(task.params.get("prompt", "")), str(data["status"]), data["error"],
            tuple(server.output_checksums(task.id)),
        ))  # fmt: skip
    return view


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files_under(folder: Path) -> set[Path]:
    """Every regular file below `folder`, hidden ones (like `.part`) included."""
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@contextlib.contextmanager
def recording_excepthooks() -> Iterator[list[str]]:
    """Record (instead of print) anything reaching sys.excepthook or threading.excepthook.

    Installed inside the test body, after pytest-qt has put its own hook in place.
    """
    caught: list[str] = []

    def on_exception(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        caught.append("".join(traceback.format_exception(kind, value, tb)))

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        caught.append(f"{args.thread}: {args.exc_type.__name__}: {args.exc_value}")

    previous, previous_thread = sys.excepthook, threading.excepthook
    sys.excepthook, threading.excepthook = on_exception, on_thread_exception
    try:
        yield caught
    finally:
        sys.excepthook, threading.excepthook = previous, previous_thread
