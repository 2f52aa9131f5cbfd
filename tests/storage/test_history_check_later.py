"""Opening the history without its quick check, checking it later on a connection of its
own, and the two ways on when damage is found (what this session saved is never lost)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.storage.history import HistoryCorruptError, HistoryStore
from get3w_desktop.storage.ledger import SpendRecord
from tests.storage.damaged_history import MODEL, damaged_history, intact


def corrupt_backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("history.sqlite3.corrupt-*.bak"))


def session_work(store: HistoryStore) -> tuple[Job, Job]:
    """What a session does before the check answers: run a task, update it, save a spend."""
    sent = Job(MODEL, {"prompt": "this session"}, state=JobState.RUNNING)
    store.save(sent, base_url="http://127.0.0.1:9")
    done = sent.evolve(state=JobState.COMPLETED)
    store.save(done)  # base_url None keeps the stored one, in the copy too
    gone = Job(MODEL, {"prompt": "deleted this session"})
    store.save(gone)
    store.delete([gone.local_id])
    store.save_spend([SpendRecord(done.local_id, "sandbox", MODEL, 1_800_000_000.0,
                                  amount=0.04, estimated=False)])  # fmt: skip
    return done, gone


def test_the_damage_opens_but_the_later_check_finds_it_and_backs_the_file_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite3"
    old = damaged_history(path)
    with pytest.raises(HistoryCorruptError):  # what the quick check at open says today
        HistoryStore.open(path)
    for backup in corrupt_backups(tmp_path):
        backup.unlink()
    with HistoryStore.open(path, check_later=True) as store:
        assert [j.local_id for j in store.jobs(limit=5)] == old[::-1][:5]  # reads fine
        damage = store.check_integrity()
        assert isinstance(damage, HistoryCorruptError)
        [backup] = corrupt_backups(tmp_path)
        assert damage.backup == backup and damage.detail  # SQLite's words, for the log
        assert backup.read_bytes() == path.read_bytes()
        assert store.check_integrity() is damage  # one backup, however often asked


def test_an_intact_history_checks_ok_and_keeps_no_copy_of_the_session(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.save(Job(MODEL, {"prompt": "before"}))
    with HistoryStore.open(path, check_later=True) as store:
        session_work(store)
        kept = store._session
        assert kept.active and kept.taken() != ([], [])
        assert store.check_integrity() is None
        assert kept.taken() == ([], []) and not store._session.active
    assert corrupt_backups(tmp_path) == []


def test_a_new_file_has_nothing_to_check(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite3", check_later=True) as store:
        assert not store._session.active
        assert store.check_integrity() is None


def test_the_check_runs_while_the_store_is_in_use_from_another_thread(tmp_path: Path) -> None:
    """Its own connection: the store's lock is free, saves go on during the check."""
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.save_many(Job(MODEL, {"prompt": "x" * 400}) for _ in range(3000))
    with HistoryStore.open(path, check_later=True) as store:
        results: list[object] = []
        checking = threading.Thread(target=lambda: results.append(store.check_integrity()))
        with store._lock:  # the store's own lock held for the whole check
            checking.start()
            checking.join(30)
            assert not checking.is_alive()
        assert results == [None]


def test_a_new_history_after_the_check_holds_this_sessions_tasks(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    old = damaged_history(path)
    with HistoryStore.open(path, check_later=True) as store:
        done, gone = session_work(store)
        damage = store.check_integrity()
        assert damage is not None and damage.backup is not None
        store.start_over()
        # the new file: this session's task (as last saved, its base URL kept), its spend,
        # not the one deleted, none of the old file's
        entry = store.entry(done.local_id)
        assert entry is not None and entry.job.state is JobState.COMPLETED
        assert entry.base_url == "http://127.0.0.1:9"
        assert [r.local_id for r in store.spend()] == [done.local_id]
        assert store.count() == 1 and store.get(gone.local_id) is None
        assert store.check_integrity() is None  # nothing more to check or keep
        store.save(Job(MODEL, {"prompt": "after"}))  # and it goes on
        assert store.count() == 2
    # the damaged file was moved aside whole; the new one is intact, on disk
    [moved] = sorted(tmp_path.glob("history.sqlite3.replaced-*.bak"))
    assert not intact(moved)
    assert intact(path)
    with HistoryStore.open(path) as reopened:  # the quick check at open passes
        assert reopened.count() == 2 and reopened.get(old[0]) is None


def test_going_on_without_a_history_keeps_the_session_in_memory_only(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    damaged_history(path)
    with HistoryStore.open(path, check_later=True) as store:
        done, _gone = session_work(store)
        assert store.check_integrity() is not None
        store.go_on_in_memory()
        on_disk = path.read_bytes()  # (the old connection's close wrote its journal back)
        assert store.in_memory
        assert [j.local_id for j in store.jobs(limit=10)] == [done.local_id]
        later = Job(MODEL, {"prompt": "after the choice"})
        store.save(later)
        assert store.count() == 2
    assert path.read_bytes() == on_disk  # nothing more went to the damaged file
    with HistoryStore.open(path, check=False) as again:
        assert again.get(later.local_id) is None
