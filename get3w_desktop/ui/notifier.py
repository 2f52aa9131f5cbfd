"""Desktop notifications when tasks finish while the person is looking elsewhere.

One message per task, or one for a whole queue when several finish close together
("12 tasks finished, 1 failed"): finishing jobs wait `coalesce_ms` for company (never
longer than `max_wait_ms` in all). Nothing is shown while the main window is active, or
when notifications are off. Without a system tray (many Linux sessions, offscreen) the
notifier records what it would have shown and does nothing else.

Signals:
    shown(str, str): a message (title, text) was shown, or would have been without a tray.
    activated(str): the person clicked a message; the local id of the job to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.ui.messages import job_error
from get3w_desktop.ui.style import ACCENT
from get3w_desktop.ui.texts import state_label

# States that end a task's run and deserve a message. A stop the person asked for does not.
_FINISHED = (JobState.COMPLETED,)
_PROBLEMS = (JobState.FAILED, JobState.NOT_SAVED, JobState.UNCERTAIN)
MESSAGE_MS = 8000
_TEXT_CHARS = 160


class Notifier(QObject):
    shown = Signal(str, str)
    activated = Signal(str)

    def __init__(
        self,
        window_active: Callable[[], bool],
        *,
        enabled: bool = True,
        icon: QIcon | None = None,
        model_label: Callable[[str], str] | None = None,
        coalesce_ms: int = 2000,
        max_wait_ms: int = 10_000,
        tray_available: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`tray_available` None asks Qt; tests pass True or False to choose a road."""
        super().__init__(parent)
        self._window_active = window_active
        self._enabled = enabled
        self._model_label = model_label or (lambda model_id: model_id)
        self._coalesce_ms = max(0, coalesce_ms)
        self._max_wait_ms = max(0, max_wait_ms)
        self._pending: dict[str, Job] = {}
        self._busy: Callable[[], bool] | None = None  # per-queue mode: "still running?"
        self._first_at = 0.0
        self._target = ""
        # What would have been shown without a tray: (title, text), oldest first.
        self.recorded: list[tuple[str, str]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        if tray_available is None:
            tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        self._icon = icon if icon is not None and not icon.isNull() else default_icon()
        self.tray: QSystemTrayIcon | None = None
        if tray_available:
            self.tray = QSystemTrayIcon(self._icon, self)
            self.tray.setToolTip("Get3W Desktop")
            self.tray.messageClicked.connect(self._on_clicked)
            self.tray.activated.connect(self._on_tray_activated)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @Slot(bool)
    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if not enabled:
            self._pending.clear()
            self._timer.stop()

    def set_per_queue(self, per_queue: bool, busy: Callable[[], bool] | None = None) -> None:
        """Per queue: hold messages until `busy()` is False (nothing running), then show
        one for everything that finished; per task: as they finish (grouped when close)."""
        self._busy = busy if per_queue else None

    @Slot()
    def queue_idle(self) -> None:
        """Nothing is running any more: in per-queue mode, show what finished."""
        if self._busy is not None and self._pending:
            self.flush()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @Slot(object)
    def notify_job(self, job: Job) -> None:
        """Note a job that just finished; other states (and stops) are ignored."""
        if not self._enabled or job.state not in (*_FINISHED, *_PROBLEMS):
            return
        now = time.monotonic()
        if not self._pending:
            self._first_at = now
        self._pending[job.local_id] = job  # a repeated snapshot replaces, never doubles
        waited_ms = int((now - self._first_at) * 1000)
        self._timer.start(max(0, min(self._coalesce_ms, self._max_wait_ms - waited_ms)))

    @Slot()
    def flush(self) -> None:
        """Show what is pending now (the timer calls this)."""
        self._timer.stop()
        if self._busy is not None and self._busy():
            return  # per queue: wait for the last task (queue_idle flushes)
        jobs = list(self._pending.values())
        self._pending.clear()
        if not jobs or not self._enabled or self._window_active():
            return
        title, text, target = self._message(jobs)
        self._target = target
        self.shown.emit(title, text)
        if self.tray is None:
            self.recorded.append((title, text))
            return
        if not self.tray.isVisible():
            self.tray.show()
        self.tray.showMessage(title, text, self._icon, MESSAGE_MS)

    def close(self) -> None:
        """Stop the timer and take the icon out of the tray (on quit)."""
        self._timer.stop()
        self._pending.clear()
        if self.tray is not None:
            self.tray.hide()

    def _message(self, jobs: Sequence[Job]) -> tuple[str, str, str]:
        problems = [job for job in jobs if job.state in _PROBLEMS]
        done = [job for job in jobs if job.state in _FINISHED]
        if len(jobs) == 1:
            job = jobs[0]
            model = self._model_label(job.model_id)
            if problems:
                why = _short(job_error(job) or state_label(job.state))
                return self.tr("Failed: {model}").format(model=model), why, job.local_id
            text = _short(job.prompt) or self.tr("Finished.")
            return self.tr("Done: {model}").format(model=model), text, job.local_id
        parts = []
        if done:
            parts.append(
                self.tr("1 task finished")
                if len(done) == 1
                else self.tr("{count} tasks finished").format(count=len(done))
            )
        if problems:
            if done:
                parts.append(self.tr("{count} failed").format(count=len(problems)))
            elif len(problems) == 1:
                parts.append(self.tr("1 task failed"))
            else:
                parts.append(self.tr("{count} tasks failed").format(count=len(problems)))
        title = self.tr(", ").join(parts)
        if problems:
            first = problems[0]
            why = _short(job_error(first) or state_label(first.state))
            return title, f"{self._model_label(first.model_id)} — {why}", first.local_id
        return title, self.tr("Click to see the results."), done[-1].local_id

    @Slot()
    def _on_clicked(self) -> None:
        if self._target:
            self.activated.emit(self._target)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.activated.emit(self._target)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _TEXT_CHARS else line[: _TEXT_CHARS - 1].rstrip() + "…"


def default_icon(size: int = 64) -> QIcon:
    """A plain round badge with a tick, drawn here so no resource file is needed."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(ACCENT))
    painter.drawEllipse(2, 2, size - 4, size - 4)
    tick = QPainterPath(QPointF(size * 0.28, size * 0.52))
    tick.lineTo(size * 0.44, size * 0.68)
    tick.lineTo(size * 0.73, size * 0.35)
    pen = QPen(QColor("white"), size * 0.09)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(tick)
    painter.end()
    return QIcon(pixmap)
