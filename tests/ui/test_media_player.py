"""The player on real media: the last frame stays at the end; silence is explained."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.resources import resource_path
from get3w_desktop.ui.media_player import MediaPlayerView

pytestmark = pytest.mark.qt_log_ignore("No HW decoder", "No RHI backend", "ensureRhi")


def make_wav(path: Path) -> str:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        samples = (int(4000 * math.sin(i / 5)) for i in range(800))
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return str(path)


def make_view(qtbot: QtBot, sound: bool) -> MediaPlayerView:
    view = MediaPlayerView(has_sound_output=lambda: sound)
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    return view


@pytest.fixture
def silent_view(qtbot: QtBot) -> Iterator[MediaPlayerView]:
    view = make_view(qtbot, sound=False)
    yield view
    view.stop()


def test_a_video_keeps_its_last_frame_at_the_end(
    qtbot: QtBot, silent_view: MediaPlayerView
) -> None:
    clip = str(resource_path("sandbox", "clip_1x1_silent.mp4"))
    silent_view.set_source(clip, video=True)
    sink = silent_view.video.videoSink()
    silent_view.toggle_play()
    qtbot.waitUntil(lambda: silent_view.player.mediaStatus().name == "EndOfMedia", timeout=20000)
    qtbot.wait(300)  # the player's closing (empty) frame arrives after the status
    frame = sink.videoFrame()
    assert frame.isValid() and frame.width() == 288  # a picture, not black


def test_no_sound_output_is_said_in_words(qtbot: QtBot, silent_view: MediaPlayerView,
                                          tmp_path: Path) -> None:  # fmt: skip
    silent_view.set_source(make_wav(tmp_path / "a.wav"), video=False, title="Voice · hello")
    assert silent_view.message.isVisible()
    assert "No sound output found" in silent_view.message.text()
    assert silent_view.audio_card.title == "Voice · hello"


def test_with_a_sound_output_no_notice_shows(qtbot: QtBot, tmp_path: Path) -> None:
    view = make_view(qtbot, sound=True)
    view.set_source(make_wav(tmp_path / "a.wav"), video=False)
    qtbot.wait(200)
    assert not view.message.isVisible()
    view.stop()


def test_a_video_with_sound_and_no_output_gets_the_notice(
    qtbot: QtBot, silent_view: MediaPlayerView
) -> None:
    silent_view.set_source(str(resource_path("sandbox", "clip_1x1.mp4")), video=True)
    qtbot.waitUntil(silent_view.message.isVisible, timeout=20000)
    assert "No sound output found" in silent_view.message.text()
