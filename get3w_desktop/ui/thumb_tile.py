"""One rounded, cropped thumbnail tile: the gallery's tiles and the viewer's strip icons.

The picture fills the square (cropped from the centre, never letter-boxed); without one,
a faint square carries a glyph for the file's kind (or the task's state).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPixmap

from get3w_desktop.ui.job_delegate import Glyph, crop_rect, draw_glyph
from get3w_desktop.workers.thumbnails import MediaKind, media_kind

_KIND_GLYPH = {MediaKind.IMAGE: Glyph.IMAGE, MediaKind.VIDEO: Glyph.FILM,
               MediaKind.AUDIO: Glyph.AUDIO}  # fmt: skip


def kind_glyph(path: str, *, broken: bool = False) -> Glyph:
    """The placeholder glyph of a file: its kind, or "broken" when it could not be read."""
    return Glyph.BROKEN if broken else _KIND_GLYPH.get(media_kind(path), Glyph.FILE)


def rounded_tile(
    thumb: QImage | None,
    *,
    side: int,
    dpr: float,
    radius: float,
    text_color: QColor,
    glyph: Glyph,
    glyph_color: QColor,
    inset: float,
) -> QIcon:
    """A `side`-point square icon at `dpr`: `thumb` cropped to fill it, or a placeholder
    (`text_color` at a faint alpha) with `glyph` inset by `inset` of the side."""
    pixels = round(side * dpr)
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
    box = QRectF(0, 0, pixels, pixels)
    clip = QPainterPath()
    clip.addRoundedRect(box, radius * dpr, radius * dpr)
    p.setClipPath(clip)
    if thumb is not None:
        p.drawImage(box, thumb, crop_rect(thumb.width(), thumb.height(), box))
    else:
        faint = QColor(text_color)
        faint.setAlpha(18)
        p.fillRect(box, faint)
        margin = pixels * inset
        draw_glyph(p, box.adjusted(margin, margin, -margin, -margin), glyph, glyph_color)
    p.end()
    pixmap.setDevicePixelRatio(dpr)
    return QIcon(pixmap)
