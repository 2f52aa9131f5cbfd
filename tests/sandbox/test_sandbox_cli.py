"""The sandbox's command-line hook: options become a config; it serves until a signal."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.sandbox.cli import add_sandbox_arguments, config_from_args

ROOT = Path(__file__).resolve().parents[2]
RUN = (
    "import argparse, sys\n"
    "from get3w_desktop.sandbox.cli import add_sandbox_arguments, run_sandbox\n"
    "parser = argparse.ArgumentParser()\n"
    "add_sandbox_arguments(parser)\n"
    "sys.exit(run_sandbox(parser.parse_args(sys.argv[1:])))\n"
)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    return parser.parse_args(argv)


def test_defaults() -> None:
    args = parse()
    assert (args.host, args.port, args.output_port) == ("127.0.0.1", 8765, None)
    config = config_from_args(args)
    assert config.time_scale == 1.0 and config.seed == 0 and config.v3_enabled
    assert config.faults.reset == 0.0 and config.faults.latency == (0.0, 0.0)


def test_every_option_reaches_the_config() -> None:
    args = parse(
        "--time-scale",
        "0.1",
        "--seed",
        "9",
        "--concurrency-limit",
        "3",
        "--sync-timeout",
        "5",
        "--sync-timeout-mode",
        "504",
        "--no-v3",
        "--failure-rate",
        "0.2",
        "--latency",
        "0.1",
        "0.4",
        "--retry-after",
        "3",
        "--fault-rate-limit",
        "0.1",
        "--fault-server-error",
        "0.2",
        "--fault-malformed-json",
        "0.3",
        "--fault-reset",
        "0.4",
        "--fault-reset-after-submit",
        "0.5",
        "--fault-truncated-download",
        "0.6",
        "--fault-drip",
        "0.01",
        "--fault-hang",
        "0.02",
        "--fault-stuck-created",
        "0.03",
        "--fault-forget-after",
        "600",
        "--fault-redirect-outputs",
    )
    config = config_from_args(args)
    assert (config.time_scale, config.seed, config.concurrency_limit) == (0.1, 9, 3)
    assert (config.sync_timeout, config.sync_timeout_mode) == (5.0, "504")
    assert config.v3_enabled is False and config.failure_rate == 0.2
    faults = config.faults
    assert faults.latency == (0.1, 0.4) and faults.retry_after == 3.0
    assert (faults.rate_limit, faults.server_error, faults.malformed_json, faults.reset) == (
        0.1,
        0.2,
        0.3,
        0.4,
    )
    assert (faults.reset_after_submit, faults.truncated_download) == (0.5, 0.6)
    assert (faults.drip, faults.hang, faults.stuck_created) == (0.01, 0.02, 0.03)
    assert faults.forget_after == 600.0 and faults.redirect_outputs is True


def test_a_fraction_above_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--fault-reset", "1.5")
    assert "not a fraction" in capsys.readouterr().err


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serves_until_a_signal_then_exits_cleanly(stop_signal: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", RUN, "--port", "0", "--time-scale", "0.01"]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(4)]
            api = re.fullmatch(r"Get3W sandbox API: (http://127\.0\.0\.1:\d+)\n", lines[0])
            assert api, lines
            assert lines[1] == f"API key: {SANDBOX_API_KEY}\n"
            assert lines[2].startswith("Outputs served from: http://127.0.0.1:")
            reply = requests.get(
                f"{api.group(1)}/api/v3/balance",
                timeout=10,
                headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"},
            )
            assert reply.json()["data"] == {"balance": 100.0}
            process.send_signal(stop_signal)
            _, err = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_a_busy_port_is_a_message_not_a_traceback() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", RUN, "--port", str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert "cannot listen" in done.stderr
    assert "Traceback" not in done.stderr
