"""Housekeeping off the GUI thread: delete, export, disk usage, clean-up, thumbnail cache.

Each call starts one operation on the housekeeper's own single-thread pool (so operations
run in the order asked: a usage summary asked after a clean-up sees its result) and
returns the operation's number; `cancel(op)` stops it at the next safe point. The thumbnail
cache is plain files named by hash: pruning removes the least recently used (by access or
write time, whichever is later) until the cache fits its budget.

Signals (all on the GUI thread):
    progress(int op, int done, int total, str text): a step of operation `op`.
    finished(int op, object result): `op` succeeded; the result type depends on the call
        (DeleteResult, ExportResult, UsageSummary, CleanupPlan, CleanupResult,
        CacheResult, or a bool | None for `probe_remote_delete`).
    failed(int op, Message message): `op` failed or was cancelled; the window shows it in the
        person's language, `str()` of it is the English sentence.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.errors import CancelledError, Get3WError, NotFoundError
from get3w_desktop.core.job import Job
from get3w_desktop.workers.base import PoolOwner

log = logging.getLogger(__name__)

#: Thumbnail files younger than this are never pruned: a decode may be writing them.
CACHE_GRACE = 60.0
#: A sensible default budget for the thumbnail cache.
THUMBNAIL_BUDGET = 200 * 1024 * 1024

LoadJobs = Callable[[], Sequence[Job]]


@dataclasses.dataclass(frozen=True)
class CacheResult:
    """The thumbnail cache after a look or a prune."""

    files: int
    bytes: int
    removed: int = 0
    freed: int = 0


def cache_usage(cache_dir: Path) -> CacheResult:
    files = [size for _, size, _ in _cache_files(cache_dir)]
    return CacheResult(len(files), sum(files))


def prune_cache(
    cache_dir: Path,
    budget_bytes: int,
    *,
    now: float | None = None,
    cancel: threading.Event | None = None,
) -> CacheResult:
    """Delete the least recently used cache files until the rest fits `budget_bytes`
    (0 clears the cache). Files written in the last minute stay."""
    now = time.time() if now is None else now
    entries = sorted(_cache_files(cache_dir), key=lambda e: e[2])
    total = sum(size for _, size, _ in entries)
    removed = freed = 0
    for path, size, used in entries:
        if total <= budget_bytes or (cancel is not None and cancel.is_set()):
            break
        if used > now - CACHE_GRACE:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.debug("thumbnail cache: %s not deleted: %s", path, exc)
            continue
        total -= size
        removed, freed = removed + 1, freed + size
    return CacheResult(len(entries) - removed, total, removed, freed)


def _cache_files(cache_dir: Path) -> list[tuple[Path, int, float]]:
    """(path, size, last used) of every file in the cache folder (no sub-folders)."""
    found: list[tuple[Path, int, float]] = []
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return found
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
                found.append((Path(entry.path), stat.st_size, max(stat.st_atime, stat.st_mtime)))
        except OSError:
            continue
    return found


def probe_remote_delete(delete_remote: hk.RemoteDelete) -> bool | None:
    """Whether the server answers the delete route: asks to delete a task that cannot
    exist. True: it answers; False: it does not offer it; None: could not tell."""
    try:
        return bool(delete_remote(f"get3w-desktop-probe-{uuid.uuid4().hex}"))
    except NotFoundError:
        return True  # the route answered "no such task"
    except Get3WError as exc:
        log.info("delete route probe inconclusive: %s", exc.message)
        return None


class _Signals(QObject):
    progress = Signal(int, int, int, str)
    finished = Signal(int, object)
    failed = Signal(int, object)  # core.messages.Message


_Work = Callable[[threading.Event, hk.Progress], object]


class Housekeeper(PoolOwner):
    """Runs housekeeping for the app's outputs folder and thumbnail cache.

    `records` is the history (a `HistoryStore`: thread-safe). Signals: see the module.
    """

    progress = Signal(int, int, int, str)
    finished = Signal(int, object)
    failed = Signal(int, object)  # core.messages.Message

    def __init__(
        self,
        records: hk.Records,
        outputs_dir: Path,
        thumbnail_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(1, parent)  # one thread: operations run in the order asked
        self._records = records
        self.outputs_dir = Path(outputs_dir)
        self.thumbnail_dir = Path(thumbnail_dir)
        self._signals = _Signals(self)
        self._signals.progress.connect(self.progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._cancels: dict[int, threading.Event] = {}
        self._next = 0

    # -- operations ----------------------------------------------------------------------

    def delete(
        self,
        plan: hk.DeletePlan,
        *,
        delete_remote: hk.RemoteDelete | None = None,
        remote_profile: str | None = None,
    ) -> int:
        """Forget the planned tasks and their app copies (and delete them on the server
        with `delete_remote`, for tasks of `remote_profile`). Result: DeleteResult."""
        return self._start(lambda cancel, progress: hk.delete_jobs(
            plan, self._records, delete_remote=delete_remote, remote_profile=remote_profile,
            cancel=cancel, progress=progress))  # fmt: skip

    def export(
        self, jobs: Sequence[Job], folder: Path, options: hk.ExportOptions | None = None
    ) -> int:
        """Export `jobs` into a new folder inside `folder`. Result: ExportResult."""
        jobs, options = list(jobs), options or hk.ExportOptions()
        return self._start(lambda cancel, progress: hk.export_jobs(
            jobs, Path(folder), options=options, cancel=cancel, progress=progress))  # fmt: skip

    def usage(self, load_jobs: LoadJobs) -> int:
        """Summarise the outputs of every job `load_jobs` returns (call it with the whole
        history; it runs on the pool). Result: UsageSummary."""
        return self._start(lambda cancel, progress: hk.disk_usage(load_jobs(), self.outputs_dir))

    def plan_cleanup(
        self,
        load_jobs: LoadJobs,
        *,
        older_than_days: float | None = None,
        budget_bytes: int | None = None,
    ) -> int:
        """What a clean-up would delete (a preview). Result: CleanupPlan."""
        return self._start(lambda cancel, progress: hk.plan_cleanup(
            load_jobs(), self.outputs_dir, older_than_days=older_than_days,
            budget_bytes=budget_bytes))  # fmt: skip

    def clean_up(self, plan: hk.CleanupPlan) -> int:
        """Delete the copies a plan names; the tasks stay. Result: CleanupResult (its
        `jobs` are the rewritten tasks, for the task list)."""
        return self._start(lambda cancel, progress: hk.clean_up(
            plan, self._records, cancel=cancel, progress=progress))  # fmt: skip

    def thumbnail_usage(self) -> int:
        """Result: CacheResult."""
        return self._start(lambda cancel, progress: cache_usage(self.thumbnail_dir))

    def prune_thumbnails(self, budget_bytes: int = THUMBNAIL_BUDGET) -> int:
        """Shrink the thumbnail cache to `budget_bytes`, least recently used first (0
        clears it). Result: CacheResult."""
        return self._start(lambda cancel, progress: prune_cache(
            self.thumbnail_dir, budget_bytes, cancel=cancel))  # fmt: skip

    def probe_remote_delete(self, delete_remote: hk.RemoteDelete) -> int:
        """Whether the server offers deleting tasks. Result: bool | None."""
        return self._start(lambda cancel, progress: probe_remote_delete(delete_remote))

    # -- control ---------------------------------------------------------------------------

    def cancel(self, op: int) -> None:
        event = self._cancels.get(op)
        if event is not None:
            event.set()

    def busy(self) -> bool:
        return bool(self._cancels)

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Stop every operation at its next safe point and wait for the pool."""
        return super().shutdown(timeout_ms)

    def _about_to_close(self) -> None:
        for event in self._cancels.values():
            event.set()

    def _start(self, work: _Work) -> int:
        self._next += 1
        op = self._next
        cancel = threading.Event()
        self._cancels[op] = cancel
        signals = self._signals

        def progress(done: int, total: int, text: str) -> None:
            signals.progress.emit(op, done, total, text)

        def run() -> None:
            try:
                if cancel.is_set():
                    said = worker_messages.HK_STOPPED_BEFORE_START
                    raise messages.coded(CancelledError(said.fallback), said)
                result = work(cancel, progress)
            except Get3WError as exc:
                signals.failed.emit(op, messages.for_error(exc))
            else:
                signals.finished.emit(op, result)

        def crashed(exc: Exception) -> None:
            signals.failed.emit(op, worker_messages.hk_crashed(str(exc)))

        if not self.run_work(run, crashed=crashed):  # closed: answer at once, as failed
            self._cancels.pop(op, None)
            QTimer.singleShot(0, self, lambda: self.failed.emit(
                op, worker_messages.HK_STOPPED_BEFORE_START))  # fmt: skip
        return op

    @Slot(int, object)
    def _on_finished(self, op: int, result: object) -> None:
        self._cancels.pop(op, None)
        self.finished.emit(op, result)

    @Slot(int, object)
    def _on_failed(self, op: int, message: object) -> None:
        self._cancels.pop(op, None)
        self.failed.emit(op, message)
