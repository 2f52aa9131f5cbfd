"""Throughput: tasks submitted and tracked to the end per second, at concurrency 1, 8, 32.

Against a zero-delay sandbox (`get3w sandbox --time-scale 1e-6`, tiny outputs) in its own
process, so CPU can be attributed: the client's from getrusage, the sandbox's from /proc.
Two clients: `threads` (N threads sharing one Get3WClient, each submit -> wait_for_task)
and `runner` (the app's TaskRunner with N pool threads: submit, poll, download, signals).
A CPU share near 1.0 (one core) on one side means that side, held by its GIL, is the
ceiling; `--profile` adds a cProfile of the client threads.

    .venv/bin/python -m bench.throughput [--tasks 400] [--concurrency 1 8 32] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path
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
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.job import Job
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.workers.runner import TaskRunner

MODEL = "google/nano-banana-pro/text-to-image"
TIME_SCALE = 1e-6  # a 20 s task takes 20 µs: every poll after submit finds it done
SCHEDULE = ScheduleParams().scaled(TIME_SCALE)


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
        QTimer.singleShot(600_000, loop.quit)
        start = time.perf_counter()
        for _ in range(tasks):
            runner.submit(MODEL, {"prompt": "throughput"})
        loop.exec()
        elapsed = time.perf_counter() - start
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
    parser.add_argument("--quick", action="store_true", help="20 tasks at 1 and 4: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "throughput.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.concurrency = 20, [1, 4]
    options = ["--time-scale", str(TIME_SCALE), "--render-scale", "0.05",
               "--concurrency-limit", "1000000"]  # fmt: skip
    results = []
    for client in args.clients:
        for concurrency in args.concurrency:
            # A fresh sandbox each time: its account balance runs out after ~700 tasks.
            with SandboxProcess(options) as sandbox:
                sandbox_requests(sandbox.base_url)  # warm up: its imports, the catalogue
                results.append(measure(sandbox, client, args.tasks, concurrency,
                                       args.profile and client == "threads"))  # fmt: skip
    rows = [[f"{r['client']} x{r['concurrency']}", f"{r['completed']}/{r['tasks']}",
             r["tasks_per_second"], r["api_requests_per_task"], r["client_cpu_share"],
             r["sandbox_cpu_share"], r["client_cpu_ms_per_task"], r["sandbox_cpu_ms_per_task"],
             r["connections_discarded"]] for r in results]  # fmt: skip
    print(table(["client x concurrency", "done", "tasks/s", "req/task", "client CPU",
                 "sandbox CPU", "client ms/task", "sandbox ms/task", "conn. dropped"],
                rows))  # fmt: skip
    for r in results:
        if r.get("errors"):
            print(f"{r['client']} x{r['concurrency']} errors: {r['errors']}")
        if r.get("profile"):
            print(f"\nclient threads x{r['concurrency']}, by own time (cProfile):")
            print("\n".join(r["profile"][:12]))
    path = write_result("throughput", {
        "settings": {"tasks": args.tasks, "time_scale": TIME_SCALE, "render_scale": 0.05,
                     "cpu_share": "CPU seconds / wall seconds; 1.0 is one core"},
        "results": results,
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
