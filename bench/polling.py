"""Polling economy: our schedule vs the seed's advice, over real HTTP against the sandbox.

Every strategy polls the same tasks (same real durations) on a shared virtual clock, so
the run takes seconds and the numbers do not depend on machine load. Durations are
log-uniform on [0.5E, 2E]; the "tail" variant sends 10% of tasks 2-10x over.

    .venv/bin/python bench/polling.py [--tasks 200] [--json bench/results/polling.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import random
import statistics
import threading
from collections.abc import Callable
from pathlib import Path

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import Wake, wait_for_task
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

MODEL = "google/nano-banana-pro/text-to-image"


class VirtualClock:
    def __init__(self) -> None:
        self.now = 1_000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> Wake:
        with self._lock:
            self.now += seconds
        return Wake.ELAPSED


def durations(estimate: float, count: int, tail: bool, seed: int) -> list[float]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        factor = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
        if tail and rng.random() < 0.1:
            factor = rng.uniform(2.0, 10.0)
        out.append(estimate * factor)
    return out


def fixed_interval(first: float, every: float) -> Callable[[Get3WClient, Task, VirtualClock], None]:
    def poll(client: Get3WClient, task: Task, clock: VirtualClock) -> None:
        clock.sleep(first)
        while not client.get(task.id).terminal:
            clock.sleep(every)

    return poll


def run(estimate: float, count: int, tail: bool, lam: float) -> dict[str, dict[str, float]]:
    clock = VirtualClock()
    real = durations(estimate, count, tail, seed=int(estimate) + tail)
    strategies: dict[str, Callable[[Get3WClient, Task, VirtualClock], None]] = {
        "ours": lambda c, t, k: None,
        "seed_tip": fixed_interval(estimate, 3.0),  # wait E, then every 3 s
        "seed_sample": fixed_interval(3.0, 3.0),  # every 3 s from submit
    }
    queue = [d for _ in strategies for d in real]
    config = SandboxConfig(clock=clock, render_scale=0.05, concurrency_limit=10**6,
                           duration_fn=lambda _m, _p: queue.pop(0))  # fmt: skip
    params = ScheduleParams(lam=lam)
    results: dict[str, dict[str, float]] = {}
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        for name, poll in strategies.items():
            before = sum(server.stats.polls_by_task.values())
            latencies = []
            for duration in real:
                start = clock()
                task = dataclasses.replace(c.submit(MODEL, {"prompt": "bench"}),
                                           estimated_duration=estimate)  # fmt: skip
                if name == "ours":
                    wait_for_task(c, task, cancel=threading.Event(), params=params, clock=clock,
                                  sleep=clock.sleep)  # fmt: skip
                else:
                    poll(c, task, clock)
                latencies.append(clock() - start - duration)
            polls = sum(server.stats.polls_by_task.values()) - before
            latencies.sort()
            results[name] = {
                "polls_per_task": polls / count,
                "latency_mean": statistics.mean(latencies),
                "latency_p50": latencies[len(latencies) // 2],
                "latency_p95": latencies[int(0.95 * (len(latencies) - 1))],
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--lam", type=float, default=ScheduleParams().lam)
    parser.add_argument("--json", type=Path, default=Path("bench/results/polling.json"))
    args = parser.parse_args()
    runs: list[dict[str, object]] = []
    print(f"{'E':>5} {'spread':7} {'strategy':12} {'polls':>6} {'mean':>7} {'p50':>7} {'p95':>7}")
    for estimate in (10.0, 52.0, 300.0):
        for tail in (False, True):
            results = run(estimate, args.tasks, tail, args.lam)
            floor = 0.2805 * estimate  # E[L]*E[N] >= K for log-uniform [0.5E, 2E]
            for name, r in results.items():
                print(f"{estimate:5.0f} {'tail' if tail else 'normal':7} {name:12} "
                      f"{r['polls_per_task']:6.2f} {r['latency_mean']:6.2f}s "
                      f"{r['latency_p50']:6.2f}s {r['latency_p95']:6.2f}s")  # fmt: skip
            ours = results["ours"]
            product = ours["polls_per_task"] * ours["latency_mean"]
            print(f"      ours: E[N]*E[L] = {product:.1f} vs floor K ~ {floor:.1f} "
                  f"({product / floor:.2f}x)")  # fmt: skip
            runs.append({"estimate": estimate, "tail": tail, "floor_K": floor, "results": results})
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": platform.platform(), "tasks": args.tasks, "lam": args.lam, "runs": runs}
    args.json.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
