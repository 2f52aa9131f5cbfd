"""`get3w history` and `get3w resume`: the task history the desktop app shares.

`resume` finishes what a killed `get3w run` (or a closed app) left: it polls each task
that has a remote id and downloads its outputs. It never sends a task again: one that
was being sent when the process died, with no id recorded, is marked "uncertain".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import threading
import time
from pathlib import Path
from typing import Any

from get3w_desktop.api.client import Get3WClient, retry_call
from get3w_desktop.api.waiting import NOT_FOUND_GRACE
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
from get3w_desktop.cli.run import Progress, download_and_record, forgotten, wait_and_record
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.errors import (
    AuthError,
    Get3WError,
    InsufficientBalanceError,
    NotFoundError,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.storage.history import (
    HistoryEntry,
    HistoryError,
    HistoryStore,
    as_uncertain,
    owner_alive,
)
from get3w_desktop.storage.paths import app_paths

PROMPT_WIDTH = 48
MODEL_WIDTH = 40


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="newest N tasks (default 20; 0 = all)"
    )
    parser.add_argument("--state", choices=[s.value for s in JobState], help="only this state")
    parser.add_argument("--model", metavar="MODEL_ID", help="only this model")
    parser.add_argument("--search", metavar="TEXT", help="prompts containing every word of TEXT")
    parser.add_argument(
        "--start-over",
        action="store_true",
        help="move a damaged or newer history file aside and start an empty one",
    )


def add_resume_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for outputs (default: where each `get3w run` was asked to save them)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per task")
    parser.add_argument(
        "--timeout", type=float, default=None, help="stop waiting for a task after S seconds"
    )


# -- history ----------------------------------------------------------------------------


def cmd_history(args: argparse.Namespace) -> int:
    path = app_paths().history_db
    try:
        store = HistoryStore.open_fresh(path) if args.start_over else open_history()
    except HistoryError as exc:
        return report_history_error(exc)
    if args.start_over:
        say(f"started a new, empty history at {path}")
    with contextlib.closing(store):
        filters: dict[str, Any] = {"query": args.search, "model": args.model, "state": args.state}
        try:
            entries = store.list(**filters, limit=args.limit or None)
            total = store.count(**filters)
        except HistoryError as exc:
            return report_history_error(exc)
    if args.json:
        for entry in entries:
            emit_json(entry_json(entry))
        return Exit.OK
    if not entries:
        say("no tasks in the history" + (" match" if total or any(filters.values()) else ""))
        return Exit.OK
    width = min(MODEL_WIDTH, max(len(e.job.model_id) for e in entries))
    print(f"{'ID':8}  {'CREATED':16}  {'MODEL':{width}}  {'STATE':20}  PROMPT")
    for entry in entries:
        job = entry.job
        model = _excerpt(job.model_id, width)
        print(
            f"{job.local_id[:8]:8}  {_local_time(job.created_at):16}  {model:{width}}  "
            f"{_state_label(entry):20}  {_excerpt(job.prompt, PROMPT_WIDTH)}"
        )
    if total > len(entries):
        say(f"showing the newest {len(entries)} of {total:,} (use --limit 0 for all)")
    return Exit.OK


def entry_json(entry: HistoryEntry) -> dict[str, Any]:
    job = entry.job
    return {
        "local_id": job.local_id,
        "remote_id": job.remote_id,
        "profile": job.profile,
        "base_url": entry.base_url,
        "model": job.model_id,
        "state": job.state.value,
        "status": job.task.status if job.task else None,
        "prompt": job.prompt,
        "params": dict(job.params),
        "task": job.task.as_json() if job.task else None,
        "files": list(job.files),
        "error": job.error,
        "created_at": _iso(job.created_at),
        "submitted_at": _iso(job.submitted_at),
        "finished_at": _iso(job.finished_at),
        "remote_expired": entry.remote_expired,
    }


def _state_label(entry: HistoryEntry) -> str:
    label = entry.job.state.label
    return f"{label} (expired)" if entry.remote_expired and not entry.job.files else label


def _excerpt(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _local_time(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat(timespec="seconds")


# -- resume -----------------------------------------------------------------------------


def cmd_resume(args: argparse.Namespace) -> int:
    try:
        store = open_history()
    except HistoryError as exc:
        return report_history_error(exc)
    with contextlib.closing(store):
        try:
            with Get3WClient(base_url(args), api_key()) as client:
                return _resume(store, client, args)
        except HistoryError as exc:
            return report_history_error(exc)
        except Get3WError as exc:
            return report_error(exc)
        except KeyboardInterrupt:
            say("interrupted; the tasks go on: run get3w resume again to finish them")
            return Exit.INTERRUPTED


def _resume(store: HistoryStore, client: Get3WClient, args: argparse.Namespace) -> int:
    store.mark_expired()
    pending = store.unfinished(profile=CLI_PROFILE, base_url=client.base_url)
    report = _Reporter(args.json)
    for entry in pending.lost:
        if owner_alive(entry.owner):
            report.line(entry.job, "being sent by another process right now; left alone")
            continue
        job = as_uncertain(entry.job)
        store.save(job)
        report.line(job, "its answer was lost; not sent again (it may exist and be charged)",
                    Exit.UNCERTAIN)  # fmt: skip
    cancel = threading.Event()
    for entry in pending.resumable:
        if owner_alive(entry.owner):
            report.line(entry.job, "another get3w process is finishing it; left alone")
            continue
        _resume_one(store, client, entry, args, cancel, report)
    for entry in pending.not_sent:
        report.line(entry.job, "queued in the app, never sent; the app will send it")
    if pending.uncertain:
        say(f"note: {len(pending.uncertain)} earlier task(s) are marked uncertain and need you: "
            "get3w history --state uncertain")  # fmt: skip
    if report.count == 0:
        say("nothing to resume")
    return report.code


class _Reporter:
    """One line per task on stdout; the exit code is that of the first task not finished."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.count = 0
        self.code = Exit.OK

    def line(self, job: Job, message: str, code: Exit = Exit.OK) -> None:
        self.count += 1
        if self.code is Exit.OK:
            self.code = code
        if self.as_json:
            emit_json({"local_id": job.local_id, "remote_id": job.remote_id,
                       "model": job.model_id, "state": job.state.value, "files": list(job.files),
                       "message": message})  # fmt: skip
            return
        remote = job.remote_id or "(no id)"
        print(f"{job.local_id[:8]}  {job.state.label:11}  {job.model_id}  {remote}  {message}",
              flush=True)  # fmt: skip


def _resume_one(
    store: HistoryStore,
    client: Get3WClient,
    entry: HistoryEntry,
    args: argparse.Namespace,
    cancel: threading.Event,
    report: _Reporter,
) -> None:
    job = entry.job
    task = job.task
    assert task is not None  # resumable entries have a remote id
    recorder = Recorder(store)
    folder = args.out or (Path(entry.out_dir) if entry.out_dir else app_paths().outputs)
    model = load_bundled().get(job.model_id)
    elapsed = max(0.0, time.time() - (job.submitted_at or job.created_at))
    try:
        if not task.terminal:
            # Poll once at once: the wait schedule assumes the task was just submitted.
            remote_id = task.id
            try:
                task = task.merged_with(retry_call(lambda: client.get(remote_id), attempts=3))
                recorder.update(job := job.evolve(task=task))
            except NotFoundError as exc:
                if elapsed > NOT_FOUND_GRACE:
                    gone = forgotten(exc)
                    recorder.update(job.failed(gone))
                    raise gone from None
        # Returns at once for a task already known to be over (and marks a failed one).
        job = wait_and_record(
            client, job, recorder, cancel=cancel, on_event=Progress(),
            timeout=args.timeout, elapsed_at_start=elapsed,
        )  # fmt: skip
        if job.state is JobState.FAILED:
            report.line(job, f"failed on the server: {job.error}", Exit.TASK_FAILED)
            return
        job = download_and_record(
            client, job, recorder, folder, model.output_kind if model else None, cancel
        )
    except (AuthError, InsufficientBalanceError):
        raise  # the same for every task: stop here
    except Get3WError as exc:
        latest = recorder.last or job
        message = exc.message
        if entry.remote_expired and latest.state is JobState.NOT_SAVED:
            message += " (Get3W keeps outputs 7 days.)"
        report.line(latest, message, exit_code_for(exc))
        return
    count = len(job.files)
    report.line(job, f"saved {count} file{'s' if count != 1 else ''} to {folder}")
