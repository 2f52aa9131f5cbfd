"""Writes job snapshots to the history on its own thread, in the order they happened.

The GUI thread only queues (`record`, `forget`): it never waits for the disk. A worker
that is about to send a submit calls `record_durably`, which waits until the snapshot is
in the database: the task is on disk before the server can know it (a crash then shows
"submission uncertain", never a task that vanished). Writes are batched: whatever queued
up while the last transaction ran goes in the next one.

Signals:
    failed(Message): a write failed (disk full, read-only folder); the window shows it in the
        person's language, `str()` of it is the English sentence.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from get3w_desktop.core import worker_messages
from get3w_desktop.core.job import Job
from get3w_desktop.storage.ledger import SpendRecord

log = logging.getLogger(__name__)

_BATCH = 500


class JobStore(Protocol):
    """What the writer needs from `HistoryStore`."""

    def save_many(
        self, jobs: Iterable[Job], *, base_url: str | None = None, out_dir: str | None = None
    ) -> None: ...

    def delete(self, local_ids: Iterable[str]) -> int: ...

    def save_spend(self, records: Iterable[SpendRecord]) -> None: ...


class NotRecordedError(Exception):
    """A durable write failed: the caller must not go on as if it were on disk."""


@dataclass
class _Op:
    save: Job | None = None
    spend: SpendRecord | None = None
    delete: tuple[str, ...] = ()
    done: threading.Event | None = None
    error: list[str] = field(default_factory=list)


class HistoryWriter(QObject):
    failed = Signal(object)  # core.messages.Message

    def __init__(
        self,
        store: JobStore,
        *,
        base_urls: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`base_urls` maps a profile to its API address, stored with each of its jobs
        (the caller may update the mapping as profiles change)."""
        super().__init__(parent)
        self._store = store
        self._base_urls = base_urls if base_urls is not None else {}
        self._queue: queue.Queue[_Op | None] = queue.Queue()
        self._closed = False
        self.writes = 0  # transactions committed: batching is observable
        self._thread = threading.Thread(target=self._loop, name="history-writer", daemon=True)
        self._thread.start()

    def record(self, job: Job) -> None:
        """Queue a snapshot; returns at once."""
        if not self._closed:
            self._queue.put(_Op(save=job))

    def record_spend(self, record: SpendRecord) -> None:
        """Queue what a task costs (kept even when the task is forgotten); returns at once."""
        if not self._closed:
            self._queue.put(_Op(spend=record))

    def forget(self, local_ids: Iterable[str]) -> None:
        if not self._closed:
            self._queue.put(_Op(delete=tuple(local_ids)))

    def record_durably(self, job: Job, timeout: float = 30.0) -> None:
        """Write `job` and every snapshot queued before it; return once committed.

        Raises NotRecordedError when the write failed or did not finish in `timeout`.
        Safe from any thread except the writer's own.
        """
        if self._closed:
            raise NotRecordedError("the history is closed")
        op = _Op(save=job, done=threading.Event())
        self._queue.put(op)
        assert op.done is not None
        if not op.done.wait(timeout):
            raise NotRecordedError("the history did not answer in time")
        if op.error:
            raise NotRecordedError(op.error[0])

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is queued, then stop. True if everything was written in time."""
        if self._closed:
            return not self._thread.is_alive()
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the writer thread ---------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < _BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Op]) -> None:
        # Consecutive saves go in one transaction; a delete is a boundary (order matters).
        run: list[_Op] = []
        for op in batch:
            if op.save is not None or op.spend is not None:
                run.append(op)
                continue
            self._flush(run)
            run = []
            try:
                self._store.delete(op.delete)
                self.writes += 1
            except Exception as exc:  # the store maps sqlite/OS errors to readable ones
                self._report(exc, [op])
        self._flush(run)

    def _flush(self, run: list[_Op]) -> None:
        if not run:
            return
        latest: dict[str, Job] = {}
        spend: dict[str, SpendRecord] = {}
        for op in run:  # later snapshots of a job replace earlier ones in the same batch
            if op.save is not None:
                latest[op.save.local_id] = op.save
            if op.spend is not None:
                spend[op.spend.local_id] = op.spend
        by_url: dict[str | None, list[Job]] = {}
        for job in latest.values():
            by_url.setdefault(self._base_urls.get(job.profile), []).append(job)
        try:
            for base_url, jobs in by_url.items():
                self._store.save_many(jobs, base_url=base_url)
            if spend:
                self._store.save_spend(spend.values())
            self.writes += 1
        except Exception as exc:
            self._report(exc, run)
        for op in run:
            if op.done is not None:
                op.done.set()

    def _report(self, exc: Exception, ops: list[_Op]) -> None:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        log.error("history write failed: %s", message)
        for op in ops:
            op.error.append(message)
            if op.done is not None:
                op.done.set()
        self.failed.emit(worker_messages.history_write_failed(message))
