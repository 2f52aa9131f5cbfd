"""A compact strip over the task list for the running batch: progress, cancel, retry.

"Batch: 31 of 48 done · 2 failed" with a progress bar, [Cancel batch] while it runs,
[Retry failed] once some failed, and [Send uncertain again…] for tasks whose submit
answer was lost (only after saying they may be charged twice). Hidden with no batch.

Signals:
    dismissed(): the person closed the strip of a finished batch.
    retried(list[Job]): jobs sent again from the strip (the window may select one).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal, Slot
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
from get3w_desktop.ui.texts import batch_text
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
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setMinimumWidth(90)
        self.cancel_button = QPushButton()
        self.retry_button = QPushButton()
        self.uncertain_button = QPushButton()
        self.close_button = QToolButton()
        self.close_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton)
        )
        self.close_button.setAutoRaise(True)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setAccessibleName(self.tr("Batch progress"))
        self.cancel_button.setText(self.tr("Cancel batch"))
        self.cancel_button.setToolTip(
            self.tr(
                "Stop every task of this batch that has not finished. Tasks already running "
                "on the server go on there."
            )
        )
        self.retry_button.setText(self.tr("Retry failed"))
        self.retry_button.setToolTip(
            self.tr("Send the failed tasks again with the same parameters")
        )
        self.uncertain_button.setText(self.tr("Send uncertain again…"))
        self.close_button.setToolTip(self.tr("Hide this batch's progress"))
        self.close_button.setAccessibleName(self.tr("Hide batch progress"))
        self._update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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
        self.label.setText(batch_text(counts))
        self.label.setToolTip(_details(counts))
        self.progress.setValue(round(counts.progress * 1000))
        self.cancel_button.setVisible(not counts.finished)
        self.retry_button.setVisible(counts.failed > 0)
        self.retry_button.setText(
            self.tr("Retry {count} failed").format(count=f"{counts.failed:,}")
        )
        self.uncertain_button.setVisible(counts.uncertain > 0)
        self.uncertain_button.setToolTip(
            self.tr(
                "%n submit answer(s) were lost: those tasks may exist and be charged. "
                "Sending them again may pay twice.",
                "",
                counts.uncertain,
            )
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
            self, self.tr("Send uncertain tasks again?"),
            self.tr("The server's answer to %n submit(s) was lost, so those tasks may already "
                    "exist and be charged. Sending them again may create (and charge) them "
                    "twice.\n\nSend them again?", "", count),
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
    translate = QCoreApplication.translate
    parts = [
        (counts.queued, translate("BatchBar", "{count} waiting")),
        (counts.running, translate("BatchBar", "{count} running")),
        (counts.done, translate("BatchBar", "{count} done")),
        (counts.failed, translate("BatchBar", "{count} failed")),
        (counts.not_saved, translate("BatchBar", "{count} finished but not saved")),
        (counts.uncertain, translate("BatchBar", "{count} uncertain (may be charged)")),
        (counts.stopped, translate("BatchBar", "{count} stopped")),
    ]
    return "\n".join(word.format(count=f"{count:,}") for count, word in parts if count)
