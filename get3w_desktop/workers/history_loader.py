"""Loads the history at start, off the GUI thread, and decides what to resume.

What a crash or quit left unfinished is sorted out here (see `plan_resume`):
- a task the server knows (it has a remote id) on the current service: polled again and
  its outputs downloaded, never submitted again;
- a task queued but never sent: sent now;
- a task whose submit was on the wire when the app died: "submission uncertain", with
  the person's choices, never sent again;
- a task of the built-in sandbox from an earlier session: that sandbox is gone, so it
  is closed with a message saying so;
- a task of another profile: parked, resumed when that profile is in use again (the job
  book does that);
- a task still owned by a live `get3w run`: left alone.

The newest `FIRST_PAGE` tasks come first, with what to resume, so the window shows its
history at once; the older ones follow in pages of `PAGE`, each read off the GUI thread
and only after the GUI took the previous one, so no page waits behind another and no
insert of 100,000 rows stalls the window. A page is one query; its rows become jobs one
at a time with a `Pacer` between them, so the loader holds the interpreter lock for a
couple of milliseconds at most and the GUI thread, which needs it for every row it
paints, does not wait behind a whole page's conversion (issue 16).

Each page's objects are then moved out of the cyclic garbage collector's reach
(`gc.freeze`): loaded jobs live as long as the window, and otherwise every full collection
walks all of them with the GIL held, which at 100,000 tasks stalled the GUI thread for
0.2-0.8 s at a time (issue 16). A cycle among objects frozen this way is never collected:
what is alive while the history loads is the window's own, long-lived state.

Signals:
    loaded(object): a `LoadedHistory`: the first page with the resume plan, then each
        older page (only `jobs` set, `more` False on the last).
    failed(Message): the history could not be read; the window shows it in the person's
        language, `str()` of it is the storage error's English sentence.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import sys
import threading
import time

from PySide6.QtCore import QObject, Signal, Slot

from get3w_desktop.core import worker_messages
from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.pacing import Pacer, paced
from get3w_desktop.storage.history import (
    HistoryError,
    HistoryStore,
    Unfinished,
    as_uncertain,
    owner_alive,
)
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.workers.base import PoolOwner

log = logging.getLogger(__name__)

#: Tasks in the first page (a screenful many times over) and in each later page.
FIRST_PAGE = 500
PAGE = 1000

#: Days of spending loaded at start (today's cap and this month's figures need no more).
SPEND_DAYS = 40

SANDBOX_GONE = (
    "The sandbox was restarted, and sandbox tasks do not survive a restart. Nothing was "
    "charged; re-run it to try again."
)


@dataclasses.dataclass(frozen=True)
class LoadedHistory:
    jobs: tuple[Job, ...]  # newest first, as stored (settled ones already updated)
    resume: tuple[Job, ...]  # to run again: poll (remote id) or send (never sent)
    settled: tuple[Job, ...]  # changed here: write them back
    elapsed: float  # seconds the load took, for the log and the benchmarks
    parked: tuple[Job, ...] = ()  # unfinished tasks of other profiles: resumed on a switch
    spend: tuple[SpendRecord, ...] = ()  # what recent tasks cost (kept after removals)
    more: bool = False  # older tasks follow in another `loaded`


def plan_resume(
    unfinished: Unfinished, *, profile: str, base_url: str, is_sandbox: bool
) -> tuple[list[Job], list[Job], list[Job]]:
    """(jobs to run again, jobs whose state changes now, jobs of other profiles to run
    when their profile is in use) for the service in use."""
    resume: list[Job] = []
    settled: list[Job] = []
    parked: list[Job] = []
    for entry in (*unfinished.resumable, *unfinished.not_sent, *unfinished.lost):
        job = entry.job
        if owner_alive(entry.owner):
            continue  # a `get3w run` in another process is still on it
        if job.profile == "sandbox" and (not is_sandbox or entry.base_url != base_url):
            settled.append(job.evolve(state=JobState.FAILED, error=SANDBOX_GONE, note="",
                                      error_action=Action.RETRY,
                                      finished_at=job.finished_at or time.time()))  # fmt: skip
            continue
        if entry in unfinished.lost:
            settled.append(as_uncertain(job))
            continue
        if job.profile != profile:
            parked.append(job)  # resumed when that profile is in use again
            continue
        resume.append(job)
    return resume, settled, parked


class _Signals(QObject):
    loaded = Signal(object, int)  # (LoadedHistory, offset of the next page)
    failed = Signal(object)  # core.messages.Message


def _keep_for_good() -> None:
    """The jobs just read stay as long as the app: out of the collector's full passes."""
    gc.collect(1)  # the young generations only: garbage just made is not kept
    gc.freeze()


def _load(store: HistoryStore, plan: dict[str, object], limit: int | None) -> LoadedHistory:
    started = time.perf_counter()
    store.mark_expired()
    unfinished = store.unfinished()
    resume, settled, parked = plan_resume(
        unfinished, profile=str(plan["profile"]),
        base_url=str(plan["base_url"]), is_sandbox=bool(plan["is_sandbox"]),
    )  # fmt: skip
    if settled:
        store.save_many(settled)
    page = FIRST_PAGE if limit is None else limit
    jobs = _read_jobs(store, page, 0)
    spend = tuple(store.spend(since=time.time() - SPEND_DAYS * 86400))
    more = limit is None and len(jobs) == page
    if more:  # a long history: its pages follow (a short one is not worth freezing)
        _keep_for_good()
    return LoadedHistory(jobs, tuple(resume), tuple(settled), time.perf_counter() - started,
                         tuple(parked), spend, more)  # fmt: skip


def _load_page(store: HistoryStore, offset: int) -> LoadedHistory:
    started = time.perf_counter()
    jobs = _read_jobs(store, PAGE, offset)
    _keep_for_good()
    return LoadedHistory(jobs, (), (), time.perf_counter() - started,
                         more=len(jobs) == PAGE)  # fmt: skip


def _read_jobs(store: HistoryStore, limit: int, offset: int) -> tuple[Job, ...]:
    """`limit` jobs from `offset`, newest first, the lock handed over between rows."""
    return tuple(paced(store.jobs(limit=limit, offset=offset), _pacer()))


def _pacer() -> Pacer:
    return Pacer()


class HistoryLoader(PoolOwner):
    loaded = Signal(object)
    failed = Signal(object)  # core.messages.Message

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._store = store
        self._older_held = False
        self._older_next: tuple[int] | None = None  # the offset held back, if any
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_page)
        self._signals.failed.connect(self.failed)

    def load(self, *, profile: str, base_url: str, is_sandbox: bool,
             limit: int | None = None) -> None:  # fmt: skip
        plan: dict[str, object] = {
            "profile": profile, "base_url": base_url, "is_sandbox": is_sandbox,
        }  # fmt: skip
        store, signals = self._store, self._signals

        def work() -> None:
            first = _load(store, plan, limit)
            signals.loaded.emit(first, len(first.jobs))

        self.run_work(work, crashed=self._crashed)

    def _crashed(self, exc: Exception) -> None:
        words = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self._signals.failed.emit(worker_messages.history_read_failed(words))

    def hold_older(self) -> None:
        """After the first page, read no older one until `release_older()` (start-up
        steps: workers/start_steps.py)."""
        self._older_held = True

    def release_older(self) -> None:
        self._older_held = False
        if self._older_next is not None:
            (offset,) = self._older_next
            self._older_next = None
            self._read_older(offset)

    @Slot(object, int)
    def _on_page(self, page: LoadedHistory, offset: int) -> None:
        """GUI thread: hand the page on; only then read the next one."""
        self.loaded.emit(page)
        if not page.more:
            return
        if self._older_held:
            self._older_next = (offset,)
            return
        self._read_older(offset)

    def _read_older(self, offset: int) -> None:
        store, signals = self._store, self._signals

        def work() -> None:
            signals.loaded.emit((older := _load_page(store, offset)), offset + len(older.jobs))

        self.run_work(work, crashed=self._crashed)


def _lowest_priority() -> None:
    """This thread only: the lowest CPU priority. The check needs no interpreter lock, but
    on two cores its 0.1-0.3 s of CPU took the GUI thread's core (a 191 ms gap at start);
    niced, it runs when the window does not. (Linux nices each thread; its own pool's
    thread only ever runs the check.)"""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the call would name a whole process, not this thread
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


class _CheckSignals(QObject):
    damaged = Signal(object)  # HistoryCorruptError
    intact = Signal()


class HistoryChecker(PoolOwner):
    """Runs the history's integrity check that `HistoryStore.open(check_later=True)` left
    out, on a pool thread of its own at the lowest CPU priority. SQLite reads the file
    without the interpreter lock, on its own connection, so neither the GUI thread nor the
    loader waits for it.

    Signals:
        damaged(object): the `HistoryCorruptError` (its file already backed up).
        intact(): nothing found (or nothing to check).
    """

    damaged = Signal(object)
    intact = Signal()

    def __init__(self, store: HistoryStore, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._store = store
        self._signals = _CheckSignals(self)
        self._signals.damaged.connect(self.damaged)
        self._signals.intact.connect(self.intact)

    def check(self) -> None:
        store, signals = self._store, self._signals

        def work() -> None:
            _lowest_priority()
            try:
                damage = store.check_integrity()
            except HistoryError as exc:  # could not read it now: not a verdict on the file
                log.warning("history: integrity check not done: %s", exc.message)
                damage = None
            if damage is None:
                signals.intact.emit()
            else:
                signals.damaged.emit(damage)

        self.run_work(work)
