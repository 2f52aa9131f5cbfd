"""A task's output files: pictures that honour the parameters, sounds, and short videos.

Pictures are painted by `images`; sounds are WAV files written with the stdlib; videos
are short H.264 clips pre-rendered by scripts/make_sandbox_media.py (resources/sandbox/),
chosen by aspect ratio, with an AAC track unless `generate_audio` is false.
"""

from __future__ import annotations

import array
import functools
import hashlib
import io
import math
import sys
import wave
from collections.abc import Mapping
from typing import Any

from get3w_desktop.core.catalogue import parse_size
from get3w_desktop.core.resources import resource_path
from get3w_desktop.sandbox.kinds import render_other
from get3w_desktop.sandbox.state import Output, SandboxTask

LONG_SIDE = {"1k": 1024, "2k": 2048, "4k": 4096, "480p": 854, "720p": 1280, "1080p": 1920}
#: The pre-rendered clips, by aspect ratio (name in resources/sandbox/).
VIDEO_CLIPS = {
    "16x9": 16 / 9,
    "9x16": 9 / 16,
    "1x1": 1.0,
    "4x3": 4 / 3,
    "3x4": 3 / 4,
    "21x9": 21 / 9,
}
AUDIO_RATE = 22050
_PENTATONIC = (0, 2, 4, 7, 9, 12, 14, 16)


def _ratio(text: str) -> float | None:
    left, sep, right = text.partition(":")
    try:
        ratio = float(left) / float(right) if sep else None
    except (ValueError, ZeroDivisionError):
        return None
    return ratio if ratio is not None and math.isfinite(ratio) and ratio > 0 else None


def requested_ratio(params: Mapping[str, Any]) -> float | None:
    """The aspect ratio asked for, from `aspect_ratio` or a `size` of W*H."""
    size = params.get("size")
    parsed = parse_size(size) if isinstance(size, str) else None
    if parsed and parsed[0] > 0 and parsed[1] > 0:
        return parsed[0] / parsed[1]
    ratio = params.get("aspect_ratio")
    return _ratio(ratio) if isinstance(ratio, str) else None


def image_size(params: Mapping[str, Any], render_scale: float = 1.0) -> tuple[int, int]:
    """Pixel size from `size` (W*H), or `aspect_ratio` + `resolution` (1k = 1024 long side)."""
    size = params.get("size")
    parsed = parse_size(size) if isinstance(size, str) else None
    if parsed and parsed[0] > 0 and parsed[1] > 0:
        width, height = float(parsed[0]), float(parsed[1])
    else:
        ratio = requested_ratio(params) or 1.0
        long_side = LONG_SIDE.get(str(params.get("resolution", "1k")).lower(), 1024)
        width, height = (
            (long_side, long_side / ratio) if ratio >= 1 else (long_side * ratio, long_side)
        )
    # Small outputs keep their shape: the short side never drops below 8 pixels.
    scale = max(render_scale, 8 / min(width, height))
    return max(8, round(width * scale)), max(8, round(height * scale))


def render_audio(text: str, speed: float = 1.0) -> bytes:
    """A short, soft melody derived from the text: a real 16-bit mono WAV."""
    digest = hashlib.sha256(text.encode()).digest()
    speed = min(max(speed, 0.5), 2.0)
    root = 196.0 * 2 ** ((digest[0] % 5) / 12)
    notes = [root * 2 ** (_PENTATONIC[b % len(_PENTATONIC)] / 12) for b in digest[1:9]]
    note_len = int(AUDIO_RATE * 0.32 / speed)
    tail = int(AUDIO_RATE * 0.6)
    samples = [0.0] * (note_len * len(notes) + tail)
    for position, frequency in enumerate(notes):
        start = position * note_len
        step = math.tau * frequency / AUDIO_RATE
        for n in range(note_len + tail):
            envelope = min(1.0, n / 200) * math.exp(-4.0 * n / (note_len + tail))
            phase = step * n
            samples[start + n] += 0.28 * envelope * (math.sin(phase) + 0.25 * math.sin(2 * phase))
    drone = math.tau * root / 2 / AUDIO_RATE
    total = len(samples)
    pcm = array.array("h", bytes(2 * total))
    for n, value in enumerate(samples):
        fade = min(1.0, n / 2000, (total - n) / 4000)
        value += 0.08 * fade * math.sin(drone * n)
        pcm[n] = int(max(-1.0, min(1.0, value)) * 32000)
    if sys.byteorder == "big":
        pcm.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(AUDIO_RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


def clip_name(params: Mapping[str, Any]) -> str:
    """The clip file closest to the requested shape, silent when audio was declined."""
    wanted = requested_ratio(params) or 16 / 9
    name = min(VIDEO_CLIPS, key=lambda k: abs(math.log(VIDEO_CLIPS[k] / wanted)))
    silent = params.get("generate_audio") is False
    return f"clip_{name}{'_silent' if silent else ''}.mp4"


@functools.cache
def _clip(name: str) -> bytes:
    return resource_path("sandbox", name).read_bytes()


def render_outputs(task: SandboxTask, render_scale: float) -> list[Output]:
    """Every output file of a completed task (deterministic for the task's parameters)."""
    params = task.params
    kind = task.model.output_kind
    prompt = str(params.get("prompt") or params.get("text") or "")
    outputs = []
    for index in range(task.output_count()):
        if kind in ("3d", "file", "text"):
            data, content_type = render_other(task, index)
        elif kind == "video":
            data, content_type = _clip(clip_name(params)), "video/mp4"
        elif kind == "audio":
            speed = params.get("speed", 1.0)
            speed = float(speed) if isinstance(speed, int | float) else 1.0
            data, content_type = render_audio(f"{prompt}\x00{index}", speed), "audio/wav"
        else:
            seed = params.get("seed", -1)
            if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
                seed = task.image_seed
            size = image_size(params, render_scale)
            fmt = str(params.get("output_format", "png"))
            # Imported here: Pillow (~50 ms) is not needed until a picture is painted, and
            # the app starts its sandbox before its first frame.
            from get3w_desktop.sandbox.images import render_image

            data, content_type = render_image(prompt, seed + index, size, fmt)
        outputs.append(Output(data, content_type, hashlib.sha256(data).hexdigest()))
    return outputs
