"""The one task shape `get3w run`, `status`, `history --json` and `resume --json` print.

`id` is always the server's task id (null until the server gave one); the local record's
own id is `local_id`. Every key is present in every line; what a command cannot know is
null (or empty).
"""

from __future__ import annotations

import datetime
from typing import Any

from get3w_desktop.api.parse import split_outputs
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import TEXT_KIND, Job, expected_output_kind
from get3w_desktop.core.task import Phase, Task

KEYS = (
    "id", "local_id", "model", "state", "status", "prompt", "params", "outputs", "texts",
    "files", "timings", "code", "error", "profile", "base_url", "created_at", "submitted_at",
    "finished_at", "remote_expired",
)  # fmt: skip


def task_shape(
    job: Job | None = None,
    task: Task | None = None,
    *,
    base_url: str | None = None,
    remote_expired: bool = False,
    error: str | None = None,
) -> dict[str, Any]:
    """One task as a JSON-ready dict: from a job (run, history, resume) or a bare server
    snapshot (status). `error` overrides the job's or task's own error text."""
    task = task or (job.task if job else None)
    state: str | None
    if job is not None:
        texts = [item.text for item in job.texts]
        state = job.state.value
    else:
        texts = _texts_of(task) if task else []
        state = _state_of(task)
    shape: dict[str, Any] = {
        "id": task.id if task else None,
        "local_id": job.local_id if job else None,
        "model": (job.model_id if job else None) or (task.model if task else None),
        "state": state,
        "status": task.status if task else None,
        "prompt": job.prompt if job else None,
        "params": dict(job.params) if job else None,
        "outputs": list(task.outputs) if task else [],
        "texts": texts,
        "files": list(job.files) if job else [],
        "timings": dict(task.timings) if task else {},
        "code": task.code if task else None,
        "error": error
        if error is not None
        else (job.error if job else None) or (task.error if task else None),
        "profile": job.profile if job else None,
        "base_url": base_url,
        # When the task was made: the local record's (UTC, ISO 8601) when there is one,
        # else the server's own `created_at` string.
        "created_at": _iso(job.created_at) if job else (task.created_at if task else None),
        "submitted_at": _iso(job.submitted_at) if job else None,
        "finished_at": _iso(job.finished_at) if job else None,
        "remote_expired": remote_expired,
    }
    assert tuple(shape) == KEYS
    return shape


def _state_of(task: Task | None) -> str | None:
    if task is None:
        return None
    if task.phase is Phase.COMPLETED:
        return "completed"
    if task.phase is Phase.FAILED:
        return "failed"
    return "running"


def _texts_of(task: Task) -> list[str]:
    model = load_bundled().get(task.model) if task.model else None
    kind = expected_output_kind(model.type, model.output_kind) if model else None
    _urls, texts = split_outputs(task.outputs, text_expected=kind == TEXT_KIND)
    return [item.text for item in texts]


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat(timespec="seconds")
