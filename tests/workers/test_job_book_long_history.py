"""The job book's questions the window asks on the GUI thread (select a task, click
Generate) look at the tasks that matter, not at every task of a long history (issue 16)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.core import money
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import Charge, Quote
from get3w_desktop.core.task import Task
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.workers import job_book
from get3w_desktop.workers.history_loader import LoadedHistory
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner

IMAGE = "google/nano-banana-pro/text-to-image"
DAY = 86_400.0


@pytest.fixture
def book(qtbot: QtBot, tmp_path: Path) -> Iterator[JobBook]:
    runner = TaskRunner(None, tmp_path / "out")
    yield JobBook(runner, JobListModel(), catalogue=load_bundled())
    assert runner.shutdown()


def done(prompt: str, seed: int, at: float, profile: str = "work") -> Job:
    """A finished task the server ran and said it cost 0.25 (so it is charged)."""
    task = Task(id=f"t-{prompt}-{seed}-{at}", status="completed", model=IMAGE,
                extra={"cost": 0.25})  # fmt: skip
    return Job(IMAGE, {"prompt": prompt, "seed": seed}, profile=profile, task=task,
               state=JobState.COMPLETED, created_at=at, submitted_at=at,
               finished_at=at + 5)  # fmt: skip


def show(book: JobBook, jobs: Iterable[Job], spend: Iterable[SpendRecord] = ()) -> None:
    newest_first = tuple(sorted(jobs, key=lambda j: -j.created_at))
    book.add_history(LoadedHistory(newest_first, (), (), 0.0, spend=tuple(spend)))


def test_a_tasks_variations_come_from_its_neighbours(book: JobBook) -> None:
    now = time.time()
    batch = [done("a fox", seed, now - 600 + seed) for seed in range(3)]
    older = [done(f"old {i}", i, now - DAY - i * 60) for i in range(2_000)]
    later = done("a fox", 9, now - 600 + 200)  # same values, a later Generate
    show(book, [*older, *batch, later])
    assert book.variations_of(batch[1]) == batch
    assert book.variations_of(later) == [later]
    stale = batch[2].evolve(state=JobState.RUNNING)  # what a viewer may still hold
    assert book.variations_of(stale)[2] is book.job(batch[2].local_id)
    assert book.variations_of(done("a fox", 1, now)) != batch  # not listed: alone


def test_todays_spending_prices_only_todays_tasks(
    book: JobBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generate checks the daily cap on the GUI thread: the history's older tasks (no
    spend record: before the ledger, or older than the days loaded) are not priced."""
    today = dt.date.today()
    midday = dt.datetime.combine(today, dt.time(12)).timestamp()
    todays = [done("today", i, midday + i) for i in range(3)]
    old = [done("old", i, midday - 2 * DAY - i) for i in range(500)]
    recorded = SpendRecord("elsewhere", "work", IMAGE, midday + 60, quote=Quote(0.5),
                           amount=0.5, estimated=False)  # fmt: skip
    yesterday = SpendRecord("gone", "work", IMAGE, midday - DAY, amount=7.0)
    show(book, [*todays, *old], spend=[recorded, yesterday])
    priced: list[Job] = []
    job_charge = money.job_charge

    def counting(job: Job, *args: Any) -> Charge | None:
        priced.append(job)
        return job_charge(job, *args)

    monkeypatch.setattr(job_book, "job_charge", counting)
    spent = book.spent_today(today)
    assert {j.local_id for j in priced} == {j.local_id for j in todays}
    assert spent == pytest.approx(3 * 0.25 + 0.5)
    priced.clear()
    assert book.spent_today(today) == pytest.approx(spent)  # each Generate click
    assert priced == []  # today's tasks were priced once
    book.rows.upsert(todays[0].evolve(note="changed"))  # a new snapshot is priced again
    assert book.spent_today(today) == pytest.approx(spent)
    assert [j.local_id for j in priced] == [todays[0].local_id]
    assert book.spent_today(today - dt.timedelta(days=1)) == pytest.approx(7.0)
