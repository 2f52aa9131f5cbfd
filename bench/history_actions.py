"""What a person's clicks cost the GUI thread when the history holds 100,000 tasks.

Three actions ask the job book about the whole list on the GUI thread: selecting a task
(the viewer's gallery looks for the other variations of its Generate), clicking Generate
(the daily spending cap adds up what today's tasks cost) and opening Spending (every task
priced, a ledger by day, model and profile). Each is timed here on the real JobListModel,
JobBook and SpendDialog, at a small and at a large history in one run, next to the way it
was done before (a pass over every task), so the ratios hold whatever the machine's load.
The goals: a click (select, Generate) holds the GUI thread under 50 ms, the issue's stall
limit; opening Spending (building a window: ~0.1-0.3 s whatever the history) takes no
longer at 100,000 tasks than at 1,000, its pricing done on the bill's worker.

    .venv/bin/python -m bench.history_actions [--tasks 100000] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

from PySide6.QtWidgets import QApplication

from bench.common import RESULTS, table, write_result
from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.gallery import group_of
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import Billing, charges_of, price_history, spent_on
from get3w_desktop.core.task import Task
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.ui.spend_dialog import SpendDialog
from get3w_desktop.workers.history_loader import LoadedHistory
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner

STALL_MS = 50.0
CLICKS = ("select a task", "Generate: today's spending")  # on the GUI thread, per click
WINDOW = "Spending: the window (GUI thread)"  # a window opening: it must not grow
MODELS = ("google/nano-banana-pro/text-to-image", "wavespeed-ai/flux-dev",
          "bytedance/seedream-v4")  # fmt: skip


def history(tasks: int, seed: int = 5) -> list[Job]:
    """`tasks` finished tasks over 90 days, newest first, in Generates of 1-4 variations
    (the last few sent today); the server reported no cost, so each is priced."""
    rng = random.Random(seed)
    now, jobs = time.time(), list[Job]()
    at = now - 90 * 86_400
    while len(jobs) < tasks:
        model, prompt = rng.choice(MODELS), f"subject {rng.randrange(5000)}"
        at += 90 * 86_400 / tasks * rng.uniform(0.5, 1.5)
        for _ in range(min(rng.choice((1, 1, 2, 4)), tasks - len(jobs))):
            remote, sent = f"{rng.getrandbits(64):016x}", min(at, now)
            task = Task(id=remote, status="completed", model=model)
            jobs.append(Job(model, {"prompt": prompt, "seed": rng.randrange(2**31)},
                            profile="default", local_id=f"h{len(jobs):07d}", task=task,
                            state=JobState.COMPLETED, created_at=sent,
                            submitted_at=sent + 0.3, finished_at=sent + 9))  # fmt: skip
            at += 0.2
    return sorted(jobs, key=lambda j: -j.created_at)


def timed(action: Callable[[], object], repeat: int) -> dict[str, float]:
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        took.append(1000 * (time.perf_counter() - started))
    return {"median_ms": statistics.median(took), "max_ms": max(took), "runs": repeat}


def measure(app: QApplication, tasks: int, catalogue: Catalogue, repeat: int) -> dict[str, Any]:
    jobs = history(tasks)
    with tempfile.TemporaryDirectory() as tmp:
        runner = TaskRunner(None, Path(tmp))
        book = JobBook(runner, JobListModel(), catalogue=catalogue)
        book.add_history(LoadedHistory(tuple(jobs), (), (), 0.0))
        rng = random.Random(1)
        picks = [rng.choice(jobs) for _ in range(repeat)]
        turn = iter(range(10**9))
        today = dt.date.today()
        priced = price_history(book.jobs(), catalogue, book.quotes)
        month = dt.datetime.combine(today.replace(day=1), dt.time()).timestamp()
        bill = [Billing(c.amount, c.remote_id, c.model_id, c.when) for c in priced.charges
                if c.when >= month]  # this month's bill, agreeing with the record  # fmt: skip

        def spending_window() -> None:
            dialog = SpendDialog(book.jobs(), catalogue=catalogue, billings=bill,
                                 billing_profile="default", billing_since=month,
                                 quotes=book.quotes, priced=priced)  # fmt: skip
            dialog.show()
            app.processEvents()
            dialog.close()
            dialog.deleteLater()
            app.processEvents()

        results = {
            "select a task": timed(lambda: book.variations_of(picks[next(turn) % repeat]), repeat),
            "select a task (before: every task)": timed(
                lambda: group_of(picks[next(turn) % repeat], book.jobs()), repeat),
            "Generate: today's spending": timed(lambda: book.spent_today(today), repeat),
            "Generate (before: every task priced)": timed(
                lambda: spent_on(charges_of(book.jobs(), catalogue), today), max(1, repeat // 4)),
            "Spending: the window (GUI thread)": timed(spending_window, max(1, repeat // 4)),
            "Spending: pricing (bill's worker)": timed(
                lambda: price_history(book.jobs(), catalogue, book.quotes), max(1, repeat // 4)),
        }  # fmt: skip
        assert runner.shutdown()
    return {"tasks": tasks, "actions": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2,000 tasks: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "history_actions.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.repeat = 2_000, 4
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    catalogue = load_bundled()
    small = measure(app, 1_000, catalogue, args.repeat)
    large = measure(app, args.tasks, catalogue, args.repeat)
    rows, worst = [], 0.0
    for name, big in large["actions"].items():
        little = small["actions"][name]
        if name in CLICKS:
            worst = max(worst, big["max_ms"])
        rows.append([name, little["median_ms"], big["median_ms"], big["max_ms"],
                     big["median_ms"] / max(little["median_ms"], 1e-3)])  # fmt: skip
    print(table(["action", "1,000 tasks ms", f"{args.tasks:,} tasks ms", "max ms",
                 "ratio"], rows))  # fmt: skip
    window = large["actions"][WINDOW]["median_ms"] / small["actions"][WINDOW]["median_ms"]
    met = {"clicks_within_50ms": worst <= STALL_MS, "window_does_not_grow": window <= 1.5}
    said = {goal: "met" if ok else "MISSED" for goal, ok in met.items()}
    print(f"worst click (select, Generate) at {args.tasks:,} tasks: {worst:.1f} ms "
          f"(goal: {STALL_MS:.0f} ms) {said['clicks_within_50ms']}; the Spending window "
          f"at {args.tasks:,} tasks takes {window:.2f}x its time at 1,000 (goal: no growth, "
          f"<= 1.5x) {said['window_does_not_grow']}")  # fmt: skip
    path = write_result("history_actions", {
        "goals": {"click_max_ms": STALL_MS, "window_growth_max": 1.5},
        "settings": {"tasks": args.tasks, "repeat": args.repeat},
        "small": small, "large": large,
        "summary": {"worst_click_ms": worst, "window_growth": window},
        "verdict": {"met": met},
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
