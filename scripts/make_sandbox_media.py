"""Render the sandbox's short video clips (resources/sandbox/clip_*.mp4).

Needs PyAV and NumPy, which are NOT project dependencies (the clips are committed):
    python3 -m venv /tmp/mediavenv && /tmp/mediavenv/bin/pip install av pillow numpy
    PYTHONPATH=. /tmp/mediavenv/bin/python scripts/make_sandbox_media.py
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "resources" / "sandbox"
CLIPS = {"16x9": (384, 216), "9x16": (216, 384), "1x1": (288, 288), "4x3": (320, 240),
         "3x4": (240, 320), "21x9": (448, 192)}  # fmt: skip
FPS, SECONDS, RATE = 12, 3, 44100


def frame(width: int, height: int, t: float) -> Image.Image:
    y = np.linspace(0.0, 1.0, height)[:, None]
    x = np.linspace(0.0, 1.0, width)[None, :]
    hue = (0.6 + 0.15 * math.sin(t * 0.9)) % 1.0
    r = 40 + 60 * y + 40 * np.sin(x * 3 + t)
    g = 50 + 90 * y * (0.5 + hue)
    b = 120 + 100 * (1 - y) + 20 * np.cos(x * 4 - t)
    image = Image.fromarray(
        np.clip(np.stack([r + 0 * x, g + 0 * x, b], -1), 0, 255).astype("uint8")
    )
    draw = ImageDraw.Draw(image)
    cx = width * (0.5 + 0.35 * math.sin(t * 1.3))
    cy = height * (0.45 + 0.2 * math.cos(t * 1.7))
    radius = min(width, height) * 0.16
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(255, 214, 140))
    font = ImageFont.load_default(size=max(10, min(width, height) // 14))
    draw.text((8, height - 8 - min(width, height) // 14), "Get3W sandbox", font=font,
              fill=(255, 255, 255))  # fmt: skip
    return image


def render(name: str, width: int, height: int) -> None:
    path = OUT / f"clip_{name}.mp4"
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "32", "preset": "veryslow"}
        audio = container.add_stream("aac", rate=RATE)
        audio.bit_rate = 32000
        for i in range(FPS * SECONDS):
            picture = av.VideoFrame.from_image(frame(width, height, i / FPS))
            container.mux(video.encode(picture))
        container.mux(video.encode(None))
        samples = np.arange(RATE * SECONDS) / RATE
        tone = 0.2 * np.sin(2 * np.pi * 330 * samples) * np.exp(-((samples % 1.0) * 3))
        chunk = 1024
        for start in range(0, len(tone), chunk):
            part = tone[start : start + chunk].astype("float32")[None, :]
            sound = av.AudioFrame.from_ndarray(part, format="fltp", layout="mono")
            sound.sample_rate = RATE
            sound.pts = start
            sound.time_base = Fraction(1, RATE)
            container.mux(audio.encode(sound))
        container.mux(audio.encode(None))
    print(f"{path.name}: {path.stat().st_size:,} bytes")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in CLIPS.items():
        render(name, width, height)


if __name__ == "__main__":
    main()
