"""File names and PNG text metadata for saved outputs."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from get3w_desktop.core.export import (
    EXAMPLE_SUFFIX,
    METADATA_KEY,
    example_job,
    file_name,
    output_metadata,
    png_with_text,
    read_png_text,
    save_output,
    short_model_name,
    unique_path,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task


def _png(size: tuple[int, int] = (7, 5)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _job(**params: object) -> Job:
    return Job(model_id="wavespeed-ai/flux-dev", params={"prompt": "A red fox, in snow!", **params},
               task=Task(id="abc123", status="completed", timings={"total": 1200}))  # fmt: skip


def test_short_model_names_are_the_part_people_recognise() -> None:
    assert short_model_name("google/nano-banana-pro/text-to-image") == "nano-banana-pro"
    assert short_model_name("wavespeed-ai/flux-dev") == "flux-dev"
    assert short_model_name("solo") == "solo"
    assert short_model_name("") == "output"


def test_png_text_round_trip_keeps_pixels() -> None:
    original = _png()
    meta = output_metadata(_job(seed=7))
    tagged = png_with_text(original, meta)
    texts = read_png_text(tagged)
    assert texts["Description"] == "A red fox, in snow!"
    record = json.loads(texts[METADATA_KEY])
    assert record["model"] == "wavespeed-ai/flux-dev" and record["seed"] == 7
    assert record["task_id"] == "abc123" and record["timings_ms"] == {"total": 1200}
    with Image.open(io.BytesIO(tagged)) as image:  # a real decoder agrees
        image.load()
        assert image.size == (7, 5) and image.getpixel((3, 3)) == (200, 30, 90)
        assert image.info["Description"] == "A red fox, in snow!"


def test_saving_twice_does_not_double_the_text() -> None:
    once = png_with_text(_png(), {"Description": "first"})
    twice = png_with_text(once, {"Description": "second"})
    assert twice.count(b"iTXtDescription") == 1
    assert read_png_text(twice)["Description"] == "second"


@pytest.mark.parametrize("data", [b"", b"GIF89a....", _png()[:30], _png()[:-12]])
def test_broken_pngs_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="PNG"):
        png_with_text(data, {"a": "b"})


def test_save_output_tags_pngs_and_copies_other_files_unchanged(tmp_path: Path) -> None:
    png, jpg = tmp_path / "a.png", tmp_path / "b.jpg"
    png.write_bytes(_png())
    jpg.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out = tmp_path / "out"
    out.mkdir()
    save_output(png, out / "a.png", {"Description": "x"})
    save_output(jpg, out / "b.jpg", {"Description": "x"})
    assert read_png_text((out / "a.png").read_bytes()) == {"Description": "x"}
    assert (out / "b.jpg").read_bytes() == jpg.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.jpg"]  # no .part left


def test_a_failed_save_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "a.png"
    source.write_bytes(_png())
    out = tmp_path / "out"
    out.mkdir()

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        save_output(source, out / "a.png", {"k": "v"})
    assert list(out.iterdir()) == []


def test_unique_path_numbers_clashes(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"x")
    taken: set[str] = set()
    first = unique_path(tmp_path, "a.png", taken)
    second = unique_path(tmp_path, "a.png", taken)
    assert (first.name, second.name) == ("a (2).png", "a (3).png")


def test_save_output_makes_a_folder_that_is_not_there_yet(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    source.write_bytes(_png())
    target = tmp_path / "Pictures" / "Get3W" / "a.png"
    save_output(source, target, {"Description": "x"})
    assert read_png_text(target.read_bytes()) == {"Description": "x"}
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(FileExistsError):  # a file where the folder should be
        save_output(source, blocker / "a.png")


WHEN = dt.datetime(2026, 12, 3, 9, 5, 7)


def test_file_names_come_from_the_job_and_the_pattern() -> None:
    job = Job(
        "wavespeed-ai/flux-dev", {"prompt": "  A fox / in snow ", "seed": 42},
        state=JobState.COMPLETED, task=Task(id="abc123", status="completed"),
    )  # fmt: skip
    assert file_name(job, 1, ".png") == "flux-dev_A fox _ in snow_42.png"
    assert file_name(job, 2, ".png", "{date} {index} {task}", WHEN) == "2026-12-03 2 abc123.png"
    # A random seed (-1) or a bool is no seed; an unusable pattern falls back to the default.
    random = job.evolve(params={"prompt": "fox", "seed": -1})
    assert file_name(random, 1, ".jpg", "{model}-{seed}") == "flux-dev.jpg"
    assert file_name(job, 1, ".png", "{colour}") == file_name(job, 1, ".png")
    assert file_name(Job("m", {}), 1, ".png", "{prompt}") == "output.png"


def test_the_example_task_reads_like_a_real_one() -> None:
    job = example_job()
    assert job.state is JobState.COMPLETED and job.remote_id
    assert job.params["output_format"] == EXAMPLE_SUFFIX.lstrip(".")
    assert file_name(job, 1, EXAMPLE_SUFFIX) == "flux-dev_A sunset over mountains_1234.png"
    assert file_name(job, 1, EXAMPLE_SUFFIX, "{task}") == f"{job.remote_id}.png"
