"""A job: one task's whole local life, from the form to files on disk.

`Task` is what the server says; `Job` is what we know, including what happened before
the server knew anything (queued, submitting) and after (downloading, saved). Jobs are
immutable snapshots: workers emit new ones, the GUI thread stores and shows them.
"""

from __future__ import annotations

import dataclasses
import enum
import time
import uuid
from collections.abc import Mapping
from typing import Any

from get3w_desktop.core.errors import Action, Get3WError
from get3w_desktop.core.messages import Message, for_error
from get3w_desktop.core.task import Task


class JobState(enum.Enum):
    QUEUED = "queued"  # waiting for a free slot
    SUBMITTING = "submitting"  # the submit is on the wire
    RUNNING = "running"  # accepted by the server; being polled
    DOWNLOADING = "downloading"
    COMPLETED = "completed"  # finished and every output saved locally
    FAILED = "failed"  # the task failed, or could not be sent
    NOT_SAVED = "not_saved"  # finished on the server, but an output could not be saved
    UNCERTAIN = "uncertain"  # the submit's answer was lost: it may exist and be charged
    CANCELLED = "cancelled"  # stopped locally; a task on the server is untouched

    @property
    def active(self) -> bool:
        return self in (JobState.QUEUED, JobState.SUBMITTING, JobState.RUNNING,
                        JobState.DOWNLOADING)  # fmt: skip

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    JobState.QUEUED: "Queued",
    JobState.SUBMITTING: "Submitting",
    JobState.RUNNING: "Running",
    JobState.DOWNLOADING: "Downloading",
    JobState.COMPLETED: "Done",
    JobState.FAILED: "Failed",
    JobState.NOT_SAVED: "Not saved",
    JobState.UNCERTAIN: "Submission uncertain",
    JobState.CANCELLED: "Stopped",
}


#: Catalogue model types that answer with text in `outputs`, not addresses.
TEXT_MODEL_TYPES = frozenset(
    {"image-to-text", "video-to-text", "speech-to-text", "llm", "content-moderation"}
)
#: The `expected_kind` of a model whose outputs are text.
TEXT_KIND = "text"


def expected_output_kind(model_type: str | None, output_kind: str | None) -> str | None:
    """What a model's outputs are: "text" for text models, else its media kind."""
    if model_type is not None and model_type.strip().lower() in TEXT_MODEL_TYPES:
        return TEXT_KIND
    return output_kind


@dataclasses.dataclass(frozen=True, slots=True)
class TextOutput:
    """An output the server gave as text (captioners, LLMs, speech-to-text, moderation)."""

    index: int  # its place in the task's `outputs`
    text: str


# Slots: a history of 100,000 jobs stays in memory (issue 16); no per-job __dict__.
@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    model_id: str
    params: Mapping[str, Any]
    profile: str = "sandbox"
    local_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    state: JobState = JobState.QUEUED
    task: Task | None = None
    files: tuple[str, ...] = ()
    #: Text outputs, kept whole (nothing to download).
    texts: tuple[TextOutput, ...] = ()
    error: str | None = None
    error_action: Action = Action.NONE
    #: What is happening right now, for people ("retrying in 4 s: …").
    note: str = ""
    #: `error` and `note` as codes and arguments, for the UI to translate. Each is shown
    #: only while its English text is still the job's `error`/`note` (see `ui/messages.py`).
    error_message: Message | None = None
    note_message: Message | None = None
    overdue: bool = False
    created_at: float = dataclasses.field(default_factory=time.time)
    submitted_at: float | None = None
    finished_at: float | None = None

    @property
    def remote_id(self) -> str | None:
        return self.task.id if self.task else None

    @property
    def estimated_duration(self) -> float | None:
        return self.task.estimated_duration if self.task else None

    @property
    def prompt(self) -> str:
        for key in ("prompt", "text"):
            value = self.params.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    def evolve(self, **changes: Any) -> Job:
        return dataclasses.replace(self, **changes)

    def failed(self, error: Get3WError, state: JobState = JobState.FAILED) -> Job:
        return self.failed_with(for_error(error), error.action, state)

    def failed_with(
        self, message: Message, action: Action = Action.NONE, state: JobState = JobState.FAILED
    ) -> Job:
        return self.evolve(state=state, error=message.fallback, error_message=message,
                           error_action=action, note="", note_message=None,
                           finished_at=time.time())  # fmt: skip

    def with_note(self, message: Message | None) -> Job:
        return self.evolve(note=message.fallback if message else "", note_message=message)

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since submit (or since creation before that), frozen once finished."""
        end = self.finished_at or (now if now is not None else time.time())
        start = self.submitted_at or self.created_at
        return max(0.0, end - start)

    def progress(self, now: float | None = None) -> float | None:
        """Fraction of the estimate used, 0..1; None when unknown or past the estimate."""
        estimate = self.estimated_duration
        if self.state is not JobState.RUNNING or not estimate:
            return None
        fraction = self.elapsed(now) / estimate
        return fraction if fraction < 1.0 else None


def history_key(job: Job) -> tuple[Any, ...]:
    """What the history needs to know of a snapshot: two snapshots with the same key need
    one write. Notes and the server's progress details are for display only."""
    task = job.task
    status = (task.id, task.status, task.outputs, task.code, task.error) if task else None
    return (job.state, status, job.files, job.texts, job.error, job.error_action, job.overdue,
            job.submitted_at, job.finished_at)  # fmt: skip
