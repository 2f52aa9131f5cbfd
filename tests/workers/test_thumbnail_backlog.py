"""Thumbnails asked for while painting wait in a backlog the pool drains, newest first;
rows the list is flung past are never decoded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from get3w_desktop.workers import thumbnail_backlog, thumbnails
from get3w_desktop.workers.thumbnail_backlog import DRAIN_BATCH
from get3w_desktop.workers.thumbnails import ThumbnailLoader


def make_images(folder: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        image = QImage(160, 120, QImage.Format.Format_RGB32)
        image.fill(QColor(i * 9 % 256, 120, 200))
        path = folder / f"{i:02d}.png"
        assert image.save(str(path))
        paths.append(str(path))
    return paths


@pytest.fixture
def loader(tmp_path: Path) -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader(cache_dir=tmp_path / "cache")
    yield made
    made.shutdown()


def test_a_request_starts_no_work_until_the_paint_that_asked_is_done(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_images(tmp_path, 5)
    started: list[str] = []
    original = thumbnails.read_image

    def spy(source: str, max_side: int | None = None) -> QImage:
        started.append(source)
        return original(source, max_side)

    monkeypatch.setattr(thumbnails, "read_image", spy)
    for path in paths:
        assert loader.request(path, 64) is None
    assert loader.backlog == 5  # stacked, not started: no runnable began inside the "paint"
    assert loader.idle()
    assert started == []
    qtbot.waitUntil(lambda: all(loader.request(p, 64) is not None for p in paths), timeout=10000)
    assert loader.backlog == 0 and sorted(started) == paths


def test_the_newest_request_is_decoded_first(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    loader.set_threads(1)
    paths = make_images(tmp_path, 2 * DRAIN_BATCH + 3)  # more than one drain's batch
    order: list[str] = []
    loader.ready.connect(lambda path, _image: order.append(path))
    for path in paths:  # the list scrolled down: the last rows asked are on screen now
        loader.request(path, 64)
    qtbot.waitUntil(lambda: len(order) == len(paths), timeout=10000)
    assert order == paths[::-1]


def test_a_full_image_goes_before_the_thumbnails_still_waiting(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    loader.set_threads(1)
    paths = make_images(tmp_path, 6 * DRAIN_BATCH)
    done: list[str] = []
    loader.ready.connect(lambda path, _image: done.append(path))
    loader.image_ready.connect(lambda path, _image: done.append("full"))
    for path in paths:
        loader.request(path, 64)
    qtbot.waitUntil(lambda: len(done) >= 1, timeout=10000)
    loader.load_image(paths[0])  # someone opened a picture while the list fills in
    qtbot.waitUntil(lambda: "full" in done, timeout=10000)
    # the drain yields its thread after a batch: the opened picture does not wait for all
    assert done.index("full") <= 3 * DRAIN_BATCH
    qtbot.waitUntil(lambda: len(done) == len(paths) + 1, timeout=10000)


def test_shutdown_drops_the_backlog_and_later_requests(qtbot: QtBot, tmp_path: Path) -> None:
    loader = ThumbnailLoader(cache_dir=tmp_path / "cache")
    paths = make_images(tmp_path, 30)
    for path in paths:
        loader.request(path, 64)
    assert loader.shutdown(10_000)
    assert loader.backlog == 0
    assert loader.request(paths[0], 64) is None and loader.backlog == 0
    assert loader.decode_count == 0  # the stacked work never started


def test_rows_long_scrolled_past_are_forgotten_and_asked_again_when_back(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thumbnail_backlog, "REPAINTED_LIMIT", 6)
    paths = make_images(tmp_path, 20)
    for path in paths:  # a list scrolled past 20 rows before any decode started
        loader.request(path, 64, repainted=True)
    assert loader.backlog == 6
    qtbot.waitUntil(lambda: loader.backlog == 0 and loader.idle(), timeout=10000)
    decoded = loader.decode_count
    assert decoded == 6  # only the newest six: the rows on screen
    assert loader.request(paths[0], 64, repainted=True) is None  # back on screen: asked again
    qtbot.waitUntil(lambda: loader.request(paths[0], 64) is not None, timeout=10000)
    assert loader.decode_count == decoded + 1


def test_requests_not_repainted_are_never_forgotten(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thumbnail_backlog, "REPAINTED_LIMIT", 2)
    paths = make_images(tmp_path, 12)
    ready: list[str] = []
    loader.ready.connect(lambda path, _image: ready.append(path))
    for i, path in enumerate(paths):  # a gallery asks once per icon, among painted rows
        loader.request(path, 64, repainted=i % 3 == 0)
    qtbot.waitUntil(lambda: loader.backlog == 0 and loader.idle(), timeout=10000)
    kept = {p for i, p in enumerate(paths) if i % 3 != 0}
    assert kept <= set(ready)  # every gallery icon came
    assert len(ready) == len(kept) + 2  # and the two newest painted rows


def test_rows_flung_past_are_not_decoded_only_where_the_list_stops(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A settle time far above any pause between these requests, however busy the machine.
    monkeypatch.setattr(thumbnail_backlog, "SETTLE_MS", 3000)
    monkeypatch.setattr(thumbnail_backlog, "REPAINTED_LIMIT", 4)
    paths = make_images(tmp_path, 24)
    for page in range(6):  # six pages of four rows, each painted for a moment
        for path in paths[4 * page : 4 * page + 4]:
            loader.request(path, 64, repainted=True)
        qtbot.wait(20)
    assert loader.decode_count == 0  # no row stayed long enough to be worth decoding
    qtbot.waitUntil(lambda: loader.backlog == 0 and loader.idle(), timeout=15000)
    assert loader.decode_count == 4
    assert all(loader.request(p, 64) is not None for p in paths[-4:])  # where it stopped
