"""Task history in SQLite: every job, from before its submit to its files on disk.

One connection per store, shared by the GUI thread and pool threads behind a lock; every
call is short and every write is one transaction. Other processes (the `get3w` command,
a second window) may use the same file at the same time: WAL lets readers go on while
one writes, and writers wait for each other (busy timeout).

Environmental failures (folder missing or read-only, disk full, a damaged or newer file)
become `HistoryError`s with a message for people. A damaged or newer file is first copied
to a timestamped backup beside it and is never reset silently: `HistoryStore.open_fresh`
starts over, but only when the caller (the person) decides so. Logic errors crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from get3w_desktop.core.errors import Action, Get3WError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.storage import history_backup as backups
from get3w_desktop.storage import history_schema as schema
from get3w_desktop.storage import ledger
from get3w_desktop.storage.history_recovery import KEPT_WHEN_NONE, SessionCopy, quick_check
from get3w_desktop.storage.history_schema import Filters, StateFilter, order_sql, where_sql
from get3w_desktop.storage.ledger import SpendRecord

log = logging.getLogger(__name__)

#: The server keeps outputs this long after a task finishes (tasks themselves 30 days).
REMOTE_RETENTION = 7 * 24 * 3600.0
BUSY_TIMEOUT = 10.0  # seconds another process may hold the write lock
_SQLITE_MAGIC = b"SQLite format 3\x00"
_UNFINISHED = (JobState.QUEUED, JobState.SUBMITTING, JobState.RUNNING, JobState.DOWNLOADING,
               JobState.UNCERTAIN)  # fmt: skip


class HistoryError(Get3WError):
    """The history cannot be used. `path` is the database file."""

    def __init__(self, message: str, *, path: Path, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.path = path


class HistoryUnavailableError(HistoryError):
    """The folder or file cannot be read or written (permissions, disk full, locked)."""

    action = Action.RETRY


class HistoryDamagedError(HistoryError):
    """The file cannot be used as it is. `backup` is the copy made first (None if it failed)."""

    action = Action.CHOOSE

    def __init__(self, message: str, *, path: Path, backup: Path | None, detail: str = "") -> None:
        super().__init__(message, path=path, detail=detail)
        self.backup = backup


class HistoryCorruptError(HistoryDamagedError):
    """Not an SQLite database, or one SQLite reports as damaged."""


class HistoryTooNewError(HistoryDamagedError):
    """Written by a newer version of the app, whose schema this one does not know."""

    def __init__(self, message: str, *, path: Path, backup: Path | None, version: int) -> None:
        super().__init__(message, path=path, backup=backup)
        self.version = version


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    """A stored job plus what only the store knows about it."""

    job: Job
    base_url: str | None = None
    out_dir: str | None = None
    owner: str | None = None  # "<boot id>:<pid>" of the process that last saved it
    remote_expired: bool = False  # the server's outputs are past their retention
    updated_at: float = 0.0


@dataclasses.dataclass(frozen=True)
class Unfinished:
    """Jobs a crash or quit left unfinished, sorted by what may be done with them."""

    resumable: tuple[HistoryEntry, ...]  # have a remote id: poll and download, never resubmit
    lost: tuple[HistoryEntry, ...]  # "submitting" with no remote id: the answer was lost
    not_sent: tuple[HistoryEntry, ...]  # queued, never sent: safe to send
    uncertain: tuple[HistoryEntry, ...]  # already uncertain: the person decides


@dataclasses.dataclass(frozen=True)
class DiskUsage:
    files: int
    bytes: int
    missing: int  # recorded files no longer on disk


def as_uncertain(job: Job) -> Job:
    """A job whose submit answer was lost to a crash: it may exist, it is never resent."""
    return job.evolve(
        state=JobState.UNCERTAIN,
        error="The app stopped while this task was being sent, so the server's answer was "
        "lost. The task may exist (and be charged); it was not sent again. Check your Get3W "
        "history before retrying.",
        error_action=Action.CHOOSE,
        note="",
        finished_at=job.finished_at or time.time(),
    )


def process_owner() -> str:
    return f"{_boot_id()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """True when `owner` names another live process on this machine since this boot."""
    if not owner or owner == process_owner():
        return False
    boot, _, pid_text = owner.rpartition(":")
    if boot != _boot_id() or not pid_text.isdigit() or os.name != "posix":
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    with contextlib.suppress(OSError, IndexError):  # a zombie is dead, only not yet reaped
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0] != "Z"
    return True


def _boot_id() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    return socket.gethostname()


def _upsert_sql() -> str:
    columns = (*schema.JOB_COLUMNS, "base_url", "out_dir", "owner", "updated_at")
    updates = ", ".join(
        f"{c} = COALESCE(excluded.{c}, jobs.{c})" if c in KEPT_WHEN_NONE else f"{c} = excluded.{c}"
        for c in columns
        if c != "local_id"
    )
    return (
        f"INSERT INTO jobs ({', '.join(columns)}) "  # noqa: S608 - fixed column names
        f"VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT(local_id) DO UPDATE SET {updates}"
    )


_UPSERT = _upsert_sql()

# `HistoryStore.list` hides the builtin inside the class body; annotations use these.
_Rows = list[tuple[Any, ...]]
_Entries = list[HistoryEntry]


class HistoryStore:
    """The task history. Thread-safe; open with `HistoryStore.open(path)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._damaged: HistoryCorruptError | None = None  # found while in use: back up once
        # What this session saves, kept until a deferred check answers (history_recovery)
        self._session = SessionCopy(active=False)
        self.in_memory = False  # the person chose to go on without the (damaged) file

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, check: bool = True, check_later: bool = False) -> HistoryStore:
        """Open (creating or migrating) the history at `path`.

        `check` runs SQLite's quick check on an existing file (linear in its size). With
        `check_later` it does not, and `check_integrity()` runs it when the caller likes
        (the app: off the GUI thread, after the window is shown); until then the store
        keeps a copy of what it saves (see history_recovery.py).
        Raises HistoryUnavailableError, HistoryCorruptError or HistoryTooNewError.
        """
        path = Path(path)
        _ensure_folder(path)
        existed = _check_header(path)
        conn = _connect(path)
        try:
            _prepare(conn, path, existed, check and not check_later)
        except BaseException:
            conn.close()
            raise
        store = cls(path, conn)
        if existed and check_later:
            store._session = SessionCopy(active=True)
        return store

    @classmethod
    def open_fresh(cls, path: Path) -> HistoryStore:
        """Start an empty history, after moving the current file (if any) aside as a backup.

        For when `open` failed with HistoryDamagedError and the person chose to go on.
        """
        path = Path(path)
        _move_aside(path)
        return cls.open(path, check=False)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- the check after opening (history_recovery.py) -------------------------------------

    def check_integrity(self) -> HistoryCorruptError | None:
        """The quick check `open(check_later=True)` left out, on a connection of its own
        (the store stays usable meanwhile). None when intact, or when there is nothing to
        check; the error (the file backed up first) when damaged. Raises
        HistoryUnavailableError when the file cannot be read."""
        if not self._session.active:
            return None
        try:
            problems = quick_check(self.path, BUSY_TIMEOUT)
        except sqlite3.Error as exc:
            error = _mapped(exc, self.path, "read")
            if not isinstance(error, HistoryCorruptError):
                self._session.stop()
                raise error from None
            problems = [str(exc)]
        if problems == ["ok"]:
            self._session.stop()
            return None
        with self._lock:
            if self._damaged is None:
                self._damaged = _corrupt(self.path, "; ".join(problems))
            return self._damaged

    def start_over(self) -> None:
        """After `check_integrity` found damage and the person chose a new history: move
        the file aside (as `open_fresh`) and go on in a new one holding what this session
        saved. Raises HistoryUnavailableError (and goes on with the old file) on failure."""
        with self._lock:
            with contextlib.suppress(sqlite3.Error):  # first: closing it later would
                self._conn.close()  # delete the new file's -wal (by name)
            try:
                _move_aside(self.path)
            except HistoryUnavailableError:
                self._conn = _connect(self.path)
                raise
            conn = _connect(self.path)
            try:
                _prepare(conn, self.path, existed=False, check=False)
            except BaseException:
                conn.close()
                self._conn = _connect(self.path)
                raise
            self._take_over(conn)

    def go_on_in_memory(self) -> None:
        """After `check_integrity` found damage and the person chose to go on without a
        history: leave the file (and its backup) alone, keep this session's tasks in memory
        until quit."""
        with self._lock:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _prepare(conn, self.path, existed=False, check=False)
            self._take_over(conn)
            self.in_memory = True

    def _take_over(self, conn: sqlite3.Connection) -> None:
        rows, spend = self._session.taken()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_UPSERT, rows)
        ledger.save(conn, spend)
        conn.execute("COMMIT")
        old, self._conn = self._conn, conn
        with contextlib.suppress(sqlite3.Error):
            old.close()
        self._damaged = None
        self._session.stop()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._read("PRAGMA user_version")[0][0])

    # -- writing -------------------------------------------------------------------------

    def save(self, job: Job, *, base_url: str | None = None, out_dir: str | None = None) -> None:
        """Insert or replace `job`. `base_url`/`out_dir` of None keep what is stored."""
        self.save_many([job], base_url=base_url, out_dir=out_dir)

    def save_many(
        self, jobs: Iterable[Job], *, base_url: str | None = None, out_dir: str | None = None
    ) -> None:
        """Save several jobs in one transaction (all or none).

        Whatever the server sent is stored losslessly and never makes this raise (see
        `job_to_row`), and every text a server or person wrote is redacted first: a key
        the server quotes back in an error never reaches the file.
        """
        extra = {"base_url": base_url, "out_dir": out_dir, "owner": process_owner()}
        now = time.time()
        clean = REDACTOR.redact_value
        rows = [{**schema.job_to_row(job, clean), **extra, "updated_at": now} for job in jobs]
        with self._write("save") as conn:
            conn.executemany(_UPSERT, rows)
            self._session.saved(rows)

    def delete(self, local_ids: Iterable[str]) -> int:
        """Forget jobs (their local files stay: deleting those is the caller's choice)."""
        ids = [(i,) for i in local_ids]
        with self._write("delete") as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM jobs WHERE local_id = ?", ids)
            self._session.deleted(i for (i,) in ids)
            return conn.total_changes - before

    def save_spend(self, records: Iterable[SpendRecord]) -> None:
        """Insert or replace what tasks cost (rows outlive the tasks: see ledger.py)."""
        records = list(records)
        with self._write("save") as conn:
            ledger.save(conn, records)
            self._session.spent(records)

    def spend(self, *, since: float | None = None) -> list[SpendRecord]:
        """What tasks sent at or after `since` (epoch seconds) cost, oldest first."""
        sql, args = ledger.select_sql(since)
        with self._lock:
            return [ledger.from_row(row) for row in self._read(sql, args)]

    def mark_expired(self, now: float | None = None) -> int:
        """Flag tasks whose outputs the server no longer keeps; returns how many were new."""
        cutoff = (time.time() if now is None else now) - REMOTE_RETENTION
        with self._write("update") as conn:
            cursor = conn.execute(
                "UPDATE jobs SET remote_expired = 1 WHERE remote_expired = 0 "
                "AND remote_id IS NOT NULL "
                "AND COALESCE(finished_at, submitted_at, created_at) < ?",
                (cutoff,),
            )
            return cursor.rowcount

    # -- reading -------------------------------------------------------------------------

    def get(self, local_id: str) -> Job | None:
        entry = self.entry(local_id)
        return entry.job if entry else None

    def entry(self, local_id: str) -> HistoryEntry | None:
        rows = self._select("WHERE local_id = ?", [local_id])
        return rows[0] if rows else None

    def find_remote(self, remote_id: str) -> HistoryEntry | None:
        rows = self._select("WHERE remote_id = ? ORDER BY created_at DESC LIMIT 1", [remote_id])
        return rows[0] if rows else None

    def list(
        self,
        *,
        query: str | None = None,
        model: str | None = None,
        state: StateFilter | None = None,
        profile: str | None = None,
        base_url: str | None = None,
        since: float | None = None,
        until: float | None = None,
        order: str = "-created",
        limit: int | None = None,
        offset: int = 0,
    ) -> _Entries:
        """Entries matching every filter given (see `Filters`), sorted by `order`:
        "created", "-created" (newest first), "finished", "model", "state", "prompt", …"""
        filters = Filters(query, model, state, profile, base_url, since, until)
        where, args = where_sql(filters)
        tail = f"{where} {order_sql(order)} LIMIT ? OFFSET ?"
        return self._select(tail, [*args, -1 if limit is None else limit, offset])

    def jobs(self, *, limit: int, offset: int = 0) -> Iterator[Job]:
        """The jobs of `list(limit=limit, offset=offset)`, newest first: read in one query
        (SQLite's work, done without the interpreter lock), then each row turned into a
        `Job` only when the caller takes it, so a loader can let other threads run between
        rows (see `core.pacing`)."""
        where, args = where_sql(Filters())
        columns = ", ".join(schema.ENTRY_COLUMNS)
        rows = self._read(f"SELECT {columns} FROM jobs {where} {order_sql('-created')} "  # noqa: S608
                          "LIMIT ? OFFSET ?", [*args, limit, offset])  # fmt: skip
        for row in rows:
            yield schema.row_to_job(dict(zip(schema.ENTRY_COLUMNS, row, strict=True)))

    def count(
        self,
        *,
        query: str | None = None,
        model: str | None = None,
        state: StateFilter | None = None,
        profile: str | None = None,
        base_url: str | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        where, args = where_sql(Filters(query, model, state, profile, base_url, since, until))
        return int(self._read(f"SELECT COUNT(*) FROM jobs {where}", args)[0][0])  # noqa: S608

    def unfinished(self, *, profile: str | None = None, base_url: str | None = None) -> Unfinished:
        """What a crash or quit left behind, oldest first."""
        entries = self.list(state=_UNFINISHED, profile=profile, base_url=base_url, order="created")
        groups: dict[str, _Entries] = {"r": [], "l": [], "n": [], "u": []}
        for entry in entries:
            job = entry.job
            if job.state is JobState.UNCERTAIN:
                groups["u"].append(entry)
            elif job.remote_id:
                groups["r"].append(entry)
            elif job.state is JobState.QUEUED:
                groups["n"].append(entry)
            else:  # submitting (or running with no id): the answer was lost
                groups["l"].append(entry)
        return Unfinished(*(tuple(groups[k]) for k in "rlnu"))

    def disk_usage(self, *, profile: str | None = None) -> DiskUsage:
        where, args = where_sql(Filters(profile=profile))
        rows = self._read(f"SELECT local_id, files FROM jobs {where}", args)  # noqa: S608
        paths = {str(p) for local_id, files in rows for p in schema._json_list(files, local_id)}
        total = missing = 0
        for name in paths:  # outside the lock: stat may be slow
            try:
                total += os.stat(name).st_size
            except OSError:
                missing += 1
        return DiskUsage(len(paths) - missing, total, missing)

    def integrity_check(self) -> bool:
        rows = self._read("PRAGMA integrity_check")
        return [tuple(r) for r in rows] == [("ok",)]

    # -- plumbing ------------------------------------------------------------------------

    def _select(self, tail: str, args: Sequence[Any]) -> _Entries:
        columns = ", ".join(schema.ENTRY_COLUMNS)
        rows = self._read(f"SELECT {columns} FROM jobs {tail}", args)  # noqa: S608
        return [_entry(dict(zip(schema.ENTRY_COLUMNS, row, strict=True))) for row in rows]

    def _read(self, sql: str, args: Sequence[Any] = ()) -> _Rows:
        with self._lock:
            try:
                return list(self._conn.execute(sql, args).fetchall())
            except sqlite3.Error as exc:
                raise self._failure(exc, "read") from None

    @contextlib.contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                raise self._failure(exc, what) from None

    def _failure(self, exc: sqlite3.Error, what: str) -> Exception:
        if self._damaged is not None and _code(exc) in _CORRUPT_CODES:
            return self._damaged  # one backup per store, not one per failing query
        error = _mapped(exc, self.path, what)
        if isinstance(error, HistoryCorruptError):
            self._damaged = error
        return error


def _entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        job=schema.row_to_job(row),
        base_url=row["base_url"],
        out_dir=row["out_dir"],
        owner=row["owner"],
        remote_expired=bool(row["remote_expired"]),
        updated_at=float(row["updated_at"]),
    )


def _prepare(conn: sqlite3.Connection, path: Path, existed: bool, check: bool) -> None:
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > schema.LATEST:
            backup = backups.backup(path, "newer")
            raise HistoryTooNewError(
                f"The history at {path} was written by a newer version of Get3W Desktop "
                f"(format {version}; this version knows up to {schema.LATEST}). Update the "
                f"app to see it.{backups.kept(backup)}",
                path=path,
                backup=backup,
                version=version,
            )
        if existed and check:
            problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise _corrupt(path, "; ".join(problems[:5]))
        schema.register_functions(conn)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn)
    except sqlite3.Error as exc:
        raise _mapped(exc, path, "open") from None


def _migrate(conn: sqlite3.Connection) -> None:
    for migration in schema.MIGRATIONS:
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) >= migration.version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < migration.version:
                migration.apply(conn)
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        log.info("history: migrated to version %d", migration.version)


def _ensure_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryUnavailableError(
            f"The history folder {path.parent} cannot be created: {_os_reason(exc)}.",
            path=path,
            detail=str(exc),
        ) from None
    if path.is_dir():
        raise HistoryUnavailableError(
            f"The history cannot be opened: {path} is a folder, not a file.", path=path
        )


def _move_aside(path: Path) -> None:
    """Move the file at `path` (and its journals) to a "replaced" backup, if it exists."""
    try:
        target = backups.move_aside(path)
    except OSError as exc:
        raise HistoryUnavailableError(
            f"The old history file {path} could not be moved aside: {_os_reason(exc)}.",
            path=path,
            detail=str(exc),
        ) from None
    if target is not None:
        log.warning("history: moved %s to %s and started a new one", path, target)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                               check_same_thread=False)  # fmt: skip
    except sqlite3.Error as exc:
        raise _mapped(exc, path, "open") from None


def _check_header(path: Path) -> bool:
    """True when a non-empty file exists; a file that is not SQLite is backed up and refused."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise HistoryUnavailableError(
            f"The history file {path} cannot be read: {_os_reason(exc)}.",
            path=path,
            detail=str(exc),
        ) from None
    if not head:
        return False
    if head != _SQLITE_MAGIC:
        raise _corrupt(path, "not an SQLite database")
    return True


def _corrupt(path: Path, detail: str) -> HistoryCorruptError:
    backup = backups.backup(path, "corrupt")
    return HistoryCorruptError(
        f"The history file {path} is damaged and cannot be read.{backups.kept(backup)}",
        path=path,
        backup=backup,
        detail=detail,
    )


_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_REASONS = {
    3: "permission denied",
    5: "another program is using it",
    6: "another program is using it",
    8: "it is read-only",
    10: "the disk reported an error",
    13: "the disk is full",
    14: "permission denied, or its folder is read-only",
}


def _mapped(exc: sqlite3.Error, path: Path, what: str) -> Exception:
    """An SQLite error as a HistoryError, or as itself when it is a bug."""
    if isinstance(exc, sqlite3.ProgrammingError | sqlite3.IntegrityError | sqlite3.InterfaceError):
        return exc
    code = _code(exc)
    if code in _CORRUPT_CODES:
        return _corrupt(path, str(exc))
    reason = _REASONS.get(code, str(exc))
    return HistoryUnavailableError(
        f"The history ({path}) could not {_VERBS.get(what, what)}: {reason}.",
        path=path,
        detail=f"{type(exc).__name__}: {exc}",
    )


_VERBS = {"open": "be opened", "read": "be read", "save": "be saved", "update": "be updated",
          "delete": "be changed"}  # fmt: skip


def _code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code (the low byte of the extended one)."""
    return int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF


def _os_reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)
