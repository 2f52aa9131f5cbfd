"""The choice a damaged task history asks for: a new, empty history (the damaged file kept
as a copy beside it) or none for this session. Never a silent reset.

Asked in two places:
- at start, before the window, when SQLite cannot even open the file or it was written by
  a newer version (`DamagedHistory.ask_at_open`);
- from the running window, when the integrity check that runs after start (off the GUI
  thread: workers/history_loader.HistoryChecker) finds damage (`DamagedHistory.found`).
  What this session saved before the check answered is carried into the new history (or
  kept in memory until quit): see storage/history_recovery.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton, QWidget

from get3w_desktop.storage.history import (
    HistoryDamagedError,
    HistoryError,
    HistoryStore,
    HistoryTooNewError,
)

log = logging.getLogger(__name__)

# What the person chose (the `decided` signal's value).
NEW_HISTORY = "new"
NO_HISTORY = "none"


class DamagedHistory(QObject):
    """Asks what to do with a damaged history, in the person's language."""

    decided = Signal(str)  # NEW_HISTORY or NO_HISTORY, once the choice was carried out

    def __init__(self, window: QMainWindow | None = None, store: HistoryStore | None = None):
        super().__init__(window)
        self._window, self._store = window, store
        self._box: QMessageBox | None = None

    # -- at start, before the window ----------------------------------------------------

    def ask_at_open(self, error: HistoryDamagedError) -> bool:
        """True when the person chose a new history (the caller opens it)."""
        box, fresh = self._question(self._damage_text(error), self.tr(
            "Start a new, empty history? Your old one stays in that copy."))  # fmt: skip
        box.exec()
        return box.clickedButton() is fresh

    def not_started_over(self, error: HistoryError) -> None:
        """The person chose a new history at start, and it could not be made."""
        QMessageBox.warning(None, self.tr("Task history"), error.message)

    def unusable(self, error: HistoryError, parent: QWidget | None = None) -> None:
        """The history cannot be used at all (a folder that cannot be written, …)."""
        QMessageBox.warning(parent, self.tr("Task history"), self.tr(
            "%1\n\nTasks will run, but they will not be kept after you quit."
        ).replace("%1", error.message))  # fmt: skip

    # -- found after start, from the running window ---------------------------------------

    @Slot(object)
    def found(self, error: HistoryDamagedError) -> None:
        """The check after start found damage: ask, without blocking the window (once)."""
        if self._box is not None or self._store is None:
            return
        box, fresh = self._question(
            self._damage_text(error),
            self.tr("Start a new, empty history? Your old one stays in that copy, and the "
                    "tasks of this session go into the new one. Or continue without a "
                    "history: tasks run, but are not kept after you quit."),
        )  # fmt: skip
        box.setWindowModality(Qt.WindowModality.WindowModal)
        backup = error.backup.name if error.backup else ""
        box.finished.connect(lambda _result: self._chosen(box.clickedButton() is fresh, backup))
        self._box = box
        box.open()

    def _chosen(self, new_history: bool, backup: str) -> None:
        store = self._store
        assert store is not None
        if new_history:
            try:
                store.start_over()
            except HistoryError as exc:
                log.error("history: no new history: %s", exc.message)
                QMessageBox.warning(self._window, self.tr("Task history"), self.tr(
                    "No new history could be started: %1\n\nTasks will run, but they will "
                    "not be kept after you quit.").replace("%1", exc.message))  # fmt: skip
            else:
                self._say(self.tr("A new task history was started with this session's "
                                  "tasks. The damaged one was kept as %1.").replace(
                                      "%1", backup or store.path.name))  # fmt: skip
                self.decided.emit(NEW_HISTORY)
                return
        store.go_on_in_memory()
        self._say(self.tr("Continuing without a task history: this session's tasks are "
                          "kept until you quit."))  # fmt: skip
        self.decided.emit(NO_HISTORY)

    def _say(self, text: str) -> None:
        log.warning("history: %s", text)
        if self._window is not None:
            self._window.statusBar().showMessage(text, 30000)

    # -- texts ---------------------------------------------------------------------------

    def _question(self, text: str, informative: str) -> tuple[QMessageBox, QPushButton]:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Task history"), text,
                          parent=self._window)  # fmt: skip
        box.setObjectName("damaged_history")
        box.setInformativeText(informative)
        fresh = box.addButton(self.tr("Start a new history"), QMessageBox.ButtonRole.AcceptRole)
        fresh.setObjectName("new_history")
        none = box.addButton(self.tr("Continue without history"),
                             QMessageBox.ButtonRole.RejectRole)  # fmt: skip
        none.setObjectName("no_history")
        box.setDefaultButton(fresh)
        return box, fresh

    def _damage_text(self, error: HistoryDamagedError) -> str:
        name = str(error.path)
        if isinstance(error, HistoryTooNewError):
            text = self.tr("The task history %1 was written by a newer version of Get3W "
                           "Desktop. Update the app to see it.").replace("%1", name)  # fmt: skip
        else:
            text = self.tr("The task history file %1 is damaged and cannot be read.").replace(
                "%1", name)  # fmt: skip
        return f"{text} {self._kept(error.backup)}"

    def _kept(self, backup: Path | None) -> str:
        if backup is None:
            return self.tr("A backup copy could not be made; the file was left untouched.")
        return self.tr("A copy was kept as %1.").replace("%1", backup.name)
