"""A history whose tasks read fine but whose file is damaged elsewhere: what only SQLite's
quick check finds (a page of a table the app never reads is overwritten with garbage)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.storage.history import HistoryStore

MODEL = "google/nano-banana-pro/text-to-image"


def damaged_history(path: Path, tasks: int = 30) -> list[str]:
    """Write `tasks` finished tasks to a new history at `path`, then damage the file where
    no task lives. Returns the tasks' local ids (newest last)."""
    with HistoryStore.open(path) as store:
        jobs = [Job(MODEL, {"prompt": f"old task {n}"}, state=JobState.COMPLETED,
                    created_at=(at := 1_700_000_000.0 + 60 * n), submitted_at=at + 0.5,
                    finished_at=at + 18.0) for n in range(tasks)]  # fmt: skip
        store.save_many(jobs)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (data BLOB)")
    conn.executemany("INSERT INTO filler VALUES (randomblob(1500))", [()] * 60)
    conn.commit()
    [(root,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'filler'")
    [(size,)] = conn.execute("PRAGMA page_size")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    start = (int(root) - 1) * int(size)
    data[start : start + int(size)] = random.Random(7).randbytes(int(size))
    path.write_bytes(bytes(data))
    return [job.local_id for job in jobs]


def intact(path: Path) -> bool:
    """Whether SQLite's quick check finds the file at `path` whole."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
