"""`get3w-desktop --self-test`: prove that this build works, end to end, in one line.

Each stage checks what a broken bundle loses first: Qt's platform and image plugins, the
bundled catalogue, a keyring backend, the FFmpeg multimedia backend, and one whole task
through the real client against an in-process sandbox (submit, poll, download, decode).
Nothing touches the network beyond loopback, the user's settings or the keyring's contents.

Prints exactly one line: `self-test ok: …` and returns 0, or `self-test FAILED at <stage>: …`
and returns 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

MODEL = "google/nano-banana-pro/text-to-image"
PROMPT = "A self-test: a lighthouse at dusk"
#: The sandbox runs 50x faster than real time; its images are small.
TIME_SCALE = 0.02
RENDER_SCALE = 0.25
TASK_TIMEOUT = 60.0
KEYRING_TIMEOUT = 5.0
#: A bundled sandbox clip with H.264 video and AAC audio, and how long its decoding may take.
MEDIA_CLIP = "clip_1x1.mp4"
MEDIA_TIMEOUT = 20.0
#: What Get3W's image models return; each needs a Qt image plugin in the bundle.
IMAGE_FORMATS = ("png", "jpeg", "webp")


class StageError(Exception):
    """A stage found something wrong; the message is for a person."""


class SelfTest:
    """The stages, in order; each returns its part of the verdict line."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.models = 0

    def stages(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("qt", self.qt),
            ("catalogue", self.catalogue),
            ("keyring", self.keyring),
            ("multimedia", self.multimedia),
            ("task", self.task),
        ]

    def qt(self) -> str:
        from PySide6.QtCore import qVersion
        from PySide6.QtGui import QImageReader
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is None:
            # The command line, not the environment: nothing leaks into later child processes.
            app = QApplication(
                [sys.argv[0] if sys.argv else "get3w-desktop", "-platform", "offscreen"]
            )
        assert isinstance(app, QApplication)
        formats = {
            bytes(f.data()).decode("ascii", "replace") for f in QImageReader.supportedImageFormats()
        }
        missing = [f for f in IMAGE_FORMATS if f not in formats]
        if missing:
            raise StageError(f"Qt cannot read {', '.join(missing)} images (image plugins missing)")
        return f"qt {qVersion()} {app.platformName()}"

    def catalogue(self) -> str:
        from get3w_desktop.core.catalogue import load_bundled

        catalogue = load_bundled()
        if MODEL not in catalogue:
            raise StageError(f"the bundled catalogue has no {MODEL}")
        self.models = len(catalogue)
        return f"catalogue {self.models} models"

    def keyring(self) -> str:
        """The backend's name; "not secure" is a finding, not a failure (the app degrades)."""
        from get3w_desktop.storage.secrets import KeyringSecretStore

        found: list[tuple[str, bool]] = []
        problems: list[BaseException] = []

        def look() -> None:
            store = KeyringSecretStore()
            try:
                found.append((store.backend_name, store.is_secure))
            except Exception as exc:
                problems.append(exc)

        thread = threading.Thread(target=look, name="selftest-keyring", daemon=True)
        thread.start()
        thread.join(KEYRING_TIMEOUT)
        if problems:
            raise StageError(f"the keyring backend failed: {_describe(problems[0])}")
        if not found:
            raise StageError(f"the keyring did not answer within {KEYRING_TIMEOUT:g} s")
        name, secure = found[0]
        short = name.removeprefix("keyring.backends.")
        return f"keyring {short}" if secure else f"keyring {short} (not secure)"

    def multimedia(self) -> str:
        """Results play through QtMultimedia's FFmpeg backend: it must decode an MP4's
        H.264 video and AAC audio (a bundle missing an FFmpeg library or one the plugin
        links fails here, not when a person presses Play)."""
        from PySide6.QtMultimedia import QMediaFormat

        if not QMediaFormat(QMediaFormat.FileFormat.MPEG4).isSupported(
            QMediaFormat.ConversionMode.Decode
        ):
            raise StageError("no multimedia backend can play MP4 files (FFmpeg plugin missing)")
        from get3w_desktop.core.resources import resource_path

        clip = resource_path("sandbox", MEDIA_CLIP)
        width, height = _first_video_frame(clip)
        rate = _first_audio_buffer(clip)
        return f"multimedia mp4 {width}x{height} {rate} Hz"

    def task(self) -> str:
        from PySide6.QtGui import QImage

        from get3w_desktop.api.client import Get3WClient
        from get3w_desktop.api.waiting import wait_for_task
        from get3w_desktop.core.catalogue import apply_defaults, check_params, load_bundled
        from get3w_desktop.core.schedule import ScheduleParams
        from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

        model = load_bundled().get(MODEL)
        assert model is not None  # the catalogue stage checked it
        params = apply_defaults(model, {"prompt": PROMPT})
        check_params(model, params)
        started = time.monotonic()
        seed = int.from_bytes(os.urandom(4), "big") >> 1
        config = SandboxConfig(time_scale=TIME_SCALE, render_scale=RENDER_SCALE, seed=seed)
        cancel = threading.Event()
        with (
            SandboxServer(config) as server,
            Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
        ):
            task = client.submit(MODEL, params)
            task = wait_for_task(
                client, task, cancel=cancel, params=ScheduleParams().scaled(TIME_SCALE),
                timeout=TASK_TIMEOUT,
            )  # fmt: skip
            if task.status != "completed" or not task.outputs:
                raise StageError(f"the task ended {task.status}: {task.error or 'no outputs'}")
            saved = client.download(
                task.outputs[0], self.workdir, "selftest_0", expected_kind="image", cancel=cancel
            )
        image = QImage(str(saved.path))
        if image.isNull() or image.width() < 1:
            raise StageError(f"the downloaded {saved.media_type} file does not decode")
        seconds = time.monotonic() - started
        return f"task {task.id} {image.width()}x{image.height()} {seconds:.1f} s"


def _wait(done: Callable[[], bool], seconds: float) -> None:
    """Run Qt's event loop until `done()` or the deadline (no GUI is shown, nothing waits on us)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer(interval=10)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    deadline = QTimer(singleShot=True, interval=int(seconds * 1000))
    deadline.timeout.connect(loop.quit)
    poll.start()
    deadline.start()
    loop.exec()
    poll.stop()
    deadline.stop()


def _first_video_frame(clip: Path) -> tuple[int, int]:
    from PySide6.QtCore import QUrl
    from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

    player, sink = QMediaPlayer(), QVideoSink()
    sizes: list[tuple[int, int]] = []
    errors: list[str] = []

    def frame(video: QVideoFrame) -> None:
        if video.isValid():
            sizes.append((video.width(), video.height()))

    sink.videoFrameChanged.connect(frame)
    player.errorOccurred.connect(lambda _error, text: errors.append(text))
    player.setVideoOutput(sink)
    player.setSource(QUrl.fromLocalFile(str(clip)))
    player.play()
    try:
        _wait(lambda: bool(sizes or errors), MEDIA_TIMEOUT)
    finally:
        player.stop()
        player.setSource(QUrl())
    if errors:
        raise StageError(f"the video player failed on {clip.name}: {errors[0]}")
    if not sizes:
        raise StageError(f"no video frame from {clip.name} in {MEDIA_TIMEOUT:g} s")
    return sizes[0]


def _first_audio_buffer(clip: Path) -> int:
    from PySide6.QtCore import QUrl
    from PySide6.QtMultimedia import QAudioDecoder

    decoder = QAudioDecoder()
    rates: list[int] = []
    errors: list[str] = []

    def ready() -> None:
        buffer = decoder.read()
        if buffer.isValid() and buffer.frameCount() > 0:
            rates.append(buffer.format().sampleRate())

    decoder.bufferReady.connect(ready)
    decoder.error.connect(lambda _error: errors.append(decoder.errorString()))
    decoder.setSource(QUrl.fromLocalFile(str(clip)))
    decoder.start()
    try:
        _wait(lambda: bool(rates or errors), MEDIA_TIMEOUT)
    finally:
        decoder.stop()
    if errors:
        raise StageError(f"the audio decoder failed on {clip.name}: {errors[0]}")
    if not rates:
        raise StageError(f"no audio from {clip.name} in {MEDIA_TIMEOUT:g} s")
    return rates[0]


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(message).split())  # one line, whatever the exception held


@contextmanager
def _qt_messages(stream: TextIO) -> Iterator[list[str]]:
    """Keep Qt's chatter (plugin probing) off the terminal; a fatal one still gets a verdict."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    seen: list[str] = []

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        seen.append(message)
        if kind == QtMsgType.QtFatalMsg:  # Qt aborts right after this returns
            verdict = f"self-test FAILED at qt: {' '.join(message.split())}"
            print(verdict, file=stream, flush=True)

    previous = qInstallMessageHandler(handler)
    try:
        yield seen
    finally:
        qInstallMessageHandler(previous)


def run_self_test(out: TextIO | None = None) -> int:
    """Run every stage; print one verdict line on `out` (stdout); 0 only if all passed."""
    stream = out if out is not None else sys.stdout
    parts: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="get3w-selftest-") as folder, _qt_messages(stream):
        test = SelfTest(Path(folder))
        for name, stage in test.stages():
            try:
                parts.append(stage())
            except Exception as exc:
                print(f"self-test FAILED at {name}: {_describe(exc)}", file=stream, flush=True)
                return 1
    total = time.monotonic() - started
    print(f"self-test ok: {', '.join(parts)}; {total:.1f} s in all", file=stream, flush=True)
    return 0
