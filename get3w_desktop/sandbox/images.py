"""Pictures for sandbox outputs: a small landscape painted from a hash of (prompt, seed).

The same prompt and seed give the same bytes; anything else gives a visibly different
scene (time of day, hue, ridges, water, clouds or stars). The prompt is written small in
a corner and a discreet "Get3W sandbox" label says what this is. `scene(t=…)` moves the
layers with parallax, which is how scripts/make_sandbox_media.py animates the clips.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Painted at most this large, then resized: a 4k picture costs little more than a 1k one.
DRAW_LIMIT = 1024
LABEL = "Get3W sandbox"
RGB = tuple[int, int, int]
_MOODS = {  # sky lightness top/bottom, saturation, ridge lightness (near)
    "night": (0.08, 0.26, 0.45, 0.06),
    "dawn": (0.32, 0.72, 0.55, 0.18),
    "day": (0.55, 0.86, 0.50, 0.26),
    "dusk": (0.22, 0.62, 0.65, 0.12),
}
#: Blues to violets, pinks to oranges, teals: skies that look like skies.
_SKY_HUES = ((0.52, 0.78), (0.86, 1.08), (0.02, 0.1), (0.46, 0.52))
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "jpg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


def _hls(hue: float, light: float, sat: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, max(0.0, min(1.0, light)), max(0.0, min(1.0, sat)))
    return round(r * 255), round(g * 255), round(b * 255)


def _mix(a: RGB, b: RGB, amount: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * amount),
        round(a[1] + (b[1] - a[1]) * amount),
        round(a[2] + (b[2] - a[2]) * amount),
    )


def scene(prompt: str, seed: int, size: tuple[int, int], t: float = 0.0) -> Image.Image:
    """An RGB picture of `size` for (prompt, seed); `t` (seconds) drifts it for video."""
    digest = hashlib.sha256(f"{prompt}\x00{seed}".encode()).digest()
    rng = random.Random(digest)
    width, height = size
    shrink = min(1.0, DRAW_LIMIT / max(width, height))
    w, h = max(8, round(width * shrink)), max(8, round(height * shrink))

    mood = rng.choice(tuple(_MOODS))
    top_l, bottom_l, sat, near_l = _MOODS[mood]
    low, high = (0.58, 0.74) if mood == "night" else rng.choice(_SKY_HUES)
    hue = rng.uniform(low, high)
    warm = rng.uniform(0.04, 0.16) * rng.choice((-1, 1))
    sky_top, sky_bottom = _hls(hue, top_l, sat), _hls(hue + warm, bottom_l, sat * 0.9)
    near = _hls(hue - warm * 0.5, near_l, 0.35)

    mask = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    image = Image.composite(
        Image.new("RGB", (w, h), sky_bottom), Image.new("RGB", (w, h), sky_top), mask
    )
    if mood == "night":
        _stars(image, rng)
    _sun(image, rng, mood, t)
    if mood != "night" or rng.random() < 0.4:
        _clouds(image, rng, sky_bottom, t)
    layers = rng.randint(3, 5)
    water = rng.random() < 0.35
    for index in range(layers - (1 if water else 0)):
        depth = index / max(1, layers - 1)  # 0 = farthest
        colour = _mix(sky_bottom, near, 0.35 + 0.65 * depth)
        _ridge(image, rng, colour, 0.42 + 0.38 * depth, 1 + 3 * depth, t)
        if index < layers - 1:  # haze: each further layer fades towards the sky
            image = Image.blend(image, Image.new("RGB", (w, h), sky_bottom), 0.12)
    if water:
        _water(image, rng, near)
    image = _vignette(image)
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.BICUBIC)
    _captions(image, prompt)
    return image


def _stars(image: Image.Image, rng: random.Random) -> None:
    w, h = image.size
    draw = ImageDraw.Draw(image)
    for _ in range(max(20, w * h // 9000)):
        x, y = rng.uniform(0, w), rng.uniform(0, h * 0.6) ** 1.1
        light = rng.randint(150, 255)
        radius = rng.choice((0.5, 0.8, 1.2))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(light,) * 3)


def _sun(image: Image.Image, rng: random.Random, mood: str, t: float) -> None:
    w, h = image.size
    radius = min(w, h) * rng.uniform(0.05, 0.1)
    x = w * rng.uniform(0.2, 0.8)
    y = h * rng.uniform(0.22, 0.42) - t * h * 0.04
    colour = _hls(0.14, 0.92, 0.4) if mood == "night" else _hls(rng.uniform(0.06, 0.15), 0.8, 0.95)
    glow = Image.new("L", (w, h), 0)
    ImageDraw.Draw(glow).ellipse(
        (x - radius * 3, y - radius * 3, x + radius * 3, y + radius * 3), fill=110
    )
    glow = glow.filter(ImageFilter.GaussianBlur(radius * 1.6))
    image.paste(colour, (0, 0, w, h), glow)
    ImageDraw.Draw(image).ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _clouds(image: Image.Image, rng: random.Random, tint: RGB, t: float) -> None:
    w, h = image.size
    layer = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(3, 7)):
        cx = (rng.uniform(0, w) + t * w * 0.04) % (w * 1.2) - w * 0.1
        cy = rng.uniform(0.08, 0.4) * h
        rx, ry = rng.uniform(0.08, 0.22) * w, rng.uniform(0.015, 0.04) * h
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=rng.randint(60, 120))
    layer = layer.filter(ImageFilter.GaussianBlur(max(2.0, h * 0.02)))
    image.paste(_mix(tint, (255, 255, 255), 0.6), (0, 0, w, h), layer)


def _ridge(
    image: Image.Image, rng: random.Random, colour: RGB, base: float, speed: float, t: float
) -> None:
    """One range of hills: a sum of sines, rougher and lower on the screen when nearer."""
    w, h = image.size
    waves = [
        (rng.uniform(0.5, 1.0) / k, rng.uniform(0.6, 1.4) * k, rng.uniform(0, math.tau))
        for k in (1, 2, 4, 9)
    ]
    amplitude = h * rng.uniform(0.05, 0.12)
    shift = t * speed * 0.05
    step = max(2, w // 256)
    points = [
        (
            float(x),
            h * base
            - amplitude
            * sum(a * math.sin(math.tau * f * (x / w + shift) + p) for a, f, p in waves),
        )
        for x in range(0, w + step, step)
    ]
    ImageDraw.Draw(image).polygon([(0, h), *points, (w, h)], fill=colour)


def _water(image: Image.Image, rng: random.Random, deep: RGB) -> None:
    """A lake: what is above the waterline, mirrored, darkened, with ripples."""
    w, h = image.size
    line = round(h * rng.uniform(0.66, 0.78))
    mirrored = image.crop((0, max(0, 2 * line - h), w, line)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    mirrored = Image.blend(mirrored, Image.new("RGB", mirrored.size, deep), 0.45)
    draw = ImageDraw.Draw(mirrored)
    for _ in range(max(6, h // 25)):
        y = rng.uniform(0, mirrored.height)
        x = rng.uniform(-0.1, 0.9) * w
        draw.line((x, y, x + rng.uniform(0.05, 0.3) * w, y), fill=_mix(deep, (255, 255, 255), 0.35))
    image.paste(mirrored.filter(ImageFilter.GaussianBlur(max(1.0, h / 400))), (0, line))


def _vignette(image: Image.Image) -> Image.Image:
    w, h = image.size
    mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    mask = mask.point(lambda v: max(0, v - 128) // 2)
    return Image.composite(Image.new("RGB", (w, h), (0, 0, 0)), image, mask)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError, ValueError):  # a Pillow without FreeType
        return ImageFont.load_default()


def _captions(image: Image.Image, prompt: str) -> None:
    w, h = image.size
    size = max(9, min(w, h) // 40)
    font = _font(size)
    draw = ImageDraw.Draw(image, "RGBA")
    margin = max(4, size)
    text = " ".join(prompt.split())
    limit = w * 0.7
    if text and draw.textlength(text, font=font) > limit:
        while text and draw.textlength(text + "…", font=font) > limit:
            text = text[:-1]
        text = text.rstrip() + "…"
    if text:
        box = draw.textbbox((margin, h - margin - size), text, font=font)
        pad = max(2, size // 3)
        draw.rounded_rectangle(
            (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), radius=pad, fill=(0, 0, 0, 90)
        )
        draw.text((margin, h - margin - size), text, font=font, fill=(255, 255, 255, 230))
    label_width = draw.textlength(LABEL, font=font)
    draw.text((w - margin - label_width, margin), LABEL, font=font, fill=(255, 255, 255, 140))


def render_image(prompt: str, seed: int, size: tuple[int, int], fmt: str) -> tuple[bytes, str]:
    """Encoded bytes and media type of scene(prompt, seed) at `size` in `fmt`."""
    pil_format, media_type = FORMATS.get(fmt.lower(), FORMATS["png"])
    out = io.BytesIO()
    picture = scene(prompt, seed, size)
    if pil_format == "PNG":
        picture.save(out, pil_format, compress_level=3)
    else:
        picture.save(out, pil_format, quality=88)
    return out.getvalue(), media_type
