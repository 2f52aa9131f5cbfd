"""Polling economy: our schedule vs the seed's advice, over real HTTP against the sandbox.

Every strategy polls the same tasks (same real durations) on a shared virtual clock, so
the run takes seconds and the numbers do not depend on machine load. Spreads of the real
duration T around the estimate E:

    normal  log-uniform on [0.5E, 2E] (what our schedule assumes)
    tail    the same, but 10% of tasks run 2-10x over
    fast    log-uniform on [0.25E, 0.6E]: a model whose published estimate is stale

Strategies: ours (default lambda), ours with the window learned from 20 finished tasks
of the same model ("learned"), the seed's code sample (every 3 s from submit) and the
seed's tip (wait E, then every 3 s). Beside them, the floor E[L]*E[N] >= K, with
K = 1/2 (integral of sqrt(f(t) S(t)) dt)^2 for the spread's density f and survival S
(Keller's continuous checking bound; RELIABILITY.md). Then a sweep of lambda (polls
against latency) for ours.

    .venv/bin/python -m bench.polling [--tasks 150] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import math
import random
import statistics
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

from bench.common import RESULTS, percentile, table, write_result
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import Wake, wait_for_task
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

MODEL = "google/nano-banana-pro/text-to-image"
SPREADS = ("normal", "tail", "fast")
HISTORY = 20  # finished tasks needed before the window is learned (RELIABILITY.md)

Poll = Callable[[Get3WClient, Task, "VirtualClock"], None]


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


# -- the spreads: sampling, and density / survival for the floor ---------------------------

_LOG_UNIFORM = {"normal": (0.5, 2.0), "tail": (0.5, 2.0), "fast": (0.25, 0.6)}
TAIL_SHARE, TAIL_RANGE = 0.1, (2.0, 10.0)


def factors(spread: str, count: int, seed: int) -> list[float]:
    """Real duration / estimate for `count` tasks."""
    rng = random.Random(seed)
    low, high = _LOG_UNIFORM[spread]
    out = []
    for _ in range(count):
        factor = math.exp(rng.uniform(math.log(low), math.log(high)))
        if spread == "tail" and rng.random() < TAIL_SHARE:
            factor = rng.uniform(*TAIL_RANGE)
        out.append(factor)
    return out


def density_and_survival(spread: str, x: float) -> tuple[float, float]:
    """f(x) and S(x) = P(T > x) of T / E."""
    low, high = _LOG_UNIFORM[spread]
    span = math.log(high / low)
    f = 1.0 / (x * span) if low <= x <= high else 0.0
    s = 1.0 if x < low else (0.0 if x > high else math.log(high / x) / span)
    if spread != "tail":
        return f, s
    t_low, t_high = TAIL_RANGE
    f_tail = 1.0 / (t_high - t_low) if t_low <= x <= t_high else 0.0
    s_tail = 1.0 if x < t_low else max(0.0, (t_high - x) / (t_high - t_low))
    keep = 1.0 - TAIL_SHARE
    return keep * f + TAIL_SHARE * f_tail, keep * s + TAIL_SHARE * s_tail


@functools.lru_cache
def floor_constant(spread: str, steps: int = 20_000) -> float:
    """K / E: no schedule has E[L] * E[N] below K (midpoint rule on [0, 10E])."""
    top = 10.0
    width = top / steps
    total = 0.0
    for i in range(steps):
        f, s = density_and_survival(spread, (i + 0.5) * width)
        total += math.sqrt(f * s) * width
    return 0.5 * total * total


# -- strategies -----------------------------------------------------------------------------


def fixed_interval(first: float, every: float) -> Poll:
    def poll(client: Get3WClient, task: Task, clock: VirtualClock) -> None:
        clock.sleep(first)
        while not client.get(task.id).terminal:
            clock.sleep(every)

    return poll


def ours(params: ScheduleParams) -> Poll:
    def poll(client: Get3WClient, task: Task, clock: VirtualClock) -> None:
        wait_for_task(client, task, cancel=threading.Event(), params=params, clock=clock,
                      sleep=clock.sleep)  # fmt: skip

    return poll


def learned_window(history: list[float]) -> tuple[float, float]:
    """The window a client would learn from finished tasks' T/E: their range, widened at
    each end by the average log-gap between samples (the unbiased range of a log-uniform)."""
    low, high = min(history), max(history)
    stretch = (high / low) ** (1.0 / max(len(history) - 1, 1))
    return (low / stretch, high * stretch)


def strategies(estimate: float, spread: str, lam: float, seed: int) -> dict[str, Poll]:
    history = factors(spread, HISTORY, seed=seed + 10_000)  # earlier tasks of the same model
    params = ScheduleParams(lam=lam)
    return {
        "ours": ours(params),
        "ours_learned": ours(dataclasses.replace(params, window=learned_window(history))),
        "seed_tip": fixed_interval(estimate, 3.0),  # wait E, then every 3 s
        "seed_sample": fixed_interval(3.0, 3.0),  # every 3 s from submit
    }


def run(
    estimate: float, count: int, spread: str, polls: dict[str, Poll], seed: int
) -> dict[str, dict[str, float]]:
    """Each strategy over the same `count` tasks; polls per task and detection latency."""
    clock = VirtualClock()
    real = [estimate * f for f in factors(spread, count, seed)]
    queue = [d for _ in polls for d in real]
    config = SandboxConfig(clock=clock, render_scale=0.05, concurrency_limit=10**6,
                           keys={SANDBOX_API_KEY: 1e9},  # thousands of tasks
                           duration_fn=lambda _m, _p: queue.pop(0))  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        for name, poll in polls.items():
            before = sum(server.stats.polls_by_task.values())
            latencies = []
            for duration in real:
                start = clock()
                task = dataclasses.replace(c.submit(MODEL, {"prompt": "bench"}),
                                           estimated_duration=estimate)  # fmt: skip
                poll(c, task, clock)
                latencies.append(clock() - start - duration)
            made = sum(server.stats.polls_by_task.values()) - before
            results[name] = {
                "polls_per_task": made / count,
                "latency_mean": statistics.mean(latencies),
                "latency_p50": percentile(latencies, 0.5),
                "latency_p95": percentile(latencies, 0.95),
            }
    return results


def goals(estimate: float, results: dict[str, dict[str, float]], floor: float) -> list[str]:
    """The issue's goals for this run, each 'ok' or 'MISSED'."""
    ours_r, tip, sample = results["ours"], results["seed_tip"], results["seed_sample"]
    product = ours_r["polls_per_task"] * ours_r["latency_mean"] / floor
    checks = [(f"ours within 1.3x of the floor ({product:.2f}x)", product <= 1.3)]
    if estimate >= 52:
        checks += [
            ("no more polls than the tip", ours_r["polls_per_task"] <= tip["polls_per_task"]),
            ("2x lower mean latency than the tip",
             2 * ours_r["latency_mean"] <= tip["latency_mean"]),
            ("3x lower p95 latency than the tip", 3 * ours_r["latency_p95"] <= tip["latency_p95"]),
            ("3x fewer polls than the sample",
             3 * ours_r["polls_per_task"] <= sample["polls_per_task"]),
        ]  # fmt: skip
    return [f"{'ok' if passed else 'MISSED'}: {text}" for text, passed in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=150)
    parser.add_argument("--lam", type=float, default=ScheduleParams().lam)
    parser.add_argument("--sweep", type=float, nargs="+",
                        default=[0.1, 0.2, 0.4, 0.6, 1.0, 2.0, 4.0])  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a few tasks: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "polling.json")
    args = parser.parse_args(argv)
    estimates: tuple[float, ...] = (10.0, 52.0, 300.0)
    if args.quick:
        args.tasks, args.sweep, estimates = 6, [0.3, 1.0], estimates[:2]

    runs: list[dict[str, Any]] = []
    rows: list[list[object]] = []
    verdicts: list[str] = []
    for estimate in estimates:
        for spread in SPREADS:
            seed = int(estimate) * 10 + SPREADS.index(spread)
            floor = floor_constant(spread) * estimate
            results = run(estimate, args.tasks, spread,
                          strategies(estimate, spread, args.lam, seed), seed)  # fmt: skip
            for name, r in results.items():
                rows.append([f"{estimate:.0f} s {spread}", name, r["polls_per_task"],
                             r["latency_mean"], r["latency_p50"], r["latency_p95"],
                             r["polls_per_task"] * r["latency_mean"] / floor])  # fmt: skip
            checks = goals(estimate, results, floor) if spread != "fast" else []
            verdicts += [f"E = {estimate:.0f} s, {spread}: {c}" for c in checks]
            window = learned_window(factors(spread, HISTORY, seed=seed + 10_000))
            runs.append({"estimate": estimate, "spread": spread, "tail": spread == "tail",
                         "floor_K": floor, "learned_window": window, "results": results,
                         "goals": checks})  # fmt: skip
    print(table(["E, spread", "strategy", "polls/task", "mean s", "p50 s", "p95 s",
                 "N*L / K"], rows))  # fmt: skip
    print()
    print("\n".join(verdicts))

    sweep: list[dict[str, Any]] = []
    sweep_rows: list[list[object]] = []
    for estimate in estimates[1:]:
        floor = floor_constant("normal") * estimate
        seed = int(estimate) * 10
        polls = {f"{lam:g}": ours(ScheduleParams(lam=lam)) for lam in args.sweep}
        for lam_text, r in run(estimate, args.tasks, "normal", polls, seed).items():
            product = r["polls_per_task"] * r["latency_mean"] / floor
            sweep.append({"estimate": estimate, "lam": float(lam_text), **r,
                          "product_over_K": product})  # fmt: skip
            sweep_rows.append([f"{estimate:.0f} s", lam_text, r["polls_per_task"],
                               r["latency_mean"], r["latency_p95"], product])  # fmt: skip
    print()
    print(table(["E (normal)", "lambda s", "polls/task", "mean s", "p95 s", "N*L / K"],
                sweep_rows))  # fmt: skip
    path = write_result("polling", {
        "tasks": args.tasks, "lam": args.lam, "history_for_learning": HISTORY,
        "floor_K_over_E": {s: floor_constant(s) for s in SPREADS},
        "runs": runs, "lambda_sweep": sweep,
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
