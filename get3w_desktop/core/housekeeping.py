"""Housekeeping: delete tasks, export a selection, see and reclaim disk space.

Only the app's own copies of outputs (the `outputs` folder in the data folder) are ever
deleted; files a person saved elsewhere, or that `get3w run --out` wrote, are listed but
never touched. Every operation works out a plan first (what would go, how much it frees),
so a dialog can show it before anything changes, and carries it out in an order where a
failure half-way loses nothing: the history changes first, in one transaction, then files
go; a file that cannot be deleted is reported and later shows up as "belongs to no task",
where a clean-up removes it.

Clean-up keeps each task in the history and drops the cleaned copies from `Job.files`;
when none are left the job's `error` says so (the viewer shows it under "Finished without
files"), and `was_cleaned_up` recognises such a job. Export builds the whole export in a
hidden folder inside the chosen one and renames it into place at the end, so a full disk
or a cancel leaves nothing behind. Nothing here needs Qt or the storage layer: the history
is reached through the small `Records` protocol, which `HistoryStore` satisfies.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from get3w_desktop import __version__
from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.errors import (
    Action,
    CancelledError,
    Get3WError,
    NotFoundError,
    UnsupportedError,
)
from get3w_desktop.core.export import (
    PNG_SIGNATURE,
    output_metadata,
    png_with_text,
    short_model_name,
)
from get3w_desktop.core.filenames import safe_name
from get3w_desktop.core.files import fsync_dir
from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Message
from get3w_desktop.core.messages import format_size as format_size
from get3w_desktop.core.remix import write_sidecar
from get3w_desktop.core.snippets import scrub_params

#: How long Get3W keeps outputs after a task finishes (task records: 30 days).
OUTPUT_RETENTION = 7 * 24 * 3600.0
#: Start of the message a cleaned-up job carries in `error`.
CLEANED_PREFIX = worker_messages.CLEANED_PREFIX
#: Orphan files younger than this are left alone: a download may be about to record them.
ORPHAN_GRACE = 24 * 3600.0
TASK_FILE = "task.json"
INDEX_FILE = "index.json"
#: Space an export needs on top of its outputs, per task (its JSON, the folder).
_PER_TASK_OVERHEAD = 16 * 1024
_AGE_BUCKETS = ((7, "Last 7 days"), (30, "8–30 days"), (90, "31–90 days"),
                (None, "Older than 90 days"))  # fmt: skip

Progress = Callable[[int, int, str], None]  # (done, total, what is happening)
RemoteDelete = Callable[[str], bool]  # Get3WClient.delete: False when the route is absent


class Records(Protocol):
    """What housekeeping needs from the history (`HistoryStore` has it)."""

    def delete(self, local_ids: Iterable[str]) -> int: ...

    def save_many(self, jobs: Iterable[Job]) -> None: ...


class HousekeepingError(Get3WError):
    """A housekeeping step could not be done; nothing was half-done. For people."""

    action = Action.RETRY


# -- files the app owns ----------------------------------------------------------------


def is_app_copy(path: str | os.PathLike[str], outputs_dir: Path) -> bool:
    """True when `path` lies in the app's outputs folder (a file the app may delete)."""
    candidate = Path(path)
    if not candidate.is_absolute() or candidate.name in ("", ".", ".."):
        return False
    try:
        parent, root = candidate.parent.resolve(), Path(outputs_dir).resolve()
    except OSError:
        return False
    return parent == root or root in parent.parents


def _size(path: str | os.PathLike[str]) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _finished(job: Job) -> float:
    return job.finished_at or job.submitted_at or job.created_at


def _tick(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise messages.coded(
            CancelledError(worker_messages.HK_STOPPED.fallback), worker_messages.HK_STOPPED
        )


def _report(progress: Progress | None, done: int, total: int, text: str) -> None:
    if progress is not None:
        progress(done, total, text)


def _unlink_all(paths: Iterable[Path], problems: list[Message]) -> tuple[int, int]:
    """Delete files; (how many, bytes freed). Missing files are fine, others reported."""
    count = freed = 0
    for path in paths:
        size = _size(path) or 0
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(worker_messages.hk_file_not_deleted(path.name, _reason(exc)))
            continue
        count, freed = count + 1, freed + size
    return count, freed


# -- delete ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DeletePlan:
    jobs: tuple[Job, ...]  # to be forgotten
    skipped: tuple[Job, ...]  # still running: stop them first
    files: tuple[Path, ...]  # the app's copies that go with them
    bytes: int
    kept_files: tuple[Path, ...]  # the person's own copies elsewhere: never touched

    @property
    def remote_ids(self) -> tuple[str, ...]:
        return tuple(job.remote_id for job in self.jobs if job.remote_id)


@dataclasses.dataclass(frozen=True)
class DeleteResult:
    forgotten: tuple[str, ...]  # local ids no longer in the history
    files_deleted: int
    bytes_freed: int
    remote_deleted: tuple[str, ...]  # remote ids deleted (or already gone) on the server
    kept: tuple[str, ...]  # local ids kept because their remote delete did not happen
    problems: tuple[str, ...]  # sentences for people (English)
    said: tuple[Message, ...] = ()  # `problems`, coded for the window


def plan_delete(jobs: Iterable[Job], outputs_dir: Path) -> DeletePlan:
    chosen: list[Job] = []
    skipped: list[Job] = []
    files: dict[Path, None] = {}
    kept: dict[Path, None] = {}
    for job in jobs:
        if job.state.active:
            skipped.append(job)
            continue
        chosen.append(job)
        for name in job.files:
            (files if is_app_copy(name, outputs_dir) else kept)[Path(name)] = None
    total = sum(_size(p) or 0 for p in files)
    return DeletePlan(tuple(chosen), tuple(skipped), tuple(files), total, tuple(kept))


def delete_jobs(
    plan: DeletePlan,
    records: Records,
    *,
    delete_remote: RemoteDelete | None = None,
    remote_profile: str | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> DeleteResult:
    """Forget `plan.jobs` and delete their app copies; with `delete_remote`, first delete
    on the server the tasks of `remote_profile` (the account `delete_remote` speaks for).

    A task whose remote delete fails is kept locally (its record is the only way back to
    it); the first failure stops further remote deletes. A cancel stops the remote phase
    and forgets only what was dealt with. Raises HousekeepingError when the history
    cannot be changed (then nothing was deleted).
    """
    problems: list[Message] = []
    to_remote = [j for j in plan.jobs if j.remote_id] if delete_remote is not None else []
    remote_set = {j.local_id for j in to_remote}
    local = [j for j in plan.jobs if j.local_id not in remote_set]
    other: list[Job] = []  # of another account: the server we speak to cannot delete them
    failed: list[Job] = []  # not deleted remotely after a failure (or a cancel)
    remote_done: list[str] = []
    stop_reason: Message | None = None
    total = len(to_remote) + 1
    for done, job in enumerate(to_remote):
        assert delete_remote is not None and job.remote_id is not None
        if remote_profile is not None and job.profile != remote_profile:
            other.append(job)
            continue
        if stop_reason is not None or (cancel is not None and cancel.is_set()):
            failed.append(job)
            continue
        _report(progress, done, total, f"Deleting on the server ({done + 1} of {total - 1})…")
        try:
            if not delete_remote(job.remote_id):
                said = worker_messages.HK_NO_REMOTE_DELETE
                raise messages.coded(UnsupportedError(said.fallback), said)
        except NotFoundError:
            pass  # already gone (expired, or deleted elsewhere): what was wanted
        except Get3WError as exc:
            stop_reason = messages.for_error(exc)
            failed.append(job)
            continue
        remote_done.append(job.remote_id)
        local.append(job)
    if failed:
        count = len(failed)
        problems.append(
            worker_messages.hk_kept_server_failed(count, stop_reason)
            if stop_reason
            else worker_messages.hk_kept_stopped(count)
        )
    if other:
        names = ", ".join(f"“{p}”" for p in sorted({j.profile for j in other}))
        problems.append(worker_messages.hk_kept_other_profile(len(other), names))
    _report(progress, total - 1, total, "Removing from the history…")
    ids = [job.local_id for job in local]
    try:
        records.delete(ids)
    except Get3WError as exc:
        said = worker_messages.hk_not_deleted(messages.for_error(exc))
        raise messages.coded(HousekeepingError(said.fallback, detail=exc.detail), said) from None
    kept_files = {Path(f) for j in (*other, *failed) for f in j.files}
    planned = set(plan.files)
    files = dict.fromkeys(p for j in local for f in j.files
                          if (p := Path(f)) in planned and p not in kept_files)  # fmt: skip
    count, freed = _unlink_all(files, problems)
    _report(progress, total, total, "Done")
    kept = tuple(j.local_id for j in (*other, *failed))
    return DeleteResult(tuple(ids), count, freed, tuple(remote_done), kept,
                        tuple(m.fallback for m in problems), tuple(problems))  # fmt: skip


# -- export ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    png_metadata: bool = True  # prompt and parameters as PNG text chunks
    sidecars: bool = False  # a `<file>.json` recipe next to each output


@dataclasses.dataclass(frozen=True)
class ExportResult:
    folder: Path  # the new folder inside the chosen one
    tasks: int
    files: int
    bytes: int
    missing: tuple[str, ...]  # outputs recorded but no longer on disk (names)


def export_size(jobs: Iterable[Job]) -> tuple[int, int]:
    """(files, bytes) of the outputs an export of `jobs` would copy."""
    sizes = [s for job in jobs for f in job.files if (s := _size(f)) is not None]
    return len(sizes), sum(sizes)


def export_jobs(
    jobs: Sequence[Job],
    folder: Path,
    *,
    options: ExportOptions = ExportOptions(),
    now: float | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Export `jobs` into a new folder inside `folder`: one sub-folder per task with its
    outputs and `task.json` (parameters, timings, the server's record, profile), plus
    `index.json`. All or nothing: raises HousekeepingError (disk full, read-only…) or
    CancelledError with nothing left in `folder`.
    """
    folder = Path(folder)
    now = time.time() if now is None else now
    if not folder.is_dir():
        said = worker_messages.hk_no_folder(str(folder))
        raise messages.coded(HousekeepingError(said.fallback), said)
    _, needed = export_size(jobs)
    needed += _PER_TASK_OVERHEAD * (len(jobs) + 1)
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
        if free < needed:
            said = worker_messages.hk_no_space(str(folder), needed, free)
            raise messages.coded(HousekeepingError(said.fallback), said)
    try:
        work = Path(tempfile.mkdtemp(prefix=".get3w-export-", suffix=".part", dir=folder))
    except OSError as exc:
        raise _disk_error(exc, folder) from None
    try:
        result = _fill_export(jobs, work, options, now, cancel, progress)
        target = _publish(work, folder, f"Get3W export {_stamp(now)}")
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _disk_error(exc, folder) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dataclasses.replace(result, folder=target)


def _fill_export(
    jobs: Sequence[Job],
    work: Path,
    options: ExportOptions,
    now: float,
    cancel: threading.Event | None,
    progress: Progress | None,
) -> ExportResult:
    taken: set[str] = set()
    index: list[dict[str, Any]] = []
    missing: list[str] = []
    files = total = 0
    for done, job in enumerate(jobs):
        _tick(cancel)
        _report(progress, done, len(jobs), f"Exporting task {done + 1} of {len(jobs)}…")
        name = unique_name(task_folder_name(job), taken)
        task_dir = work / name
        task_dir.mkdir()
        written: list[str] = []
        absent: list[str] = []
        names: set[str] = {TASK_FILE.casefold()}
        for number, source in enumerate(job.files, start=1):
            _tick(cancel)
            ext = re.sub(r"[^A-Za-z0-9]", "", Path(source).suffix)[:10]
            suffix = f".{ext}" if ext else ""
            stem = safe_name(f"{name} {number}" if len(job.files) > 1 else name, limit=90)
            target = task_dir / unique_name(f"{stem}{suffix}", names)
            size = _copy_output(job, Path(source), target, options.png_metadata)
            if size is None:
                absent.append(Path(source).name)
                continue
            if options.sidecars:
                sidecar = write_sidecar(job, target)
                names.add(sidecar.name.casefold())
            written.append(target.name)
            files, total = files + 1, total + size
        missing.extend(absent)
        _write_json(task_dir / TASK_FILE, task_record(job, written, absent))
        index.append({"folder": name, "local_id": job.local_id, "task_id": job.remote_id,
                      "model": job.model_id, "prompt": job.prompt, "state": job.state.value,
                      "files": [f"{name}/{w}" for w in written]})  # fmt: skip
    _tick(cancel)
    _write_json(work / INDEX_FILE, {
        "app": f"Get3W Desktop {__version__}", "exported_at": _iso(now), "tasks": index,
    })  # fmt: skip
    fsync_dir(work)
    _report(progress, len(jobs), len(jobs), "Done")
    return ExportResult(work, len(jobs), files, total, tuple(missing))


def task_record(job: Job, files: Sequence[str], missing: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON of one exported task. Also a recipe: "Remix from file" reads it back."""
    task = job.task
    record: dict[str, Any] = {
        "model": job.model_id,
        "parameters": scrub_params(job.params),
        "profile": job.profile,
        "task_id": job.remote_id,
        "state": job.state.value,
        "status": task.status if task else None,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "submitted_at": _iso(job.submitted_at) if job.submitted_at else None,
        "finished_at": _iso(job.finished_at) if job.finished_at else None,
        "timings_ms": dict(task.timings) if task else {},
        "files": list(files),
        "missing_files": list(missing),
        "task": task.as_json() if task else None,
        "app": f"Get3W Desktop {__version__}",
    }
    return record


def _copy_output(job: Job, source: Path, target: Path, metadata: bool) -> int | None:
    """Copy one output (PNGs with their recipe); its size, or None when it is missing."""
    try:
        stream = source.open("rb")
    except OSError:
        return None  # gone (or unreadable): reported as missing, the rest goes on
    with stream, target.open("xb") as sink:
        head = stream.read(len(PNG_SIGNATURE))
        if metadata and head == PNG_SIGNATURE:
            data = head + stream.read()
            with contextlib.suppress(ValueError):
                data = png_with_text(data, output_metadata(job))
            sink.write(data)
        else:
            sink.write(head)
            shutil.copyfileobj(stream, sink, 1024 * 1024)
        sink.flush()
        os.fsync(sink.fileno())
        return sink.tell()


def _write_json(path: Path, data: Any) -> None:
    with path.open("x", encoding="utf-8") as sink:
        json.dump(data, sink, ensure_ascii=False, indent=2, default=str)
        sink.write("\n")
        sink.flush()
        os.fsync(sink.fileno())


def _publish(work: Path, folder: Path, name: str) -> Path:
    """Rename the finished export to a fresh name (never over anything that exists)."""
    taken = {p.name.casefold() for p in folder.iterdir()}
    for _ in range(100):
        target = folder / unique_name(safe_name(name), taken)
        try:
            target.mkdir()  # reserve the name; POSIX rename then replaces this empty folder
        except FileExistsError:
            taken.add(target.name.casefold())
            continue
        try:
            os.replace(work, target)
        except OSError:
            target.rmdir()  # Windows will not rename onto a folder: free it and retry once
            os.rename(work, target)
        fsync_dir(folder)
        return target
    said = worker_messages.hk_no_free_name(str(folder))
    raise messages.coded(HousekeepingError(said.fallback), said)


def task_folder_name(job: Job) -> str:
    """ "2026-11-24 15.30 nano-banana-pro – A sunset over mountains", made safe."""
    when = time.strftime("%Y-%m-%d %H.%M", time.localtime(job.created_at))
    words = " ".join(job.prompt.split()[:10])
    text = f"{when} {short_model_name(job.model_id)}" + (f" – {words}" if words else "")
    return safe_name(text, limit=80)


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or "name (2)", "name (3)"… not in `taken` (compared case-blind, as on
    Windows and macOS); the result is added to `taken`."""
    stem, suffix = os.path.splitext(name)
    if suffix and not stem:
        stem, suffix = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){suffix}"
    taken.add(candidate.casefold())
    return candidate


# -- disk usage ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UsageRow:
    label: str
    tasks: int
    files: int
    bytes: int


@dataclasses.dataclass(frozen=True)
class UsageSummary:
    """The app's own copies, by model and by age; other numbers say what is left out."""

    tasks: int  # tasks with at least one local copy in the outputs folder
    files: int
    bytes: int
    by_model: tuple[UsageRow, ...]  # largest first
    by_age: tuple[UsageRow, ...]  # newest first
    missing: int  # recorded files no longer on disk
    cleaned: int  # tasks whose local copies were cleaned up
    outside_files: int  # the person's own folders (`get3w run --out`): never cleaned
    outside_bytes: int
    orphan_files: int  # in the outputs folder, recorded by no task
    orphan_bytes: int


def disk_usage(jobs: Iterable[Job], outputs_dir: Path, *, now: float | None = None) -> UsageSummary:
    """What the app's copies of outputs take. `jobs` must be the whole history (files
    no job names are counted as orphans)."""
    now = time.time() if now is None else now
    models: dict[str, list[int]] = {}
    ages: dict[str, list[int]] = {label: [0, 0, 0] for _, label in _AGE_BUCKETS}
    known: set[str] = set()
    ids: set[str] = set()
    missing = cleaned = outside_files = outside_bytes = 0
    for job in jobs:
        ids.add(job.local_id)
        cleaned += was_cleaned_up(job)
        mine = [0, 0]
        for name in job.files:
            known.add(os.path.normcase(os.path.abspath(name)))
            size = _size(name)
            if size is None:
                missing += 1
            elif is_app_copy(name, outputs_dir):
                mine[0], mine[1] = mine[0] + 1, mine[1] + size
            else:
                outside_files, outside_bytes = outside_files + 1, outside_bytes + size
        if mine[0]:
            for row in (models.setdefault(job.model_id, [0, 0, 0]), ages[_age_label(job, now)]):
                row[0], row[1], row[2] = row[0] + 1, row[1] + mine[0], row[2] + mine[1]
    orphans = _orphans(outputs_dir, known, ids)
    by_model = sorted((UsageRow(m, *v) for m, v in models.items()), key=lambda r: -r.bytes)
    by_age = tuple(UsageRow(label, *ages[label]) for _, label in _AGE_BUCKETS)
    return UsageSummary(
        tasks=sum(r.tasks for r in by_age), files=sum(r.files for r in by_age),
        bytes=sum(r.bytes for r in by_age), by_model=tuple(by_model), by_age=by_age,
        missing=missing, cleaned=cleaned, outside_files=outside_files,
        outside_bytes=outside_bytes, orphan_files=len(orphans),
        orphan_bytes=sum(size for _, size, _ in orphans),
    )  # fmt: skip


def _age_label(job: Job, now: float) -> str:
    days = (now - _finished(job)) / 86400
    return next(label for limit, label in _AGE_BUCKETS if limit is None or days <= limit)


def _orphans(outputs_dir: Path, known: set[str], ids: set[str]) -> list[tuple[Path, int, float]]:
    """(path, size, mtime) of files in the outputs folder that no job records."""
    found: list[tuple[Path, int, float]] = []
    try:
        entries = list(os.scandir(outputs_dir))
    except OSError:
        return found
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue  # hidden: downloads in progress (.part) and the like
        if os.path.normcase(os.path.abspath(entry.path)) in known:
            continue
        if entry.name.rsplit("_", 1)[0] in ids:
            continue  # a task's file the history does not list: not ours to judge
        with contextlib.suppress(OSError):
            stat = entry.stat(follow_symlinks=False)
            found.append((Path(entry.path), stat.st_size, stat.st_mtime))
    return found


# -- clean-up --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CleanupPlan:
    jobs: tuple[Job, ...]  # tasks whose app copies go (they stay in the history)
    files: tuple[Path, ...]
    bytes: int
    orphans: tuple[Path, ...]  # files of no task, older than the cut-off
    orphan_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.bytes + self.orphan_bytes


@dataclasses.dataclass(frozen=True)
class CleanupResult:
    jobs: tuple[Job, ...]  # the rewritten jobs, as now stored
    files_deleted: int
    bytes_freed: int
    problems: tuple[str, ...]  # sentences for people (English)
    said: tuple[Message, ...] = ()  # `problems`, coded for the window


def plan_cleanup(
    jobs: Iterable[Job],
    outputs_dir: Path,
    *,
    older_than_days: float | None = None,
    budget_bytes: int | None = None,
    now: float | None = None,
) -> CleanupPlan:
    """Which app copies to delete: those of tasks finished more than `older_than_days`
    ago, then, oldest first, more until the rest fits in `budget_bytes`. Running tasks
    are never touched. Orphans count only with an age limit (or a whole day's grace)."""
    now = time.time() if now is None else now
    jobs = list(jobs)
    sized: list[tuple[Job, list[tuple[Path, int]]]] = []
    for job in sorted((j for j in jobs if not j.state.active), key=_finished):
        copies = [(Path(f), s) for f in job.files
                  if is_app_copy(f, outputs_dir) and (s := _size(f)) is not None]  # fmt: skip
        if copies:
            sized.append((job, copies))
    cutoff = now - older_than_days * 86400 if older_than_days is not None else None
    chosen = {
        i for i, (job, _) in enumerate(sized) if cutoff is not None and _finished(job) < cutoff
    }
    if budget_bytes is not None:
        kept = sum(s for i, (_, c) in enumerate(sized) if i not in chosen for _, s in c)
        for i, (_, copies) in enumerate(sized):  # oldest first
            if kept <= budget_bytes:
                break
            if i not in chosen:
                chosen.add(i)
                kept -= sum(s for _, s in copies)
    picked = [sized[i] for i in sorted(chosen)]
    known = {os.path.normcase(os.path.abspath(f)) for j in jobs for f in j.files}
    orphan_cutoff = min(cutoff if cutoff is not None else now, now - ORPHAN_GRACE)
    orphans = [(p, s) for p, s, mtime in _orphans(outputs_dir, known, {j.local_id for j in jobs})
               if mtime < orphan_cutoff]  # fmt: skip
    return CleanupPlan(
        jobs=tuple(job for job, _ in picked),
        files=tuple(p for _, copies in picked for p, _ in copies),
        bytes=sum(s for _, copies in picked for _, s in copies),
        orphans=tuple(p for p, _ in orphans), orphan_bytes=sum(s for _, s in orphans),
    )  # fmt: skip


def clean_up(
    plan: CleanupPlan,
    records: Records,
    *,
    now: float | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> CleanupResult:
    """Delete the planned copies; the tasks stay, their `files` rewritten first (one
    transaction). Raises HousekeepingError (nothing changed) or CancelledError (before
    anything changed)."""
    now = time.time() if now is None else now
    _tick(cancel)
    planned = set(plan.files)
    rewritten = tuple(without_local_copies(j, planned, when=now) for j in plan.jobs)
    total = len(plan.files) + len(plan.orphans) + 1
    _report(progress, 0, total, "Updating the history…")
    try:
        records.save_many(rewritten)
    except Get3WError as exc:
        said = worker_messages.hk_not_cleaned(messages.for_error(exc))
        raise messages.coded(HousekeepingError(said.fallback, detail=exc.detail), said) from None
    problems: list[Message] = []
    _report(progress, 1, total, "Deleting local copies…")
    count, freed = _unlink_all([*plan.files, *plan.orphans], problems)
    _report(progress, total, total, "Done")
    return CleanupResult(rewritten, count, freed, tuple(m.fallback for m in problems),
                         tuple(problems))  # fmt: skip


def without_local_copies(job: Job, removed: Collection[Path], *, when: float) -> Job:
    """`job` with the files in `removed` dropped; when none are left, `error` says the
    local copy was cleaned up and whether Get3W may still have the output."""
    left = tuple(f for f in job.files if Path(f) not in removed)
    if left == job.files:
        return job
    if left:
        return job.evolve(files=left)
    said = worker_messages.hk_cleaned_up(when, _finished(job), OUTPUT_RETENTION)
    return job.evolve(files=(), error=said.fallback, error_message=said, error_action=Action.NONE)


def was_cleaned_up(job: Job) -> bool:
    return not job.files and (job.error or "").startswith(CLEANED_PREFIX)


# -- messages --------------------------------------------------------------------------


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def _disk_error(exc: OSError, folder: Path) -> HousekeepingError:
    where = str(folder)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        said = worker_messages.export_disk_full(where)
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        said = worker_messages.disk_read_only(where)
    elif exc.errno == errno.ENOTDIR:
        said = worker_messages.export_not_a_folder(where)
    elif exc.errno == errno.ENAMETOOLONG:
        said = worker_messages.disk_path_too_long(where)
    else:
        said = worker_messages.export_other(where, _reason(exc))
    error = HousekeepingError(said.fallback, detail=f"{type(exc).__name__} errno={exc.errno}")
    return messages.coded(error, said)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H.%M.%S", time.localtime(epoch))
