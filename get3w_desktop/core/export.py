"""Saving outputs where people want them: good file names, and how each was made.

Saved PNGs carry the prompt and parameters as text chunks (iTXt, UTF-8), written into
the file's bytes as they are: the pixels are never re-encoded. Other formats are copied
unchanged. Every write goes to a temporary file first and is renamed into place, so a
full disk or a crash never leaves half a file under the chosen name.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from get3w_desktop import __version__
from get3w_desktop.core.filenames import DEFAULT_PATTERN, render_filename
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The text chunk keyword holding the JSON record of how an output was made.
METADATA_KEY = "get3w"


def short_model_name(model_id: str) -> str:
    """The part of a model id people recognise: "google/nano-banana-pro/text-to-image" ->
    "nano-banana-pro", "wavespeed-ai/flux-dev" -> "flux-dev"."""
    parts = [part for part in model_id.split("/") if part]
    if not parts:
        return "output"
    return parts[1] if len(parts) >= 2 else parts[0]


def file_name(
    job: Job, index: int, suffix: str, pattern: str | None = None,
    when: _dt.datetime | None = None,
) -> str:  # fmt: skip
    """The name output `index` (from 1) of `job` is saved under, from the Settings
    `pattern` (None: the built-in one). Save…, Save all, auto-save and the Settings
    example all name files here, so the example is what Save… proposes."""
    seed = job.params.get("seed")
    try:
        return render_filename(
            pattern or DEFAULT_PATTERN, model=short_model_name(job.model_id), prompt=job.prompt,
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            index=index, task=job.remote_id or "", when=when, extension=suffix,
        )  # fmt: skip
    except ValueError:  # a pattern the settings dialog would have refused
        return file_name(job, index, suffix, None, when) if pattern else f"output{suffix}"


#: The suffix of the example task's output (its output_format is png).
EXAMPLE_SUFFIX = ".png"


def example_job() -> Job:
    """A representative finished task (model · prompt · seed, a server id) whose first
    output's `file_name` is the example Settings shows for a pattern."""
    return Job(
        model_id="wavespeed-ai/flux-dev",
        params={"prompt": "A sunset over mountains", "seed": 1234, "output_format": "png"},
        state=JobState.COMPLETED,
        task=Task(id="8f14e45fceea167a5a36dedd4bea2543", status="completed"),
    )


def output_metadata(job: Job) -> dict[str, str]:
    """Text fields describing how `job`'s outputs were made (never the key)."""
    record: dict[str, Any] = {
        "model": job.model_id,
        "parameters": dict(job.params),
        "profile": job.profile,
        "task_id": job.remote_id,
        "app": f"Get3W Desktop {__version__}",
    }
    seed = job.params.get("seed")
    if seed is not None:
        record["seed"] = seed
    if job.task is not None and job.task.timings:
        record["timings_ms"] = dict(job.task.timings)
    texts = {
        "Software": f"Get3W Desktop {__version__}",
        METADATA_KEY: json.dumps(record, ensure_ascii=False, sort_keys=True, default=str),
    }
    if job.prompt:
        texts["Description"] = job.prompt
    return texts


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt(keyword: str, text: str) -> bytes:
    key = keyword.encode("latin-1")[:79]
    # keyword, NUL, compression flag 0, method 0, empty language tag, empty translated key
    return _chunk(b"iTXt", key + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def png_with_text(data: bytes, texts: Mapping[str, str]) -> bytes:
    """`data` (a PNG) with `texts` added as iTXt chunks right after IHDR.

    Existing chunks with the same keywords are dropped so a re-save never doubles them.
    Raises ValueError when `data` is not a well-formed PNG.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks: list[bytes] = []
    pos = len(PNG_SIGNATURE)
    keys = {k.encode("latin-1") for k in texts}
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG chunk")
        body = data[pos + 8 : pos + 8 + length]
        if kind in (b"tEXt", b"iTXt", b"zTXt") and body.split(b"\x00", 1)[0] in keys:
            pass  # replaced below
        else:
            chunks.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][4:8] != b"IHDR" or chunks[-1][4:8] != b"IEND":
        raise ValueError("PNG without IHDR or IEND")
    extra = [_itxt(key, value) for key, value in texts.items()]
    return PNG_SIGNATURE + chunks[0] + b"".join(extra) + b"".join(chunks[1:])


def read_png_text(data: bytes) -> dict[str, str]:
    """The tEXt and uncompressed iTXt fields of a PNG (for tests and "remix from file")."""
    if not data.startswith(PNG_SIGNATURE):
        return {}
    out: dict[str, str] = {}
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt" and b"\x00" in body:
            key, value = body.split(b"\x00", 1)
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt" and b"\x00" in body:
            key, rest = body.split(b"\x00", 1)
            if len(rest) >= 2 and rest[0] == 0:
                _lang, _translated, text = rest[2:].split(b"\x00", 2)
                out[key.decode("latin-1")] = text.decode("utf-8", "replace")
        pos += 12 + length
        if kind == b"IEND":
            break
    return out


def save_output(source: str | Path, destination: str | Path,
                metadata: Mapping[str, str] | None = None) -> Path:  # fmt: skip
    """Copy `source` to `destination` atomically (creating its folder); PNGs get
    `metadata` as text chunks.

    A PNG that cannot be parsed is copied unchanged rather than refused: the person
    asked for the file, and the metadata is a bonus. Raises OSError (disk full,
    read-only folder, …) with nothing left behind under either name.
    """
    source, destination = Path(source), Path(destination)
    data = source.read_bytes()
    destination.parent.mkdir(parents=True, exist_ok=True)  # a folder that is not there yet
    if metadata and data.startswith(PNG_SIGNATURE):
        with contextlib.suppress(ValueError):
            data = png_with_text(data, metadata)
    return write_atomically(destination, data, shared=True)


def unique_path(folder: Path, name: str, taken: set[str] | None = None) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`… when that exists (or is in `taken`)."""
    taken = taken if taken is not None else set()
    stem, suffix = os.path.splitext(name)
    candidate, n = folder / name, 1
    while candidate.exists() or str(candidate) in taken:
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    taken.add(str(candidate))
    return candidate
