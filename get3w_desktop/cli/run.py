"""`get3w run` and `get3w status`: one task from parameters to files on disk."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from get3w_desktop.api.client import Get3WClient, retry_call
from get3w_desktop.api.lifecycle import Lifecycle, Outcome, Plan, Reports
from get3w_desktop.api.parse import is_url_output
from get3w_desktop.api.waiting import WaitEvent, WaitState
from get3w_desktop.cli.common import (
    CLI_PROFILE,
    Exit,
    api_key,
    base_url,
    emit_json,
    exit_code_for,
    find_model,
    one_line,
    open_history,
    report_error,
    report_history_error,
    say,
    seconds,
)
from get3w_desktop.cli.shape import task_shape
from get3w_desktop.core.catalogue import (
    ModelInfo,
    ParamKind,
    apply_defaults,
    check_params,
)
from get3w_desktop.core.errors import (
    Get3WError,
    InvalidParametersError,
    TaskFailedError,
    WaitTimeoutError,
)
from get3w_desktop.core.job import Job, JobState, expected_output_kind
from get3w_desktop.core.messages import Code
from get3w_desktop.core.money import TOLERANCE, estimate_cost, format_money
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.task import Phase, SubmitMode
from get3w_desktop.storage.history import HistoryError, HistoryStore


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
        type=seconds,
        default=None,
        help="stop waiting after S seconds (the task goes on)",
    )
    parser.add_argument(
        "--no-history", action="store_true",
        help="do not record the task in the history (it cannot be resumed then)",
    )  # fmt: skip
    parser.add_argument(
        "--max-cost", type=dollars, default=None, metavar="DOLLARS",
        help="send only when the model list's price for this task is at most DOLLARS "
        "(an unknown price is refused too)",
    )  # fmt: skip


def dollars(text: str) -> float:
    """An argparse type: a finite amount of dollars, zero or more (`nan`, `-1` refused)."""
    try:
        value = float(text.strip().removeprefix("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in dollars, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more dollars, got {text!r}")
    return value


def cost_refusal(model: ModelInfo | None, params: dict[str, Any], limit: float) -> str | None:
    """Why --max-cost `limit` refuses this task (None: it may go). The price is the model
    list's estimate, as the window's question before an expensive run uses."""
    quote = estimate_cost(model, params) if model is not None else None
    if quote is None:
        return (f"the price of this task is not known, so --max-cost {format_money(limit)} "
                "cannot be checked")  # fmt: skip
    if quote.amount > limit + TOLERANCE:
        return (f"this task costs about {format_money(quote.amount)}, more than --max-cost "
                f"{format_money(limit)}")  # fmt: skip
    return None


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
    _check_text(params, "")
    for key, value in params.items():
        spec = model.param(key) if model else None
        media = spec.kind in (ParamKind.MEDIA, ParamKind.MEDIA_LIST) if spec else _media_name(key)
        if media:
            params[key] = _local_files(key, value)
    return params


_MEDIA_NAMES = {"image", "images", "video", "videos", "audio", "audios", "mask_image",
                "first_image", "last_image"}  # fmt: skip


def _media_name(key: str) -> bool:
    """For models we have no schema for: does `key` name a media input?"""
    return key in _MEDIA_NAMES or key.endswith(("_image", "_images", "_video", "_audio"))


def _local_files(key: str, value: Any) -> Any:
    """Local paths of a media parameter as `file://` URLs, which the lifecycle uploads (or
    sends inline) exactly as it does the window's. Addresses are left as they are."""
    if isinstance(value, list):
        return [_local_files(key, item) for item in value]
    if not isinstance(value, str) or not value.strip() or is_url_output(value):
        return value
    path = Path(value.strip()).expanduser()
    if not path.is_file():
        raise InvalidParametersError(
            f"{key}: “{value}” is neither an address (https://…) nor an existing file."
        )
    return path.resolve().as_uri()


def _check_text(value: Any, where: str) -> None:
    """Refuse text that is not UTF-8 (bytes a terminal could not decode, or a lone
    surrogate from a JSON file): it can be neither recorded nor sent."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidParametersError(
                f"The value of {where or 'a parameter'} is not valid UTF-8 text "
                "(check the terminal's or the file's encoding)."
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


def _guess(text: str) -> Any:
    """For models we have no schema for: JSON literals stay typed, anything else is text."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, int | float | bool | list | dict) else text


class Progress:
    """Human progress on stderr: one updating line on a terminal, plain lines otherwise."""

    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._last = ""

    def __call__(self, event: WaitEvent) -> None:
        task = event.task
        text = f"{one_line(task.status)} · {event.elapsed:.0f} s"
        if task.estimated_duration:
            text += f" of ~{task.estimated_duration:.0f} s"
        if event.overdue:
            text += " · slower than usual"
        if event.state is not WaitState.POLLED:
            text += f" · {one_line(event.message)} (retrying in {event.retry_in or 0:.0f} s)"
        text = REDACTOR.redact(text)
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


def cmd_run(args: argparse.Namespace) -> int:
    found = find_model(args.model_id, base_url(args))
    model = found.model if found is not None else None
    try:
        params = parse_params(model, args.param, args.params_file)
        if model is not None:
            params = apply_defaults(model, params)
            check_params(model, params)
            if found is not None and not found.offered:
                say(f"note: {args.model_id} was no longer offered when the model list was last "
                    "read; sending it anyway (the service decides).")  # fmt: skip
        else:
            say(f"note: {args.model_id} is not in the model list; parameters unchecked.")
    except InvalidParametersError as exc:
        for problem in exc.problems:
            say(f"  - {problem}")
        return report_error(exc)

    if args.max_cost is not None and (refusal := cost_refusal(model, params, args.max_cost)):
        say(f"error: {refusal}.")
        say("  Nothing was sent.")
        return Exit.USAGE
    store: HistoryStore | None = None
    if not args.no_history:
        try:
            store = open_history()
        except HistoryError as exc:
            code = report_history_error(exc)
            say("  Nothing was sent. (--no-history runs without recording the task.)")
            return code
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            out_dir = None if args.no_download else args.out.resolve()
            record = recorder(store, client.base_url, str(out_dir) if out_dir else None)
            plan = Plan(
                out_dir, expected_kind=expected_kind(model),
                mode=SubmitMode.SYNC if args.sync else SubmitMode.ASYNC,
                timeout=args.timeout, stem_from_remote_id=True, text_files=True,
            )  # fmt: skip
            job = Job(model_id=args.model_id, params=params, profile=CLI_PROFILE)
            return run_job(client, job, plan, record)
    except Get3WError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        say("interrupted")
        return Exit.INTERRUPTED
    finally:
        if store is not None:
            store.close()


def expected_kind(model: ModelInfo | None) -> str | None:
    return expected_output_kind(model.type, model.output_kind) if model else None


def recorder(
    store: HistoryStore | None, api_base_url: str | None, out_dir: str | None = None
) -> Callable[[Job], None] | None:
    """The lifecycle's durable write for the command: the shared history (None: none)."""
    if store is None:
        return None

    def record(job: Job) -> None:
        store.save(job, base_url=api_base_url, out_dir=out_dir)

    return record


class Reporter:
    """The lifecycle's reports, for a terminal: a line per change worth telling."""

    def __init__(self) -> None:
        self.progress = Progress()
        self._note = ""
        self._submitted = False

    def on_change(self, job: Job) -> None:
        if not self._submitted and job.task is not None and job.state is JobState.RUNNING:
            self._submitted = True
            task = job.task
            estimate = (
                f" (estimated {task.estimated_duration:.0f} s)" if task.estimated_duration else ""
            )
            say(f"submitted {one_line(task.id)}{estimate}")
        message = job.note_message
        if job.note != self._note and message is not None and message.code not in _QUIET:
            self.progress.done()
            say(one_line(job.note))
        self._note = job.note

    def on_saved(self, path: Path, size: int) -> None:
        say(f"saved {path} ({size:,} bytes)")

    def reports(self, record: Callable[[Job], None] | None) -> Reports:
        return Reports(on_change=self.on_change, record=record, on_wait=self.progress,
                       on_saved=self.on_saved)  # fmt: skip


#: Notes the wait loop's progress line already shows.
_QUIET = frozenset({
    Code.WAITING_FOR_NETWORK, Code.RATE_LIMITED, Code.SLOWER_THAN_USUAL, Code.RETRYING,
})  # fmt: skip


def run_job(client: Get3WClient, job: Job, plan: Plan, record: Callable[[Job], None] | None) -> int:
    """Carry `job` through the shared lifecycle; print its JSON line; the exit code."""
    reporter = Reporter()
    lifecycle = Lifecycle(client, job, plan, reporter.reports(record))
    try:
        outcome = lifecycle.run()
    except KeyboardInterrupt:
        reporter.progress.done()
        latest = lifecycle.job
        if latest.remote_id:
            say(f"stopped waiting; the task goes on: get3w resume "
                f"(or get3w status {one_line(latest.remote_id)})")  # fmt: skip
        emit_json(task_shape(latest, base_url=client.base_url))
        return Exit.INTERRUPTED
    reporter.progress.done()
    emit_json(task_shape(outcome.job, base_url=client.base_url))
    return outcome_code(outcome)


def outcome_code(outcome: Outcome) -> int:
    """Say what stopped the job (if anything) and return the command's exit code."""
    job, error = outcome.job, outcome.error
    task = job.task
    if error is None:
        if job.state is JobState.FAILED and task is not None:
            say(f"failed (code {task.code}): {one_line(job.error)}")
            return Exit.TASK_FAILED
        if job.state is JobState.CANCELLED:
            return Exit.INTERRUPTED
        return Exit.OK
    if isinstance(error, HistoryError):
        code = report_history_error(error)
        if job.remote_id is None:
            say("  Nothing was sent. (--no-history runs without recording the task.)")
        return code
    if isinstance(error, TaskFailedError):
        say(f"failed (code {error.code}): {one_line(job.error)}")
        return Exit.TASK_FAILED
    if error.detail:
        say(f"  ({one_line(error.detail)})")
    say(f"error: {one_line(job.error if job.error and not job.state.active else error.message)}")
    if isinstance(error, WaitTimeoutError) and job.remote_id:
        say(f"  the task goes on: get3w resume (or get3w status {one_line(job.remote_id)})")
    return exit_code_for(error)


def cmd_status(args: argparse.Namespace) -> int:
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            task = retry_call(lambda: client.get(args.task_id), attempts=3)
    except Get3WError as exc:
        return report_error(exc)
    emit_json(task_shape(task=task, base_url=client.base_url))
    if task.phase is Phase.FAILED:
        return Exit.TASK_FAILED
    return Exit.OK
