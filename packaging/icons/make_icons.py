"""Draw the Get3W Desktop icon for every platform from one vector description.

A rounded square with a diagonal indigo-to-magenta gradient and a white "3W" drawn as
round-capped strokes (no font: the same shapes on every machine), plus a small spark.
Writes, next to this file:

    get3w-desktop.svg            scalable (Linux hicolor/scalable, docs)
    get3w-desktop.png            512 px
    get3w-desktop.ico            Windows: 16, 20, 24, 32, 40, 48, 64, 128, 256
    get3w-desktop.icns           macOS: 16 … 1024
    hicolor/<n>x<n>/apps/get3w-desktop.png   Linux: 16 … 512

Every bitmap is rendered at 4x and downsampled, so each size is drawn, not shrunk from
the largest. Run with the project's venv (needs Pillow): `.venv/bin/python
packaging/icons/make_icons.py`; the outputs are committed.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
NAME = "get3w-desktop"
UNIT = 256.0  # the design grid
RADIUS = 58.0  # corner radius of the square
TOP_LEFT, BOTTOM_RIGHT = (0x4F, 0x46, 0xE5), (0xD9, 0x46, 0xEF)  # indigo -> fuchsia
STROKE = 24.0
SUPERSAMPLE = 4
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)

Point = tuple[float, float]


def _arc(cx: float, cy: float, r: float, start: float, end: float, steps: int = 48) -> list[Point]:
    """Points on a circle from `start` to `end` degrees (0 = east, clockwise, y down)."""
    return [
        (
            cx + r * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + r * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def strokes() -> list[list[Point]]:
    """The "3" (two arcs meeting at the waist) and the "W", in design units."""
    waist = (73.0, 123.0)
    three_top = _arc(73, 97, 26, 200, 450)  # from the upper left round to the waist
    three_bottom = _arc(73, 154, 31, 270, 520)  # from the waist round to the lower left
    three = [*three_top[:-1], waist, *three_bottom[1:]]
    w = [(140.0, 81.0), (155.0, 173.0), (174.0, 113.0), (193.0, 173.0), (208.0, 81.0)]
    return [three, w]


def spark() -> list[Point]:
    """A four-pointed star in the upper right: generation."""
    cx, cy, outer, inner = 216.0, 44.0, 18.0, 4.5
    points: list[Point] = []
    for i in range(8):
        r = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 45 * i)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def stroke_width(size: int) -> float:
    """Small icons get bolder strokes (and no spark): detail turns to mud below 32 px."""
    return STROKE if size >= 32 else STROKE * 1.2


def render(size: int) -> Image.Image:
    scale = size * SUPERSAMPLE / UNIT
    side = size * SUPERSAMPLE
    # Diagonal gradient: t = (x + y) / 2.
    ramp = Image.linear_gradient("L").resize((side, side))
    diagonal = Image.blend(ramp, ramp.transpose(Image.Transpose.ROTATE_90).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM), 0.5)  # fmt: skip
    start = Image.new("RGB", (side, side), TOP_LEFT)
    end = Image.new("RGB", (side, side), BOTTOM_RIGHT)
    background = Image.composite(end, start, diagonal)

    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, side - 1, side - 1), radius=round(RADIUS * scale), fill=255
    )
    icon = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    icon.paste(background, (0, 0), mask)

    draw = ImageDraw.Draw(icon)
    width = stroke_width(size) * scale
    r = width / 2
    for line in strokes():
        scaled = [(x * scale, y * scale) for x, y in line]
        draw.line(scaled, fill="white", width=round(width))
        for x, y in scaled:  # round joins and caps, without the seams of joint="curve"
            draw.ellipse((x - r, y - r, x + r, y + r), fill="white")
    if size >= 32:
        draw.polygon([(x * scale, y * scale) for x, y in spark()], fill="white")
    return icon.resize((size, size), Image.Resampling.LANCZOS)


def svg() -> str:
    def path(points: list[Point]) -> str:
        head, *rest = points
        return f"M{head[0]:.2f} {head[1]:.2f}" + "".join(f"L{x:.2f} {y:.2f}" for x, y in rest)

    def hex_colour(rgb: tuple[int, int, int]) -> str:
        return "#{:02x}{:02x}{:02x}".format(*rgb)

    lines = "".join(f'<path d="{path(s)}"/>' for s in strokes())
    star = path(spark()) + "Z"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {UNIT:g} {UNIT:g}" '
        f'width="{UNIT:g}" height="{UNIT:g}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{hex_colour(TOP_LEFT)}"/>'
        f'<stop offset="1" stop-color="{hex_colour(BOTTOM_RIGHT)}"/>'
        "</linearGradient></defs>"
        f'<rect width="{UNIT:g}" height="{UNIT:g}" rx="{RADIUS:g}" fill="url(#g)"/>'
        f'<g fill="none" stroke="#fff" stroke-width="{STROKE:g}" stroke-linecap="round" '
        f'stroke-linejoin="round">{lines}</g>'
        f'<path d="{star}" fill="#fff"/>'
        "</svg>\n"
    )


def main(out: Path = HERE) -> int:
    (out / f"{NAME}.svg").write_text(svg(), encoding="utf-8")
    images = {size: render(size) for size in sorted({*HICOLOR_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    images[512].save(out / f"{NAME}.png", optimize=True)
    for size in HICOLOR_SIZES:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        images[size].save(folder / f"{NAME}.png", optimize=True)
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        out / f"{NAME}.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    images[1024].save(
        out / f"{NAME}.icns",
        append_images=[images[s] for s in ICNS_SIZES if s != 1024],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
