"""The history's integrity check after it is open, and what this session wrote meanwhile.

The app opens its history without SQLite's quick check (it reads the whole file: 0.1-0.2 s
for 100,000 tasks from a warm page cache, 1.7-3.6 s from a cold one) and runs the check
later, off the GUI thread, on a connection of its own (`quick_check`): SQLite does the
reading without the interpreter lock, and the store's own connection and lock stay free,
so tasks keep being saved meanwhile.

Until the check answers, the store keeps a copy of what this session wrote (`SessionCopy`):
the last saved version of each task and each spend record. When the check finds damage and
the person chooses a new history or none, those rows go into the new file (or memory), so
a task run before the check answered is not lost with the damaged file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from get3w_desktop.storage.ledger import SpendRecord

#: Columns whose None means "keep what is stored" in `HistoryStore.save_many`.
KEPT_WHEN_NONE = ("base_url", "out_dir")


class SessionCopy:
    """This session's saved rows (by task) and spend records, until `stop()` (none kept
    when made inactive)."""

    def __init__(self, *, active: bool) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, dict[str, Any]] | None = {} if active else None
        self._spend: dict[str, SpendRecord] = {}

    @property
    def active(self) -> bool:
        return self._rows is not None

    def saved(self, rows: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            if self._rows is None:
                return
            for row in rows:
                before = self._rows.get(row["local_id"])
                if before is not None:  # as the upsert does: None keeps the stored value
                    row = {**row, **{c: before[c] for c in KEPT_WHEN_NONE if row[c] is None}}
                self._rows[row["local_id"]] = row

    def deleted(self, local_ids: Iterable[str]) -> None:
        with self._lock:
            if self._rows is not None:
                for local_id in local_ids:
                    self._rows.pop(local_id, None)

    def spent(self, records: Iterable[SpendRecord]) -> None:
        with self._lock:
            if self._rows is not None:
                self._spend.update((r.local_id, r) for r in records)

    def taken(self) -> tuple[list[dict[str, Any]], list[SpendRecord]]:
        """What was kept, oldest save first."""
        with self._lock:
            return list((self._rows or {}).values()), list(self._spend.values())

    def stop(self) -> None:
        """The check answered: nothing more to keep."""
        with self._lock:
            self._rows = None
            self._spend.clear()


def quick_check(path: Path, timeout: float) -> list[str]:
    """SQLite's quick check of the file at `path` on a connection of its own: ["ok"] when
    intact, else its first problems. Raises sqlite3.Error when the file cannot be read."""
    conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
    finally:
        conn.close()
