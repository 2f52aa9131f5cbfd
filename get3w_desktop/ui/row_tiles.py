"""The task list's thumbnail tiles, drawn once and then copied.

A row's tile is a rounded, centre-cropped thumbnail with a faint edge, or a tinted
placeholder with a line glyph. Clipping to a rounded path, scaling the image and the
anti-aliased outlines cost far more than copying a pixmap, and every repaint of the list
(a progress tick every ~500 ms, each snapshot of a running task) draws every visible row
again, mostly with the same tiles. So each tile is drawn once per (picture or glyph,
colours, size, device pixel ratio) and kept, the least recently used forgotten first.

The cache is bounded by count and by bytes, like the thumbnail cache: a 64-point tile is
16 KiB at a device pixel ratio of 1 (400 tiles: 6.25 MiB) but 144 KiB at 3, where 400
tiles were 56 MiB. Beyond `MIN_TILES` (more than a 4k screen's ~30 rows and their glyphs)
no more than `MAX_BYTES` are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap

RADIUS = 8.0
#: Tiles kept whatever their size, and the bytes of pixels beyond which older ones go.
MIN_TILES = 64
MAX_BYTES = 8 * 1024 * 1024


class TileCache:
    """Rounded thumbnail tiles by what they show; `built` counts the tiles drawn."""

    def __init__(
        self, limit: int = 400, max_bytes: int = MAX_BYTES, min_tiles: int = MIN_TILES
    ) -> None:
        self.limit, self.max_bytes, self.min_tiles = limit, max_bytes, min_tiles
        self.built = 0
        self._tiles: OrderedDict[Hashable, QPixmap] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._tiles)

    @property
    def bytes(self) -> int:
        """Bytes of pixels in the kept tiles."""
        return self._bytes

    def image(
        self, image: QImage, source: QRectF, side: float, dpr: float, edge: QColor
    ) -> QPixmap:
        """The `source` part of `image` filling a `side`-point rounded square, edged."""
        key = ("image", image.cacheKey(), source.getRect(), side, dpr, edge.rgba())
        return self._get(key, side, dpr, lambda p, box: _draw_image(p, box, image, source, edge))

    def glyph(
        self,
        draw: Callable[[QPainter, QRectF], None],
        key: Hashable,
        side: float,
        dpr: float,
        fill: QColor,
    ) -> QPixmap:
        """A rounded square tinted `fill`, with `draw(painter, box)` on it (a glyph);
        `key` names what `draw` draws, colours included."""
        full = ("glyph", key, side, dpr, fill.rgba())
        return self._get(full, side, dpr, lambda p, box: _draw_placeholder(p, box, fill, draw))

    def _get(
        self,
        key: Hashable,
        side: float,
        dpr: float,
        draw: Callable[[QPainter, QRectF], None],
    ) -> QPixmap:
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
            return tile
        pixels = max(1, round(side * dpr))
        tile = QPixmap(pixels, pixels)
        tile.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tile)
        try:
            painter.setRenderHints(
                QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
            )
            painter.scale(pixels / side, pixels / side)
            draw(painter, QRectF(0, 0, side, side))
        finally:
            painter.end()
        tile.setDevicePixelRatio(pixels / side)
        self.built += 1
        self._tiles[key] = tile
        self._bytes += _size(tile)
        while len(self._tiles) > self.limit or (
            self._bytes > self.max_bytes and len(self._tiles) > self.min_tiles
        ):
            _, dropped = self._tiles.popitem(last=False)
            self._bytes -= _size(dropped)
        return tile


def _size(tile: QPixmap) -> int:
    return tile.width() * tile.height() * max(1, tile.depth()) // 8


def _rounded(box: QRectF) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
    return path


def _draw_image(p: QPainter, box: QRectF, image: QImage, source: QRectF, edge: QColor) -> None:
    path = _rounded(box)
    p.save()
    p.setClipPath(path)
    p.drawImage(box, image, source)
    p.restore()
    p.setPen(QPen(edge, 1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _draw_placeholder(
    p: QPainter, box: QRectF, fill: QColor, draw: Callable[[QPainter, QRectF], None]
) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawPath(_rounded(box))
    draw(p, box)
