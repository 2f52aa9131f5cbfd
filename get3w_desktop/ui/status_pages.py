"""The viewer's pages for a task without results: waiting, sending, generating, saving
(a progress bar), and failed, stopped, uncertain or finished without files (what to do next).

Their titles and hints are ResultViewer's texts: marked here with that translation context
and looked up with `translated`, so moving them here changed no translation.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QProgressBar

from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.ui.job_delegate import Glyph, glyph_for, note_text, state_color, status_text
from get3w_desktop.ui.message_page import MessagePage
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, state_label

_CONTEXT = "ResultViewer"
# English source texts; shown through `_tr` in the current language.
EMPTY_MESSAGE = QT_TRANSLATE_NOOP(
    "ResultViewer", "Pick a model, write a prompt and press Generate — results appear here"
)
_PROGRESS_TITLES = {
    JobState.QUEUED: QT_TRANSLATE_NOOP("ResultViewer", "Waiting to start…"),
    JobState.SUBMITTING: QT_TRANSLATE_NOOP("ResultViewer", "Sending to Get3W…"),
    JobState.RUNNING: QT_TRANSLATE_NOOP("ResultViewer", "Generating…"),
    JobState.DOWNLOADING: QT_TRANSLATE_NOOP("ResultViewer", "Saving the results…"),
}
_ERROR_TITLES = {
    JobState.FAILED: QT_TRANSLATE_NOOP("ResultViewer", "This task failed"),
    JobState.NOT_SAVED: QT_TRANSLATE_NOOP("ResultViewer", "Finished, but not saved"),
    JobState.UNCERTAIN: QT_TRANSLATE_NOOP("ResultViewer", "Submission uncertain"),
    JobState.CANCELLED: QT_TRANSLATE_NOOP("ResultViewer", "Stopped"),
    JobState.COMPLETED: QT_TRANSLATE_NOOP("ResultViewer", "Finished without files"),
}
_HINTS = {
    Action.RETRY: QT_TRANSLATE_NOOP(
        "ResultViewer", "Try again in a moment: Task › Re-run (Ctrl+R)."
    ),
    Action.OPEN_SETTINGS: QT_TRANSLATE_NOOP(
        "ResultViewer", "Check the API key in Settings, then re-run the task."
    ),
    Action.TOP_UP: QT_TRANSLATE_NOOP(
        "ResultViewer", "Top up your Get3W balance, then re-run the task (Ctrl+R)."
    ),
    Action.FIX_INPUT: QT_TRANSLATE_NOOP(
        "ResultViewer",
        "Change the parameters and generate again: Task › Load parameters (Ctrl+L).",
    ),
    Action.CHECK_NETWORK: QT_TRANSLATE_NOOP(
        "ResultViewer", "Check your internet connection, then re-run the task (Ctrl+R)."
    ),
    Action.CHOOSE: QT_TRANSLATE_NOOP(
        "ResultViewer",
        "Check your Get3W dashboard before re-running, so you are not charged twice.",
    ),
}
_STATE_HINTS = {
    JobState.FAILED: QT_TRANSLATE_NOOP(
        "ResultViewer", "You can re-run it with the same parameters: Task › Re-run (Ctrl+R)."
    ),
    JobState.CANCELLED: QT_TRANSLATE_NOOP(
        "ResultViewer", "A task already on the server keeps running there; nothing was lost."
    ),
    JobState.NOT_SAVED: QT_TRANSLATE_NOOP(
        "ResultViewer", "The result stays on Get3W for about 7 days: Task › Copy output URL."
    ),
    JobState.UNCERTAIN: _HINTS[Action.CHOOSE],
}


def translated(source: str) -> str:
    """One of the texts above in the current language ("" stays "")."""
    return QCoreApplication.translate(_CONTEXT, source) if source else source


class ProgressPage(MessagePage):
    """A running task: its state, how far it is (a thin bar; busy when unknown), its note."""

    def __init__(self) -> None:
        super().__init__(Glyph.SPARK)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(280, 6)
        self.bar.setStyleSheet(
            "QProgressBar { border: none; border-radius: 3px; background: rgba(128,128,128,0.25); }"
            "QProgressBar::chunk { border-radius: 3px; background: palette(highlight); }"
        )
        self.add(self.bar)

    def show_job(self, job: Job, now: float, palette: QPalette) -> None:
        self.emblem.set(glyph_for(job), state_color(job.state, palette))
        title = _PROGRESS_TITLES.get(job.state)
        self.title.setText(translated(title) if title else state_label(job.state))
        self.body.setText(status_text(job, now))
        fraction = job.progress(now)
        if fraction is None and job.state is JobState.QUEUED:
            self.bar.setRange(0, 1000)
            self.bar.setValue(0)
        elif fraction is None:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        self.set_hint(note_text(job))


class ErrorPage(MessagePage):
    """A task that ended without results: what happened (`body`) and what to do next."""

    def __init__(self) -> None:
        super().__init__(Glyph.ERROR)

    def show_job(self, job: Job, body: str, palette: QPalette) -> None:
        glyph = Glyph.STOP if job.state is JobState.CANCELLED else glyph_for(job)
        self.emblem.set(glyph, state_color(job.state, palette))
        title = _ERROR_TITLES.get(job.state)
        self.title.setText(translated(title) if title else state_label(job.state))
        self.body.setText(body)
        hint = _HINTS.get(job.error_action) or _STATE_HINTS.get(job.state, "")
        self.set_hint(translated(hint))
