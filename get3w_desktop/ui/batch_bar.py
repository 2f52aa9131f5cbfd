"""A compact strip over the task list for the running batch: progress, cancel, retry.

"Batch: 31 of 48 done · 2 failed" with a progress bar, [Cancel batch] while it runs,
[Retry failed] once some failed, and [Send uncertain again…] for tasks whose submit
answer was lost (only after saying they may be charged twice). Hidden with no batch.

Signals:
    dismissed(): the person closed the strip of a finished batch.
    retried(list[Job]): jobs sent again from the strip (the window may select one).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolButton,
    QWidget,
)

from get3w_desktop.core.batch import BatchCounts
from get3w_desktop.workers.batch import BatchTracker


class BatchBar(QFrame):
    dismissed = Signal()
    retried = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._tracker: BatchTracker | None = None
        self.label = QLabel()
        self.label.setAccessibleName("Batch progress")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setMinimumWidth(90)
        self.cancel_button = QPushButton("Cancel batch")
        self.cancel_button.setToolTip(
            "Stop every task of this batch that has not finished. Tasks already running "
            "on the server go on there."
        )
        self.retry_button = QPushButton("Retry failed")
        self.retry_button.setToolTip("Send the failed tasks again with the same parameters")
        self.uncertain_button = QPushButton("Send uncertain again…")
        self.close_button = QToolButton()
        self.close_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)
        )
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide this batch's progress")
        self.close_button.setAccessibleName("Hide batch progress")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 5, 4, 5)
        row.setSpacing(8)
        row.addWidget(self.label)
        row.addWidget(self.progress, 1)
        for button in (self.uncertain_button, self.retry_button, self.cancel_button):
            row.addWidget(button)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.cancel_button.clicked.connect(self._cancel)
        self.retry_button.clicked.connect(self._retry)
        self.uncertain_button.clicked.connect(self._send_uncertain)
        self.close_button.clicked.connect(self._dismiss)
        self.setVisible(False)

    @property
    def tracker(self) -> BatchTracker | None:
        return self._tracker

    def bind(self, tracker: BatchTracker | None) -> None:
        """Follow `tracker` (None: nothing to show)."""
        if self._tracker is not None:
            self._tracker.changed.disconnect(self._update)
        self._tracker = tracker
        if tracker is not None:
            tracker.changed.connect(self._update)
        self._update()

    @Slot()
    def _update(self) -> None:
        tracker = self._tracker
        self.setVisible(tracker is not None)
        if tracker is None:
            return
        counts = tracker.counts()
        self.label.setText(counts.text())
        self.label.setToolTip(_details(counts))
        self.progress.setValue(round(counts.progress * 1000))
        self.cancel_button.setVisible(not counts.finished)
        self.retry_button.setVisible(counts.failed > 0)
        self.retry_button.setText(f"Retry {counts.failed:,} failed")
        self.uncertain_button.setVisible(counts.uncertain > 0)
        self.uncertain_button.setToolTip(
            f"{counts.uncertain:,} submit answer(s) were lost: those tasks may exist and be "
            "charged. Sending them again may pay twice."
        )
        self.close_button.setVisible(counts.finished)

    def _cancel(self) -> None:
        if self._tracker is not None:
            self._tracker.cancel_all()

    def _retry(self) -> None:
        if self._tracker is not None:
            jobs = self._tracker.retry_failed()
            if jobs:
                self.retried.emit(jobs)

    def _send_uncertain(self) -> None:
        tracker = self._tracker
        if tracker is None or not tracker.uncertain_jobs():
            return
        count = len(tracker.uncertain_jobs())
        answer = QMessageBox.question(
            self, "Send uncertain tasks again?",
            f"The server's answer to {count} submit(s) was lost, so those tasks may already "
            "exist and be charged. Sending them again may create (and charge) them twice.\n\n"
            "Send them again?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            jobs = tracker.retry_uncertain()
            if jobs:
                self.retried.emit(jobs)

    def _dismiss(self) -> None:
        self.bind(None)
        self.dismissed.emit()


def _details(counts: BatchCounts) -> str:
    parts = [
        (counts.queued, "waiting"), (counts.running, "running"), (counts.done, "done"),
        (counts.failed, "failed"), (counts.not_saved, "finished but not saved"),
        (counts.uncertain, "uncertain (may be charged)"), (counts.stopped, "stopped"),
    ]  # fmt: skip
    return "\n".join(f"{count:,} {word}" for count, word in parts if count)
