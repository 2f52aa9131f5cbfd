"""The job book: the one GUI-thread owner of every job snapshot.

Everything about jobs goes through it: the runner's updates come in, and the task list
(the item model) and the history writer are fed from here, and only when a snapshot
really changed (a poll that learnt nothing writes nothing; the snapshot a worker already
wrote durably is not written again). The window, housekeeping, remote cancel and the
compare window ask the book, not each other.

It knows each job's profile. Unfinished tasks of a profile not in use are *parked*: shown,
but not counted as running, stoppable (they are then marked stopped and not resumed) and
removable; they resume when their profile becomes active (`activate_profile`).

It keeps what money needs in the history (storage/ledger.py): the quote each task was
sent at and its charge, in rows that outlive the task's own, so "spent today" and the
daily cap survive restarts and removals.

Signals (all on the GUI thread):
    changed(Job): a job's new snapshot, after the task list has it.
    finished(Job): a job that stopped moving (done, failed, stopped) while running here.
    removed(list[Job]): jobs forgotten (their thumbnails may go too).
    resumed(int count, str profile): parked or stored tasks of `profile` run again.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.gallery import group_around
from get3w_desktop.core.job import Job, JobState, history_key
from get3w_desktop.core.money import (
    Charge,
    Quote,
    day_bounds,
    job_charge,
    spent_between,
)
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.workers.history_loader import LoadedHistory
from get3w_desktop.workers.runner import TaskRunner


class JobRows(Protocol):
    """What the book needs from the task list (itemmodels/job_list.py `JobListModel`)."""

    def upsert(self, job: Job) -> None: ...

    def add_older(self, jobs: list[Job]) -> None: ...

    def remove(self, local_id: str) -> None: ...

    def job(self, local_id: str) -> Job | None: ...

    def jobs(self) -> list[Job]: ...

    def around(self, local_id: str) -> tuple[Iterator[Job], Iterator[Job]] | None: ...

    def active_count(self) -> int: ...


class Journal(Protocol):
    """What the book needs from the history writer (workers/history_writer.py)."""

    def record(self, job: Job) -> None: ...

    def record_durably(self, job: Job, timeout: float = 30.0) -> None: ...

    def record_spend(self, record: SpendRecord) -> None: ...

    def forget(self, local_ids: Iterable[str]) -> None: ...


def parked_note(profile: str) -> str:
    return QCoreApplication.translate(
        "JobBook", "Waiting: this task runs on profile “{profile}”; switch to it to resume."
    ).format(profile=profile)


class JobBook(QObject):
    changed = Signal(object)
    finished = Signal(object)
    removed = Signal(list)
    resumed = Signal(int, str)

    def __init__(
        self,
        runner: TaskRunner,
        rows: JobRows,
        *,
        journal: Journal | None = None,
        catalogue: Catalogue | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows = rows
        self._journal = journal
        self._catalogue = catalogue
        self._profile: str | None = None
        self._parked: dict[str, Job] = {}  # stored snapshots of tasks waiting for a profile
        self._written: dict[str, Job] = {}  # the last snapshot queued for the history
        self._spend: dict[str, SpendRecord] = {}
        self._priced: dict[str, tuple[Job, Charge | None]] = {}  # today's, by spent_today
        # Durable writes happen on worker threads: (snapshot, GUI records queued before it).
        self._lock = threading.Lock()
        # Per job, the durable writes the GUI has not seen yet, oldest first: (history key,
        # GUI writes queued before it). A worker may write several before the first arrives.
        self._durable: dict[str, list[tuple[tuple[Any, ...], int]]] = {}
        self._queued: dict[str, int] = {}
        self.history_writes = 0  # snapshots queued for the history: "only on change"
        runner.job_changed.connect(self._on_runner_update)

    # -- the history's durable journal (worker threads) ---------------------------------

    def journal(self, job: Job) -> None:
        """For the runner: write `job` durably before the worker goes on (raises when the
        history cannot); the snapshot is then not queued a second time."""
        if self._journal is None:
            return
        with self._lock:
            entry = (history_key(job), self._queued.get(job.local_id, 0))
            self._durable.setdefault(job.local_id, []).append(entry)
        self._journal.record_durably(job)

    # -- questions -----------------------------------------------------------------------

    def jobs(self) -> list[Job]:
        """Every task in the list, newest first."""
        return self.rows.jobs()

    def job(self, local_id: str) -> Job | None:
        return self.rows.job(local_id)

    def variations_of(self, job: Job) -> list[Job]:
        """`job` and the other variations of its Generate, oldest first (core/gallery.py),
        from its neighbours in the list: no walk over the whole history."""
        around = self.rows.around(job.local_id)
        if around is None:
            return [job]
        return group_around(self.rows.job(job.local_id) or job, *around)

    def find_by_file(self, path: str) -> Job | None:
        return next((job for job in self.rows.jobs() if path in job.files), None)

    def is_running(self, job: Job) -> bool:
        """Moving here (a parked task is not: it waits for its profile)."""
        return job.state.active and job.local_id not in self._parked

    def as_not_running(self, jobs: Iterable[Job]) -> list[Job]:
        """`jobs` as housekeeping may treat them: a parked task is not running here, so it
        can be deleted or exported like a stopped one."""
        return [
            job.evolve(state=JobState.CANCELLED, note="") if job.local_id in self._parked else job
            for job in jobs
        ]

    def is_parked(self, local_id: str) -> bool:
        return local_id in self._parked

    def active_count(self) -> int:
        """Tasks moving here: the list's unfinished ones, less the parked ones."""
        return self.rows.active_count() - len(self._parked)

    @property
    def profile(self) -> str | None:
        return self._profile

    @property
    def quotes(self) -> Mapping[str, Quote]:
        """local id -> the unit price a task was sent at (this session and the history)."""
        return {k: r.quote for k, r in self._spend.items() if r.quote is not None}

    def spent_today(self, today: dt.date | None = None) -> float:
        """What today's tasks cost: only tasks sent today are priced, not the history."""
        start, end = day_bounds(today or dt.date.today())
        kept = [c for r in self._spend.values() if start <= r.when < end and (c := r.charge())]
        others = [job for job in self.rows.jobs()
                  if start <= (job.submitted_at or job.created_at) < end
                  and job.local_id not in self._spend]  # fmt: skip
        # Each snapshot is priced once: a heavy day's thousand tasks are not priced again
        # on every click of Generate (a changed snapshot is a new object: priced again).
        known, self._priced = self._priced, {}
        for job in others:
            hit = known.get(job.local_id)
            if hit is None or hit[0] is not job:
                hit = (job, job_charge(job, self._catalogue))
            self._priced[job.local_id] = hit
        charges = [c for _job, c in self._priced.values() if c is not None]
        return spent_between(kept + charges, start, end)

    # -- commands ------------------------------------------------------------------------

    def submit(
        self, model_id: str, params: Mapping[str, Any], profile: str, quote: Quote | None = None
    ) -> Job:
        """Send a new task; `quote` is the unit price shown when it was sent."""
        job = Job(model_id=model_id, params=dict(params), profile=profile)
        self.note_quote(job, quote)
        self.runner.start(job)
        return job

    def start(self, job: Job) -> None:
        """Run (or resume) `job` on the runner."""
        self._parked.pop(job.local_id, None)
        self.runner.start(job)

    def note_quote(self, job: Job, quote: Quote | None) -> None:
        if quote is not None:
            when = job.submitted_at or job.created_at
            record = SpendRecord(job.local_id, job.profile, job.model_id, when, quote=quote)
            self._keep_spend(record)

    def note_quotes(self, quotes: Mapping[str, Quote]) -> None:
        """Prices of tasks sent by someone else through the runner (the compare window)."""
        for local_id, quote in quotes.items():
            job = self.rows.job(local_id)
            if job is not None:
                self.note_quote(job, quote)
            else:
                self._keep_spend(SpendRecord(local_id, "", "", time.time(), quote=quote))

    def stop(self, local_ids: Iterable[str]) -> None:
        """Stop waiting for these tasks here (the server is not told). A parked task is
        marked stopped and will not resume."""
        for local_id in local_ids:
            parked = self._parked.pop(local_id, None)
            if parked is None:
                self.runner.cancel(local_id)
                continue
            stopped = parked.evolve(state=JobState.CANCELLED, note="",
                                    finished_at=parked.finished_at or time.time())  # fmt: skip
            self._accept(stopped)

    def update(self, jobs: Iterable[Job], *, record: bool = False) -> None:
        """Snapshots changed elsewhere (a clean-up rewrote files, the server cancelled a
        task); `record` writes them to the history too."""
        for job in jobs:
            if self.rows.job(job.local_id) is None:
                continue
            self._parked.pop(job.local_id, None)
            if record:
                self._accept(job)
            else:
                self.rows.upsert(job)
                self.changed.emit(job)

    def forget(self, local_ids: Iterable[str]) -> None:
        """Take tasks out of the list and the history. What they cost stays counted."""
        gone: list[Job] = []
        for local_id in local_ids:
            job = self.rows.job(local_id)
            if job is None:
                continue
            self._parked.pop(local_id, None)
            self._written.pop(local_id, None)
            self.rows.remove(local_id)
            gone.append(job)
        if gone:
            if self._journal is not None:
                self._journal.forget([job.local_id for job in gone])
            self.removed.emit(gone)

    def drop(self, local_ids: Iterable[str]) -> None:
        """Take tasks out of the list only: the history already forgot them (housekeeping)."""
        gone = []
        for local_id in local_ids:
            job = self.rows.job(local_id)
            if job is not None:
                self._parked.pop(local_id, None)
                self._written.pop(local_id, None)
                self.rows.remove(local_id)
                gone.append(job)
        if gone:
            self.removed.emit(gone)

    def add_history(self, loaded: LoadedHistory) -> int:
        """Show the stored tasks (below this session's), keep what they cost, and resume
        the unfinished ones of the profile in use (the rest are parked). How many resumed."""
        for record in loaded.spend:
            self._spend.setdefault(record.local_id, record)
        shown: list[Job] = []
        waiting = {job.local_id: job for job in (*loaded.resume, *loaded.parked)}
        for job in loaded.jobs:
            if job.local_id in waiting:
                job = waiting[job.local_id]
                self._parked[job.local_id] = job
                job = job.evolve(note=parked_note(job.profile))
            shown.append(job)
        self.rows.add_older(shown)
        for job in waiting.values():  # not in the first page of `jobs`: still resumable
            if self.rows.job(job.local_id) is None:
                self._parked[job.local_id] = job
                self.rows.upsert(job.evolve(note=parked_note(job.profile)))
        if self._profile is None:  # not told which profile is in use: the loader's plan holds
            return self._resume_jobs([job for job in loaded.resume if job.local_id in self._parked])
        return self._resume(self._profile)

    @Slot(str)
    def activate_profile(self, profile: str) -> int:
        """New tasks go to `profile` now: its parked tasks run again. How many resumed."""
        self._profile = profile
        return self._resume(profile)

    # -- runner updates ------------------------------------------------------------------

    @Slot(object)
    def _on_runner_update(self, job: Job) -> None:
        self._parked.pop(job.local_id, None)
        self._accept(job)

    def _accept(self, job: Job) -> None:
        before = self.rows.job(job.local_id)
        if before == job:
            return  # nothing new: no repaint, no write
        self.rows.upsert(job)
        self._write(job)
        self._keep_spend(self._spend_of(job))
        self.changed.emit(job)
        if before is not None and before.state.active and not job.state.active:
            self.finished.emit(job)

    def _write(self, job: Job) -> None:
        key = history_key(job)  # a new note or progress detail alone is not worth a write
        last = self._written.get(job.local_id)
        if self._journal is None or (last is not None and history_key(last) == key):
            return
        with self._lock:
            pending = self._durable.get(job.local_id, [])
            queued = self._queued.get(job.local_id, 0)
            # Written durably by the worker, and no write of ours queued after it since.
            seen = next((n for n, entry in enumerate(pending) if entry == (key, queued)), None)
            already = seen is not None
            if seen is not None:
                del pending[: seen + 1]  # older durable writes are superseded by this one
            else:
                self._queued[job.local_id] = queued + 1
            if not job.state.active or not pending:
                self._durable.pop(job.local_id, None)
        self._written[job.local_id] = job
        if not already:
            self.history_writes += 1
            self._journal.record(job)

    def _spend_of(self, job: Job) -> SpendRecord | None:
        known = self._spend.get(job.local_id)
        quote = known.quote if known is not None else None
        charge = job_charge(job, None, {job.local_id: quote} if quote else None)
        if charge is None and quote is None:
            return None
        return SpendRecord(
            job.local_id, job.profile, job.model_id, job.submitted_at or job.created_at,
            remote_id=job.remote_id, quote=quote,
            amount=charge.amount if charge else None,
            estimated=charge.estimated if charge else True,
        )  # fmt: skip

    def _keep_spend(self, record: SpendRecord | None) -> None:
        if record is None or self._spend.get(record.local_id) == record:
            return
        self._spend[record.local_id] = record
        if self._journal is not None:
            self._journal.record_spend(record)

    def _resume(self, profile: str) -> int:
        return self._resume_jobs([job for job in self._parked.values() if job.profile == profile])

    def _resume_jobs(self, ready: list[Job]) -> int:
        for job in ready:
            del self._parked[job.local_id]
            self.rows.upsert(job)
            self.runner.start(job)
        if ready:
            self.resumed.emit(len(ready), ready[0].profile)
        return len(ready)


def resume_message(count: int) -> str:
    translate: Callable[..., str] = QCoreApplication.translate
    if count == 1:
        return translate("JobBook", "Resuming 1 unfinished task")
    return translate("JobBook", "Resuming {count} unfinished tasks").format(count=count)
