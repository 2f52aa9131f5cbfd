"""Real outputs for sandbox tasks: images that honour the parameters, sounds, and video.

Images are drawn with Pillow from a hash of (prompt, seed): the same inputs give the same
bytes, different ones a visibly different picture. Videos are short pre-rendered MP4 clips
(resources/sandbox/, made by scripts/make_sandbox_media.py) chosen by aspect ratio.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import struct
import wave
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from get3w_desktop.core.catalogue import parse_size
from get3w_desktop.core.resources import resource_path

LONG_SIDE = {"1k": 1024, "2k": 2048, "4k": 4096, "480p": 854, "720p": 1280, "1080p": 1920}
#: Drawn at most this large, then resized: keeps a 4k render fast.
_DRAW_LIMIT = 1024
VIDEO_CLIPS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:3": 4 / 3, "3:4": 3 / 4,
               "21:9": 21 / 9}  # fmt: skip


def _ratio(text: str) -> float | None:
    left, sep, right = text.partition(":")
    try:
        return float(left) / float(right) if sep else None
    except (ValueError, ZeroDivisionError):
        return None


def image_size(params: Mapping[str, Any], render_scale: float = 1.0) -> tuple[int, int]:
    """Pixel size from `size` (W*H), or `aspect_ratio` + `resolution`."""
    size = params.get("size")
    parsed = parse_size(size) if isinstance(size, str) else None
    if parsed:
        width, height = parsed
    else:
        ratio = _ratio(str(params.get("aspect_ratio", "1:1"))) or 1.0
        long_side = LONG_SIDE.get(str(params.get("resolution", "1k")), 1024)
        if ratio >= 1:
            width, height = long_side, round(long_side / ratio)
        else:
            width, height = round(long_side * ratio), long_side
    scale = max(render_scale, 0.01)
    return max(8, round(width * scale)), max(8, round(height * scale))


def _palette(digest: bytes) -> list[tuple[int, int, int]]:
    base = digest[0] / 255.0
    colours = []
    for i, (sat, light) in enumerate(((0.55, 0.30), (0.65, 0.55), (0.70, 0.65), (0.45, 0.80))):
        hue = (base + i * 0.11 + digest[i + 1] / 2550.0) % 1.0
        r, g, b = colorsys.hls_to_rgb(hue, light, sat)
        colours.append((round(r * 255), round(g * 255), round(b * 255)))
    return colours


def render_image(prompt: str, seed: int, size: tuple[int, int], fmt: str) -> tuple[bytes, str]:
    """A deterministic, pleasant picture for (prompt, seed); bytes and media type."""
    digest = hashlib.sha256(f"{prompt}\x00{seed}".encode()).digest()
    width, height = size
    shrink = min(1.0, _DRAW_LIMIT / max(width, height))
    w, h = max(8, round(width * shrink)), max(8, round(height * shrink))
    dark, mid, bright, pale = _palette(digest)
    top = Image.new("RGB", (1, 2))
    top.putpixel((0, 0), dark)
    top.putpixel((0, 1), mid)
    canvas = top.resize((w, h), Image.Resampling.BILINEAR).convert("RGBA")
    glow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(glow)
    for i in range(7):
        cx = digest[4 + i] / 255 * w
        cy = digest[11 + i] / 255 * h
        radius = (0.12 + digest[18 + i] / 255 * 0.3) * min(w, h)
        colour = (bright, pale, mid)[i % 3]
        alpha = 90 + digest[25 + (i % 7)] % 110
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*colour, alpha))
    glow = glow.filter(ImageFilter.GaussianBlur(radius=max(2, min(w, h) // 14)))
    canvas = Image.alpha_composite(canvas, glow)
    horizon = ImageDraw.Draw(canvas)
    y = h * (0.55 + digest[30] / 255 * 0.2)
    points = [(x, y + math.sin(x / w * math.tau * (1 + digest[31] % 3)) * h * 0.04)
              for x in range(0, w + 8, 8)]  # fmt: skip
    horizon.polygon([(0, h), *points, (w, h)], fill=(*dark, 150))
    _caption(canvas, prompt)
    image = canvas.convert("RGB")
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fmt = fmt.lower()
    if fmt in ("jpeg", "jpg"):
        image.save(out, "JPEG", quality=90)
        return out.getvalue(), "image/jpeg"
    if fmt == "webp":
        image.save(out, "WEBP", quality=90)
        return out.getvalue(), "image/webp"
    image.save(out, "PNG", compress_level=3)
    return out.getvalue(), "image/png"


def _caption(canvas: Image.Image, prompt: str) -> None:
    w, h = canvas.size
    draw = ImageDraw.Draw(canvas)
    size = max(9, min(w, h) // 36)
    try:
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont = ImageFont.load_default(size=size)
    except (OSError, TypeError, ValueError):
        font = ImageFont.load_default()
    text = prompt.strip().replace("\n", " ")
    if len(text) > 70:
        text = text[:69] + "…"
    margin = max(6, size)
    if text:
        draw.text((margin + 1, h - margin - size + 1), text, font=font, fill=(0, 0, 0, 120))
        draw.text((margin, h - margin - size), text, font=font, fill=(255, 255, 255, 220))
    label = "Get3W sandbox"
    box = draw.textbbox((0, 0), label, font=font)
    draw.text((w - margin - (box[2] - box[0]), margin), label, font=font,
              fill=(255, 255, 255, 150))  # fmt: skip


def render_audio(text: str, seconds: float = 2.5, rate: int = 22050) -> bytes:
    """A short, soft melody derived from the text: a real 16-bit mono WAV."""
    digest = hashlib.sha256(text.encode()).digest()
    scale = (0, 2, 4, 7, 9, 12, 14)  # a pentatonic-ish major scale
    notes = [220.0 * 2 ** (scale[b % len(scale)] / 12) for b in digest[:8]]
    per_note = int(rate * seconds / len(notes))
    frames = bytearray()
    for frequency in notes:
        for n in range(per_note):
            t = n / rate
            envelope = min(1.0, n / (0.02 * rate)) * math.exp(-3.0 * n / per_note)
            sample = 0.35 * envelope * (math.sin(math.tau * frequency * t)
                                        + 0.3 * math.sin(math.tau * 2 * frequency * t))  # fmt: skip
            frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def video_clip(params: Mapping[str, Any]) -> bytes:
    """The pre-rendered clip closest to the requested aspect ratio."""
    wanted = _ratio(str(params.get("aspect_ratio", ""))) if params.get("aspect_ratio") else None
    if wanted is None and isinstance(params.get("size"), str):
        parsed = parse_size(str(params["size"]))
        wanted = parsed[0] / parsed[1] if parsed and parsed[1] else None
    wanted = wanted or 16 / 9
    name = min(VIDEO_CLIPS, key=lambda k: abs(math.log(VIDEO_CLIPS[k] / wanted)))
    return resource_path("sandbox", f"clip_{name.replace(':', 'x')}.mp4").read_bytes()
