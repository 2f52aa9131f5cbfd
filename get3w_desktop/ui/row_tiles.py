"""The task list's thumbnail tiles, drawn once and then copied.

A row's tile is a rounded, centre-cropped thumbnail with a faint edge, or a tinted
placeholder with a line glyph. Clipping to a rounded path, scaling the image and the
anti-aliased outlines cost far more than copying a pixmap, and every repaint of the list
(a progress tick every ~500 ms, each snapshot of a running task) draws every visible row
again, mostly with the same tiles. So each tile is drawn once per (picture or glyph,
colours, size, device pixel ratio) and kept, the least recently used forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap

RADIUS = 8.0


class TileCache:
    """Rounded thumbnail tiles by what they show; `built` counts the tiles drawn."""

    def __init__(self, limit: int = 400) -> None:
        self.limit = limit
        self.built = 0
        self._tiles: OrderedDict[Hashable, QPixmap] = OrderedDict()

    def __len__(self) -> int:
        return len(self._tiles)

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
        while len(self._tiles) > self.limit:
            self._tiles.popitem(last=False)
        return tile


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
