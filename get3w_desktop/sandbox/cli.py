"""`get3w sandbox`: serve the sandbox from a terminal until Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from get3w_desktop.sandbox.config import SANDBOX_API_KEY, FaultConfig, SandboxConfig
from get3w_desktop.sandbox.server import SandboxServer

_FRACTIONS = ("rate_limit", "server_error", "malformed_json", "reset", "reset_after_submit",
              "truncated_download", "drip", "hang", "stuck_created")  # fmt: skip


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="API port (default 8765)")
    parser.add_argument("--output-port", type=int, default=None,
                        help="output host port (default: port + 1; 0 = any free port)")  # fmt: skip
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiply every duration (0.1 = ten times faster)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed for everything random")
    parser.add_argument("--concurrency-limit", type=int, default=10)
    parser.add_argument("--sync-timeout", type=float, default=30.0)
    parser.add_argument("--no-v3", action="store_true", help="do not serve the /api/v3 routes")
    parser.add_argument("--failure-rate", type=float, default=0.0,
                        help="fraction of tasks that fail with a task code")  # fmt: skip
    parser.add_argument("--latency", type=float, nargs=2, default=(0.0, 0.0),
                        metavar=("MIN", "MAX"), help="seconds added to every answer")  # fmt: skip
    parser.add_argument("--retry-after", type=float, default=1.0)
    for name in _FRACTIONS:
        parser.add_argument(f"--fault-{name.replace('_', '-')}", type=float, default=0.0,
                            metavar="FRACTION", dest=f"fault_{name}")  # fmt: skip


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    faults = FaultConfig(
        latency=(args.latency[0], args.latency[1]), retry_after=args.retry_after,
        **{name: getattr(args, f"fault_{name}") for name in _FRACTIONS},
    )  # fmt: skip
    return SandboxConfig(
        time_scale=args.time_scale, seed=args.seed, concurrency_limit=args.concurrency_limit,
        sync_timeout=args.sync_timeout, v3_enabled=not args.no_v3,
        failure_rate=args.failure_rate, faults=faults,
    )  # fmt: skip


def run_sandbox(args: argparse.Namespace) -> int:
    output_port = args.port + 1 if args.output_port is None else args.output_port
    server = SandboxServer(config_from_args(args), args.host, args.port, output_port)
    done = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    print(f"Get3W sandbox API: {server.base_url}", flush=True)
    print(f"API key: {SANDBOX_API_KEY}", flush=True)
    print(f"Outputs served from: {server.output_base_url}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    try:
        done.wait()
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
