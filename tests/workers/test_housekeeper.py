"""Housekeeping off the GUI thread, against the sandbox over real HTTP."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.errors import NotFoundError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.workers.housekeeping import (
    CacheResult,
    Housekeeper,
    cache_usage,
    probe_remote_delete,
    prune_cache,
)

MODEL = "google/nano-banana-pro/text-to-image"
FAST = ScheduleParams(jitter=0.0).scaled(0.02)


@pytest.fixture
def store() -> Iterator[HistoryStore]:
    with HistoryStore.open(app_paths().history_db) as opened:
        yield opened


class Outcomes:
    """Every result and failure a housekeeper reports, recorded from its creation."""

    def __init__(self, keeper: Housekeeper) -> None:
        self.results: dict[int, object] = {}
        self.errors: dict[int, object] = {}
        keeper.finished.connect(self.results.__setitem__)
        keeper.failed.connect(self.errors.__setitem__)


@pytest.fixture
def keeper(store: HistoryStore) -> Iterator[Housekeeper]:
    paths = app_paths().ensure()
    worker = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
    OUTCOMES[id(worker)] = Outcomes(worker)
    yield worker
    worker.shutdown()
    del OUTCOMES[id(worker)]


OUTCOMES: dict[int, Outcomes] = {}


def finished_job(client: Get3WClient, outputs: Path, prompt: str) -> Job:
    """A task really run on the sandbox, its output downloaded into the outputs folder."""
    job = Job(MODEL, {"prompt": prompt}, profile="sandbox")
    task = wait_for_task(client, client.submit(MODEL, dict(job.params)),
                         cancel=threading.Event(), params=FAST)  # fmt: skip
    saved = client.download(task.outputs[0], outputs, f"{job.local_id}_0", expected_kind="image")
    return job.evolve(task=task, state=JobState.COMPLETED, files=(str(saved.path),),
                      submitted_at=time.time(), finished_at=time.time())  # fmt: skip


def run(qtbot: QtBot, keeper: Housekeeper, op: int) -> object:
    """Wait for operation `op` and return its result (fails on `failed`)."""
    seen = OUTCOMES[id(keeper)]
    qtbot.waitUntil(lambda: op in seen.results or op in seen.errors, timeout=15_000)
    assert op not in seen.errors, seen.errors[op]
    return seen.results[op]


def test_remote_delete_really_deletes_on_the_server(
    qtbot: QtBot, sandbox: SandboxServer, store: HistoryStore, keeper: Housekeeper
) -> None:
    outputs = keeper.outputs_dir
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        jobs = [finished_job(client, outputs, f"delete me {i}") for i in range(2)]
        keep = finished_job(client, outputs, "keep me")
        store.save_many([*jobs, keep])
        assert run(qtbot, keeper, keeper.probe_remote_delete(client.delete)) is True

        steps: list[str] = []
        keeper.progress.connect(lambda op, done, total, text: steps.append(text))
        plan = hk.plan_delete(jobs, outputs)
        op = keeper.delete(plan, delete_remote=client.delete, remote_profile="sandbox")
        result = run(qtbot, keeper, op)

        assert isinstance(result, hk.DeleteResult)
        assert set(result.remote_deleted) == {j.remote_id for j in jobs}
        assert result.files_deleted == 2 and result.problems == ()
        for job in jobs:
            assert job.remote_id is not None
            with pytest.raises(NotFoundError):
                client.get(job.remote_id)  # a later GET is a 404
            assert store.get(job.local_id) is None
            assert not Path(job.files[0]).exists()
        assert keep.remote_id is not None and client.get(keep.remote_id).status == "completed"
        assert store.get(keep.local_id) is not None and Path(keep.files[0]).exists()
        assert any("server" in s for s in steps) and steps[-1] == "Done"


def test_without_the_route_nothing_is_deleted_and_the_probe_says_so(
    qtbot: QtBot, store: HistoryStore, keeper: Housekeeper
) -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, v3_enabled=False)
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        job = finished_job(client, keeper.outputs_dir, "no route")
        store.save(job)
        assert probe_remote_delete(client.delete) is False
        op = keeper.delete(hk.plan_delete([job], keeper.outputs_dir), delete_remote=client.delete)
        result = run(qtbot, keeper, op)
        assert isinstance(result, hk.DeleteResult)
        assert result.kept == (job.local_id,) and "does not offer" in result.problems[0]
        assert store.get(job.local_id) is not None and Path(job.files[0]).exists()
        assert job.remote_id is not None and client.get(job.remote_id).status == "completed"


def test_export_usage_and_clean_up_in_order(
    qtbot: QtBot, sandbox: SandboxServer, store: HistoryStore, keeper: Housekeeper, tmp_path: Path
) -> None:
    outputs = keeper.outputs_dir
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        old = finished_job(client, outputs, "old")
        new = finished_job(client, outputs, "new")
    old = old.evolve(finished_at=time.time() - 40 * 86400)
    store.save_many([old, new])
    target = tmp_path / "exports"
    target.mkdir()

    exported = run(
        qtbot, keeper, keeper.export([old, new], target, hk.ExportOptions(sidecars=True))
    )
    assert isinstance(exported, hk.ExportResult) and exported.files == 2
    index = json.loads((exported.folder / hk.INDEX_FILE).read_text(encoding="utf-8"))
    assert [t["task_id"] for t in index["tasks"]] == [old.remote_id, new.remote_id]

    def load() -> list[Job]:
        return [entry.job for entry in store.list()]

    before = run(qtbot, keeper, keeper.usage(load))
    assert isinstance(before, hk.UsageSummary) and (before.tasks, before.files) == (2, 2)
    plan = run(qtbot, keeper, keeper.plan_cleanup(load, older_than_days=30))
    assert isinstance(plan, hk.CleanupPlan) and [j.local_id for j in plan.jobs] == [old.local_id]
    # Queued back to back: the usage asked after the clean-up sees its effect.
    cleaned_op, after_op = keeper.clean_up(plan), keeper.usage(load)
    cleaned = run(qtbot, keeper, cleaned_op)
    after = run(qtbot, keeper, after_op)
    assert isinstance(cleaned, hk.CleanupResult) and cleaned.bytes_freed == plan.bytes > 0
    assert isinstance(after, hk.UsageSummary)
    assert (after.tasks, after.cleaned, after.bytes) == (1, 1, before.bytes - plan.bytes)
    stored = store.get(old.local_id)
    assert stored is not None and hk.was_cleaned_up(stored)
    assert (exported.folder / index["tasks"][0]["folder"]).is_dir()  # exports are the person's


def test_a_failed_export_is_a_sentence_and_a_cancel_stops_it(
    qtbot: QtBot, keeper: Housekeeper, tmp_path: Path
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    with qtbot.waitSignal(keeper.failed, timeout=10_000) as failed:
        keeper.export([], blocker / "inside")
    assert "does not exist" in str(failed.args[1]) and "Traceback" not in str(failed.args[1])

    gate = threading.Event()
    started = threading.Event()

    def slow_load() -> list[Job]:
        started.set()
        gate.wait(5)
        return []

    first = keeper.usage(slow_load)  # occupies the single thread
    second = keeper.export([], tmp_path)
    assert started.wait(5)
    keeper.cancel(second)
    gate.set()
    errors = OUTCOMES[id(keeper)].errors
    assert isinstance(run(qtbot, keeper, first), hk.UsageSummary)
    qtbot.waitUntil(lambda: second in errors, timeout=5000)
    assert "nothing was changed" in str(errors[second])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file", "get3w-home"]
    assert not keeper.busy()


def test_thumbnail_cache_is_pruned_least_recently_used_first(tmp_path: Path) -> None:
    cache = tmp_path / "thumbnails"
    cache.mkdir()
    now = time.time()
    for index in range(10):
        path = cache / f"{index:02d}.jpeg"
        path.write_bytes(b"t" * 1000)
        used = now - 3600 * (10 - index)  # 00 is the least recently used
        os.utime(path, (used, used))
    fresh = cache / "fresh.jpeg"
    fresh.write_bytes(b"f" * 5000)  # being written right now: never pruned
    assert cache_usage(cache) == CacheResult(11, 15_000)

    pruned = prune_cache(cache, 11_000, now=now)
    assert (pruned.removed, pruned.freed, pruned.bytes) == (4, 4000, 11_000)
    assert sorted(p.name for p in cache.iterdir())[:3] == ["04.jpeg", "05.jpeg", "06.jpeg"]
    cleared = prune_cache(cache, 0, now=now)
    assert [p.name for p in cache.iterdir()] == ["fresh.jpeg"] and cleared.files == 1
    assert prune_cache(tmp_path / "absent", 0) == CacheResult(0, 0)


def test_thumbnail_operations_on_the_pool(qtbot: QtBot, keeper: Housekeeper) -> None:
    keeper.thumbnail_dir.mkdir(parents=True, exist_ok=True)
    old = time.time() - 7200
    for index in range(3):
        path = keeper.thumbnail_dir / f"{index}.png"
        path.write_bytes(b"p" * 100)
        os.utime(path, (old, old))
    assert run(qtbot, keeper, keeper.thumbnail_usage()) == CacheResult(3, 300)
    cleared = run(qtbot, keeper, keeper.prune_thumbnails(0))
    assert cleared == CacheResult(0, 0, removed=3, freed=300)
