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
from pathlib import Path
from typing import Any

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.lifecycle import Lifecycle, Plan, Reports
from get3w_desktop.cli.common import (
    CLI_PROFILE,
    Exit,
    api_key,
    base_url,
    emit_json,
    exit_code_for,
    model_of,
    one_line,
    open_history,
    report_error,
    report_history_error,
    say,
    seconds,
)
from get3w_desktop.cli.run import Progress, expected_kind, recorder
from get3w_desktop.cli.shape import task_shape
from get3w_desktop.core.errors import AuthError, Get3WError, InsufficientBalanceError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Phase
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
        help="folder for outputs (default: where each `get3w run` was asked to save them); "
        "given, tasks whose outputs were not saved are fetched again into it",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per task")
    parser.add_argument(
        "--timeout", type=seconds, default=None, help="stop waiting for a task after S seconds"
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
        )  # the model and prompt pass through one_line in _excerpt
    if total > len(entries):
        say(f"showing the newest {len(entries)} of {total:,} (use --limit 0 for all)")
    return Exit.OK


def entry_json(entry: HistoryEntry) -> dict[str, Any]:
    """A history entry in the one task shape (see cli/shape.py)."""
    return task_shape(entry.job, base_url=entry.base_url, remote_expired=entry.remote_expired)


def _state_label(entry: HistoryEntry) -> str:
    label = entry.job.state.label
    return f"{label} (expired)" if entry.remote_expired and not entry.job.files else label


def _excerpt(text: str, width: int) -> str:
    flat = " ".join(one_line(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _local_time(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


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
    report = _Reporter(args.json, client.base_url)
    for entry in pending.lost:
        if owner_alive(entry.owner):
            report.line(entry.job, "being sent by another process right now; left alone")
            continue
        job = as_uncertain(entry.job)
        store.save(job)
        report.line(job, "its answer was lost; not sent again (it may exist and be charged)",
                    Exit.UNCERTAIN)  # fmt: skip
    cancel = threading.Event()
    again = _not_saved(store, client.base_url) if args.out is not None else []
    for entry in [*pending.resumable, *again]:
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


def _not_saved(store: HistoryStore, api_base_url: str) -> list[HistoryEntry]:
    """Completed tasks whose outputs could not be saved: `resume --out` fetches them again."""
    entries = store.list(state=JobState.NOT_SAVED, profile=CLI_PROFILE, base_url=api_base_url,
                         order="created")  # fmt: skip
    return [e for e in entries if e.job.task is not None and e.job.task.phase is Phase.COMPLETED]


class _Reporter:
    """One line per task on stdout; the exit code is that of the first task not finished."""

    def __init__(self, as_json: bool, api_base_url: str) -> None:
        self.as_json = as_json
        self.base_url = api_base_url
        self.count = 0
        self.code = Exit.OK

    def line(self, job: Job, message: str, code: Exit = Exit.OK) -> None:
        self.count += 1
        if self.code is Exit.OK:
            self.code = code
        if self.as_json:
            emit_json({**task_shape(job, base_url=self.base_url), "message": message})
            return
        remote = one_line(job.remote_id) or "(no id)"
        print(f"{job.local_id[:8]}  {job.state.label:11}  {one_line(job.model_id)}  {remote}  "
              f"{one_line(message)}", flush=True)  # fmt: skip


def _resume_one(
    store: HistoryStore,
    client: Get3WClient,
    entry: HistoryEntry,
    args: argparse.Namespace,
    cancel: threading.Event,
    report: _Reporter,
) -> None:
    """Finish one recorded task through the same lifecycle `get3w run` uses."""
    job = entry.job
    folder = args.out or (Path(entry.out_dir) if entry.out_dir else app_paths().outputs)
    model = model_of(job.model_id, client.base_url)
    plan = Plan(folder, expected_kind=expected_kind(model), timeout=args.timeout,
                stem_from_remote_id=True, text_files=True)  # fmt: skip
    record = recorder(store, None, str(folder) if args.out else None)
    outcome = Lifecycle(client, job, plan, Reports(record=record, on_wait=Progress()),
                        cancel).run()  # fmt: skip
    job, error = outcome.job, outcome.error
    if isinstance(error, AuthError | InsufficientBalanceError):
        raise error  # the same for every task: stop here
    if job.state is JobState.FAILED and error is None:
        report.line(job, f"failed on the server: {job.error}", Exit.TASK_FAILED)
        return
    if error is not None:
        message = job.error if job.error and not job.state.active else error.message
        if entry.remote_expired and job.state is JobState.NOT_SAVED:
            message += " (Get3W keeps outputs 7 days.)"
        report.line(job, message, exit_code_for(error))
        return
    count = len(job.files)
    report.line(job, f"saved {count} file{'s' if count != 1 else ''} to {folder}")
