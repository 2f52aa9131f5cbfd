"""Housekeeping: delete (locally and remotely), export, disk usage and clean-up."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.errors import CancelledError, NetworkError, NotFoundError
from get3w_desktop.core.export import METADATA_KEY, read_png_text
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.remix import RecipeSource, read_recipe
from get3w_desktop.core.task import Task
from get3w_desktop.storage.history import HistoryStore, HistoryUnavailableError
from tests.fs_support import read_only

MODEL = "google/nano-banana-pro/text-to-image"
OTHER = "wavespeed-ai/flux-dev"
DAY = 86400.0
NOW = 1_790_000_000.0


def png_bytes(size: tuple[int, int] = (6, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "outputs"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "data" / "history.sqlite3") as opened:
        yield opened


def make_job(
    folder: Path,
    *,
    files: int = 1,
    size: int = 1000,
    model: str = MODEL,
    age_days: float = 1.0,
    state: JobState = JobState.COMPLETED,
    prompt: str = "A sunset over mountains",
    profile: str = "sandbox",
    remote: bool = True,
    png: bool = False,
) -> Job:
    job = Job(model, {"prompt": prompt, "seed": 7}, profile=profile, state=state,
              created_at=NOW - age_days * DAY - 60, submitted_at=NOW - age_days * DAY - 50,
              finished_at=NOW - age_days * DAY)  # fmt: skip
    if remote:
        job = job.evolve(task=Task(id=f"task-{job.local_id[:8]}", status="completed",
                                   model=model, timings={"total": 1234}))  # fmt: skip
    paths = []
    for index in range(files):
        path = folder / f"{job.local_id}_{index}.{'png' if png else 'jpeg'}"
        path.write_bytes(png_bytes() if png else b"j" * size)
        paths.append(str(path))
    return job.evolve(files=tuple(paths))


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# -- delete ----------------------------------------------------------------------------


def test_delete_forgets_tasks_and_removes_only_the_apps_copies(
    store: HistoryStore, outputs: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "Pictures"
    mine.mkdir()
    saved_elsewhere = mine / "keep me.jpeg"
    saved_elsewhere.write_bytes(b"mine")
    first = make_job(outputs, files=2, size=300)
    second = make_job(outputs)
    second = second.evolve(files=(*second.files, str(saved_elsewhere)))
    running = make_job(outputs, state=JobState.RUNNING)
    bystander = make_job(outputs)
    store.save_many([first, second, running, bystander])

    plan = hk.plan_delete([first, second, running], outputs)
    assert [j.local_id for j in plan.skipped] == [running.local_id]
    assert plan.kept_files == (saved_elsewhere,)
    assert len(plan.files) == 3 and plan.bytes == 300 * 2 + 1000

    result = hk.delete_jobs(plan, store)
    assert set(result.forgotten) == {first.local_id, second.local_id}
    assert (result.files_deleted, result.bytes_freed, result.problems) == (3, 1600, ())
    assert store.get(first.local_id) is None and store.get(second.local_id) is None
    assert store.get(running.local_id) is not None and store.get(bystander.local_id) is not None
    assert saved_elsewhere.read_bytes() == b"mine"
    left = {str(p) for p in all_files(outputs)}
    assert left == {*running.files, *bystander.files}


def test_a_file_reached_through_dot_dots_is_not_the_apps_copy(
    outputs: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"x")
    sneaky = outputs / ".." / ".." / "outside.png"
    assert not hk.is_app_copy(sneaky, outputs)
    assert not hk.is_app_copy("relative.png", outputs)
    assert hk.is_app_copy(outputs / "a_0.png", outputs)
    link = outputs / "link"
    link.symlink_to(tmp_path)
    assert not hk.is_app_copy(link / "outside.png", outputs)


class FakeServer:
    """A stand-in for Get3WClient.delete with scripted answers per remote id."""

    def __init__(self, answers: dict[str, Exception | bool] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    def __call__(self, task_id: str) -> bool:
        self.calls.append(task_id)
        answer = self.answers.get(task_id, True)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_remote_delete_goes_first_and_a_failure_keeps_the_rest_locally(
    store: HistoryStore, outputs: Path
) -> None:
    jobs = [make_job(outputs) for _ in range(4)]
    local_only = make_job(outputs, remote=False, state=JobState.FAILED)
    store.save_many([*jobs, local_only])
    ids = [j.remote_id or "" for j in jobs]
    down = NetworkError("The network is down.", maybe_sent=False)
    server = FakeServer({ids[0]: NotFoundError("gone"), ids[2]: down})
    plan = hk.plan_delete([*jobs, local_only], outputs)
    result = hk.delete_jobs(plan, store, delete_remote=server, remote_profile="sandbox")

    assert server.calls == ids[:3]  # stopped at the first real failure
    assert result.remote_deleted == (ids[0], ids[1])  # a 404 counts as already gone
    assert set(result.forgotten) == {jobs[0].local_id, jobs[1].local_id, local_only.local_id}
    assert set(result.kept) == {jobs[2].local_id, jobs[3].local_id}
    assert result.problems == ("2 tasks were kept because the server could not delete them: "
                               "The network is down.",)  # fmt: skip
    for job in jobs[2:]:
        assert store.get(job.local_id) is not None
        assert all(Path(f).exists() for f in job.files)
    for job in (*jobs[:2], local_only):
        assert store.get(job.local_id) is None
        assert not any(Path(f).exists() for f in job.files)


def test_tasks_of_another_account_are_not_sent_to_this_server(
    store: HistoryStore, outputs: Path
) -> None:
    ours, theirs = make_job(outputs, profile="work"), make_job(outputs, profile="home")
    store.save_many([ours, theirs])
    server = FakeServer()
    plan = hk.plan_delete([ours, theirs], outputs)
    result = hk.delete_jobs(plan, store, delete_remote=server, remote_profile="work")
    assert server.calls == [ours.remote_id]
    assert result.kept == (theirs.local_id,) and store.get(theirs.local_id) is not None
    assert "belong to “home”" in result.problems[0]


def test_a_server_without_the_route_keeps_everything_with_a_reason(
    store: HistoryStore, outputs: Path
) -> None:
    jobs = [make_job(outputs) for _ in range(3)]
    store.save_many(jobs)
    server = FakeServer({j.remote_id or "": False for j in jobs})
    result = hk.delete_jobs(hk.plan_delete(jobs, outputs), store, delete_remote=server)
    assert len(server.calls) == 1
    assert result.forgotten == () and len(result.kept) == 3 and store.count() == 3
    assert "does not offer deleting" in result.problems[0]


def test_a_cancel_between_remote_deletes_keeps_what_was_not_deleted(
    store: HistoryStore, outputs: Path
) -> None:
    jobs = [make_job(outputs) for _ in range(5)]
    store.save_many(jobs)
    cancel = threading.Event()

    def delete_then_cancel(task_id: str) -> bool:
        cancel.set()  # the person presses Stop while the first request is on the wire
        return True

    result = hk.delete_jobs(hk.plan_delete(jobs, outputs), store,
                            delete_remote=delete_then_cancel, cancel=cancel)  # fmt: skip
    assert result.forgotten == (jobs[0].local_id,)
    assert store.count() == 4 and len(result.kept) == 4
    assert "stopped" in result.problems[0]


class BrokenRecords:
    def delete(self, local_ids: Iterable[str]) -> int:
        raise HistoryUnavailableError("The history could not be changed: the disk is full.",
                                      path=Path("h"))  # fmt: skip

    def save_many(self, jobs: Iterable[Job]) -> None:
        self.delete([])


def test_when_the_history_cannot_change_no_file_is_deleted(outputs: Path) -> None:
    job = make_job(outputs, files=2)
    with pytest.raises(hk.HousekeepingError, match=r"Nothing was deleted locally.*disk is full"):
        hk.delete_jobs(hk.plan_delete([job], outputs), BrokenRecords())
    assert all(Path(f).exists() for f in job.files)
    old = make_job(outputs, age_days=60)
    plan = hk.plan_cleanup([old], outputs, older_than_days=30, now=NOW)
    with pytest.raises(hk.HousekeepingError, match="Nothing was cleaned up"):
        hk.clean_up(plan, BrokenRecords(), now=NOW)
    assert all(Path(f).exists() for f in old.files)


# -- export ----------------------------------------------------------------------------


def test_export_writes_outputs_with_metadata_a_task_json_and_an_index(
    outputs: Path, tmp_path: Path
) -> None:
    target = tmp_path / "export-here"
    target.mkdir()
    one = make_job(outputs, files=2, png=True)
    two = make_job(outputs, files=1, size=2048, model=OTHER, prompt="A red fox")
    steps: list[tuple[int, int]] = []

    def progress(done: int, total: int, text: str) -> None:
        steps.append((done, total))

    result = hk.export_jobs([one, two], target, now=NOW, progress=progress)

    assert result.folder.parent == target and result.folder.name.startswith("Get3W export ")
    assert [p.name for p in target.iterdir()] == [result.folder.name]  # nothing else left
    assert (result.tasks, result.files, result.missing) == (2, 3, ())
    index = json.loads((result.folder / hk.INDEX_FILE).read_text(encoding="utf-8"))
    assert [t["local_id"] for t in index["tasks"]] == [one.local_id, two.local_id]
    first_dir = result.folder / index["tasks"][0]["folder"]
    pngs = sorted(first_dir.glob("*.png"))
    assert len(pngs) == 2 and all("A sunset over mountains" in p.name for p in pngs)
    record = json.loads(read_png_text(pngs[0].read_bytes())[METADATA_KEY])
    assert record["model"] == MODEL and record["parameters"]["seed"] == 7
    with Image.open(pngs[0]) as image:
        assert image.size == (6, 4)
    task = json.loads((first_dir / hk.TASK_FILE).read_text(encoding="utf-8"))
    assert task["task_id"] == one.remote_id and task["timings_ms"] == {"total": 1234}
    assert task["profile"] == "sandbox" and task["task"]["status"] == "completed"
    assert sorted(task["files"]) == [p.name for p in pngs]
    recipe = read_recipe(first_dir / hk.TASK_FILE)  # an exported task can be remixed
    assert (recipe.model_id, recipe.source, recipe.params["seed"]) == (
        MODEL,
        RecipeSource.SIDECAR,
        7,
    )
    copied = [p for p in all_files(result.folder) if p.suffix == ".jpeg"]
    assert len(copied) == 1 and copied[0].read_bytes() == b"j" * 2048
    assert result.bytes == sum(p.stat().st_size for p in [*pngs, *copied])
    assert steps[-1] == (2, 2) and len(steps) >= 3


def test_export_names_are_safe_unique_and_stay_inside_the_folder(
    outputs: Path, tmp_path: Path
) -> None:
    target = tmp_path / "t"
    target.mkdir()
    hostile = ["../../escape", "CON", "a/b\\c:d*e?f\"g<h>i|j", "\x00\x1b[31m red", "…" * 300,
               "trailing dots...", ""]  # fmt: skip
    jobs = [make_job(outputs, prompt=p) for p in hostile]
    twins = [make_job(outputs, prompt="same") for _ in range(3)]
    twins = [j.evolve(created_at=twins[0].created_at) for j in twins]
    weird = make_job(outputs).evolve(model_id="../..", files=(str(outputs / "x_0.p/n\\g"),))
    result = hk.export_jobs([*jobs, *twins, weird], target)
    folders = [p for p in result.folder.iterdir() if p.is_dir()]
    assert len(folders) == len(jobs) + len(twins) + 1
    assert len({p.name.casefold() for p in folders}) == len(folders)
    for path in result.folder.rglob("*"):
        assert path.resolve().is_relative_to(target.resolve())
        name = path.name
        assert name == name.strip(" .") and not set('<>:"/\\|?*') & set(name)
        assert all(ord(c) >= 32 for c in name) and len(name.encode()) <= 255
        assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert result.missing == ("n\\g",)
    assert not (tmp_path / "escape").exists()


def test_sidecars_are_written_when_asked(outputs: Path, tmp_path: Path) -> None:
    job = make_job(outputs, files=2)
    result = hk.export_jobs([job], tmp_path, options=hk.ExportOptions(sidecars=True))
    sidecars = sorted(result.folder.rglob("*.jpeg.json"))
    assert len(sidecars) == 2
    assert json.loads(sidecars[0].read_text(encoding="utf-8"))["task_id"] == job.remote_id


def test_a_cancelled_export_leaves_nothing(outputs: Path, tmp_path: Path) -> None:
    jobs = [make_job(outputs) for _ in range(4)]
    cancel = threading.Event()

    def progress(done: int, total: int, text: str) -> None:
        if done == 2:
            cancel.set()

    target = tmp_path / "target"
    target.mkdir()
    with pytest.raises(CancelledError):
        hk.export_jobs(jobs, target, cancel=cancel, progress=progress)
    assert cancel.is_set() and list(target.iterdir()) == []


@contextlib.contextmanager
def small_disk(size: str) -> Iterator[Path]:
    """A real, tiny file system (tmpfs); skips where mounting is not allowed."""
    folder = Path(tempfile.mkdtemp(prefix="get3w-small-disk-"))
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, check=False)  # fmt: skip
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()


def test_a_disk_that_fills_up_mid_export_leaves_nothing_behind(
    outputs: Path, tmp_path: Path
) -> None:
    # Each small file takes a whole 4 kB block: the estimate passes, the disk still fills.
    jobs = [make_job(outputs, files=8, size=100) for _ in range(10)]
    with small_disk("256k") as disk:
        with pytest.raises(hk.HousekeepingError, match="The disk is full") as caught:
            hk.export_jobs(jobs, disk)
        assert "ENOSPC" in caught.value.detail or "errno=28" in caught.value.detail
        assert list(disk.iterdir()) == []
        assert shutil.disk_usage(disk).used < 64 * 1024
        small = hk.export_jobs(jobs[:1], disk)  # the same disk works for what fits
        assert small.files == 8


def test_an_export_larger_than_the_free_space_is_refused_up_front(
    outputs: Path, tmp_path: Path
) -> None:
    job = make_job(outputs, size=400 * 1024)
    with small_disk("128k") as disk:
        with pytest.raises(hk.HousekeepingError, match=r"Not enough space.*needs") as caught:
            hk.export_jobs([job], disk)
        needed = re.search(r"needs ([0-9.]+) kB and ([0-9.]+) kB is free", caught.value.message)
        assert needed is not None and float(needed[1]) >= 409.6 > float(needed[2])
        assert list(disk.iterdir()) == []


def test_read_only_and_impossible_targets_are_clear_errors(outputs: Path, tmp_path: Path) -> None:
    job = make_job(outputs)
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder), pytest.raises(hk.HousekeepingError, match="read-only or no permission"):
        hk.export_jobs([job], folder)
    assert list(folder.iterdir()) == []
    plain = tmp_path / "a file"
    plain.write_text("not a folder")
    with pytest.raises(hk.HousekeepingError, match="does not exist"):
        hk.export_jobs([job], plain / "sub")
    with pytest.raises(hk.HousekeepingError, match="does not exist"):
        hk.export_jobs([job], plain)


def test_safe_names() -> None:
    from get3w_desktop.core.filenames import safe_name  # export folders' names come from it

    assert safe_name("a/b:c") == "a b c"
    assert safe_name("nul.txt") == "_nul.txt"
    assert safe_name(" . .. ") == "task"
    assert safe_name("ab" * 100, limit=10) == "ab" * 5
    assert len(safe_name("€" * 100, limit=500).encode()) <= 200
    taken: set[str] = set()
    assert [hk.unique_name(n, taken) for n in ("x.png", "X.PNG", "x.png", ".hidden")] == [
        "x.png", "X (2).PNG", "x (3).png", ".hidden"]  # fmt: skip


# -- usage and clean-up ----------------------------------------------------------------


def test_usage_by_model_and_age_with_missing_orphan_and_outside_files(
    outputs: Path, tmp_path: Path
) -> None:
    recent = make_job(outputs, files=2, size=100, age_days=1)
    month = make_job(outputs, size=1000, age_days=20, model=OTHER)
    old = make_job(outputs, size=5000, age_days=200)
    outside = tmp_path / "mine.jpeg"
    outside.write_bytes(b"o" * 77)
    gone = make_job(outputs, age_days=3).evolve(files=(str(outputs / "vanished_0.png"),
                                                       str(outside)))  # fmt: skip
    cleaned = hk.without_local_copies(old.evolve(local_id="c"), {Path(f) for f in old.files},
                                      when=NOW)  # fmt: skip
    (outputs / "stray_0.png").write_bytes(b"s" * 10)
    (outputs / ".download.part").write_bytes(b"p" * 10)

    usage = hk.disk_usage([recent, month, old, gone, cleaned], outputs, now=NOW)
    assert (usage.tasks, usage.files, usage.bytes) == (3, 4, 6200)
    assert [(r.label, r.bytes) for r in usage.by_model] == [(MODEL, 5200), (OTHER, 1000)]
    assert [(r.tasks, r.files, r.bytes) for r in usage.by_age] == [
        (1, 2, 200), (1, 1, 1000), (0, 0, 0), (1, 1, 5000)]  # fmt: skip
    assert (usage.missing, usage.cleaned) == (1, 1)
    assert (usage.outside_files, usage.outside_bytes) == (1, 77)
    assert (usage.orphan_files, usage.orphan_bytes) == (1, 10)


def test_clean_up_by_age_keeps_tasks_and_says_why_files_are_gone(
    store: HistoryStore, outputs: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "mine.jpeg"
    outside.write_bytes(b"o")
    old = make_job(outputs, files=2, size=100, age_days=40)
    old_mixed = make_job(outputs, size=100, age_days=50)
    old_mixed = old_mixed.evolve(files=(*old_mixed.files, str(outside)))
    fresh = make_job(outputs, age_days=5)
    old_running = make_job(outputs, age_days=90, state=JobState.DOWNLOADING)
    stray = outputs / "forgotten_0.png"
    stray.write_bytes(b"s" * 50)
    os.utime(stray, (NOW - 40 * DAY, NOW - 40 * DAY))
    store.save_many([old, old_mixed, fresh, old_running])

    plan = hk.plan_cleanup(store_jobs(store), outputs, older_than_days=30, now=NOW)
    assert {j.local_id for j in plan.jobs} == {old.local_id, old_mixed.local_id}
    assert (plan.bytes, plan.orphans, plan.total_bytes) == (300, (stray,), 350)
    result = hk.clean_up(plan, store, now=NOW)
    assert (result.files_deleted, result.bytes_freed, result.problems) == (4, 350, ())

    stored = store.get(old.local_id)
    assert stored is not None and stored.files == () and hk.was_cleaned_up(stored)
    assert stored.state is JobState.COMPLETED and stored.params == old.params
    assert "may have expired" in (stored.error or "")
    mixed = store.get(old_mixed.local_id)
    assert mixed is not None and mixed.files == (str(outside),) and not hk.was_cleaned_up(mixed)
    assert outside.exists() and all(Path(f).exists() for f in (*fresh.files, *old_running.files))
    assert hk.disk_usage(store_jobs(store), outputs, now=NOW).cleaned == 1


def store_jobs(store: HistoryStore) -> list[Job]:
    return [entry.job for entry in store.list()]


def test_clean_up_to_a_budget_goes_oldest_first(outputs: Path) -> None:
    jobs = [make_job(outputs, size=1000, age_days=age) for age in (1, 9, 3, 20, 5)]
    plan = hk.plan_cleanup(jobs, outputs, budget_bytes=2500, now=NOW)
    assert [round((NOW - (j.finished_at or 0)) / DAY) for j in plan.jobs] == [20, 9, 5]
    assert plan.bytes == 3000
    none = hk.plan_cleanup(jobs, outputs, budget_bytes=10_000, now=NOW)
    assert none.jobs == () and none.bytes == 0


def test_recent_orphans_are_left_alone(outputs: Path) -> None:
    fresh_stray = outputs / "new_0.png"
    fresh_stray.write_bytes(b"x")
    job = make_job(outputs, age_days=100)
    plan = hk.plan_cleanup([job], outputs, older_than_days=0, now=time.time())
    assert plan.orphans == () and len(plan.jobs) == 1


def test_the_message_says_how_long_the_server_keeps_a_recent_output(outputs: Path) -> None:
    job = make_job(outputs, age_days=2)
    cleaned = hk.without_local_copies(job, {Path(f) for f in job.files}, when=NOW)
    assert cleaned.error is not None and "Get3W keeps the output until about" in cleaned.error
    assert cleaned.error.startswith(hk.CLEANED_PREFIX) and hk.was_cleaned_up(cleaned)
    same = hk.without_local_copies(job, set(), when=NOW)
    assert same is job


def test_format_size() -> None:
    assert [hk.format_size(n) for n in (0, 999, 1000, 1_234_567, 5 * 10**12)] == [
        "0 bytes", "999 bytes", "1.0 kB", "1.2 MB", "5000.0 GB"]  # fmt: skip
