"""Throughput: tasks submitted and tracked to the end per second, at concurrency 1, 8, 32.

Against a zero-delay sandbox (`get3w sandbox --time-scale 1e-6`, tiny outputs) in its own
process, so CPU can be attributed: the client's from getrusage, the sandbox's from /proc.
Two clients: `threads` (N threads sharing one Get3WClient, each submit -> wait_for_task)
and `runner` (the app's TaskRunner with N pool threads: submit, poll, download, signals).
A CPU share near 1.0 (one core) on one side means that side, held by its GIL, is the
ceiling; `--profile` adds a cProfile of the client threads.

`--ab` compares the head-read deadline as it was (a timer thread started and joined per
request) with the shared watchdog thread of api/http.py, interleaved in one run: each
client and concurrency is measured `--rounds` times per variant, alternating which goes
first, each on a fresh sandbox.

    .venv/bin/python -m bench.throughput [--tasks 400] [--concurrency 1 8 32] [--profile]
    .venv/bin/python -m bench.throughput --ab [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import logging
import os
import pstats
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from statistics import median
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

import requests
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from bench.common import (
    RESULTS,
    SandboxProcess,
    self_cpu_seconds,
    table,
    write_result,
)
from get3w_desktop.api import http
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.job import Job
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.workers.runner import TaskRunner

MODEL = "google/nano-banana-pro/text-to-image"
TIME_SCALE = 1e-6  # a 20 s task takes 20 µs: every poll after submit finds it done
SCHEDULE = ScheduleParams().scaled(TIME_SCALE)


def _timer_getresponse(self: Any) -> Any:
    """The head-read deadline before the shared watchdog: a timer thread per request."""
    deadline = http._DEADLINE.get()
    sock = self.sock
    if deadline is None or sock is None:
        return super(http._DeadlineConnection, self).getresponse()

    def expire() -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), expire)
    timer.daemon = True
    timer.start()
    try:
        return super(http._DeadlineConnection, self).getresponse()
    finally:
        timer.cancel()
        timer.join()


@contextlib.contextmanager
def deadline_variant(variant: str) -> Iterator[None]:
    """ "watchdog" (api/http.py as it is) or "timer" (the per-request timer it replaced)."""
    if variant == "watchdog":
        yield
        return
    current = http._DeadlineConnection.getresponse
    http._DeadlineConnection.getresponse = _timer_getresponse  # type: ignore[method-assign]
    try:
        yield
    finally:
        http._DeadlineConnection.getresponse = current  # type: ignore[method-assign]


class PoolFullCounter(logging.Handler):
    """Counts urllib3's "Connection pool is full, discarding connection" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "pool is full" in record.getMessage():
            self.count += 1


def sandbox_requests(base_url: str) -> int:
    reply = requests.get(f"{base_url}/_sandbox/stats", timeout=30)
    reply.raise_for_status()
    return int(reply.json()["requests"])


def run_threads(base_url: str, tasks: int, concurrency: int, profile: bool) -> dict[str, Any]:
    """N threads share one client; each takes tasks from a counter: submit, then wait."""
    remaining = [tasks]
    lock = threading.Lock()
    done: list[int] = []
    errors: list[str] = []
    profiles: list[cProfile.Profile] = []

    def worker(client: Get3WClient) -> None:
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        finished = 0
        try:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                task = client.submit_with_safe_retries(MODEL, {"prompt": "throughput"})
                final = wait_for_task(client, task, cancel=threading.Event(), params=SCHEDULE)
                finished += final.terminal
        except Exception as exc:  # a benchmark reports what went wrong and carries on
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            if profiler is not None:
                profiler.disable()
                with lock:
                    profiles.append(profiler)
            with lock:
                done.append(finished)

    with Get3WClient(base_url, SANDBOX_API_KEY) as client:
        threads = [threading.Thread(target=worker, args=(client,), name=f"bench-{i}")
                   for i in range(concurrency)]  # fmt: skip
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    result: dict[str, Any] = {"completed": sum(done), "seconds": elapsed, "errors": errors[:5]}
    if profiles:
        result["profile"] = top_functions(profiles)
    return result


def run_runner(base_url: str, tasks: int, concurrency: int) -> dict[str, Any]:
    """The app's TaskRunner with N pool threads: submit, poll, download; signals to here."""
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    assert app is not None
    outcomes: dict[str, str] = {}
    loop = QEventLoop()
    with tempfile.TemporaryDirectory(prefix="get3w-bench-") as tmp, \
            Get3WClient(base_url, SANDBOX_API_KEY) as client:  # fmt: skip
        runner = TaskRunner(client, Path(tmp), max_concurrency=concurrency, schedule=SCHEDULE,
                            expected_kind=lambda _m: "image")  # fmt: skip

        def on_job(job: Job) -> None:
            if not job.state.active:
                outcomes[job.local_id] = job.error or job.state.value
                if len(outcomes) >= tasks:
                    loop.quit()

        runner.job_changed.connect(on_job)
        guard = QTimer()  # never hang: stopped when done (a pending timer is a leak in tests)
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(600_000)
        start = time.perf_counter()
        for _ in range(tasks):
            runner.submit(MODEL, {"prompt": "throughput"})
        loop.exec()
        elapsed = time.perf_counter() - start
        guard.stop()
        runner.shutdown()
    completed = sum(1 for v in outcomes.values() if v == "completed")
    errors = sorted({v for v in outcomes.values() if v != "completed"})
    return {"completed": completed, "seconds": elapsed, "errors": errors[:5]}


def top_functions(profiles: list[cProfile.Profile], count: int = 15) -> list[str]:
    stream = io.StringIO()
    stats = pstats.Stats(profiles[0], stream=stream)
    for other in profiles[1:]:
        stats.add(other)
    stats.sort_stats("tottime").print_stats(count)
    lines = [line.rstrip() for line in stream.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line for line in lines[start:] if line]


def measure(
    sandbox: SandboxProcess, client: str, tasks: int, concurrency: int, profile: bool
) -> dict[str, Any]:
    pool_full = PoolFullCounter()
    logging.getLogger("urllib3").addHandler(pool_full)
    requests_before = sandbox_requests(sandbox.base_url)
    cpu_client, cpu_sandbox = self_cpu_seconds(), sandbox.cpu_seconds()
    if client == "threads":
        result = run_threads(sandbox.base_url, tasks, concurrency, profile)
    else:
        result = run_runner(sandbox.base_url, tasks, concurrency)
    cpu_client = self_cpu_seconds() - cpu_client
    cpu_sandbox = sandbox.cpu_seconds() - cpu_sandbox
    logging.getLogger("urllib3").removeHandler(pool_full)
    api_requests = sandbox_requests(sandbox.base_url) - requests_before  # stats are not counted
    seconds, completed = result["seconds"], max(result["completed"], 1)
    return {
        "client": client, "concurrency": concurrency, "tasks": tasks, **result,
        "tasks_per_second": result["completed"] / seconds,
        "api_requests_per_task": api_requests / completed,
        "client_cpu_share": cpu_client / seconds,  # 1.0 = one core busy all along
        "sandbox_cpu_share": cpu_sandbox / seconds,
        "client_cpu_ms_per_task": 1000 * cpu_client / completed,
        "sandbox_cpu_ms_per_task": 1000 * cpu_sandbox / completed,
        "connections_discarded": pool_full.count,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=400, help="tasks per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--clients", nargs="+", choices=("threads", "runner"),
                        default=["threads", "runner"])  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile the client threads")
    parser.add_argument("--ab", action="store_true",
                        help="per-request timer thread against the shared watchdog")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="with --ab: runs per variant")
    parser.add_argument("--quick", action="store_true", help="20 tasks at 1 and 4: a smoke test")
    parser.add_argument("--json", type=Path, default=None,
                        help="results/throughput.json; --ab: throughput_ab.json")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.concurrency = 20, [1, 4]
        args.rounds = min(args.rounds, 1)
    json_path = args.json or RESULTS / ("throughput_ab.json" if args.ab else "throughput.json")
    variants = ["timer", "watchdog"] if args.ab else ["watchdog"]
    rounds = args.rounds if args.ab else 1
    options = ["--time-scale", str(TIME_SCALE), "--render-scale", "0.05",
               "--concurrency-limit", "1000000"]  # fmt: skip
    results = []
    for client in args.clients:
        for concurrency in args.concurrency:
            for round_ in range(rounds):
                order = variants if round_ % 2 == 0 else variants[::-1]  # who goes first
                for variant in order:
                    # A fresh sandbox each time: its balance runs out after ~700 tasks.
                    with SandboxProcess(options) as sandbox, deadline_variant(variant):
                        sandbox_requests(sandbox.base_url)  # warm up: imports, catalogue
                        result = measure(sandbox, client, args.tasks, concurrency,
                                         args.profile and client == "threads")  # fmt: skip
                    results.append({"deadline": variant, "round": round_, **result})

    def label(r: dict[str, Any]) -> str:
        name = f"{r['client']} x{r['concurrency']}"
        return f"{name} {r['deadline']}" if args.ab else name

    rows = [[label(r), f"{r['completed']}/{r['tasks']}",
             r["tasks_per_second"], r["api_requests_per_task"], r["client_cpu_share"],
             r["sandbox_cpu_share"], r["client_cpu_ms_per_task"], r["sandbox_cpu_ms_per_task"],
             r["connections_discarded"]] for r in results]  # fmt: skip
    print(table(["client x concurrency", "done", "tasks/s", "req/task", "client CPU",
                 "sandbox CPU", "client ms/task", "sandbox ms/task", "conn. dropped"],
                rows))  # fmt: skip
    for r in results:
        if r.get("errors"):
            print(f"{label(r)} errors: {r['errors']}")
        if r.get("profile"):
            print(f"\n{label(r)}, by own time (cProfile):")
            print("\n".join(r["profile"][:12]))
    comparison = compare(results) if args.ab else []
    if comparison:
        print()
        print(table(["median of rounds", "timer tasks/s", "watchdog tasks/s", "speed-up",
                     "timer client ms/task", "watchdog client ms/task", "CPU saved"],
                    [[c["case"], c["timer"]["tasks_per_second"],
                      c["watchdog"]["tasks_per_second"], f"{c['speedup']:.2f}x",
                      c["timer"]["client_cpu_ms_per_task"],
                      c["watchdog"]["client_cpu_ms_per_task"],
                      f"{c['client_cpu_saved']:.0%}"] for c in comparison]))  # fmt: skip
    path = write_result("throughput", {
        "settings": {"tasks": args.tasks, "time_scale": TIME_SCALE, "render_scale": 0.05,
                     "variants": variants, "rounds": rounds,
                     "cpu_share": "CPU seconds / wall seconds; 1.0 is one core"},
        "results": results, "comparison": comparison,
    }, json_path, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


def compare(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per client and concurrency: the median of each variant's rounds, and the change."""
    cases: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = {}
    for r in results:
        cases.setdefault((r["client"], r["concurrency"]), {}).setdefault(r["deadline"], [])
        cases[(r["client"], r["concurrency"])][r["deadline"]].append(r)
    rows = []
    for (client, concurrency), by_variant in cases.items():
        if set(by_variant) != {"timer", "watchdog"}:
            continue
        medians = {
            variant: {key: median(r[key] for r in runs)
                      for key in ("tasks_per_second", "client_cpu_ms_per_task",
                                  "client_cpu_share")}
            for variant, runs in by_variant.items()
        }  # fmt: skip
        timer, watchdog = medians["timer"], medians["watchdog"]
        rows.append({
            "case": f"{client} x{concurrency}", "client": client, "concurrency": concurrency,
            "timer": timer, "watchdog": watchdog,
            "speedup": watchdog["tasks_per_second"] / timer["tasks_per_second"],
            "client_cpu_saved": 1 - watchdog["client_cpu_ms_per_task"]
            / timer["client_cpu_ms_per_task"],
        })  # fmt: skip
    return rows


if __name__ == "__main__":
    sys.exit(main())
