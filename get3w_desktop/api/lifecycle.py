"""One task's life, for the window and the `get3w` command alike: submit -> wait -> save.

Qt-free. `Lifecycle.run` takes a `Job` in any state (new, or resumed with a remote id, or
completed but not saved) and carries it as far as it can, reporting every new snapshot
through plain callables:

- `on_change(Job)`: every snapshot (notes included), for display;
- `record(Job)`: the durable history write. Called before the submit is sent (it must
  succeed, or nothing is sent), as soon as the server's id is known, and then only when
  something worth keeping changed (state, the server's status, files, texts, error): an
  unchanged poll writes nothing;
- `on_wait(WaitEvent)`: the wait loop's own events (the command's progress line);
- `on_saved(Path, int)`: a file written.

Cancelled through a `threading.Event`. With `quitting` set first, a cancelled job stays
as it was (resumable) instead of becoming "stopped". Texts for people are `Message`s.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from get3w_desktop.api.deadline import overall_deadline
from get3w_desktop.api.download import DownloadResult
from get3w_desktop.api.inputs import resolve_local_inputs
from get3w_desktop.api.outputs import (
    check_destination,
    output_stem,
    remove_stale_parts,
    write_text_output,
)
from get3w_desktop.api.parse import split_outputs
from get3w_desktop.api.waiting import NOT_FOUND_GRACE, WaitEvent, WaitState, wait_for_task
from get3w_desktop.core import messages
from get3w_desktop.core.errors import (
    Action,
    AuthError,
    CancelledError,
    DestinationError,
    Get3WError,
    InsufficientBalanceError,
    NotFoundError,
    SubmissionUncertainError,
    TaskFailedError,
    WaitTimeoutError,
)
from get3w_desktop.core.job import TEXT_KIND, Job, JobState, history_key
from get3w_desktop.core.messages import Message
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Phase, SubmitMode, Task

log = logging.getLogger(__name__)


class LifecycleClient(Protocol):
    """What the lifecycle needs from `Get3WClient` (a fake can stand in for tests)."""

    def submit_with_safe_retries(
        self,
        model_id: str,
        params: Mapping[str, Any],
        *,
        mode: SubmitMode = SubmitMode.ASYNC,
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
        on_retry: Callable[[Get3WError, float], None] | None = None,
    ) -> DownloadResult: ...


@dataclasses.dataclass(frozen=True)
class Plan:
    """How far to carry a job, and where its outputs go."""

    #: Folder for outputs; None: stop once the task is done (`get3w run --no-download`).
    outputs_dir: Path | None
    #: "image", "video", "audio", or "text" (the model answers with text); None: any.
    expected_kind: str | None = None
    mode: SubmitMode = SubmitMode.ASYNC
    schedule: ScheduleParams | None = None
    #: Stop waiting after this many seconds (the task goes on; the job stays resumable).
    timeout: float | None = None
    #: Name files after the server's task id (the command) instead of the local id.
    stem_from_remote_id: bool = False
    #: Also write each text output to `<stem>.txt` in `outputs_dir` (the command).
    text_files: bool = False


@dataclasses.dataclass
class Reports:
    on_change: Callable[[Job], None] = lambda _job: None
    record: Callable[[Job], None] | None = None
    on_wait: Callable[[WaitEvent], None] | None = None
    on_saved: Callable[[Path, int], None] | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """Where a run left the job, and the error that stopped it early (None when the job
    completed, failed on the server, or was stopped)."""

    job: Job
    error: Get3WError | None = None


class _NotRecordedError(Exception):
    pass


class Lifecycle:
    def __init__(
        self,
        client: LifecycleClient,
        job: Job,
        plan: Plan,
        reports: Reports | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.job = job
        self._client = client
        self._plan = plan
        self._reports = reports or Reports()
        self._cancel = cancel or threading.Event()
        self._recorded: tuple[Any, ...] | None = None
        self._record_warned = False
        #: Set before cancelling on quit: the job then stays as it was (resumable).
        self.quitting = False

    # -- reporting -------------------------------------------------------------------------

    def _record(self, job: Job) -> None:
        """Write `job` if it differs from the last write; raises _NotRecordedError."""
        record = self._reports.record
        kept = history_key(job)
        if record is None or kept == self._recorded:
            return
        try:
            record(job)
        except Exception as exc:
            log.warning("history write for %s failed: %s", job.local_id, exc)
            raise _NotRecordedError(getattr(exc, "message", None) or str(exc)
                               or type(exc).__name__) from exc  # fmt: skip
        self._recorded = kept

    def _publish(self, job: Job) -> Job:
        """Record (when worth it; a failure becomes a note, once) and report `job`."""
        try:
            self._record(job)
        except _NotRecordedError as exc:
            if not self._record_warned:
                self._record_warned = True
                job = job.with_note(messages.history_not_saved(str(exc)))
        self.job = job
        self._reports.on_change(job)
        return job

    def _stopped(self, job: Job) -> None:
        """A cancelled wait: "stopped" when the person asked, unchanged when quitting."""
        if not self.quitting:
            self._publish(job.evolve(state=JobState.CANCELLED, finished_at=time.time())
                          .with_note(None))  # fmt: skip

    # -- the whole life --------------------------------------------------------------------

    def run(self) -> Outcome:
        job = self.job
        if self._cancel.is_set():
            self._stopped(job)
            return Outcome(self.job)
        resumed = job.task is not None
        if job.task is None:
            submitted = self._submit(job)
            if isinstance(submitted, Outcome):
                return submitted
            job = submitted
        # --timeout bounds the whole rest (a dripping poll, a slow download), not only
        # the waits between polls; the submit is never cut short (it would be uncertain).
        timeout = self._plan.timeout
        deadline = time.monotonic() + timeout if timeout is not None else None
        with overall_deadline(deadline):
            return self._finish(job, resumed=resumed)

    def _finish(self, job: Job, *, resumed: bool) -> Outcome:
        task = job.task
        assert task is not None
        if not task.terminal:
            waited = self._wait(job, poll_first=resumed)
            if isinstance(waited, Outcome):
                return waited
            job = waited
            task = job.task
            assert task is not None
        if task.phase is Phase.FAILED:
            failure = TaskFailedError(
                REDACTOR.redact(task.error or "The task failed on the server."),
                code=task.code, task_id=task.id,
            )  # fmt: skip
            self._publish(job.failed(failure))
            return Outcome(self.job)
        return self._save(job)

    # -- submit ----------------------------------------------------------------------------

    def _submit(self, job: Job) -> Job | Outcome:
        job = job.evolve(state=JobState.SUBMITTING).with_note(None)
        folder = self._plan.outputs_dir
        try:
            if folder is not None:
                check_destination(folder)
        except DestinationError as exc:
            self._publish(job.failed_with(messages.not_sent_destination(exc.message),
                                          exc.action))  # fmt: skip
            return Outcome(self.job, exc)
        try:
            self._record(job)  # before anything is sent: a lost answer stays visible
        except _NotRecordedError as exc:
            self.job = job.failed_with(messages.not_sent_history(str(exc)), Action.RETRY)
            self._reports.on_change(self.job)  # not recorded: the history is what failed
            cause = exc.__cause__
            error = cause if isinstance(cause, Get3WError) else Get3WError(self.job.error or "")
            return Outcome(self.job, error)
        self._publish(job)

        def on_retry(exc: Get3WError, delay: float) -> None:
            self._publish(self.job.with_note(messages.retrying(messages.for_error(exc), delay)))

        try:
            params = resolve_local_inputs(job.params, self._client.upload)
            task = self._client.submit_with_safe_retries(
                job.model_id, params, mode=self._plan.mode, cancel=self._cancel,
                on_retry=on_retry,
            )  # fmt: skip
        except SubmissionUncertainError as exc:
            self._publish(self.job.failed(exc, JobState.UNCERTAIN))
            return Outcome(self.job, exc)
        except CancelledError:
            if self.quitting:  # only ever cancelled between attempts that certainly failed
                self._publish(self.job.evolve(state=JobState.QUEUED).with_note(None))
            else:
                self._stopped(self.job)
            return Outcome(self.job)
        except Get3WError as exc:  # refused, or certainly never created
            self._publish(self.job.failed(exc))
            return Outcome(self.job, exc)
        except KeyboardInterrupt:  # the request may be on the wire: its answer is lost
            self._publish(self.job.failed_with(_interrupted_submit(), Action.CHOOSE,
                                               JobState.UNCERTAIN))  # fmt: skip
            raise
        running = self.job.evolve(state=JobState.RUNNING, task=task, submitted_at=time.time())
        return self._publish(running.with_note(None))

    # -- wait ------------------------------------------------------------------------------

    def _wait(self, job: Job, *, poll_first: bool) -> Job | Outcome:
        if job.state is not JobState.RUNNING:
            job = self._publish(job.evolve(state=JobState.RUNNING).with_note(None))
        task = job.task
        assert task is not None
        if poll_first:  # resumed: the schedule assumes a fresh task, so look at once
            try:
                task = task.merged_with(self._client.get(task.id))
                job = self._publish(job.evolve(task=task))
            except NotFoundError as exc:
                if job.elapsed() > NOT_FOUND_GRACE:
                    return self._forgotten(exc)
            except (AuthError, InsufficientBalanceError) as exc:
                # The same for every task of this key: leave this one resumable.
                self._publish(job.with_note(messages.for_error(exc)))
                return Outcome(self.job, exc)
            except Get3WError:
                pass  # the wait loop retries and reports it
            if task.terminal:
                return job

        def on_event(event: WaitEvent) -> None:
            if self._reports.on_wait is not None:
                self._reports.on_wait(event)
            note = None if event.state is WaitState.POLLED else _wait_note(event)
            if event.overdue and note is None:
                note = messages.SLOWER_THAN_USUAL
            self._publish(self.job.evolve(task=event.task, overdue=event.overdue).with_note(note))

        try:
            final = wait_for_task(
                self._client, task, cancel=self._cancel, on_event=on_event,
                params=self._plan.schedule, timeout=self._plan.timeout,
                elapsed_at_start=job.elapsed(),
            )  # fmt: skip
        except CancelledError:
            self._stopped(self.job)
            return Outcome(self.job)
        except NotFoundError as exc:
            return self._forgotten(exc)
        except WaitTimeoutError as exc:  # the task goes on; the job stays resumable
            self._publish(self.job.with_note(messages.for_error(exc)))
            return Outcome(self.job, exc)
        except Get3WError as exc:  # the key was refused (or can no longer pay) mid-wait
            self._publish(self.job.failed(exc))
            return Outcome(self.job, exc)
        except KeyboardInterrupt:
            self._publish(self.job)
            raise
        return self._publish(self.job.evolve(task=final).with_note(None))

    def _forgotten(self, exc: NotFoundError) -> Outcome:
        gone = NotFoundError(messages.TASK_FORGOTTEN.fallback, detail=exc.detail)
        self._publish(self.job.failed_with(messages.TASK_FORGOTTEN, gone.action))
        return Outcome(self.job, gone)

    # -- save ------------------------------------------------------------------------------

    def _stem(self, job: Job, index: int) -> str:
        if self._plan.stem_from_remote_id and job.remote_id:
            return output_stem(job.remote_id, index)
        return f"{job.local_id}_{index}"

    def _save(self, job: Job) -> Outcome:
        task = job.task
        assert task is not None
        plan = self._plan
        text_expected = plan.expected_kind == TEXT_KIND
        urls, texts = split_outputs(task.outputs, text_expected=text_expected)
        job = job.evolve(texts=texts)
        folder = plan.outputs_dir
        if folder is None or not (urls or (texts and plan.text_files)):
            done = job.evolve(state=JobState.COMPLETED, finished_at=time.time())
            self._publish(done.with_note(None))
            return Outcome(self.job)
        # Fetched again (`resume --out` of a not-saved task): an earlier failure is over.
        job = job.evolve(state=JobState.DOWNLOADING, files=(), error=None, error_message=None,
                         error_action=Action.NONE, finished_at=None)  # fmt: skip
        job = self._publish(job.with_note(None))
        kind = None if text_expected else plan.expected_kind
        wanted = dict(urls)
        words = {item.index: item.text for item in texts} if plan.text_files else {}
        files: list[str] = []

        def on_retry(exc: Get3WError, delay: float) -> None:
            self._publish(self.job.with_note(messages.retrying(messages.for_error(exc), delay)))

        try:
            for index in sorted({*wanted, *words}):
                stem = self._stem(job, index)
                if index in words:
                    path = write_text_output(folder, stem, words[index])
                    size = path.stat().st_size
                else:
                    remove_stale_parts(folder, stem)  # a killed run's leftovers
                    saved = self._client.download(
                        wanted[index], folder, stem, expected_kind=kind, cancel=self._cancel,
                        on_retry=on_retry,
                    )  # fmt: skip
                    path, size = saved.path, saved.size
                files.append(str(path))
                job = self._publish(self.job.evolve(files=tuple(files)).with_note(None))
                if self._reports.on_saved is not None:
                    self._reports.on_saved(path, size)
        except CancelledError:
            if not self.quitting:
                stopped = self.job.evolve(files=tuple(files))
                self._publish(stopped.failed_with(messages.STOPPED_BEFORE_SAVED, Action.RETRY,
                                                  JobState.NOT_SAVED))  # fmt: skip
            return Outcome(self.job)
        except Get3WError as exc:
            self._publish(self.job.evolve(files=tuple(files)).failed(exc, JobState.NOT_SAVED))
            return Outcome(self.job, exc)
        except OSError as exc:  # a text file's size, read back
            error = Get3WError(f"Could not save into {folder}: {exc.strerror or exc}.")
            self._publish(self.job.evolve(files=tuple(files)).failed(error, JobState.NOT_SAVED))
            return Outcome(self.job, error)
        done = self.job.evolve(state=JobState.COMPLETED, finished_at=time.time())
        self._publish(done.with_note(None))
        return Outcome(self.job)


def _interrupted_submit() -> Message:
    return Message(
        messages.Code.UNCERTAIN, {},
        "The submit was interrupted, so the server's answer was lost. The task may exist "
        "(and be charged); it was not sent again. Check your Get3W history before retrying.",
    )  # fmt: skip


def _wait_note(event: WaitEvent) -> Message:
    if event.state is WaitState.WAITING_FOR_NETWORK:
        return messages.waiting_for_network(event.retry_in)
    if event.state is WaitState.RATE_LIMITED:
        return messages.rate_limited(event.retry_in)
    reason = messages.text(event.message)
    if event.retry_in is None:
        return reason
    return messages.retrying(reason, event.retry_in)
