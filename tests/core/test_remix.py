"""Remix from file: recipes from saved PNGs, sidecars and history, and hostile files refused."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.export import METADATA_KEY, output_metadata, png_with_text, save_output
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.remix import (
    MAX_RECIPE_BYTES,
    RecipeError,
    RecipeSource,
    UnknownModelError,
    read_recipe,
    sidecar_path,
    write_sidecar,
)
from get3w_desktop.core.task import Task

MODEL = "wavespeed-ai/flux-dev"
FAKE_KEY = "sk_live_0a1b2c3d4e5f60718293a4b5c6d7e8f9"
NO_RECIPE = "This image has no Get3W recipe"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (10, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _job(**params: Any) -> Job:
    task = Task(id="task-123", status="completed", timings={"total": 2500.0},
                extra={"cost": 0.025}, estimated_duration=4.0)  # fmt: skip
    return Job(model_id=MODEL, profile="work", state=JobState.COMPLETED, task=task,
               params={"prompt": "A fox “in” snow\nline two", "seed": 42, "channel": "stable",
                       "size": "1024*1024", **params})  # fmt: skip


def _saved(tmp_path: Path, job: Job, name: str = "out.png") -> Path:
    source = tmp_path / "source.png"
    source.write_bytes(_png())
    return save_output(source, tmp_path / name, output_metadata(job))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_with_chunk(tmp_path: Path, kind: bytes, body: bytes, name: str = "x.png") -> Path:
    data = _png()
    path = tmp_path / name
    path.write_bytes(data[:33] + _chunk(kind, body) + data[33:])  # right after IHDR
    return path


def test_a_saved_png_gives_back_model_parameters_and_task(tmp_path: Path) -> None:
    job = _job()
    recipe = read_recipe(_saved(tmp_path, job))
    assert recipe.model_id == MODEL and recipe.params == dict(job.params)
    assert recipe.task_id == "task-123" and recipe.profile == "work"
    assert recipe.source is RecipeSource.PNG


def test_a_sidecar_round_trips_and_holds_what_the_png_cannot(tmp_path: Path) -> None:
    job = _job()
    output = tmp_path / "fox.webp"
    output.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    written = write_sidecar(job, output)
    assert written == tmp_path / "fox.webp.json" == sidecar_path(output)
    record = json.loads(written.read_text(encoding="utf-8"))
    assert record["cost"] == 0.025 and record["channel"] == "stable" and record["seed"] == 42
    assert record["timings_ms"] == {"total": 2500.0} and record["task_id"] == "task-123"
    assert record["file"] == "fox.webp" and record["status"] == "completed"
    for path in (output, written):  # the output finds its sidecar; the sidecar reads alone
        recipe = read_recipe(path)
        assert recipe.source is RecipeSource.SIDECAR and recipe.params == dict(job.params)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_sidecar_never_holds_a_key(tmp_path: Path) -> None:
    job = _job(negative_prompt=f"ignore {FAKE_KEY}")
    written = write_sidecar(job, tmp_path / "a.png")
    text = written.read_text(encoding="utf-8")
    assert FAKE_KEY not in text and "sk_live" not in text
    assert read_recipe(written).params["negative_prompt"] == "ignore «redacted»"


def test_history_wins_for_files_it_knows(tmp_path: Path) -> None:
    saved = _saved(tmp_path, _job())
    stored = _job(prompt="from history")
    asked: list[Path] = []

    def lookup(path: Path) -> Job | None:
        asked.append(path)
        return stored if path == saved.resolve() else None

    recipe = read_recipe(saved, lookup=lookup)
    assert recipe.source is RecipeSource.HISTORY and recipe.params["prompt"] == "from history"
    assert asked == [saved.resolve()]
    # A file history does not know falls back to its own metadata.
    other = _saved(tmp_path, _job(), "other.png")
    assert read_recipe(other, lookup=lookup).source is RecipeSource.PNG


@pytest.mark.parametrize("name", ["plain.png", "photo.jpg"])
def test_files_without_a_recipe_say_so_plainly(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    Image.new("RGB", (3, 3)).save(path)
    with pytest.raises(RecipeError, match=NO_RECIPE) as caught:
        read_recipe(path)
    assert "stripped" in caught.value.message


def test_other_files_and_missing_ones(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(RecipeError, match="This file has no Get3W recipe"):
        read_recipe(clip)
    with pytest.raises(RecipeError, match="not a file"):
        read_recipe(tmp_path / "gone.png")
    with pytest.raises(RecipeError, match="not a file"):
        read_recipe(tmp_path)


def test_recipes_written_by_other_tools_in_text_and_compressed_chunks(tmp_path: Path) -> None:
    record = json.dumps({"model": MODEL, "parameters": {"prompt": "ztxt"}})
    info = PngImagePlugin.PngInfo()
    info.add_text(METADATA_KEY, record, zip=True)  # Pillow writes zTXt
    path = tmp_path / "z.png"
    Image.new("RGB", (3, 3)).save(path, pnginfo=info)
    assert read_recipe(path).params == {"prompt": "ztxt"}
    compressed = b"get3w\x00\x01\x00\x00\x00" + zlib.compress(record.encode())
    assert read_recipe(_png_with_chunk(tmp_path, b"iTXt", compressed)).model_id == MODEL
    latin = _png_with_chunk(tmp_path, b"tEXt", b"get3w\x00" + record.encode("latin-1"), "t.png")
    assert read_recipe(latin).params == {"prompt": "ztxt"}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a record"),
        ('{"parameters": {}}', "does not name a model"),
        ('{"model": 42, "parameters": {}}', "does not name a model"),
        ('{"model": "../../etc/passwd x", "parameters": {}}', "does not name a model"),
        ('{"model": "a/b", "parameters": "prompt=x"}', "parameters are not"),
        ('{"model": "a/b", "parameters": [1]}', "parameters are not"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_damaged_recipes_are_named_not_crashed_on(
    tmp_path: Path, record: str, expected: str
) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(png_with_text(_png(), {METADATA_KEY: record}))
    with pytest.raises(RecipeError, match=expected):
        read_recipe(path)


def test_wrong_types_in_optional_fields_are_ignored(tmp_path: Path) -> None:
    record = {"model": MODEL, "parameters": {"prompt": "p"}, "task_id": ["x"], "profile": 3,
              "seed": "7"}  # fmt: skip
    path = tmp_path / "odd.png"
    path.write_bytes(png_with_text(_png(), {METADATA_KEY: json.dumps(record)}))
    recipe = read_recipe(path)
    assert recipe.task_id is None and recipe.profile is None and recipe.params == {"prompt": "p"}


def test_huge_text_chunks_are_refused_without_reading_them(tmp_path: Path) -> None:
    big = b"get3w\x00\x00\x00\x00\x00" + b"x" * (MAX_RECIPE_BYTES + 10)
    with pytest.raises(RecipeError, match="too large"):
        read_recipe(_png_with_chunk(tmp_path, b"iTXt", big))
    # Someone else's huge chunk is skipped, and our recipe after it still found.
    other = _chunk(b"tEXt", b"Comment\x00" + b"y" * (MAX_RECIPE_BYTES * 3))
    ours = png_with_text(_png(), output_metadata(_job()))
    path = tmp_path / "both.png"
    path.write_bytes(ours[:33] + other + ours[33:])
    assert read_recipe(path).model_id == MODEL


def test_a_compression_bomb_is_stopped(tmp_path: Path) -> None:
    bomb = zlib.compress(b"{" + b" " * (50 * MAX_RECIPE_BYTES), 9)
    assert len(bomb) < MAX_RECIPE_BYTES // 4
    path = _png_with_chunk(tmp_path, b"zTXt", b"get3w\x00\x00" + bomb)
    with pytest.raises(RecipeError, match="too large"):
        read_recipe(path)


def test_a_chunk_length_beyond_the_file_and_a_bad_checksum(tmp_path: Path) -> None:
    lying = tmp_path / "lying.png"
    lying.write_bytes(_png()[:33] + struct.pack(">I", 0x7FFFFFF0) + b"tEXtget3w\x00{")
    with pytest.raises(RecipeError, match="too large"):
        read_recipe(lying)
    lying.write_bytes(_png()[:33] + struct.pack(">I", 5000) + b"tEXtget3w\x00{")
    with pytest.raises(RecipeError, match="cut short"):
        read_recipe(lying)
    lying.write_bytes(_png()[:33] + struct.pack(">I", 0xFFFFFFFF) + b"IDAT")  # not ours: skipped
    with pytest.raises(RecipeError, match=NO_RECIPE):
        read_recipe(lying)
    good = png_with_text(_png(), output_metadata(_job()))
    start = good.index(b"iTXtget3w")
    flipped = bytearray(good)
    flipped[start + 30] ^= 0x01
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(bytes(flipped))
    with pytest.raises(RecipeError, match="bad checksum"):
        read_recipe(corrupt)


def test_a_damaged_sidecar_falls_back_to_the_png(tmp_path: Path) -> None:
    saved = _saved(tmp_path, _job())
    sidecar_path(saved).write_text("{broken", encoding="utf-8")
    assert read_recipe(saved).source is RecipeSource.PNG
    plain = tmp_path / "plain.png"
    plain.write_bytes(_png())
    sidecar_path(plain).write_text("{broken", encoding="utf-8")
    with pytest.raises(RecipeError, match="not valid JSON"):  # the better explanation
        read_recipe(plain)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_RECIPE_BYTES + 1))
    with pytest.raises(RecipeError, match="too large"):
        read_recipe(huge)


def test_unknown_models_are_reported_with_the_recipe_kept(tmp_path: Path) -> None:
    catalogue = load_bundled()
    assert MODEL in catalogue
    saved = _saved(tmp_path, _job())
    assert read_recipe(saved, known_models=catalogue).model_id == MODEL
    stranger = Job(model_id="someone/new-model", params={"prompt": "p"})
    path = _saved(tmp_path, stranger, "new.png")
    with pytest.raises(UnknownModelError, match="does not know") as caught:
        read_recipe(path, known_models=catalogue)
    assert caught.value.recipe.params == {"prompt": "p"}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(st.text(min_size=1, max_size=12), JSON_VALUES, max_size=6))
def test_any_json_parameters_round_trip_through_png_and_sidecar(
    tmp_path: Path, params: dict[str, Any]
) -> None:
    text = json.dumps(params)
    if "sk_" in text or "whsec_" in text:
        return  # key-shaped text is scrubbed from sidecars on purpose
    job = Job(model_id=MODEL, params=params)
    path = tmp_path / "rt.png"
    path.write_bytes(png_with_text(_png(), output_metadata(job)))
    sidecar_path(path).unlink(missing_ok=True)
    assert read_recipe(path).params == params
    write_sidecar(job, path)
    assert read_recipe(path).params == params
