"""Pictures of outputs that are not pictures: a waveform for a sound, a poster frame for a video.

`waveform` runs on the thumbnail pool (stdlib `wave`, peaks read in chunks so a long file
costs little memory). `PosterGrabber` takes one frame of a video with QMediaPlayer (which
decodes on its own threads) and lets go; `PosterHome` runs it on a thread of its own, so
the player's opens and teardowns (its `stop` and `setSource` wait for FFmpeg's threads:
50 ms on a busy machine) and the first import of QtMultimedia never hold the GUI thread.
The thumbnail loader caches both on disk like image thumbnails.
"""

from __future__ import annotations

import array
import atexit
import collections
import sys
import wave

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter

#: Seconds a poster frame may take before the row keeps its film glyph.
POSTER_TIMEOUT_MS = 10_000
#: Where in a video the poster is taken (ms; a third of a shorter clip): past fade-ins.
POSTER_AT_MS = 1000
WAVE_COLOR = QColor(59, 130, 246)


class PreviewError(Exception):
    """A sound or video whose picture cannot be made; the message is for people."""


def waveform(path: str, size: int) -> QImage:
    """A `size` x `size` picture of a WAV file's loudness over time. Raises PreviewError."""
    try:
        with wave.open(path, "rb") as sound:
            width, channels, frames = sound.getsampwidth(), sound.getnchannels(), sound.getnframes()
            if width not in (1, 2, 4) or channels < 1 or frames <= 0:
                raise PreviewError("This sound's format has no waveform preview.")
            bars = max(8, size // 8)
            per_bar = max(1, frames // bars)
            peaks: list[float] = []
            full = float(1 << (8 * width - 1))
            for _ in range(bars):
                chunk = sound.readframes(per_bar)
                if not chunk:
                    break
                samples = _samples(chunk, width)
                peaks.append(max((abs(s) for s in samples), default=0) / full)
    except (OSError, EOFError, wave.Error) as exc:
        raise PreviewError(f"This sound cannot be read: {exc}") from exc
    return _draw_peaks(peaks, size)


def _samples(chunk: bytes, width: int) -> array.array[int]:
    if width == 1:  # 8-bit WAV is unsigned
        return array.array("h", (b - 128 for b in chunk))
    samples = array.array("h" if width == 2 else "i", chunk[: len(chunk) - len(chunk) % width])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _draw_peaks(peaks: list[float], size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    tint = QColor(WAVE_COLOR)
    tint.setAlpha(28)
    image.fill(tint)
    if not peaks:
        return image
    loudest = max(peaks) or 1.0
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(WAVE_COLOR)
    step = size / len(peaks)
    middle = size / 2
    for i, peak in enumerate(peaks):
        half = max(1.0, peak / loudest * size * 0.42)
        bar = QRectF(i * step + step * 0.2, middle - half, max(1.0, step * 0.6), 2 * half)
        p.drawRoundedRect(bar, step * 0.25, step * 0.25)
    p.end()
    return image


def scaled_poster(frame: QImage, size: int) -> QImage:
    """`frame` with its longest side at most `size` px (for the thumbnail cache)."""
    if frame.isNull():
        raise PreviewError("This video's frame is empty.")
    if max(frame.width(), frame.height()) <= size:
        return frame
    return frame.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)  # fmt: skip


def load_multimedia() -> None:
    """Import QtMultimedia (its libraries and FFmpeg's, ~45 MB, once). Called on the
    poster thread: the import lets go of the interpreter lock between its steps, so the
    GUI thread waits a few ms for it instead of ~20 ms."""
    import PySide6.QtMultimedia  # noqa: F401 - loaded for PosterGrabber


class PosterGrabber(QObject):
    """Takes one frame of each video asked for, one video at a time.

    Each clip is opened on a turn of the event loop of its own (a zero timer), not inside
    `grab()` or the previous clip's last frame: the first open loads FFmpeg's demuxers
    (~18 ms), which must not add to the turn that built the player (~15 ms).

    Signals:
        grabbed(str path, QImage frame): the poster frame (full size).
        failed(str path, str reason): no frame came.
    """

    grabbed = Signal(str, QImage)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink  # only once a video shows

        self._player = QMediaPlayer(self)  # no audio output: posters are silent
        self._sink = QVideoSink(self)
        self._player.setVideoOutput(self._sink)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(lambda _e, text: self._finish(None, text))
        self._timer = QTimer(self, singleShot=True, interval=POSTER_TIMEOUT_MS)
        self._timer.timeout.connect(lambda: self._finish(None, "No frame came in time."))
        self._queue: collections.deque[str] = collections.deque()
        self._current = ""
        self._target_us = 0
        self._open_next = QTimer(self, singleShot=True, interval=0)
        self._open_next.timeout.connect(self._next)

    def grab(self, path: str) -> None:
        if path != self._current and path not in self._queue:
            self._queue.append(path)
            self._open_next.start()

    def shutdown(self) -> None:
        """Take no more frames. A clip still opening is left to finish (interrupting an
        open makes FFmpeg complain); its frame is then ignored."""
        from PySide6.QtMultimedia import QMediaPlayer

        self._queue.clear()
        self._timer.stop()
        self._open_next.stop()
        self._current = ""
        if self._player.mediaStatus() != QMediaPlayer.MediaStatus.LoadingMedia:
            self._player.stop()
            self._player.setSource(QUrl())

    def _next(self) -> None:
        if self._current or not self._queue:
            return
        self._current = self._queue.popleft()
        self._target_us = 0
        self._timer.start()
        self._player.setSource(QUrl.fromLocalFile(self._current))

    def _on_status(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._current and status == QMediaPlayer.MediaStatus.LoadedMedia:
            duration = self._player.duration()
            at = min(POSTER_AT_MS, duration // 3) if duration > 0 else 0
            self._target_us = at * 1000
            if at:
                self._player.setPosition(at)
            self._player.play()
        elif self._current and status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._finish(None, "This video cannot be read.")

    def _on_frame(self, frame: object) -> None:
        from PySide6.QtMultimedia import QVideoFrame

        if not self._current or not isinstance(frame, QVideoFrame) or not frame.isValid():
            return
        if frame.startTime() + 60_000 < self._target_us:
            return  # a frame from before the seek
        image = frame.toImage()
        if not image.isNull():
            self._finish(image.convertToFormat(QImage.Format.Format_RGB32), "")

    def _finish(self, image: QImage | None, reason: str) -> None:
        path = self._current
        if not path:
            return
        self._current = ""
        self._timer.stop()
        self._player.stop()
        self._player.setSource(QUrl())
        if image is not None:
            self.grabbed.emit(path, image)
        else:
            self.failed.emit(path, reason or "This video cannot be read.")
        if self._queue:
            self._open_next.start()


class PosterHome(QObject):
    """A `PosterGrabber` on a thread of its own. Made (and `grab`bed, `close`d) on the GUI
    thread; `grabbed` and `failed` arrive there (queued). The thread imports QtMultimedia
    and builds the grabber when it starts; grabs asked for meanwhile wait in its queue.

    Signals: grabbed(str path, QImage frame), failed(str path, str reason).
    """

    grabbed = Signal(str, QImage)
    failed = Signal(str, str)
    _want = Signal(str)
    _stop = Signal()

    def __init__(self, owner: QObject | None = None) -> None:
        super().__init__()  # no parent: it moves to its thread
        self._thread = QThread()
        self._thread.setObjectName("poster-grabber")
        self._grabber: PosterGrabber | None = None
        self.moveToThread(self._thread)
        self._thread.started.connect(self._build)
        self._want.connect(self._grab)
        self._stop.connect(self._close)
        if owner is not None:  # deleted without being closed: the thread still ends
            owner.destroyed.connect(self._stop)
        _LIVE.append(self)  # never deleted by Python while its thread may run
        self._thread.start()

    def grab(self, path: str) -> None:
        self._want.emit(path)

    def close(self, timeout_ms: int = 5000) -> bool:
        """Take no more frames, end the thread (the player is deleted on it); True once
        it ended within `timeout_ms`."""
        self._stop.emit()
        ended = bool(self._thread.wait(timeout_ms))
        if ended and self in _LIVE:
            _LIVE.remove(self)
        return ended

    @Slot()
    def _build(self) -> None:
        load_multimedia()
        self._grabber = PosterGrabber(self)
        self._grabber.grabbed.connect(self.grabbed)
        self._grabber.failed.connect(self.failed)

    @Slot(str)
    def _grab(self, path: str) -> None:
        if self._grabber is not None:
            self._grabber.grab(path)

    @Slot()
    def _close(self) -> None:
        if self._grabber is not None:
            self._grabber.shutdown()
            shiboken6.delete(self._grabber)  # on its own thread, where its timers run
            self._grabber = None
        self._thread.quit()


#: Poster threads not closed yet (or that did not end in time): a QThread deleted while
#: it runs aborts the process, so they are kept, and closed at exit at the latest.
_LIVE: list[PosterHome] = []


@atexit.register
def _close_live() -> None:
    for home in list(_LIVE):
        if shiboken6.isValid(home):
            home.close(2000)
