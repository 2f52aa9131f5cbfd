"""Remix from file: from any saved output back to the model and parameters that made it.

A recipe comes from, in order: the task history (for files in the app's outputs folder,
through a `lookup` callable so this module needs no storage), a JSON sidecar
(`<file>.json`, written by `write_sidecar`), or the PNG text chunk `get3w` written on
save (see `export.py`). Files come from anywhere, so reading is defensive: PNG chunks are
walked by seeking, never loading the image; text is size-capped before it is decoded or
decompressed; every field is type-checked. Failures are `RecipeError`s written for people.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import re
import struct
import zlib
from collections.abc import Callable, Container, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from get3w_desktop import __version__
from get3w_desktop.core.errors import Action, Get3WError
from get3w_desktop.core.export import METADATA_KEY, PNG_SIGNATURE
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.job import Job
from get3w_desktop.core.media import media_kind_of
from get3w_desktop.core.snippets import scrub_params

#: Largest recipe text (JSON) we read; real ones are a few kilobytes.
MAX_RECIPE_BYTES = 1024 * 1024
#: Give up on PNGs with absurdly many chunks rather than walk them for ever.
MAX_PNG_CHUNKS = 100_000
SIDECAR_SUFFIX = ".json"
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.:]{0,199}")
_TEXT_CHUNKS = (b"tEXt", b"iTXt", b"zTXt")
_KEY = METADATA_KEY.encode("latin-1")


class RecipeSource(enum.Enum):
    HISTORY = "history"
    SIDECAR = "sidecar"
    PNG = "png"


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How an output was made: enough to fill the form again."""

    model_id: str
    params: Mapping[str, Any]
    task_id: str | None
    source: RecipeSource
    profile: str | None = None


class RecipeError(Get3WError):
    """A file holds no usable recipe. `message` says why, for people."""

    action = Action.NONE


class UnknownModelError(RecipeError):
    """The recipe is fine but names a model this app does not know; `recipe` keeps it."""

    def __init__(self, message: str, recipe: Recipe) -> None:
        super().__init__(message)
        self.recipe = recipe


def read_recipe(
    path: str | os.PathLike[str],
    *,
    lookup: Callable[[Path], Job | None] | None = None,
    known_models: Container[str] | None = None,
) -> Recipe:
    """The recipe of the file at `path`. Raises RecipeError (UnknownModelError when the
    model is not in `known_models`, if given)."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path.name} is not a file that can be opened.")
    recipe = _read_any(path, lookup)
    if known_models is not None and recipe.model_id not in known_models:
        raise UnknownModelError(
            f"{path.name} was made with “{recipe.model_id}”, a model this version of Get3W "
            "Desktop does not know. Refresh the model list or update the app.",
            recipe,
        )
    return recipe


def _read_any(path: Path, lookup: Callable[[Path], Job | None] | None) -> Recipe:
    if lookup is not None:
        job = lookup(path.resolve())
        if job is not None:
            return recipe_from_job(job)
    sidecar = path if path.suffix.lower() == SIDECAR_SUFFIX else sidecar_path(path)
    sidecar_error: RecipeError | None = None
    if sidecar.is_file():
        try:
            return _parse_record(_read_capped(sidecar), RecipeSource.SIDECAR, sidecar.name)
        except RecipeError as exc:
            if sidecar == path:
                raise
            sidecar_error = exc  # the image itself may still carry one
    text = _png_recipe_text(path)
    if text is not None:
        return _parse_record(text, RecipeSource.PNG, path.name)
    if sidecar_error is not None:
        raise sidecar_error
    kind = "image" if media_kind_of(path) == "image" else "file"
    raise RecipeError(
        f"This {kind} has no Get3W recipe: it was not saved by Get3W Desktop, "
        "or its metadata was stripped."
    )


def recipe_from_job(job: Job) -> Recipe:
    return Recipe(job.model_id, dict(job.params), job.remote_id, RecipeSource.HISTORY, job.profile)


def sidecar_path(output_path: str | os.PathLike[str]) -> Path:
    """`photo.png` -> `photo.png.json` (never clashes with an output named `photo.json`)."""
    output = Path(output_path)
    return output.with_name(output.name + SIDECAR_SUFFIX)


def write_sidecar(job: Job, output_path: str | os.PathLike[str]) -> Path:
    """Write `<output_path>.json` describing how `job` made it, atomically. Never the key.

    Raises OSError (disk full, read-only folder…) with nothing left behind.
    """
    target = sidecar_path(output_path)
    params = scrub_params(job.params)
    record: dict[str, Any] = {
        "model": job.model_id,
        "parameters": params,
        "task_id": job.remote_id,
        "profile": job.profile,
        "file": Path(output_path).name,
        "status": job.state.value,
        "created_at": _iso(job.created_at),
        "app": f"Get3W Desktop {__version__}",
    }
    for name in ("seed", "channel"):
        if params.get(name) is not None:
            record[name] = params[name]
    if job.finished_at is not None:
        record["finished_at"] = _iso(job.finished_at)
    task = job.task
    if task is not None:
        if task.timings:
            record["timings_ms"] = dict(task.timings)
        if task.extra.get("cost") is not None:
            record["cost"] = task.extra["cost"]
        if task.estimated_duration is not None:
            record["estimated_duration"] = task.estimated_duration
    text = json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"
    write_atomically(target, text.encode("utf-8"), shared=True)
    return target


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _read_capped(path: Path) -> str:
    try:
        with path.open("rb") as source:
            data = source.read(MAX_RECIPE_BYTES + 1)
    except OSError as exc:
        raise RecipeError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    if len(data) > MAX_RECIPE_BYTES:
        raise RecipeError(f"{path.name} is too large to be a Get3W recipe.")
    return data.decode("utf-8", "replace")


def _parse_record(text: str, source: RecipeSource, name: str) -> Recipe:
    damaged = f"The Get3W recipe in {name} is damaged"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise RecipeError(f"{damaged} (it is not valid JSON).") from None
    if not isinstance(data, dict):
        raise RecipeError(f"{damaged} (it is not a record).")
    model = data.get("model")
    if not isinstance(model, str) or not _MODEL_ID.fullmatch(model.strip()):
        raise RecipeError(f"{damaged}: it does not name a model.")
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        raise RecipeError(f"{damaged}: its parameters are not a set of named values.")
    params = dict(params)
    seed = data.get("seed")
    if "seed" not in params and isinstance(seed, int) and not isinstance(seed, bool):
        params["seed"] = seed
    return Recipe(model.strip(), params, _short_text(data.get("task_id")), source,
                  _short_text(data.get("profile")))  # fmt: skip


def _short_text(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def _png_recipe_text(path: Path) -> str | None:
    """The `get3w` text of a PNG, or None when it is not a PNG or has none."""
    try:
        with path.open("rb") as source:
            if source.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
                return None
            return _walk_chunks(source, path.name)
    except OSError as exc:
        raise RecipeError(f"Could not read {path.name}: {exc.strerror or exc}.") from None


def _walk_chunks(source: BinaryIO, name: str) -> str | None:
    for _ in range(MAX_PNG_CHUNKS):
        head = source.read(8)
        if len(head) < 8:
            return None
        (length,) = struct.unpack(">I", head[:4])
        kind = head[4:]
        if kind == b"IEND" or length > 0x7FFFFFFF:
            return None
        if kind in _TEXT_CHUNKS:
            start = source.tell()
            keyword = source.read(min(length, 80)).split(b"\x00", 1)[0]
            if keyword == _KEY:
                if length > MAX_RECIPE_BYTES:
                    raise RecipeError(f"The Get3W recipe in {name} is too large to read.")
                source.seek(start)
                body = source.read(length)
                crc = source.read(4)
                if len(body) < length or len(crc) < 4:
                    raise RecipeError(
                        f"The Get3W recipe in {name} is damaged (the file is cut short)."
                    )
                if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
                    raise RecipeError(f"The Get3W recipe in {name} is damaged (bad checksum).")
                return _decode_text(kind, body, name)
            source.seek(start + length + 4)
        else:
            source.seek(length + 4, os.SEEK_CUR)
    return None


def _decode_text(kind: bytes, body: bytes, name: str) -> str:
    damaged = RecipeError(f"The Get3W recipe in {name} is damaged (unreadable text chunk).")
    rest = body.split(b"\x00", 1)[1] if b"\x00" in body else b""
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        if not rest or rest[0] != 0:
            raise damaged
        return _inflate(rest[1:], damaged).decode("latin-1")
    # iTXt: compression flag, method, language tag NUL, translated keyword NUL, text
    if len(rest) < 2:
        raise damaged
    flag, method = rest[0], rest[1]
    parts = rest[2:].split(b"\x00", 2)
    if len(parts) < 3:
        raise damaged
    text = parts[2]
    if flag == 1:
        if method != 0:
            raise damaged
        text = _inflate(text, damaged)
    elif flag != 0:
        raise damaged
    return text.decode("utf-8", "replace")


def _inflate(data: bytes, damaged: RecipeError) -> bytes:
    """zlib-decompress at most MAX_RECIPE_BYTES: a tiny chunk may expand to gigabytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_RECIPE_BYTES)
    except zlib.error:
        raise damaged from None
    if inflater.unconsumed_tail:
        raise RecipeError("The Get3W recipe is too large to read.")
    return out
