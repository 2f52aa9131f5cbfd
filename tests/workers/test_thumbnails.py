"""Thumbnails and full images decode off the GUI thread, cache on disk, and fail politely."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from get3w_desktop.workers import thumbnails
from get3w_desktop.workers.thumbnails import MediaKind, ThumbnailLoader, media_kind, read_image


def make_image(path: Path, width: int, height: int, color: str = "#3366cc") -> str:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return str(path)


def png_claiming(path: Path, width: int, height: int) -> str:
    """A tiny PNG whose header claims a huge size: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    body = zlib.compress(b"\0" * 4096)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
    return str(path)


@pytest.fixture
def loader() -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader()
    yield made
    made.shutdown()


def test_a_thumbnail_is_decoded_off_the_gui_thread_and_fits_the_size(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_image(tmp_path / "wide.png", 800, 400)
    threads: list[int] = []
    original = thumbnails.read_image

    def spy(source: str, max_side: int | None = None) -> QImage:
        threads.append(threading.get_ident())
        return original(source, max_side)

    monkeypatch.setattr(thumbnails, "read_image", spy)
    assert loader.request(path, 100) is None
    with qtbot.waitSignal(loader.ready, timeout=5000) as blocker:
        pass
    ready_path, image = blocker.args
    assert ready_path == path
    assert (image.width(), image.height()) == (100, 50)
    assert threads and threading.main_thread().ident not in threads


def test_the_disk_cache_serves_a_new_loader_without_decoding(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "a.png", 640, 640)
    loader.request(path, 128)
    with qtbot.waitSignal(loader.ready, timeout=5000):
        pass
    cached = list(loader.cache_dir.iterdir())
    assert len(cached) == 1 and cached[0].suffix == ".jpeg"
    assert loader.decode_count == 1

    again = loader.request(path, 128)  # from memory, at once
    assert again is not None and again.width() == 128
    assert loader.decode_count == 1

    fresh = ThumbnailLoader()
    try:
        assert fresh.request(path, 128) is None
        with qtbot.waitSignal(fresh.ready, timeout=5000) as blocker:
            pass
        assert blocker.args[1].width() == 128
        assert fresh.decode_count == 0  # read the small cached file, not the original
    finally:
        fresh.shutdown()


def test_a_changed_file_is_decoded_again(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "a.png", 300, 300, "#ff0000")
    loader.request(path, 64)
    with qtbot.waitSignal(loader.ready, timeout=5000):
        pass
    make_image(tmp_path / "a.png", 300, 150, "#00ff00")
    os.utime(path, (1, 1))  # a different mtime, whatever the clock's resolution
    fresh = ThumbnailLoader()
    try:
        fresh.request(path, 64)
        with qtbot.waitSignal(fresh.ready, timeout=5000) as blocker:
            pass
        assert (blocker.args[1].width(), blocker.args[1].height()) == (64, 32)
        assert fresh.decode_count == 1
        assert len(list(fresh.cache_dir.iterdir())) == 2
    finally:
        fresh.shutdown()


def test_a_corrupt_image_fails_once_and_is_remembered(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20)
    failures: list[tuple[str, str]] = []
    loader.failed.connect(lambda p, reason: failures.append((p, reason)))
    with qtbot.waitSignal(loader.failed, timeout=5000):
        assert loader.request(str(path), 64) is None
    assert failures[0][0] == str(path)
    assert "damaged" in failures[0][1]
    assert loader.failure(str(path)) == failures[0][1]
    assert loader.request(str(path), 64) is None
    assert loader.request(str(path), 96) is None
    qtbot.wait(100)
    assert len(failures) == 1


def test_a_decompression_bomb_is_refused_before_decoding(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = png_claiming(tmp_path / "bomb.png", 100_000, 100_000)
    with qtbot.waitSignal(loader.failed, timeout=5000) as blocker:
        loader.request(path, 128)
    assert "too large" in blocker.args[1]
    assert "100000 × 100000" in blocker.args[1]
    with qtbot.waitSignal(loader.image_failed, timeout=5000) as full:
        assert loader.load_image(path) is None
    assert "too large" in str(full.args[1])


def test_read_image_scales_jpeg_while_decoding(tmp_path: Path) -> None:
    path = make_image(tmp_path / "big.jpg", 3000, 2000)
    image = read_image(path, 150)
    assert (image.width(), image.height()) == (150, 100)
    assert read_image(path).width() == 3000
    with pytest.raises(thumbnails.DecodeError, match="missing"):
        read_image(str(tmp_path / "nope.png"), 64)


def test_unknown_files_and_compressed_sound_get_no_thumbnail(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    # Videos get poster frames and WAV sounds waveforms (tests/workers/test_previews.py).
    for name in ("song.mp3", "mesh.glb"):
        (tmp_path / name).write_bytes(b"\0" * 64)
        assert loader.request(str(tmp_path / name), 64) is None
    qtbot.wait(100)
    assert loader.decode_count == 0
    assert media_kind("a/B.MP4") is MediaKind.VIDEO
    assert media_kind("x.flac") is MediaKind.AUDIO
    assert media_kind("x.webp") is MediaKind.IMAGE
    assert media_kind("x.glb") is MediaKind.OTHER


def test_full_images_load_off_thread_and_stay_in_memory(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "full.png", 1200, 900)
    assert loader.load_image(path) is None
    with qtbot.waitSignal(loader.image_ready, timeout=5000) as blocker:
        pass
    assert blocker.args[0] == path
    assert (blocker.args[1].width(), blocker.args[1].height()) == (1200, 900)
    cached = loader.load_image(path)
    assert cached is not None and cached.width() == 1200
    assert loader.decode_count == 1


def test_the_memory_cache_is_bounded(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thumbnails, "MEMORY_ENTRIES", 2)
    paths = [make_image(tmp_path / f"{i}.png", 50, 50) for i in range(3)]
    for path in paths:
        with qtbot.waitSignal(loader.ready, timeout=5000):
            loader.request(path, 32)
    assert loader.request(paths[0], 32) is None  # evicted: asked for again
    assert loader.request(paths[2], 32) is not None
    with qtbot.waitSignal(loader.ready, timeout=5000):
        pass


def test_the_memory_cache_is_bounded_by_bytes_beyond_a_minimum(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = 32 * 32 * 4  # a 32 px RGB32 thumbnail
    monkeypatch.setattr(thumbnails, "MEMORY_BYTES", 3 * one)
    monkeypatch.setattr(thumbnails, "MEMORY_MIN_ENTRIES", 2)
    paths = [make_image(tmp_path / f"{i}.png", 64, 64) for i in range(6)]
    for path in paths:
        with qtbot.waitSignal(loader.ready, timeout=5000):
            loader.request(path, 32)
        assert loader.memory_bytes <= 3 * one
    assert loader.memory_bytes == 3 * one
    assert all(loader.request(path, 32) is not None for path in paths[3:])
    assert loader.request(paths[2], 32) is None  # the least recently used went first
    with qtbot.waitSignal(loader.ready, timeout=5000):
        pass  # paths[2] is back, paths[3] made room for it
    assert loader.memory_bytes == 3 * one
    loader.forget(paths[2])
    loader.forget(paths[5])
    assert loader.memory_bytes == one

    # Larger than the byte budget each: the minimum number of entries is still kept.
    monkeypatch.setattr(thumbnails, "MEMORY_BYTES", one // 2)
    big = [make_image(tmp_path / f"big{i}.png", 64, 64) for i in range(4)]
    for path in big:
        with qtbot.waitSignal(loader.ready, timeout=5000):
            loader.request(path, 32)
    assert loader.memory_bytes == 2 * one
    assert all(loader.request(path, 32) is not None for path in big[2:])


def test_after_shutdown_requests_do_nothing(loader: ThumbnailLoader, tmp_path: Path) -> None:
    path = make_image(tmp_path / "a.png", 40, 40)
    loader.shutdown()
    assert loader.request(path, 32) is None
    assert loader.load_image(path) is None
    assert loader.decode_count == 0


@pytest.mark.qt_log_ignore("Unsupported marker type")  # libjpeg on the damaged file: expected
def test_a_damaged_cache_file_is_replaced(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "a.png", 200, 200)
    with qtbot.waitSignal(loader.ready, timeout=5000):
        loader.request(path, 64)
    (cached,) = loader.cache_dir.iterdir()
    cached.write_bytes(b"\xff\xd8\xff garbage")
    fresh = ThumbnailLoader()
    try:
        with qtbot.waitSignal(fresh.ready, timeout=5000) as blocker:
            fresh.request(path, 64)
        assert blocker.args[1].width() == 64
        assert fresh.decode_count == 1
        assert QImage(str(cached)).width() == 64  # rewritten
    finally:
        fresh.shutdown()
