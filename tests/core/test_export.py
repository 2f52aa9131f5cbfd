"""File names and PNG text metadata for saved outputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from get3w_desktop.core.export import (
    METADATA_KEY,
    output_metadata,
    png_with_text,
    read_png_text,
    save_output,
    short_model_name,
    unique_path,
)
from get3w_desktop.core.job import Job
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
