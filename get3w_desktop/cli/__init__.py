"""The `get3w` command: the same core as the desktop app, for scripts and terminals."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

from get3w_desktop import __version__
from get3w_desktop.api.client import Get3WClient, retry_call
from get3w_desktop.cli.common import (
    Exit,
    add_connection_arguments,
    api_key,
    base_url,
    emit_json,
    report_error,
)
from get3w_desktop.cli.history import (
    add_history_arguments,
    add_resume_arguments,
    cmd_history,
    cmd_resume,
)
from get3w_desktop.cli.key import add_profile_argument, cmd_key
from get3w_desktop.cli.run import add_run_arguments, cmd_run, cmd_status
from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.errors import Get3WError, UnsupportedError
from get3w_desktop.core.redact import RedactingFilter

EPILOG = """exit codes: 0 done, 1 task failed, 2 bad usage or parameters, 3 authentication,
4 insufficient balance, 5 rate limited, 6 network or server, 7 submission uncertain
(the task may exist: not sent again), 8 timed out waiting, 9 output not saved,
10 not found, 11 history unusable, 130 interrupted"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="get3w",
        description="Run Get3W generative-AI tasks from the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="submit a task, wait for it and download its outputs")
    add_run_arguments(run)
    add_connection_arguments(run)

    history = sub.add_parser("history", help="list recorded tasks, newest first")
    add_history_arguments(history)

    resume = sub.add_parser(
        "resume", help="finish unfinished tasks (poll, download); never sends one again"
    )
    add_resume_arguments(resume)
    add_connection_arguments(resume)

    status = sub.add_parser("status", help="show a task's current state as JSON")
    status.add_argument("task_id")
    add_connection_arguments(status)

    models = sub.add_parser("models", help="list models, or show one model's parameters")
    models.add_argument("model_id", nargs="?")
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.add_argument("--remote", action="store_true", help="ask the server for its list")
    add_connection_arguments(models)

    balance = sub.add_parser("balance", help="show the account balance")
    add_connection_arguments(balance)

    key = sub.add_parser("key", help="manage the API key in the system keyring")
    key_sub = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    key_set = key_sub.add_parser("set", help="read a key from standard input, check and store it")
    key_set.add_argument("--no-check", action="store_true", help="store without checking")
    add_connection_arguments(key_set)
    add_profile_argument(key_set)
    add_profile_argument(
        key_sub.add_parser("status", help="show the keyring backend and the stored key, masked")
    )
    add_profile_argument(key_sub.add_parser("delete", help="remove the stored key"))

    sandbox = sub.add_parser("sandbox", help="serve the local Get3W-compatible sandbox")
    from get3w_desktop.sandbox.cli import add_sandbox_arguments

    add_sandbox_arguments(sandbox)
    return parser


def cmd_models(args: argparse.Namespace) -> int:
    catalogue: Catalogue = load_bundled()
    if args.remote:
        try:
            with Get3WClient(base_url(args), api_key()) as client:
                catalogue = retry_call(client.list_models, attempts=3).merged_over(catalogue)
        except UnsupportedError:
            print("note: the server has no model list; showing the bundled one", file=sys.stderr)
        except Get3WError as exc:
            return report_error(exc)
    if args.model_id:
        model = catalogue.get(args.model_id)
        if model is None:
            print(f"error: unknown model {args.model_id}", file=sys.stderr)
            return Exit.NOT_FOUND
        if args.json:
            emit_json(
                {"model_id": model.model_id, "name": model.name, "schema": dict(model.schema)}
            )
            return Exit.OK
        print(f"{model.name} ({model.model_id}) · {model.type}")
        if model.description:
            print(f"  {model.description}")
        for spec in model.params:
            bits = [spec.json_type]
            if spec.enum:
                bits.append("one of " + ", ".join(str(v) for v in spec.enum))
            if spec.minimum is not None or spec.maximum is not None:
                bits.append(f"{spec.minimum}…{spec.maximum}")
            if spec.default is not None:
                bits.append(f"default {spec.default}")
            mark = "*" if spec.required else " "
            print(f" {mark} {spec.name}: {'; '.join(bits)}")
        print("  (* required)")
        return Exit.OK
    if args.json:
        emit_json([
            {"model_id": m.model_id, "name": m.name, "type": m.type, "base_price": m.base_price}
            for m in catalogue
        ])  # fmt: skip
        return Exit.OK
    for m in catalogue:
        price = f"${m.base_price:.3f}" if m.base_price is not None else "?"
        print(f"{m.model_id:48s} {m.type:15s} {price:>8s}  {m.name}")
    return Exit.OK


def cmd_balance(args: argparse.Namespace) -> int:
    try:
        with Get3WClient(base_url(args), api_key()) as client:
            value = retry_call(client.balance, attempts=3)
    except Get3WError as exc:
        return report_error(exc)
    if value is None:
        print("balance unknown (this server does not report it)")
        return Exit.OK
    print(f"${value:,.2f}")
    return Exit.OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "history":
            return cmd_history(args)
        if args.command == "resume":
            return cmd_resume(args)
        if args.command == "status":
            return cmd_status(args)
        if args.command == "models":
            return cmd_models(args)
        if args.command == "balance":
            return cmd_balance(args)
        if args.command == "key":
            return cmd_key(args)
        from get3w_desktop.sandbox.cli import run_sandbox

        return run_sandbox(args)
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except BrokenPipeError:  # `get3w history | head`: the reader has all it wanted
        with contextlib.suppress(OSError):  # no second error when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
