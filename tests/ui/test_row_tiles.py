"""The task list's tile cache: bounded by bytes as well as count, at any pixel density."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from get3w_desktop.ui.row_tiles import MAX_BYTES, MIN_TILES, TileCache

EDGE = QColor(0, 0, 0, 30)


def pictures(count: int) -> list[QImage]:
    made = []
    for i in range(count):
        image = QImage(96, 64, QImage.Format.Format_RGB32)
        image.fill(QColor(i % 256, (7 * i) % 256, 90))
        made.append(image)
    return made


def tile_of(cache: TileCache, image: QImage, dpr: float) -> None:
    cache.image(image, QRectF(16, 0, 64, 64), 64, dpr, EDGE)


def test_at_three_times_the_pixels_the_bytes_bound_holds(qapp: QApplication) -> None:
    cache = TileCache()
    images = pictures(300)
    for image in images:
        tile_of(cache, image, 3.0)
    one = 192 * 192 * 4  # a 64-point tile at a device pixel ratio of 3
    assert cache.built == 300
    assert len(cache) == max(MIN_TILES, MAX_BYTES // one)  # not the 400 of the count bound
    assert cache.bytes == len(cache) * one <= max(MAX_BYTES, MIN_TILES * one)
    built = cache.built
    tile_of(cache, images[-1], 3.0)  # the newest is kept: copied, not drawn again
    assert cache.built == built
    tile_of(cache, images[0], 3.0)  # the oldest went: drawn again
    assert cache.built == built + 1


def test_at_one_times_the_count_bound_still_rules(qapp: QApplication) -> None:
    cache = TileCache()
    for image in pictures(450):
        tile_of(cache, image, 1.0)
    assert len(cache) == 400  # 400 x 16 KiB = 6.25 MiB: under the bytes bound
    assert cache.bytes == 400 * 64 * 64 * 4 < MAX_BYTES


def test_a_small_screenful_is_kept_whatever_its_bytes(qapp: QApplication) -> None:
    cache = TileCache(max_bytes=1, min_tiles=12)
    images = pictures(20)
    for image in images:
        tile_of(cache, image, 2.0)
    assert len(cache) == 12
    built = cache.built
    for image in images[-12:]:  # the rows on screen are copied, not redrawn
        tile_of(cache, image, 2.0)
    assert cache.built == built
