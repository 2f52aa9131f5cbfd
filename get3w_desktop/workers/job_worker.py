"""One job, start to finish, on a pool thread: submit -> wait -> poll -> download.

The worker never touches a widget and never raises into Qt: every outcome, expected or
not, becomes a `Job` snapshot emitted through the runner-owned signals object.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, Signal

from get3w_desktop.api.download import DownloadResult
from get3w_desktop.api.inputs import resolve_local_inputs
from get3w_desktop.api.waiting import WaitEvent, WaitState, wait_for_task
from get3w_desktop.core.errors import (
    CancelledError,
    DownloadError,
    Get3WError,
    SubmissionUncertainError,
    TaskFailedError,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Phase, Task

log = logging.getLogger(__name__)


class JobClient(Protocol):
    """What a worker needs from `Get3WClient` (a fake can stand in for tests)."""

    def submit_with_safe_retries(
        self,
        model_id: str,
        params: Mapping[str, Any],
        *,
        cancel: threading.Event | None = None,
        on_retry: Callable[[Get3WError, float], None] | None = None,
    ) -> Task: ...

    def upload(self, path: Path) -> str: ...

    def get(self, task_id: str) -> Task: ...

    def download(
        self,
        url: str,
        folder: Path,
        stem: str,
        *,
        expected_kind: str | None = None,
        cancel: threading.Event | None = None,
    ) -> DownloadResult: ...


class WorkerSignals(QObject):
    """Created on the GUI thread and owned by the runner.

    Signals:
        job_changed(Job): a new snapshot of a job.
        finished(str): the worker for this local id has returned.
    """

    job_changed = Signal(object)
    finished = Signal(str)


class JobWorker(QRunnable):
    def __init__(
        self,
        job: Job,
        client: JobClient,
        signals: WorkerSignals,
        cancel: threading.Event,
        outputs_dir: Path,
        *,
        expected_kind: str | None = None,
        schedule: ScheduleParams | None = None,
        journal: Callable[[Job], None] | None = None,
    ) -> None:
        super().__init__()
        # Qt deletes the C++ side after run() (with autoDelete off, PySide's pool would keep
        # every finished worker alive). The runner keeps the Python object until `finished`
        # and calls no Qt method on it once `started` is set (guarded by `start_lock`).
        self.started = False
        self.start_lock = threading.Lock()
        self.job = job
        self._client = client
        self._signals = signals
        self._cancel = cancel
        self._outputs_dir = outputs_dir
        self._expected_kind = expected_kind
        self._schedule = schedule
        #: Writes a snapshot durably (the history); called before the submit is sent and
        #: as soon as the server's id is known, so a crash never loses a paid task.
        self._journal = journal
        #: Set by the runner before cancelling on quit: the job then stays as it was
        #: (resumable) instead of becoming "stopped".
        self.quitting = False

    def run(self) -> None:
        with self.start_lock:
            self.started = True
        try:
            self._run()
        except Exception:  # a bug: keep the app alive, and say so on the job
            log.exception("worker for %s crashed", self.job.local_id)
            self._emit(self.job.evolve(
                state=JobState.FAILED, finished_at=time.time(), note="",
                error="An unexpected error stopped this task. Details are in the log.",
            ))  # fmt: skip
        finally:
            self._signals.finished.emit(self.job.local_id)

    def _emit(self, job: Job) -> None:
        self.job = job
        self._signals.job_changed.emit(job)

    def _stopped(self, job: Job) -> None:
        """A cancelled wait: "stopped" when the person asked, unchanged when quitting."""
        if not self.quitting:
            self._emit(job.evolve(state=JobState.CANCELLED, note="", finished_at=time.time()))

    def _run(self) -> None:
        job = self.job
        if self._cancel.is_set():
            self._stopped(job)
            return
        task = job.task
        if task is None:
            submitted = self._submit(job)
            if submitted is None:
                return
            job, task = submitted
        final = self._wait(job, task)
        if final is None:
            return
        job = self.job.evolve(task=final, note="")
        if final.phase is Phase.FAILED:
            error = TaskFailedError(
                final.error or "The task failed on the server.", code=final.code, task_id=final.id
            )
            self._emit(job.failed(error))
            return
        self._download(job, final)

    def _record(self, job: Job) -> str | None:
        """Write `job` durably; the reason it failed, or None."""
        if self._journal is None:
            return None
        try:
            self._journal(job)
        except Exception as exc:
            log.warning("history write for %s failed: %s", job.local_id, exc)
            return str(exc) or type(exc).__name__
        return None

    def _submit(self, job: Job) -> tuple[Job, Task] | None:
        job = job.evolve(state=JobState.SUBMITTING, note="")
        problem = self._record(job)
        if problem is not None:  # never send what the history cannot remember
            self._emit(job.evolve(
                state=JobState.FAILED, finished_at=time.time(),
                error=f"Not sent: the task could not be written to the history ({problem}). "
                "Nothing was charged. Free some disk space, then re-run it.",
            ))  # fmt: skip
            return None
        self._emit(job)

        def on_retry(exc: Get3WError, delay: float) -> None:
            self._emit(self.job.evolve(note=f"{exc.message} Retrying in {delay:.0f} s."))

        try:
            params = resolve_local_inputs(job.params, self._client.upload)
            task = self._client.submit_with_safe_retries(
                job.model_id, params, cancel=self._cancel, on_retry=on_retry
            )
        except SubmissionUncertainError as exc:
            self._emit(job.failed(exc, JobState.UNCERTAIN))
            return None
        except CancelledError:
            self._stopped(job)
            return None
        except Get3WError as exc:
            self._emit(job.failed(exc))
            return None
        job = job.evolve(state=JobState.RUNNING, task=task, submitted_at=time.time(), note="")
        problem = self._record(job)
        if problem is not None:
            job = job.evolve(note=f"Running, but the history could not be saved: {problem}")
        self._emit(job)
        return job, task

    def _wait(self, job: Job, task: Task) -> Task | None:
        if job.state is not JobState.RUNNING:
            self._emit(job := job.evolve(state=JobState.RUNNING, note=""))

        def on_event(event: WaitEvent) -> None:
            note = "" if event.state is WaitState.POLLED else _wait_note(event)
            if event.overdue and not note:
                note = "Slower than usual; still checking."
            self._emit(self.job.evolve(task=event.task, note=note, overdue=event.overdue))

        try:
            return wait_for_task(
                self._client, task, cancel=self._cancel, on_event=on_event,
                params=self._schedule, elapsed_at_start=job.elapsed(),
            )  # fmt: skip
        except CancelledError:
            self._stopped(self.job)
            return None
        except Get3WError as exc:
            self._emit(self.job.failed(exc))
            return None

    def _download(self, job: Job, task: Task) -> None:
        self._emit(job := job.evolve(state=JobState.DOWNLOADING, note=""))
        files: list[str] = []
        try:
            for index, url in enumerate(task.outputs):
                saved = self._client.download(
                    url, self._outputs_dir, f"{job.local_id}_{index}",
                    expected_kind=self._expected_kind, cancel=self._cancel,
                )  # fmt: skip
                files.append(str(saved.path))
        except CancelledError:
            if not self.quitting:
                self._emit(job.evolve(state=JobState.NOT_SAVED, files=tuple(files),
                                      error="Stopped before every output was saved.",
                                      finished_at=time.time()))  # fmt: skip
            return
        except (DownloadError, Get3WError) as exc:
            self._emit(job.evolve(files=tuple(files)).failed(exc, JobState.NOT_SAVED))
            return
        self._emit(job.evolve(state=JobState.COMPLETED, files=tuple(files),
                              finished_at=time.time(), note=""))  # fmt: skip


def _wait_note(event: WaitEvent) -> str:
    when = f" Retrying in {event.retry_in:.0f} s." if event.retry_in is not None else ""
    if event.state is WaitState.WAITING_FOR_NETWORK:
        return f"Waiting for the network.{when}"
    if event.state is WaitState.RATE_LIMITED:
        return f"Rate limited.{when}"
    return f"{event.message}{when}".strip()
