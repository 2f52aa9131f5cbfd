"""`get3w run` and `get3w status`: one task from parameters to files on disk."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from get3w_desktop.api.client import Get3WClient, retry_call
from get3w_desktop.api.waiting import WaitEvent, WaitState, wait_for_task
from get3w_desktop.cli.common import (
    CLI_PROFILE,
    Exit,
    Recorder,
    api_key,
    base_url,
    emit_json,
    exit_code_for,
    open_history,
    report_error,
    report_history_error,
    say,
)
from get3w_desktop.core.catalogue import ModelInfo, apply_defaults, check_params, load_bundled
from get3w_desktop.core.errors import (
    DownloadError,
    Get3WError,
    InvalidParametersError,
    NotFoundError,
    SubmissionUncertainError,
    TaskFailedError,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Phase, SubmitMode, Task
from get3w_desktop.storage.history import HistoryError, HistoryStore, as_uncertain

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_id", help="model id, e.g. google/nano-banana-pro/text-to-image")
    parser.add_argument(
        "-p", "--param", action="append", default=[], metavar="KEY=VALUE",
        help="a model parameter; repeat for several (see `get3w models MODEL_ID`)",
    )  # fmt: skip
    parser.add_argument("--params-file", type=Path, help="a JSON object of parameters")
    parser.add_argument("--sync", action="store_true", help="ask the server to hold the answer")
    parser.add_argument("--out", type=Path, default=Path(), help="folder for outputs (default .)")
    parser.add_argument("--no-download", action="store_true", help="do not download outputs")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="stop waiting after S seconds (the task goes on)",
    )
    parser.add_argument(
        "--no-history", action="store_true",
        help="do not record the task in the history (it cannot be resumed then)",
    )  # fmt: skip


def parse_params(
    model: ModelInfo | None, pairs: list[str], params_file: Path | None
) -> dict[str, Any]:
    """Merge --params-file and -p pairs, typed by the model's schema when we know it."""
    params: dict[str, Any] = {}
    if params_file is not None:
        try:
            loaded = json.loads(params_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidParametersError(f"Cannot read {params_file}: {exc}") from None
        if not isinstance(loaded, dict):
            raise InvalidParametersError(f"{params_file} must hold a JSON object.")
        params.update(loaded)
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidParametersError(f"Expected KEY=VALUE, got “{pair}”.")
        spec = model.param(key) if model else None
        params[key] = spec.coerce(text) if spec else _guess(text)
    return params


def _guess(text: str) -> Any:
    """For models we have no schema for: JSON literals stay typed, anything else is text."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, int | float | bool | list | dict) else text


def output_stem(task_id: str, index: int) -> str:
    """`{task}_{index}`; a task id that is not a plain token is replaced by its hash."""
    safe = task_id if _SAFE_ID.fullmatch(task_id) else hashlib.sha256(task_id.encode()).hexdigest()
    return f"{safe[:80]}_{index}"


class Progress:
    """Human progress on stderr: one updating line on a terminal, plain lines otherwise."""

    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._last = ""

    def __call__(self, event: WaitEvent) -> None:
        task = event.task
        text = f"{task.status} · {event.elapsed:.0f} s"
        if task.estimated_duration:
            text += f" of ~{task.estimated_duration:.0f} s"
        if event.overdue:
            text += " · slower than usual"
        if event.state is not WaitState.POLLED:
            text += f" · {event.message} (retrying in {event.retry_in or 0:.0f} s)"
        if self._tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
        elif (
            text.split(" · ")[0] != self._last.split(" · ")[0]
            or event.state is not WaitState.POLLED
        ):
            say(text)
        self._last = text

    def done(self) -> None:
        if self._tty and self._last:
            sys.stderr.write("\n")


def result_line(task: Task, files: list[str], error: str | None = None) -> dict[str, Any]:
    return {
        "id": task.id,
        "model": task.model,
        "status": task.status,
        "outputs": list(task.outputs),
        "files": files,
        "timings": dict(task.timings),
        "code": task.code,
        "error": error if error is not None else task.error,
        "created_at": task.created_at,
    }


def cmd_run(args: argparse.Namespace) -> int:
    catalogue = load_bundled()
    model = catalogue.get(args.model_id)
    try:
        params = parse_params(model, args.param, args.params_file)
        if model is not None:
            params = apply_defaults(model, params)
            check_params(model, params)
        else:
            say(f"note: {args.model_id} is not in the bundled catalogue; parameters unchecked.")
    except InvalidParametersError as exc:
        for problem in exc.problems:
            say(f"  - {problem}")
        return report_error(exc)

    store: HistoryStore | None = None
    if not args.no_history:
        try:
            store = open_history()
        except HistoryError as exc:
            code = report_history_error(exc)
            say("  Nothing was sent. (--no-history runs without recording the task.)")
            return code
    cancel = threading.Event()
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            out_dir = None if args.no_download else str(args.out.resolve())
            recorder = Recorder(store, base_url=client.base_url, out_dir=out_dir)
            return _run(client, recorder, args, model, params, cancel)
    except Get3WError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        say("interrupted")
        return Exit.INTERRUPTED
    finally:
        if store is not None:
            store.close()


def _run(
    client: Get3WClient,
    recorder: Recorder,
    args: argparse.Namespace,
    model: ModelInfo | None,
    params: dict[str, Any],
    cancel: threading.Event,
) -> int:
    mode = SubmitMode.SYNC if args.sync else SubmitMode.ASYNC
    job = Job(model_id=args.model_id, params=params, profile=CLI_PROFILE,
              state=JobState.SUBMITTING)  # fmt: skip
    try:
        recorder.begin(job)  # before anything is sent: a lost answer stays visible
    except HistoryError as exc:
        code = report_history_error(exc)
        say("  Nothing was sent. (--no-history runs without recording the task.)")
        return code
    started = time.monotonic()
    job, task = submit_and_record(client, job, recorder, mode=mode, cancel=cancel)
    estimate = f" (estimated {task.estimated_duration:.0f} s)" if task.estimated_duration else ""
    say(f"submitted {task.id}{estimate}")
    progress = Progress()
    try:
        job = wait_and_record(
            client, job, recorder, cancel=cancel, on_event=progress, timeout=args.timeout,
            elapsed_at_start=time.monotonic() - started,
        )  # fmt: skip
    except KeyboardInterrupt:
        progress.done()
        say(f"stopped waiting; the task goes on: get3w resume (or get3w status {task.id})")
        emit_json(result_line(recorder.latest_task(task), []))
        return Exit.INTERRUPTED
    except Get3WError as exc:
        progress.done()
        emit_json(result_line(recorder.latest_task(task), [], exc.message))
        if exc.detail:
            say(f"  ({exc.detail})")
        say(f"error: {exc.message}")
        return exit_code_for(exc)
    progress.done()
    task = job.task or task
    if job.state is JobState.FAILED:
        failure = TaskFailedError(task.error or "The task failed.", code=task.code, task_id=task.id)
        say(f"failed (code {task.code}): {failure.message}")
        emit_json(result_line(task, []))
        return exit_code_for(failure)
    if args.no_download:
        recorder.update(job.evolve(state=JobState.COMPLETED, finished_at=time.time()))
        emit_json(result_line(task, []))
        return Exit.OK
    try:
        job = download_and_record(
            client, job, recorder, args.out, model.output_kind if model else None, cancel
        )
    except DownloadError as exc:
        emit_json(
            result_line(task, list(recorder.last.files if recorder.last else ()), exc.message)
        )
        return report_error(exc)
    emit_json(result_line(task, list(job.files)))
    return Exit.OK


def submit_and_record(
    client: Get3WClient, job: Job, recorder: Recorder, *, mode: SubmitMode, cancel: threading.Event
) -> tuple[Job, Task]:
    """Submit (never repeated once it may have arrived) and record what came of it."""
    try:
        task = client.submit_with_safe_retries(
            job.model_id, job.params, mode=mode, cancel=cancel,
            on_retry=lambda exc, delay: say(f"{exc.message} Retrying in {delay:.0f} s."),
        )  # fmt: skip
    except SubmissionUncertainError as exc:
        recorder.update(job.failed(exc, JobState.UNCERTAIN))
        raise
    except Get3WError as exc:  # refused, or never reached the server
        recorder.update(job.failed(exc))
        raise
    except KeyboardInterrupt:  # the request may be on the wire: its answer is lost
        recorder.update(as_uncertain(job))
        raise
    job = job.evolve(state=JobState.RUNNING, task=task, submitted_at=time.time(), note="")
    recorder.update(job)
    return job, task


def wait_and_record(
    client: Get3WClient,
    job: Job,
    recorder: Recorder,
    *,
    cancel: threading.Event,
    on_event: Callable[[WaitEvent], None] | None = None,
    timeout: float | None = None,
    elapsed_at_start: float = 0.0,
) -> Job:
    """Wait for `job`'s task, recording each change of status; returns the finished job.

    A failed task comes back as a FAILED job. Raises what `wait_for_task` raises, after
    recording: a task the server forgot is FAILED; on a timeout, interrupt or refused key
    the job stays RUNNING, to be resumed.
    """
    start = job.task
    assert start is not None
    if job.state is not JobState.RUNNING:
        recorder.update(job := job.evolve(state=JobState.RUNNING))
    current = job

    def record(event: WaitEvent) -> None:
        nonlocal current
        if on_event is not None:
            on_event(event)
        if event.state is WaitState.POLLED and (
            event.task.status != (current.task.status if current.task else None)
            or event.overdue != current.overdue
        ):
            current = current.evolve(task=event.task, overdue=event.overdue)
            recorder.update(current)

    try:
        task = wait_for_task(
            client, start, cancel=cancel, on_event=record, timeout=timeout,
            elapsed_at_start=elapsed_at_start,
        )  # fmt: skip
    except NotFoundError as exc:
        gone = forgotten(exc)
        recorder.update(current.failed(gone))
        raise gone from None
    except Get3WError as exc:
        recorder.update(current.evolve(note=exc.message))
        raise
    except KeyboardInterrupt:
        recorder.update(current)
        raise
    job = current.evolve(task=task, note="")
    if task.phase is Phase.FAILED:
        failure = TaskFailedError(task.error or "The task failed.", code=task.code, task_id=task.id)
        job = job.failed(failure)
    recorder.update(job)
    return job


def forgotten(exc: NotFoundError) -> NotFoundError:
    """A 404 for a task we sent, past the grace period: it expired or was deleted."""
    return NotFoundError(
        "The server no longer knows this task (Get3W keeps task records 30 days).",
        detail=exc.detail,
    )


def download_and_record(
    client: Get3WClient,
    job: Job,
    recorder: Recorder,
    folder: Path,
    kind: str | None,
    cancel: threading.Event,
) -> Job:
    """Download every output of a completed job into `folder`; returns the COMPLETED job.

    Raises DownloadError after recording NOT_SAVED (with the files saved so far); other
    errors (network, interrupt) leave it DOWNLOADING, to be resumed.
    """
    task = job.task
    assert task is not None
    recorder.update(job := job.evolve(state=JobState.DOWNLOADING, note=""))
    files: list[str] = []
    try:
        for index, url in enumerate(task.outputs):
            saved = client.download(
                url, folder, output_stem(task.id, index), expected_kind=kind, cancel=cancel,
                on_retry=lambda exc, delay: say(f"{exc.message} (retry in {delay:.0f} s)"),
            )  # fmt: skip
            files.append(str(saved.path))
            recorder.update(job := job.evolve(files=tuple(files)))
            say(f"saved {saved.path} ({saved.size:,} bytes)")
    except DownloadError as exc:
        recorder.update(job.failed(exc, JobState.NOT_SAVED))
        raise
    except Get3WError as exc:
        recorder.update(job.evolve(note=exc.message))
        raise
    job = job.evolve(state=JobState.COMPLETED, finished_at=time.time(), note="")
    recorder.update(job)
    return job


def cmd_status(args: argparse.Namespace) -> int:
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            task = retry_call(lambda: client.get(args.task_id), attempts=3)
    except Get3WError as exc:
        return report_error(exc)
    emit_json(result_line(task, []))
    if task.phase is Phase.FAILED:
        return Exit.TASK_FAILED
    return Exit.OK
