"""One job on a pool thread: the shared lifecycle (`api/lifecycle.py`), reported as signals.

The worker never touches a widget and never raises into Qt: every outcome, expected or
not, becomes a `Job` snapshot emitted through the runner-owned signals object.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from get3w_desktop.api.lifecycle import Lifecycle, LifecycleClient, Plan, Reports
from get3w_desktop.core import messages
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams

log = logging.getLogger(__name__)

#: What a worker needs from `Get3WClient` (a fake can stand in for tests).
JobClient = LifecycleClient


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
        """`journal` writes a snapshot durably (the history): before the submit is sent,
        as soon as the server's id is known, and on every change worth keeping."""
        super().__init__()
        # Qt deletes the C++ side after run() (with autoDelete off, PySide's pool would keep
        # every finished worker alive). The runner keeps the Python object until `finished`
        # and calls no Qt method on it once `started` is set (guarded by `start_lock`).
        self.started = False
        self.start_lock = threading.Lock()
        self._signals = signals
        self._journal = journal
        plan = Plan(outputs_dir, expected_kind=expected_kind, schedule=schedule)
        reports = Reports(on_change=signals.job_changed.emit, record=journal)
        self._lifecycle = Lifecycle(client, job, plan, reports, cancel)

    @property
    def job(self) -> Job:
        return self._lifecycle.job

    @property
    def quitting(self) -> bool:
        return self._lifecycle.quitting

    @quitting.setter
    def quitting(self, value: bool) -> None:
        """Set by the runner before cancelling on quit: the job then stays as it was
        (resumable) instead of becoming "stopped"."""
        self._lifecycle.quitting = value

    def run(self) -> None:
        with self.start_lock:
            self.started = True
        try:
            self._lifecycle.run()
        except Exception:  # a bug: keep the app alive, and say so on the job
            log.exception("worker for %s crashed", self.job.local_id)
            crashed = self.job.failed_with(messages.UNEXPECTED, state=JobState.FAILED)
            self._lifecycle.job = crashed
            if self._journal is not None:
                try:
                    self._journal(crashed)
                except Exception:
                    log.exception("could not record the crash of %s", crashed.local_id)
            self._signals.job_changed.emit(crashed)
        finally:
            self._signals.finished.emit(self.job.local_id)
