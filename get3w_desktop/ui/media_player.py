"""Plays a saved video or audio output: play/pause, seek, time, volume and mute.

The QMediaPlayer is created on first use, so the multimedia backend costs nothing at start-up
for someone who only makes images.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.ui.job_delegate import Glyph, draw_glyph
from get3w_desktop.ui.style import mix

_SP = QStyle.StandardPixmap


def clock(ms: int) -> str:
    """'0:07', '1:05', '1:02:03'."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class _AudioCard(QWidget):
    """What an audio file 'looks like': a large note and its name, calm and centred."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.setMinimumHeight(120)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        side = min(96, self.height() // 2)
        top = (self.height() - side - 40) / 2
        disc = QColor(pal.color(QPalette.ColorRole.Highlight))
        disc.setAlpha(40)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(disc)
        left = (self.width() - side) / 2
        p.drawEllipse(int(left), int(top), side, side)
        icon = QRectF(left + side * 0.25, top + side * 0.25, side * 0.5, side * 0.5)
        draw_glyph(p, icon, Glyph.AUDIO, pal.color(QPalette.ColorRole.Highlight))
        p.setPen(mix(text, pal.color(QPalette.ColorRole.Window), 0.25))
        p.drawText(
            self.rect().adjusted(12, int(top + side + 12), -12, 0),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            p.fontMetrics().elidedText(self.title, Qt.TextElideMode.ElideMiddle, self.width() - 24),
        )
        p.end()


class MediaPlayerView(QWidget):
    """A player for one local file at a time.

    Signals:
        playback_error(str message): the file cannot be played (shown inline as well).
    """

    playback_error = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        has_sound_output: Callable[[], bool] = lambda: bool(QMediaDevices.audioOutputs()),
    ) -> None:
        super().__init__(parent)
        self._player: QMediaPlayer | None = None
        self._audio: QAudioOutput | None = None
        self._seeking = False
        self._has_sound_output = has_sound_output
        #: The last picture shown, kept on screen when the video ends (not a black frame).
        self._last_frame: QVideoFrame | None = None
        self.source = ""

        self.video = QVideoWidget()
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.video.setStyleSheet("background: black;")
        self.audio_card = _AudioCard()
        self.stage = QStackedWidget()
        self.stage.addWidget(self.video)
        self.stage.addWidget(self.audio_card)

        style = self.style()
        self.play_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.position_label = QLabel("0:00")
        self.duration_label = QLabel("0:00")
        for label in (self.position_label, self.duration_label):
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("00:00:00"))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seek = QSlider(Qt.Orientation.Horizontal)
        self.seek.setRange(0, 0)
        self.mute_button = self._tool_button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume)
        )
        self.mute_button.setCheckable(True)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setFixedWidth(80)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()

        controls = QHBoxLayout()
        controls.setContentsMargins(8, 4, 8, 6)
        controls.setSpacing(6)
        controls.addWidget(self.play_button)
        controls.addWidget(self.position_label)
        controls.addWidget(self.seek, 1)
        controls.addWidget(self.duration_label)
        controls.addSpacing(6)
        controls.addWidget(self.mute_button)
        controls.addWidget(self.volume)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stage, 1)
        layout.addWidget(self.message)
        layout.addLayout(controls)

        self.play_button.clicked.connect(self.toggle_play)
        self.mute_button.toggled.connect(self._set_muted)
        self.volume.valueChanged.connect(self._set_volume)
        self.seek.sliderPressed.connect(lambda: setattr(self, "_seeking", True))
        self.seek.sliderReleased.connect(self._seek_released)
        self.seek.valueChanged.connect(self._on_seek_value)
        self._playing = False
        self.retranslate()

    def retranslate(self) -> None:
        self.seek.setAccessibleName(self.tr("Position"))
        self.volume.setAccessibleName(self.tr("Volume"))
        self._tips()

    def _tips(self) -> None:
        play = self.tr("Pause (Space)") if self._playing else self.tr("Play (Space)")
        self.play_button.setToolTip(play)
        self.play_button.setAccessibleName(play)
        mute = self.tr("Unmute") if self.mute_button.isChecked() else self.tr("Mute")
        self.mute_button.setToolTip(mute)
        self.mute_button.setAccessibleName(mute)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- public -----------------------------------------------------------------------

    @property
    def player(self) -> QMediaPlayer:
        if self._player is None:
            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._audio.setVolume(self.volume.value() / 100)
            self._audio.setMuted(self.mute_button.isChecked())
            self._player.setAudioOutput(self._audio)
            self._player.setVideoOutput(self.video)
            self._player.durationChanged.connect(self._on_duration)
            self._player.positionChanged.connect(self._on_position)
            self._player.playbackStateChanged.connect(self._on_state)
            self._player.errorOccurred.connect(self._on_error)
            self._player.mediaStatusChanged.connect(self._on_status)
            self._player.hasAudioChanged.connect(self._on_has_audio)
            self.video.videoSink().videoFrameChanged.connect(self._on_frame)
        return self._player

    def is_video(self) -> bool:
        return self.stage.currentWidget() is self.video

    def set_source(self, path: str, *, video: bool, title: str = "") -> None:
        """Load `path` paused at the start (nothing plays until the person asks); `title` is
        what the audio card shows (the file's name when empty)."""
        if path == self.source and video == self.is_video():
            return
        self.stop()
        self.source = path
        self.stage.setCurrentWidget(self.video if video else self.audio_card)
        self.audio_card.title = title or Path(path).name
        self.audio_card.update()
        self.message.hide()
        if not video:
            self._on_has_audio(True)
        self.seek.setRange(0, 0)
        self.position_label.setText("0:00")
        self.duration_label.setText("0:00")
        self.player.setSource(QUrl.fromLocalFile(path))

    def toggle_play(self) -> None:
        if not self.source:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        """Stop and let go of the file (so it can be moved or deleted)."""
        self.source = ""
        self._last_frame = None
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())

    def sizeHint(self) -> QSize:
        return QSize(480, 320)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Only while the player has focus: a window-wide Space would eat the prompt's spaces.
        if event.key() == Qt.Key.Key_Space:
            self.toggle_play()
            event.accept()
        else:
            super().keyPressEvent(event)

    # -- private ----------------------------------------------------------------------

    @staticmethod
    def _tool_button(icon: QIcon) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setAutoRaise(True)
        button.setIconSize(QSize(20, 20))
        return button

    def _set_muted(self, muted: bool) -> None:
        muted_icon, icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted,
            QStyle.StandardPixmap.SP_MediaVolume,
        )
        self.mute_button.setIcon(self.style().standardIcon(muted_icon if muted else icon))
        self._tips()
        if self._audio is not None:
            self._audio.setMuted(muted)

    def _set_volume(self, value: int) -> None:
        if self._audio is not None:
            self._audio.setVolume(value / 100)

    def _seek_released(self) -> None:
        self._seeking = False
        if self._player is not None:
            self._player.setPosition(self.seek.value())

    def _on_seek_value(self, value: int) -> None:
        if self._seeking:
            self.position_label.setText(clock(value))
        elif self._player is not None and abs(self._player.position() - value) > 250:
            self._player.setPosition(value)  # keyboard or click on the groove

    def _on_duration(self, duration: int) -> None:
        self.seek.setRange(0, max(0, duration))
        self.duration_label.setText(clock(duration))

    def _on_position(self, position: int) -> None:
        if not self._seeking:
            self.seek.blockSignals(True)
            self.seek.setValue(position)
            self.seek.blockSignals(False)
            self.position_label.setText(clock(position))

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))
        self._playing = playing
        self._tips()

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        # Paused at the start shows the first frame instead of a blank rectangle.
        loaded = status == QMediaPlayer.MediaStatus.LoadedMedia
        stopped = self.player.playbackState() == QMediaPlayer.PlaybackState.StoppedState
        if loaded and stopped and self.is_video():
            self.player.pause()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self._last_frame = frame
        elif self._last_frame is not None and self.source and self.is_video():
            # The player ends (or stops) with an empty frame; keep the last picture instead.
            self.video.videoSink().setVideoFrame(self._last_frame)

    def _on_has_audio(self, has_audio: bool) -> None:
        if has_audio and self.source and not self._has_sound_output():
            self.message.setText(self.no_sound_text())
            self.message.show()

    def no_sound_text(self) -> str:
        return self.tr(
            "No sound output found; the file is fine — save it or open it with another player."
        )

    def _on_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        if not self.source:
            return
        message = self.tr("This file cannot be played here: {reason}. Try Open.").format(
            reason=text or self.tr("unknown format")
        )
        self.message.setText(message)
        self.message.show()
        self.playback_error.emit(message)
