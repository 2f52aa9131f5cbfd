"""The history store: round trips, queries, migrations, damaged files and threads."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState, TextOutput
from get3w_desktop.core.task import Task
from get3w_desktop.storage.history import (
    REMOTE_RETENTION,
    HistoryCorruptError,
    HistoryStore,
    HistoryTooNewError,
    HistoryUnavailableError,
    as_uncertain,
    owner_alive,
    process_owner,
)
from get3w_desktop.storage.history_schema import LATEST
from get3w_desktop.storage.paths import app_paths
from tests.fs_support import read_only

MODEL = "google/nano-banana-pro/text-to-image"
BASE = "http://127.0.0.1:9"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as opened:
        yield opened


def full_job(**changes: object) -> Job:
    task = Task(
        id="0b4e7c1a-9f5e-4a55-8d4e-2f6a3c1b9e77",
        status="completed",
        model=MODEL,
        outputs=("https://cdn.example/a.png", "https://cdn.example/b.png"),
        timings={"queue_wait": 427, "total": 26709.5},
        code=0,
        error=None,
        created_at="2026-03-28T07:51:34",
        estimated_duration=52.0,
        extra={"has_nsfw_contents": [False, False], "urls": {"get": "https://x/get"}},
    )
    job = Job(
        model_id=MODEL,
        params={"prompt": "A sunset over mountains", "aspect_ratio": "16:9", "seed": -1,
                "loras": [{"path": "x", "scale": 0.5}], "enable": True},
        profile="default",
        state=JobState.COMPLETED,
        task=task,
        files=("/data/outputs/a.png", "/data/outputs/b.png"),
        error=None,
        error_action=Action.NONE,
        note="done",
        overdue=True,
        created_at=1_764_000_000.125,
        submitted_at=1_764_000_001.5,
        finished_at=1_764_000_030.75,
    )  # fmt: skip
    return job.evolve(**changes)


def test_a_job_comes_back_equal_with_the_servers_unknown_fields(store: HistoryStore) -> None:
    job = full_job()
    store.save(job, base_url=BASE, out_dir="/tmp/out")
    again = store.get(job.local_id)
    assert again == job
    assert again is not None and again.task is not None
    assert again.task.extra["urls"] == {"get": "https://x/get"}
    failed = Job(MODEL, {"text": "x"}, state=JobState.FAILED, error="Nope",
                 error_action=Action.TOP_UP)  # fmt: skip
    store.save(failed)
    assert store.get(failed.local_id) == failed
    assert store.get("no-such-id") is None


def test_loaded_jobs_share_their_repeated_texts_and_carry_no_per_object_dict(
    store: HistoryStore,
) -> None:
    # Issue 16: 100,000 loaded tasks must fit in memory; copies of the same short texts
    # (parameter names, model ids, statuses) in every row cost ~5 MB each.
    first = full_job(texts=(TextOutput(0, "a caption"),))
    second = full_job(task=Task(id="t-3", status="completed", model=MODEL))
    third = full_job(task=Task(id="t-4", status="completed"))
    store.save_many([first, second, third])
    a, b, c = (store.get(job.local_id) for job in (first, second, third))
    assert (a, b, c) == (first, second, third)
    assert a is not None and b is not None and c is not None
    assert a.task is not None and b.task is not None and c.task is not None
    assert a.model_id is b.model_id and a.profile is b.profile
    assert a.task.status is b.task.status and a.task.model is b.task.model
    (key_a,) = [k for k in a.params if k == "aspect_ratio"]
    (key_b,) = [k for k in b.params if k == "aspect_ratio"]
    assert key_a is key_b and a.params["aspect_ratio"] is b.params["aspect_ratio"]
    assert a.params["prompt"] is b.params["prompt"]  # short enough to share
    assert b.task.extra == {} and b.task.extra is c.task.extra  # one empty mapping
    for value in (a, a.task, *a.texts):
        assert not hasattr(value, "__dict__"), type(value)  # __slots__


def test_a_later_save_replaces_the_job_but_keeps_where_it_was_sent(store: HistoryStore) -> None:
    job = full_job(state=JobState.SUBMITTING, task=None, files=())
    store.save(job, base_url=BASE, out_dir="/tmp/out")
    running = job.evolve(state=JobState.RUNNING, task=full_job().task)
    store.save(running)
    entry = store.entry(job.local_id)
    assert entry is not None
    assert entry.job == running
    assert (entry.base_url, entry.out_dir) == (BASE, "/tmp/out")
    assert entry.owner == process_owner()
    assert store.count() == 1
    assert store.find_remote("0b4e7c1a-9f5e-4a55-8d4e-2f6a3c1b9e77") == entry


def test_the_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    job = full_job()
    with HistoryStore.open(path) as first:
        first.save(job)
    with HistoryStore.open(path) as second:
        assert second.get(job.local_id) == job
        assert second.schema_version == LATEST
        assert second.integrity_check()


def test_default_location_is_the_data_folder() -> None:
    assert app_paths().history_db == app_paths().data / "history.sqlite3"


def test_filters_combine_and_count_agrees_with_list(store: HistoryStore) -> None:
    day = 86_400.0
    jobs = [
        Job("a/one", {"prompt": "cat"}, profile="default", state=JobState.COMPLETED,
            created_at=10 * day),
        Job("a/one", {"prompt": "dog"}, profile="sandbox", state=JobState.FAILED,
            created_at=11 * day),
        Job("b/two", {"prompt": "cat dog"}, profile="default", state=JobState.RUNNING,
            created_at=12 * day),
        Job("b/two", {"prompt": "bird"}, profile="default", state=JobState.COMPLETED,
            created_at=13 * day),
    ]  # fmt: skip
    store.save_many(jobs)
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({}, [3, 2, 1, 0]),
        ({"model": "a/one"}, [1, 0]),
        ({"state": JobState.COMPLETED}, [3, 0]),
        ({"state": ["failed", JobState.RUNNING]}, [2, 1]),
        ({"profile": "default"}, [3, 2, 0]),
        ({"since": 11 * day, "until": 13 * day}, [2, 1]),
        ({"query": "cat"}, [2, 0]),
        ({"query": "DOG cat"}, [2]),
        ({"query": "cat", "model": "b/two", "state": "running"}, [2]),
        ({"query": "fish"}, []),
    ]
    for filters, expected in cases:
        found = [e.job.local_id for e in store.list(**filters)]
        assert found == [jobs[i].local_id for i in expected], filters
        assert store.count(**filters) == len(expected), filters
    with pytest.raises(ValueError, match="not-a-state"):
        store.list(state="not-a-state")


def test_search_treats_like_wildcards_as_plain_text(store: HistoryStore) -> None:
    prompts = ["100% cotton", "100 percent", "snake_case name", "snakeXcase name",
               "back\\slash", "STRASSE at night", "plain"]  # fmt: skip
    store.save_many(Job(MODEL, {"prompt": p}) for p in prompts)

    def hits(query: str) -> list[str]:
        return sorted(e.job.prompt for e in store.list(query=query))

    assert hits("100%") == ["100% cotton"]
    assert hits("%") == ["100% cotton"]
    assert hits("e_c") == ["snake_case name"]
    assert hits("_") == ["snake_case name"]
    assert hits("\\") == ["back\\slash"]
    assert hits("k\\s") == ["back\\slash"]
    assert hits("straße") == ["STRASSE at night"]  # Unicode case folding, not ASCII only
    assert hits("") == sorted(prompts)


def test_order_limit_and_offset_page_through_everything_once(store: HistoryStore) -> None:
    rng = random.Random(7)
    jobs = [
        Job(f"m/{rng.choice('abc')}", {"prompt": f"p{i}"}, created_at=float(rng.randrange(50)),
            finished_at=None if i % 4 == 0 else float(1000 + i))
        for i in range(40)
    ]  # fmt: skip
    store.save_many(jobs)
    newest = [e.job for e in store.list()]
    assert [j.created_at for j in newest] == sorted((j.created_at for j in jobs), reverse=True)
    oldest = [e.job.local_id for e in store.list(order="created")]
    assert oldest == list(reversed([j.local_id for j in newest]))  # ties reverse too: stable
    by_model = [e.job.model_id for e in store.list(order="model")]
    assert by_model == sorted(by_model)
    finished = [e.job.finished_at for e in store.list(order="-finished")]
    assert finished[-10:] == [None] * 10
    pages = [e.job.local_id for k in range(0, 40, 7) for e in store.list(limit=7, offset=k)]
    assert pages == [j.local_id for j in newest]
    with pytest.raises(ValueError, match="unknown order"):
        store.list(order="price; DROP TABLE jobs")


WORDS = ("red", "fox", "100%", "snake_case", "night", "sea", "Ärger", "neon", "city", "rain")
MODELS = ("a/one", "a/two", "b/three", "c/four", "d/five")


def test_ten_thousand_tasks_search_and_filter_to_the_right_counts(tmp_path: Path) -> None:
    rng = random.Random(2026)
    states = list(JobState)
    jobs = [
        Job(
            model_id=rng.choice(MODELS),
            params={"prompt": " ".join(rng.sample(WORDS, 3))},
            profile=rng.choice(("default", "sandbox")),
            state=rng.choice(states),
            created_at=1_700_000_000.0 + i * 60,
        )
        for i in range(10_000)
    ]
    with HistoryStore.open(tmp_path / "big.sqlite3") as store:
        store.save_many(jobs)
        assert store.count() == 10_000

        def expected(
            query: str = "",
            model: str | None = None,
            state: JobState | None = None,
            since: float | None = None,
        ) -> int:
            words = query.casefold().split()
            return sum(
                1 for j in jobs
                if all(w in j.prompt.casefold() for w in words)
                and (model is None or j.model_id == model)
                and (state is None or j.state is state)
                and (since is None or j.created_at >= since)
            )  # fmt: skip

        for query in ("fox", "100%", "snake_case", "ärger", "RED fox", "e_c", "%", "zebra"):
            assert store.count(query=query) == expected(query), query
        for model in MODELS[:2]:
            assert store.count(model=model) == expected(model=model)
            for state in (JobState.COMPLETED, JobState.UNCERTAIN):
                assert store.count(model=model, state=state, query="sea") == expected(
                    "sea", model, state
                )
        since = jobs[6_000].created_at
        assert store.count(since=since, query="night") == expected("night", since=since)
        page = store.list(query="neon", state=JobState.RUNNING, limit=25)
        assert len(page) == min(25, expected("neon", state=JobState.RUNNING))
        assert all("neon" in e.job.prompt and e.job.state is JobState.RUNNING for e in page)
        assert store.integrity_check()


def test_unfinished_jobs_are_sorted_by_what_may_be_done(store: HistoryStore) -> None:
    task = Task(id="r1", status="processing")
    jobs = {
        "queued": Job(MODEL, {}, state=JobState.QUEUED, created_at=1),
        "lost": Job(MODEL, {}, state=JobState.SUBMITTING, created_at=2),
        "running": Job(MODEL, {}, state=JobState.RUNNING, task=task, created_at=3),
        "downloading": Job(MODEL, {}, state=JobState.DOWNLOADING,
                           task=Task(id="r2", status="completed"), created_at=4),
        "uncertain": Job(MODEL, {}, state=JobState.UNCERTAIN, created_at=5),
        "done": Job(MODEL, {}, state=JobState.COMPLETED, task=task, created_at=6),
        "failed": Job(MODEL, {}, state=JobState.FAILED, created_at=7),
        "elsewhere": Job(MODEL, {}, state=JobState.RUNNING, task=task, created_at=8),
        "other profile": Job(MODEL, {}, profile="p2", state=JobState.RUNNING, task=task),
    }  # fmt: skip
    for name, job in jobs.items():
        store.save(job, base_url="http://127.0.0.1:1" if name == "elsewhere" else BASE)
    found = store.unfinished(profile="sandbox", base_url=BASE)

    def ids(entries: tuple[object, ...]) -> list[str]:
        return [e.job.local_id for e in entries]  # type: ignore[attr-defined]

    assert ids(found.resumable) == [jobs["running"].local_id, jobs["downloading"].local_id]
    assert ids(found.lost) == [jobs["lost"].local_id]
    assert ids(found.not_sent) == [jobs["queued"].local_id]
    assert ids(found.uncertain) == [jobs["uncertain"].local_id]
    everything = store.unfinished()
    assert len(everything.resumable) == 4


def test_a_lost_submit_becomes_uncertain_never_resendable() -> None:
    job = as_uncertain(Job(MODEL, {"prompt": "x"}, state=JobState.SUBMITTING))
    assert job.state is JobState.UNCERTAIN and not job.state.active
    assert job.error_action is Action.CHOOSE and job.error and "not sent again" in job.error
    assert job.finished_at is not None


def test_delete_forgets_rows_but_leaves_files(store: HistoryStore, tmp_path: Path) -> None:
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"x")
    jobs = [Job(MODEL, {"prompt": str(i)}, files=(str(kept),)) for i in range(5)]
    store.save_many(jobs)
    assert store.delete([jobs[0].local_id, jobs[3].local_id, "unknown"]) == 2
    assert store.count() == 3 and store.get(jobs[0].local_id) is None
    assert kept.exists()


def test_outputs_past_retention_are_flagged_expired(store: HistoryStore) -> None:
    now = 2_000_000_000.0
    task = Task(id="t", status="completed", outputs=("https://cdn/x.png",))
    old = Job(MODEL, {}, state=JobState.COMPLETED, task=task, finished_at=now - 8 * 86_400)
    recent = Job(MODEL, {}, state=JobState.COMPLETED, task=task, finished_at=now - 6 * 86_400)
    never_sent = Job(MODEL, {}, state=JobState.FAILED, created_at=now - 30 * 86_400)
    store.save_many([old, recent, never_sent])
    assert store.mark_expired(now) == 1
    assert store.mark_expired(now) == 0
    flags = {e.job.local_id: e.remote_expired for e in store.list()}
    assert flags == {old.local_id: True, recent.local_id: False, never_sent.local_id: False}
    assert store.mark_expired(now + REMOTE_RETENTION) == 1  # the recent one's turn


def test_disk_usage_counts_each_existing_file_once(store: HistoryStore, tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.mp4"
    a.write_bytes(b"a" * 100)
    b.write_bytes(b"b" * 2500)
    store.save_many([
        Job(MODEL, {}, files=(str(a), str(b))),
        Job(MODEL, {}, files=(str(a), str(tmp_path / "gone.png"))),
        Job(MODEL, {}, profile="other", files=(str(b),)),
    ])  # fmt: skip
    usage = store.disk_usage()
    assert (usage.files, usage.bytes, usage.missing) == (2, 2600, 1)
    assert store.disk_usage(profile="other").bytes == 2500


# -- migrations -------------------------------------------------------------------------

V1_SQL = """
CREATE TABLE jobs (
    local_id TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL, model_id TEXT NOT NULL,
    params TEXT NOT NULL, prompt TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,
    remote_id TEXT, task TEXT, files TEXT NOT NULL DEFAULT '[]', error TEXT,
    error_action TEXT NOT NULL DEFAULT 'none', note TEXT NOT NULL DEFAULT '',
    overdue INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, submitted_at REAL,
    finished_at REAL, updated_at REAL NOT NULL);
CREATE INDEX jobs_remote_id ON jobs(remote_id);
CREATE INDEX jobs_created_at ON jobs(created_at);
INSERT INTO jobs VALUES ('aaaa', 'default', 'm/x', '{"prompt": "Große STADT", "seed": 3}',
    'Große STADT', 'running', 'r-1',
    '{"id": "r-1", "status": "processing", "model": "m/x", "outputs": [], "timings": {},
      "code": 0, "error": null, "created_at": null, "estimated_duration": 20, "queue": 2}',
    '[]', NULL, 'none', '', 0, 100.0, 101.0, NULL, 102.0);
INSERT INTO jobs VALUES ('bbbb', 'default', 'm/y', '{"text": "done"}', 'done', 'completed',
    NULL, NULL, '["/x/y.png"]', NULL, 'none', '', 0, 50.0, NULL, 60.0, 60.0);
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_migrated_with_its_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SQL)
    conn.close()
    with HistoryStore.open(path) as store:
        assert store.schema_version == LATEST
        running = store.entry("aaaa")
        assert running is not None
        job = running.job
        assert (job.state, job.remote_id, job.params) == (
            JobState.RUNNING,
            "r-1",
            {"prompt": "Große STADT", "seed": 3},
        )
        assert job.task is not None and job.task.estimated_duration == 20.0
        assert job.task.extra == {"queue": 2}
        assert (running.base_url, running.remote_expired) == (None, False)
        assert store.get("bbbb") == Job(
            "m/y",
            {"text": "done"},
            profile="default",
            local_id="bbbb",
            state=JobState.COMPLETED,
            files=("/x/y.png",),
            created_at=50.0,
            finished_at=60.0,
        )
        # The migration folded the old prompts, so search finds them case-insensitively.
        assert [e.job.local_id for e in store.list(query="grosse stadt")] == ["aaaa"]
        assert [e.job.local_id for e in store.unfinished().resumable] == ["aaaa"]
        assert store.integrity_check()
    with sqlite3.connect(path) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert {"jobs_remote_id", "jobs_state", "jobs_model_id"} <= indexes


# -- damaged files ----------------------------------------------------------------------


def backups(folder: Path, kind: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if f".{kind}-" in p.name and p.suffix == ".bak")


def test_random_bytes_are_refused_backed_up_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    garbage = random.Random(1).randbytes(20_000)
    path.write_bytes(garbage)
    with pytest.raises(HistoryCorruptError) as caught:
        HistoryStore.open(path)
    [backup] = backups(tmp_path, "corrupt")
    assert backup.read_bytes() == garbage
    assert path.read_bytes() == garbage  # never reset silently
    assert caught.value.backup == backup
    assert "damaged" in caught.value.message and backup.name in caught.value.message

    with HistoryStore.open_fresh(path) as fresh:  # the person chose to start over
        fresh.save(full_job())
        assert fresh.count() == 1
    [moved] = backups(tmp_path, "replaced")
    assert moved.read_bytes() == garbage
    assert backup.exists()


def test_a_truncated_database_is_refused_and_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.save_many(Job(MODEL, {"prompt": "x" * 500}) for _ in range(2_000))
    data = path.read_bytes()
    cut = data[: len(data) // 2]
    path.write_bytes(cut)
    with pytest.raises(HistoryCorruptError) as caught:
        HistoryStore.open(path)
    assert caught.value.backup is not None and caught.value.backup.read_bytes() == cut
    assert path.read_bytes() == cut


def test_damage_found_while_in_use_is_an_error_with_one_backup(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as store:
        store.save_many(Job(MODEL, {"prompt": "y" * 500}) for _ in range(500))
    data = bytearray(path.read_bytes())
    data[8192:] = random.Random(3).randbytes(len(data) - 8192)  # page 1 (the header) intact
    path.write_bytes(bytes(data))
    with HistoryStore.open(path, check=False) as store:  # the quick check would catch it
        with pytest.raises(HistoryCorruptError) as first:
            store.list()
        with pytest.raises(HistoryCorruptError) as second:
            store.count(query="y")
    assert first.value.backup is not None and first.value.backup.read_bytes() == bytes(data)
    assert second.value.backup == first.value.backup
    assert len(backups(tmp_path, "corrupt")) == 1


def test_a_database_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(HistoryTooNewError) as caught:
        HistoryStore.open(path)
    assert caught.value.version == LATEST + 1
    assert "newer version" in caught.value.message
    [backup] = backups(tmp_path, "newer")
    assert backup.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
    conn.close()


def test_a_folder_that_cannot_exist_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # mkdir under a regular file fails, even for root
    with pytest.raises(HistoryUnavailableError) as caught:
        HistoryStore.open(blocker / "data" / "history.sqlite3")
    assert "cannot be created" in caught.value.message and str(blocker) in caught.value.message
    folder = tmp_path / "history.sqlite3"
    folder.mkdir()
    with pytest.raises(HistoryUnavailableError, match="is a folder"):
        HistoryStore.open(folder)


def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder), pytest.raises(HistoryUnavailableError) as caught:
        HistoryStore.open(folder / "history.sqlite3")
    assert str(folder) in caught.value.message
    assert not (folder / "history.sqlite3").exists()


def test_a_full_disk_is_a_clear_error_and_the_store_goes_on(store: HistoryStore) -> None:
    store.save(full_job())
    conn = store._conn  # simulate a full disk: SQLite may not grow the file
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    big = [Job(MODEL, {"prompt": "x" * 5000}) for _ in range(50)]
    with pytest.raises(HistoryUnavailableError, match="disk is full"):
        store.save_many(big)
    assert store.count() == 1  # all or nothing
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.save_many(big)
    assert store.count() == 51


# -- threads and processes --------------------------------------------------------------


def test_many_threads_saving_at_once_lose_nothing(store: HistoryStore) -> None:
    threads, per_thread = 8, 40
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                job = Job(MODEL, {"prompt": f"t{n} #{i}"}, state=JobState.SUBMITTING)
                store.save(job)
                store.save(job.evolve(state=JobState.RUNNING, task=Task(f"r{n}-{i}", "created")))
                store.count(query=f"t{n}")
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    while any(w.is_alive() for w in workers):
        store.list(limit=10)  # the "GUI thread" reads meanwhile
        time.sleep(0.001)
    for worker in workers:
        worker.join()
    assert errors == []
    assert store.count() == threads * per_thread
    assert store.count(state=JobState.RUNNING) == threads * per_thread
    assert store.find_remote("r3-17") is not None
    assert store.integrity_check()


def test_two_connections_to_one_file_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as app, HistoryStore.open(path) as cli:
        first, second = Job(MODEL, {"prompt": "app"}), Job(MODEL, {"prompt": "cli"})
        app.save(first)
        cli.save(second)
        assert app.get(second.local_id) == second and cli.get(first.local_id) == first


def test_owner_alive_knows_live_dead_and_own_processes() -> None:
    assert not owner_alive(process_owner())  # ourselves: not "another process"
    assert not owner_alive(None) and not owner_alive("garbage")
    boot = process_owner().rpartition(":")[0]
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert owner_alive(f"{boot}:{child.pid}")
        assert not owner_alive(f"another-boot:{child.pid}")
    finally:
        child.kill()
        child.wait()
    assert not owner_alive(f"{boot}:{child.pid}")
