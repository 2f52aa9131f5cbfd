"""Posters for video rows and waveforms for sound rows: real frames and samples, cached."""

from __future__ import annotations

import math
import shutil
import struct
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from get3w_desktop.core.resources import resource_path
from get3w_desktop.workers.previews import waveform
from get3w_desktop.workers.thumbnails import ThumbnailLoader

pytestmark = pytest.mark.qt_log_ignore("No HW decoder", "No RHI backend", "ensureRhi")


def make_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> str:
    """A tone that swells: quiet at the start, loud at the end."""
    count = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(
            struct.pack("<h", int(30000 * (i / count) * math.sin(i / 3))) for i in range(count)
        ))  # fmt: skip
    return str(path)


def coloured_rows(image: QImage, x: int) -> int:
    """How many pixels of column `x` belong to a bar (opaque; the background is a tint)."""
    return sum(1 for y in range(image.height()) if image.pixelColor(x, y).alpha() > 200)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "thumbs"


@pytest.fixture
def loader(cache: Path) -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader(cache_dir=cache)
    yield made
    made.shutdown()


def test_a_waveform_follows_the_loudness(tmp_path: Path) -> None:
    image = waveform(make_wav(tmp_path / "swell.wav"), 128)
    assert image.size().width() == 128 and image.size().height() == 128
    quiet, loud = coloured_rows(image, 4), coloured_rows(image, 124)  # first and last bars
    assert loud > 80 and quiet < 20  # the bars grow with the sound


def test_a_sound_row_gets_a_waveform_cached_on_disk(
    qtbot: QtBot, loader: ThumbnailLoader, cache: Path, tmp_path: Path
) -> None:
    sound = make_wav(tmp_path / "voice.wav")
    assert loader.request(sound, 96) is None
    with qtbot.waitSignal(loader.ready, timeout=10000) as ready:
        pass
    assert ready.args[0] == sound and coloured_rows(ready.args[1], 90) > 30
    again = ThumbnailLoader(cache_dir=cache)
    try:
        again.request(sound, 96)
        with qtbot.waitSignal(again.ready, timeout=10000):
            pass
        assert again.decode_count == 0  # read from the disk cache, not the sound
    finally:
        again.shutdown()


def test_a_video_row_gets_a_real_poster_frame_cached_on_disk(
    qtbot: QtBot, loader: ThumbnailLoader, cache: Path, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    shutil.copy(resource_path("sandbox", "clip_16x9_silent.mp4"), clip)
    assert loader.request(str(clip), 128) is None
    with qtbot.waitSignal(loader.ready, timeout=20000) as ready:
        pass
    poster: QImage = ready.args[1]
    assert max(poster.width(), poster.height()) <= 128 and poster.width() > poster.height()
    pixels = [poster.pixelColor(x, y) for x in range(0, poster.width(), 8)
              for y in range(0, poster.height(), 8)]  # fmt: skip
    assert max(c.value() for c in pixels) > 60  # a picture, not a black frame
    assert loader.request(str(clip), 128) is not None  # kept in memory
    assert any(cache.iterdir())
    again = ThumbnailLoader(cache_dir=cache)
    try:
        again.request(str(clip), 128)
        with qtbot.waitSignal(again.ready, timeout=10000):
            pass
        assert again.decode_count == 0  # from disk: no player this time
    finally:
        again.shutdown()


@pytest.mark.qt_log_ignore("Could not open media")
def test_an_unreadable_video_keeps_its_glyph(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    clip = tmp_path / "broken.mp4"
    clip.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    loader.request(str(clip), 64)
    with qtbot.waitSignal(loader.failed, timeout=20000) as failed:
        pass
    assert failed.args[0] == str(clip)


def test_posters_are_grabbed_on_a_thread_that_imports_the_player_once(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QtMultimedia (and FFmpeg) load once, when the first poster is not on disk, on the
    poster thread (where the player opens and closes clips too), and every clip gets one."""
    from get3w_desktop.workers import previews

    loads: list[int] = []
    original = previews.load_multimedia

    def spy() -> None:
        loads.append(threading.get_ident())
        original()

    monkeypatch.setattr(previews, "load_multimedia", spy)
    clips = []
    for name in ("clip_16x9_silent.mp4", "clip_1x1_silent.mp4"):
        clips.append(str(tmp_path / name))
        shutil.copy(resource_path("sandbox", name), clips[-1])
    for path in clips:
        assert loader.request(path, 128) is None
    posters: dict[str, QImage] = {}
    loader.ready.connect(lambda path, image: posters.__setitem__(path, image))
    qtbot.waitUntil(lambda: len(posters) == 2, timeout=30000)
    assert len(loads) == 1 and loads[0] != threading.main_thread().ident
    wide, square = posters[clips[0]], posters[clips[1]]
    assert wide.width() > wide.height() and square.width() == square.height()
    later = str(tmp_path / "later.mp4")  # the grabber is built: no second import
    shutil.copy(resource_path("sandbox", "clip_9x16_silent.mp4"), later)
    loader.request(later, 128)
    qtbot.waitUntil(lambda: later in posters, timeout=30000)
    assert posters[later].height() > posters[later].width() and len(loads) == 1


def test_a_loader_deleted_without_shutdown_still_ends_its_poster_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A QThread deleted while it runs aborts the process: a viewer that owned its loader
    and closed must take the poster thread down with it."""
    import shiboken6

    made = ThumbnailLoader(cache_dir=tmp_path / "thumbs")
    clip = tmp_path / "clip.mp4"
    shutil.copy(resource_path("sandbox", "clip_4x3_silent.mp4"), clip)
    made.request(str(clip), 64)
    with qtbot.waitSignal(made.ready, timeout=20000):
        pass
    posters = made._posters
    assert posters is not None
    thread = posters._thread
    assert thread.isRunning()
    made.wait()
    shiboken6.delete(made)
    qtbot.waitUntil(thread.isFinished, timeout=10000)
