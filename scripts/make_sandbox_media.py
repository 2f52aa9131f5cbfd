"""Render the sandbox's short video clips (resources/sandbox/clip_*.mp4).

Each aspect ratio gets a clip with an AAC track and a `_silent` one without (served when
a request says generate_audio=false). Frames are the sandbox's own landscape drifting with
parallax; the sound is the sandbox's own melody. H.264 at a high CRF keeps each clip to
a few tens of KB.

Needs PyAV and NumPy, which are NOT project dependencies (the clips are committed):
    python3 -m venv /tmp/mediavenv && /tmp/mediavenv/bin/pip install av pillow numpy
    PYTHONPATH=. /tmp/mediavenv/bin/python scripts/make_sandbox_media.py
"""

from __future__ import annotations

import io
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from get3w_desktop.sandbox.images import scene
from get3w_desktop.sandbox.media import AUDIO_RATE, render_audio

OUT = Path(__file__).resolve().parents[1] / "resources" / "sandbox"
CLIPS = {
    "16x9": (384, 216),
    "9x16": (216, 384),
    "1x1": (288, 288),
    "4x3": (320, 240),
    "3x4": (240, 320),
    "21x9": (448, 192),
}
FPS, SECONDS = 12, 3
PROMPT = "Get3W sandbox video"


def melody() -> np.ndarray:
    """The sandbox's tone sequence as float samples, cut to the clip's length."""
    with wave.open(io.BytesIO(render_audio(PROMPT, speed=1.3))) as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    samples = pcm.astype("float32") / 32768.0
    length = AUDIO_RATE * SECONDS
    samples = np.pad(samples, (0, max(0, length - len(samples))))[:length]
    fade = np.minimum(1.0, (length - np.arange(length)) / (AUDIO_RATE * 0.3))
    return (samples * fade).astype("float32")


def render(name: str, width: int, height: int, with_audio: bool) -> Path:
    path = OUT / f"clip_{name}{'' if with_audio else '_silent'}.mp4"
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "33", "preset": "veryslow", "tune": "animation"}
        audio = container.add_stream("aac", rate=AUDIO_RATE) if with_audio else None
        if audio is not None:
            audio.bit_rate = 24000
            audio.layout = "mono"
        for i in range(FPS * SECONDS):
            picture = scene(PROMPT, 6, (width, height), t=i / FPS)
            container.mux(video.encode(av.VideoFrame.from_image(picture)))
        container.mux(video.encode(None))
        if audio is not None:
            samples, chunk = melody(), 1024
            for start in range(0, len(samples), chunk):
                part = samples[start : start + chunk][None, :]
                sound = av.AudioFrame.from_ndarray(part, format="fltp", layout="mono")
                sound.sample_rate = AUDIO_RATE
                sound.pts = start
                sound.time_base = Fraction(1, AUDIO_RATE)
                container.mux(audio.encode(sound))
            container.mux(audio.encode(None))
    return path


def check(path: Path, width: int, height: int, with_audio: bool) -> None:
    """The clip is an MP4 that decodes to frames of the right size (and sound if wanted)."""
    head = path.read_bytes()[:12]
    assert head[4:8] == b"ftyp", f"{path.name} does not start with an ftyp box"
    with av.open(str(path)) as container:
        kinds = sorted(s.type for s in container.streams)
        assert kinds == (["audio", "video"] if with_audio else ["video"]), kinds
        frames = list(container.decode(video=0))
        assert len(frames) == FPS * SECONDS
        assert (frames[0].width, frames[0].height) == (width, height)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in CLIPS.items():
        for with_audio in (True, False):
            path = render(name, width, height, with_audio)
            check(path, width, height, with_audio)
            print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
