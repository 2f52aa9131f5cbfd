"""Delete, export and storage, wired to the window's menus and the housekeeper.

Task › Delete… (Delete) replaces "remove from list": the tasks leave the history with the
app's own copies of their outputs, and optionally the server's tasks too. File ›
Export… writes the selected tasks to a folder; File › Storage… shows disk usage and
cleans up old copies. All of the work runs on the housekeeper's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job
from get3w_desktop.ui.housekeeping_dialogs import DeleteDialog, ExportDialog, StorageDialog
from get3w_desktop.workers.housekeeping import Housekeeper

if TYPE_CHECKING:
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.services import LiveService


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class HousekeepingActions(QObject):
    def __init__(
        self,
        window: MainWindow,
        keeper: Housekeeper,
        live: Callable[[], LiveService | None],
        load_history: Callable[[], list[Job]],
    ) -> None:
        super().__init__(window)
        self._window, self._keeper, self._live, self._load = window, keeper, live, load_history
        self._ops: dict[int, str] = {}
        self._probe_dialog: DeleteDialog | None = None
        self.act_export = QAction("E&xport…", window)
        self.act_export.setToolTip("Copy the selected tasks' outputs and records to a folder")
        self.act_export.triggered.connect(lambda _checked=False: self.export_selected())
        self.act_storage = QAction("S&torage…", window)
        self.act_storage.setToolTip("Disk space used by outputs; clean up old copies")
        self.act_storage.triggered.connect(lambda _checked=False: self.open_storage())
        window.act_remove.setText("&Delete…")
        window.act_remove.setToolTip("Delete the selected tasks here (and on Get3W if you wish)")
        window.act_remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        window.remove_handler = self.delete_selected
        window.extra_task_actions.append(self.act_export)
        window.task_menu.addAction(self.act_export)
        window.file_menu.insertActions(window.act_quit, [self.act_export, self.act_storage])
        window.file_menu.insertSeparator(window.act_quit)
        keeper.finished.connect(self._on_finished)
        keeper.failed.connect(self._on_failed)

    # -- delete ------------------------------------------------------------------------

    def delete_selected(self) -> int | None:
        """Ask, then delete the selected finished tasks; the operation number, or None."""
        plan = hk.plan_delete(self._window.selected_jobs(), self._keeper.outputs_dir)
        if not plan.jobs:
            self._say("Stop waiting for running tasks before deleting them (Ctrl+.).")
            return None
        live = self._live()
        available = live.client.v3_available() if live is not None else False
        dialog = DeleteDialog(plan, remote_available=available, parent=self._window)
        if available is None and live is not None:
            self._probe_dialog = dialog
            self._ops[self._keeper.probe_remote_delete(live.client.delete)] = "probe"
        answer = dialog.exec()
        self._probe_dialog = None
        if answer != QDialog.DialogCode.Accepted:
            return None
        remote = live.client.delete if live is not None and dialog.also_remote() else None
        op = self._keeper.delete(plan, delete_remote=remote,
                                 remote_profile=live.info.profile if live else None)  # fmt: skip
        self._ops[op] = "delete"
        return op

    # -- export ------------------------------------------------------------------------

    def export_selected(self) -> int | None:
        jobs = [job for job in self._window.selected_jobs() if not job.state.active]
        if not jobs:
            self._say("Select finished tasks to export.")
            return None
        dialog = ExportDialog(jobs, start_dir=str(Path.home()), parent=self._window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        op = self._keeper.export(jobs, dialog.folder(), dialog.options())
        self._ops[op] = "export"
        return op

    # -- storage -----------------------------------------------------------------------

    def open_storage(self) -> StorageDialog:
        dialog = StorageDialog(self._keeper, self._load, model_label=self._window.model_name,
                               parent=self._window)  # fmt: skip
        dialog.jobs_changed.connect(self._window.update_jobs)
        dialog.thumbnails_cleared.connect(self._window.forget_thumbnails)
        dialog.open()
        return dialog

    # -- results -----------------------------------------------------------------------

    @Slot(int, object)
    def _on_finished(self, op: int, result: object) -> None:
        kind = self._ops.pop(op, None)
        if kind == "probe" and self._probe_dialog is not None:
            self._probe_dialog.set_remote_available(result if isinstance(result, bool) else None)
        elif kind == "delete" and isinstance(result, hk.DeleteResult):
            self._window.forget_jobs(list(result.forgotten))
            self._window.jobs_removed.emit(list(result.forgotten))
            text = f"Deleted {_plural(len(result.forgotten), 'task')}"
            if result.remote_deleted:
                text += f", {len(result.remote_deleted)} also on the server"
            self._say(" ".join([text + ".", *result.problems]))
        elif kind == "export" and isinstance(result, hk.ExportResult):
            missing = f" ({len(result.missing)} missing outputs)" if result.missing else ""
            self._say(f"Exported {_plural(result.tasks, 'task')} to {result.folder}{missing}")

    @Slot(int, str)
    def _on_failed(self, op: int, message: str) -> None:
        if self._ops.pop(op, None) is not None:
            self._say(message)

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 12000)
