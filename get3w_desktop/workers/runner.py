"""The task runner: owns the pool, the workers and their cancel events.

Signals:
    job_changed(Job): any job's new snapshot (GUI thread).
    idle(): the last active job finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.workers.job_worker import JobClient, JobWorker, WorkerSignals


class TaskRunner(QObject):
    job_changed = Signal(object)
    idle = Signal()

    def __init__(
        self,
        client: JobClient | None,
        outputs_dir: Path,
        *,
        max_concurrency: int = 4,
        expected_kind: Callable[[str], str | None] = lambda _model_id: None,
        schedule: ScheduleParams | None = None,
        journal: Callable[[Job], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`journal` writes durably, from the workers: each job's lifecycle calls it before
        the submit and on every change worth keeping. The snapshots the runner makes itself
        (queued; stopped before it started) go out on `job_changed` like every other, for
        the job book to keep."""
        super().__init__(parent)
        self._client = client
        self._journal = journal
        self._outputs_dir = outputs_dir
        self._expected_kind = expected_kind
        self._schedule = schedule
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, max_concurrency))
        self._signals = WorkerSignals(self)
        self._signals.job_changed.connect(self._on_job_changed)
        self._signals.finished.connect(self._on_finished)
        self._workers: dict[str, JobWorker] = {}
        self._cancels: dict[str, threading.Event] = {}
        self._shut_down = False

    @property
    def client(self) -> JobClient | None:
        return self._client

    @property
    def outputs_dir(self) -> Path:
        """Where downloaded outputs are kept (Help › Where your data lives shows it)."""
        return self._outputs_dir

    def set_client(self, client: JobClient) -> None:
        """Send new jobs through `client` (another profile or key); running ones keep theirs."""
        self._client = client

    def set_max_concurrency(self, count: int) -> None:
        self._pool.setMaxThreadCount(max(1, count))

    def max_concurrency(self) -> int:
        return int(self._pool.maxThreadCount())

    def active_count(self) -> int:
        return len(self._workers)

    def submit(self, model_id: str, params: Mapping[str, Any], profile: str = "sandbox") -> Job:
        job = Job(model_id=model_id, params=dict(params), profile=profile)
        self.start(job)
        return job

    def start(self, job: Job) -> None:
        """Run (or resume, when `job.task` is set) a job on the pool."""
        if self._shut_down:
            raise RuntimeError("the runner has been shut down")
        if self._client is None:
            raise RuntimeError("the runner has no client yet (set_client)")
        if job.local_id in self._workers:
            return
        cancel = threading.Event()
        worker = JobWorker(
            job, self._client, self._signals, cancel, self._outputs_dir,
            expected_kind=self._expected_kind(job.model_id), schedule=self._schedule,
            journal=self._journal,
        )  # fmt: skip
        self._workers[job.local_id] = worker
        self._cancels[job.local_id] = cancel
        self.job_changed.emit(job)
        self._pool.start(worker)

    def cancel(self, local_id: str) -> None:
        """Stop waiting for a job at once. A task on the server is not cancelled."""
        worker = self._workers.get(local_id)
        if worker is None:
            return
        self._cancels[local_id].set()
        with worker.start_lock:
            taken = not worker.started and self._pool.tryTake(worker)
        if taken:  # never started: it will not run, so finish it here
            stopped = worker.job.evolve(state=JobState.CANCELLED)
            self._on_job_changed(stopped)
            self._on_finished(local_id)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel every wait, drop queued jobs, and wait for running workers to return.

        Jobs stay resumable (nothing on the server is cancelled). True if all returned.
        """
        if self._shut_down:
            return bool(self._pool.waitForDone(timeout_ms))
        self._shut_down = True
        for local_id, event in self._cancels.items():
            self._workers[local_id].quitting = True
            event.set()
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._signals.job_changed.disconnect(self._on_job_changed)
        return bool(done)

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        self.job_changed.emit(job)

    @Slot(str)
    def _on_finished(self, local_id: str) -> None:
        self._workers.pop(local_id, None)
        self._cancels.pop(local_id, None)
        if not self._workers:
            self.idle.emit()
