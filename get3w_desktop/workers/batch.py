"""Following a batch: its tasks' counts and progress, cancel all, retry the failed ones.

The tracker only reads the runner's snapshots (`job_changed`) and asks the runner to
start or cancel jobs; the runner still owns every worker. One rule it adds: a task that
was certainly never created on the server (HTTP 429 "too many tasks", 503, or a request
that never left) after the worker's own retries is sent again by itself, as the same job,
so a batch larger than the account's concurrency limit loses no item and pays for none
twice. Anything that may exist on the server (a lost submit answer, "uncertain") is
never sent again without the person asking: see `retry_uncertain`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from get3w_desktop.core.batch import BatchCounts
from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.workers.runner import TaskRunner

#: Times one item is sent again after "not created" answers before it counts as failed.
MAX_RESENDS = 20
#: Pause before sending such an item again (ms): the worker already honoured Retry-After.
RESEND_DELAY_MS = 250
_NOT_CREATED_ACTIONS = (Action.RETRY, Action.CHECK_NETWORK)


def never_created(job: Job) -> bool:
    """True when `job` failed before the server created anything, for a passing reason.

    The client repeats only submits proved unsent (429, 503, a request that never left);
    after its last attempt such a job is FAILED with no task and a retry/network action.
    A lost answer is UNCERTAIN instead, and a history write failure has no action.
    """
    return (
        job.state is JobState.FAILED
        and job.task is None
        and job.submitted_at is None
        and job.error_action in _NOT_CREATED_ACTIONS
    )


class BatchTracker(QObject):
    """The tasks of one batch, as the runner reports them.

    Signals:
        changed(): counts, progress or the list of uncertain tasks moved.
        finished(BatchCounts): every task has stopped moving (again after a retry).
    """

    changed = Signal()
    finished = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        parent: QObject | None = None,
        *,
        resend_delay_ms: int = RESEND_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._jobs: dict[str, Job] = {}
        self._resends: dict[str, int] = {}
        self._waiting: dict[str, Job] = {}  # never created: to be sent again shortly
        self._reported = False
        self.started_at = time.time()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(resend_delay_ms)
        self._timer.timeout.connect(self._send_waiting)
        runner.job_changed.connect(self._on_job_changed)

    # -- starting ------------------------------------------------------------------------

    def start(self, model_id: str, params: Iterable[Mapping[str, Any]], profile: str) -> list[Job]:
        """Send one task per parameter dict (the runner queues what it cannot run yet)."""
        jobs = [Job(model_id=model_id, params=dict(p), profile=profile) for p in params]
        self._follow(jobs)
        for job in jobs:
            self._runner.start(job)
        return jobs

    def _follow(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            self._jobs[job.local_id] = job
        self._reported = False

    # -- reading -------------------------------------------------------------------------

    @property
    def local_ids(self) -> list[str]:
        return list(self._jobs)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def counts(self) -> BatchCounts:
        return BatchCounts.of((job.state for job in self._jobs.values()), len(self._waiting))

    @property
    def progress(self) -> float:
        """0..1: the share of tasks that have stopped moving."""
        return self.counts().progress

    def failed_jobs(self) -> list[Job]:
        """Failed for good: sending them again is safe (nothing of theirs is running)."""
        return [
            job for job in self._jobs.values()
            if job.state is JobState.FAILED and job.local_id not in self._waiting
        ]  # fmt: skip

    def uncertain_jobs(self) -> list[Job]:
        """Their submit's answer was lost: they may exist and be charged. Ask first."""
        return [job for job in self._jobs.values() if job.state is JobState.UNCERTAIN]

    def is_active(self) -> bool:
        return not self.counts().finished

    # -- acting --------------------------------------------------------------------------

    def cancel_all(self) -> int:
        """Stop every task of the batch that is still waiting or running; how many.

        Tasks already running on the server go on there (and are charged): like the
        task list's "Stop waiting", this stops following them.
        """
        self._timer.stop()
        stopped = len(self._waiting)
        self._waiting.clear()  # never created: they simply stay failed ("Retry failed")
        for job in list(self._jobs.values()):
            if job.state.active:
                self._runner.cancel(job.local_id)
                stopped += 1
        self._update()
        return stopped

    def retry_failed(self) -> list[Job]:
        """Send every failed task again with its same parameters; the new jobs.

        Uncertain ones are left alone (see `retry_uncertain`), and so are "not saved"
        ones: they finished on the server, so sending them again would pay twice.
        """
        return self._resubmit(self.failed_jobs())

    def retry_uncertain(self) -> list[Job]:
        """Send the uncertain tasks again: only after the person agreed to maybe pay twice."""
        return self._resubmit(self.uncertain_jobs())

    def _resubmit(self, old: Sequence[Job]) -> list[Job]:
        if not old:
            return []
        new = [Job(model_id=job.model_id, params=dict(job.params), profile=job.profile)
               for job in old]  # fmt: skip
        for job in old:
            del self._jobs[job.local_id]
            self._resends.pop(job.local_id, None)
        self._follow(new)
        for job in new:
            self._runner.start(job)
        self._update()
        return new

    # -- following -----------------------------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        if job.local_id not in self._jobs:
            return
        self._jobs[job.local_id] = job
        if job.local_id in self._waiting and job.state is not JobState.FAILED:
            del self._waiting[job.local_id]  # the runner took it back
        elif never_created(job) and self._resends.get(job.local_id, 0) < MAX_RESENDS:
            self._waiting[job.local_id] = job
            if not self._timer.isActive():
                self._timer.start()
        self._update()

    def _send_waiting(self) -> None:
        """Start the waiting jobs again; the runner refuses a job whose worker is still
        finishing, so those simply wait for the next round."""
        for local_id, job in list(self._waiting.items()):
            self._resends[local_id] = self._resends.get(local_id, 0) + 1
            again = job.evolve(state=JobState.QUEUED, error=None, error_action=Action.NONE,
                               note="Sending again: the server had no free slot.",
                               finished_at=None)  # fmt: skip
            try:
                self._runner.start(again)  # emits QUEUED at once when it accepts
            except RuntimeError:  # the runner has shut down: leave it failed
                del self._waiting[local_id]
                continue
            if local_id in self._waiting:
                self._resends[local_id] -= 1  # not accepted yet: not a real attempt
        if self._waiting:
            self._timer.start()
        self._update()

    def _update(self) -> None:
        self.changed.emit()
        counts = self.counts()
        if counts.finished and not self._waiting and not self._reported:
            self._reported = True
            self.finished.emit(counts)
