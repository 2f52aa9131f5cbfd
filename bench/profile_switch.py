"""Profile switch: how late a 10 ms GUI-thread heartbeat runs when the person switches
profile while a slow request to the old profile's host is still on the wire.

The real ServiceController switches between the built-in sandbox and a Get3W profile
whose host holds every request for `--hold` seconds (a loopback server that answers
late, like a host behind a dying connection): each switch to the slow profile starts a
balance and a price request there, and the switch away happens while they are in flight.
The old balance watcher and price quoter retire (workers/base.py) instead of being deleted
with their pools still running, which would block the GUI thread until the request ends.

    .venv/bin/python -m bench.profile_switch [--switches 10] [--hold 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from bench.common import RESULTS, percentile, table, write_result
from bench.responsiveness import HEARTBEAT_MS, STALL_MS, Heartbeat, StallSampler, private_home
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import MemorySecretStore
from get3w_desktop.storage.settings import SANDBOX, Profile, Settings
from get3w_desktop.ui.services import ServiceController
from get3w_desktop.workers.base import PoolOwner
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.runner import TaskRunner


@contextmanager
def slow_host(hold: float) -> Iterator[tuple[str, list[float], threading.Event]]:
    """A host that answers every request after `hold` seconds (or at once when released)."""
    arrivals: list[float] = []
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            arrivals.append(time.perf_counter())
            release.wait(hold)
            body = b'{"code": 503, "message": "slow host"}'
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="slow-host", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}", arrivals, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def run(switches: int, hold: float, settle: float) -> dict[str, Any]:
    app = QApplication.instance() or QApplication([])
    load_before = list(os.getloadavg())
    sampler = StallSampler(threading.get_ident())  # where the GUI thread is when a beat is late
    heartbeat = Heartbeat(sampler)
    switch_gaps: list[float] = []  # the longest beat gap around each switch away
    with tempfile.TemporaryDirectory(prefix="get3w-bench-") as tmp, \
            private_home(Path(tmp) / "home"), \
            slow_host(hold) as (url, arrivals, release):  # fmt: skip
        slow = Profile("slow", url)
        paths = app_paths(Path(tmp) / "home").ensure()
        keys = KeyService(MemorySecretStore())
        runner = TaskRunner(None, Path(tmp) / "out")
        catalogue = load_bundled()
        model = catalogue.models[0]
        sandboxes: list[SandboxServer] = []

        def start_sandbox() -> SandboxServer:
            sandboxes.append(SandboxServer(SandboxConfig(time_scale=0.02)).start())
            return sandboxes[-1]

        services = ServiceController(
            Settings(profiles=(SANDBOX, slow)), paths, keys, runner, {},
            start_sandbox=start_sandbox, model_lookup=catalogue.get,
        )  # fmt: skip
        services.activate(SANDBOX, None)
        loop = QEventLoop()
        sampler.start()
        heartbeat.start()
        started = time.perf_counter()

        def wait(seconds: float) -> None:
            QTimer.singleShot(round(seconds * 1000), loop.quit)
            loop.exec()

        for _ in range(switches):
            seen = len(arrivals)
            live = services.activate(slow, "sk-bench-slow-host")  # asks balance and a price
            live.balance.refresh()
            assert services.quoter is not None
            services.quoter.request(model.model_id, {"prompt": "bench"})
            deadline = time.perf_counter() + 5
            while len(arrivals) < seen + 1 and time.perf_counter() < deadline:
                wait(0.01)  # the request reached the slow host: it is in flight now
            before = len(heartbeat.gaps)
            services.activate(SANDBOX, None)  # switch away while it is held
            wait(settle)
            switch_gaps.append(max(heartbeat.gaps[before:], default=0.0))
        elapsed = time.perf_counter() - started
        heartbeat.timer.stop()
        sampler.stopping.set()
        sampler.join(5)
        retired_at_end = PoolOwner.retired_count()
        release.set()
        services.shutdown()
        runner.shutdown()
        keys.shutdown()
        app.processEvents()
    gaps_ms = [g * 1000 for g in heartbeat.gaps]
    late_ms = [max(0.0, g - HEARTBEAT_MS) for g in gaps_ms]
    switch_ms = [g * 1000 for g in switch_gaps]
    return {
        "switches": switches, "hold_s": hold, "settle_s": settle, "seconds": elapsed,
        "heartbeats": len(gaps_ms), "slow_requests": len(arrivals),
        "retired_still_finishing_at_end": retired_at_end,
        "lateness_ms": {"p50": percentile(late_ms, 0.5), "p99": percentile(late_ms, 0.99),
                        "max": max(late_ms, default=0.0)},
        "worst_gap_ms": max(gaps_ms, default=0.0),
        "worst_gap_per_switch_ms": switch_ms,
        "gaps_over_50ms": sum(1 for g in gaps_ms if g > STALL_MS),
        "worst_gaps": heartbeat.worst(5),
        "gui_thread_in_stalls": heartbeat.stall_shares(STALL_MS / 1000),
        "load_average_before": load_before, "load_average_after": list(os.getloadavg()),
        "stall_samples": dict(sampler.samples.most_common(12)),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switches", type=int, default=10)
    parser.add_argument("--hold", type=float, default=3.0,
                        help="seconds the slow host holds each request")  # fmt: skip
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds the heartbeat is watched after each switch away")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="2 switches: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "profile_switch.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.switches, args.hold, args.settle = 2, 2.0, 0.3
    result = run(args.switches, args.hold, args.settle)
    print(table(["switches", "slow requests", "beats", "late p50 ms", "late p99 ms",
                 "worst gap ms", "gaps > 50 ms"],
                [[result["switches"], result["slow_requests"], result["heartbeats"],
                  result["lateness_ms"]["p50"], result["lateness_ms"]["p99"],
                  result["worst_gap_ms"], result["gaps_over_50ms"]]]))  # fmt: skip
    per_switch = ", ".join(f"{g:.0f}" for g in result["worst_gap_per_switch_ms"])
    print(f"worst beat gap after each switch away (ms): {per_switch}")
    worst = ", ".join(f"{g['gap_ms']:.0f} ms at {g['at_s']:.1f} s (GUI thread ran "
                      f"{g['gui_cpu_ms']:.1f} ms, waited {g['core_wait_ms']:.0f} ms for a core)"
                      for g in result["worst_gaps"][:3])  # fmt: skip
    print(f"worst gaps: {worst}; load average {result['load_average_before'][0]:.1f} -> "
          f"{result['load_average_after'][0]:.1f}")  # fmt: skip
    for where, count in result["stall_samples"].items():
        print(f"{count:5d}  {where}")
    path = write_result("profile_switch", {
        "settings": {"switches": args.switches, "hold_s": args.hold, "settle_s": args.settle,
                     "heartbeat_ms": HEARTBEAT_MS},
        "goal": "worst stall under 50 ms while the old host holds its requests",
        "result": result,
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
