"""`get3w sandbox`: serve the sandbox from a terminal until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from get3w_desktop.sandbox.config import (
    FAULT_FRACTIONS,
    SANDBOX_API_KEY,
    FaultConfig,
    SandboxConfig,
)
from get3w_desktop.sandbox.hostile import HOSTILE_HELP
from get3w_desktop.sandbox.server import SandboxServer

_FAULT_HELP = {
    "rate_limit": "API requests answered 429 with Retry-After",
    "server_error": "API requests answered 502/503/504 with an HTML page",
    "malformed_json": "task polls answered with cut-off JSON (status 200)",
    "reset": "task polls whose connection is reset without an answer",
    "reset_after_submit": "submits that create the task, then reset the connection",
    "truncated_download": "output downloads that stop before Content-Length",
    "drip": "answers sent one byte a second",
    "hang": "requests never answered",
    "stuck_created": 'tasks that stay "created" forever',
    **HOSTILE_HELP,
}


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="API port (default 8765)")
    parser.add_argument(
        "--output-port",
        type=int,
        default=None,
        help="output host port (default: port + 1; 0 = any free port)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply every duration (0.1 = ten times faster)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for everything random")
    parser.add_argument(
        "--concurrency-limit",
        type=int,
        default=10,
        help="unfinished tasks per key before 429 (default 10)",
    )
    parser.add_argument(
        "--sync-timeout",
        type=float,
        default=30.0,
        help="seconds (scaled) a ?sync=true call waits (default 30)",
    )
    parser.add_argument(
        "--sync-timeout-mode",
        choices=("status", "504"),
        default="status",
        help="on sync timeout: the running task, or a 504 page",
    )
    parser.add_argument("--no-v3", action="store_true", help="do not serve the /api/v3 routes")
    parser.add_argument(
        "--failure-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="tasks that fail with a task code",
    )
    parser.add_argument(
        "--render-scale", type=float, default=1.0, help="scale output picture sizes (default 1)"
    )
    faults = parser.add_argument_group("faults", "fractions of requests or tasks, 0 to 1")
    faults.add_argument(
        "--latency",
        type=float,
        nargs=2,
        default=(0.0, 0.0),
        metavar=("MIN", "MAX"),
        help="seconds added to API answers",
    )
    faults.add_argument(
        "--retry-after",
        type=float,
        default=1.0,
        help="Retry-After seconds sent with fault 429s and 503s",
    )
    for name in FAULT_FRACTIONS:
        faults.add_argument(
            f"--fault-{name.replace('_', '-')}",
            type=_fraction,
            default=0.0,
            metavar="FRACTION",
            dest=f"fault_{name}",
            help=_FAULT_HELP[name],
        )
    faults.add_argument(
        "--fault-forget-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="tasks 404 this long (scaled) after submit",
    )
    faults.add_argument(
        "--fault-redirect-outputs",
        action="store_true",
        help="output URLs answer 302 to the real file first",
    )


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    faults = FaultConfig(
        latency=(args.latency[0], args.latency[1]),
        retry_after=args.retry_after,
        forget_after=args.fault_forget_after,
        redirect_outputs=args.fault_redirect_outputs,
        **{name: getattr(args, f"fault_{name}") for name in FAULT_FRACTIONS},
    )
    return SandboxConfig(
        time_scale=args.time_scale,
        seed=args.seed,
        concurrency_limit=args.concurrency_limit,
        sync_timeout=args.sync_timeout,
        sync_timeout_mode=args.sync_timeout_mode,
        v3_enabled=not args.no_v3,
        failure_rate=args.failure_rate,
        render_scale=args.render_scale,
        faults=faults,
    )


def run_sandbox(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; 0 after a clean stop, 2 if it cannot start."""
    output_port = args.port + 1 if args.output_port is None and args.port else args.output_port
    try:
        config = config_from_args(args)
        server = SandboxServer(config, args.host, args.port, output_port or 0)
    except ValueError as exc:
        print(f"get3w sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"get3w sandbox: cannot listen on {args.host} port {args.port} or "
            f"{output_port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    done = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        print(f"Get3W sandbox API: {server.base_url}", flush=True)
        print(f"API key: {SANDBOX_API_KEY}", flush=True)
        print(f"Outputs served from: {server.output_base_url}", flush=True)
        print("Press Ctrl+C to stop.", flush=True)
        while not done.wait(0.5):  # a short wait keeps the main thread responsive to signals
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
