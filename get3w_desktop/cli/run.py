"""`get3w run` and `get3w status`: one task from parameters to files on disk."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

from get3w_desktop.api.client import Get3WClient, retry_call
from get3w_desktop.api.waiting import WaitEvent, WaitState, wait_for_task
from get3w_desktop.cli.common import (
    Exit,
    api_key,
    base_url,
    emit_json,
    exit_code_for,
    report_error,
    say,
)
from get3w_desktop.core.catalogue import ModelInfo, apply_defaults, check_params, load_bundled
from get3w_desktop.core.errors import (
    DownloadError,
    Get3WError,
    InvalidParametersError,
    TaskFailedError,
)
from get3w_desktop.core.task import Phase, SubmitMode, Task

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

    cancel = threading.Event()
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            return _run(client, args, model, params, cancel)
    except Get3WError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        say("interrupted")
        return Exit.INTERRUPTED


def _run(
    client: Get3WClient,
    args: argparse.Namespace,
    model: ModelInfo | None,
    params: dict[str, Any],
    cancel: threading.Event,
) -> int:
    mode = SubmitMode.SYNC if args.sync else SubmitMode.ASYNC
    started = time.monotonic()
    task = client.submit_with_safe_retries(
        args.model_id, params, mode=mode, cancel=cancel,
        on_retry=lambda exc, delay: say(f"{exc.message} Retrying in {delay:.0f} s."),
    )  # fmt: skip
    estimate = f" (estimated {task.estimated_duration:.0f} s)" if task.estimated_duration else ""
    say(f"submitted {task.id}{estimate}")
    progress = Progress()
    try:
        task = wait_for_task(
            client, task, cancel=cancel, on_event=progress, timeout=args.timeout,
            elapsed_at_start=time.monotonic() - started,
        )  # fmt: skip
    except KeyboardInterrupt:
        progress.done()
        say(f"stopped waiting; the task goes on: get3w status {task.id}")
        emit_json(result_line(task, []))
        return Exit.INTERRUPTED
    except Get3WError as exc:
        progress.done()
        emit_json(result_line(task, [], exc.message))
        if exc.detail:
            say(f"  ({exc.detail})")
        say(f"error: {exc.message}")
        return exit_code_for(exc)
    progress.done()
    if task.phase is Phase.FAILED:
        failure = TaskFailedError(task.error or "The task failed.", code=task.code, task_id=task.id)
        say(f"failed (code {task.code}): {failure.message}")
        emit_json(result_line(task, []))
        return exit_code_for(failure)
    files: list[str] = []
    if not args.no_download:
        kind = model.output_kind if model else None
        try:
            for index, url in enumerate(task.outputs):
                saved = client.download(
                    url, args.out, output_stem(task.id, index), expected_kind=kind, cancel=cancel,
                    on_retry=lambda exc, delay: say(f"{exc.message} (retry in {delay:.0f} s)"),
                )  # fmt: skip
                files.append(str(saved.path))
                say(f"saved {saved.path} ({saved.size:,} bytes)")
        except DownloadError as exc:
            emit_json(result_line(task, files, exc.message))
            return report_error(exc)
    emit_json(result_line(task, files))
    return Exit.OK


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
