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

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Message
from get3w_desktop.ui.messages import render
from get3w_desktop.workers.housekeeping import Housekeeper
from get3w_desktop.workers.job_book import JobBook

if TYPE_CHECKING:
    from get3w_desktop.ui.housekeeping_dialogs import DeleteDialog
    from get3w_desktop.ui.services import LiveService
    from get3w_desktop.ui.storage_dialog import StorageDialog
    from get3w_desktop.ui.task_panel import TaskMenus


class HousekeepingActions(QObject):
    """Adds Export…, Storage… and Delete… to `window` (a child of it: it lives as long).

    Its texts follow a language change: the window's own retranslate sets its texts first
    (resetting Delete… to "Remove from list"), then Qt passes the event to its children.
    """

    def __init__(
        self,
        window: TaskMenus,
        book: JobBook,
        keeper: Housekeeper,
        live: Callable[[], LiveService | None],
        load_history: Callable[[], list[Job]],
    ) -> None:
        super().__init__(window.dialog_parent())
        self._window, self._keeper, self._live, self._load = window, keeper, live, load_history
        self._book = book
        self._ops: dict[int, str] = {}
        self._probe_dialog: DeleteDialog | None = None
        self.act_export = QAction(window.dialog_parent())
        self.act_export.triggered.connect(lambda _checked=False: self.export_selected())
        self.act_storage = QAction(window.dialog_parent())
        self.act_storage.triggered.connect(lambda _checked=False: self.open_storage())
        self.retranslate()
        window.act_remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        window.remove_handler = self.delete_selected
        window.extra_task_actions.append(self.act_export)
        window.task_menu.addAction(self.act_export)
        window.file_menu.insertActions(window.act_quit, [self.act_export, self.act_storage])
        window.file_menu.insertSeparator(window.act_quit)
        keeper.finished.connect(self._on_finished)
        keeper.failed.connect(self._on_failed)

    def retranslate(self) -> None:
        """The action texts in the current language (Delete… replaces the window's own)."""
        self.act_export.setText(self.tr("E&xport…"))
        self.act_export.setToolTip(
            self.tr("Copy the selected tasks' outputs and records to a folder")
        )
        self.act_storage.setText(self.tr("S&torage…"))
        self.act_storage.setToolTip(self.tr("Disk space used by outputs; clean up old copies"))
        self._window.act_remove.setText(self.tr("&Delete…"))
        self._window.act_remove.setToolTip(
            self.tr("Delete the selected tasks here (and on Get3W if you wish)")
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()  # after the window's retranslate: it sends the event on to us
        return super().event(event)

    # -- delete ------------------------------------------------------------------------

    def delete_selected(self) -> int | None:
        """Ask, then delete the selected finished tasks; the operation number, or None."""
        selected = self._book.as_not_running(self._window.selected_jobs())
        plan = hk.plan_delete(selected, self._keeper.outputs_dir)
        if not plan.jobs:
            self._say(self.tr("Stop waiting for running tasks before deleting them (Ctrl+.)."))
            return None
        live = self._live()
        available = live.client.v3_available() if live is not None else False
        from get3w_desktop.ui.housekeeping_dialogs import DeleteDialog  # not at start-up

        dialog = DeleteDialog(plan, remote_available=available, parent=self._window.dialog_parent())
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
        jobs = self._book.as_not_running(self._window.selected_jobs())
        jobs = [job for job in jobs if not job.state.active]
        if not jobs:
            self._say(self.tr("Select finished tasks to export."))
            return None
        from get3w_desktop.ui.housekeeping_dialogs import ExportDialog  # not at start-up

        dialog = ExportDialog(jobs, start_dir=str(Path.home()), parent=self._window.dialog_parent())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        op = self._keeper.export(jobs, dialog.folder(), dialog.options())
        self._ops[op] = "export"
        return op

    # -- storage -----------------------------------------------------------------------

    def open_storage(self) -> StorageDialog:
        from get3w_desktop.ui.storage_dialog import StorageDialog  # not at start-up

        dialog = StorageDialog(self._keeper, self._load, model_label=self._window.model_name,
                               parent=self._window.dialog_parent())  # fmt: skip
        dialog.jobs_changed.connect(self._book.update)
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
            self._book.drop(result.forgotten)  # the housekeeper already took them out
            self._say(" ".join([self._deleted_text(result), *map(render, result.said)]))
        elif kind == "export" and isinstance(result, hk.ExportResult):
            self._say(self._exported_text(result))

    def _deleted_text(self, result: hk.DeleteResult) -> str:
        count, remote = len(result.forgotten), len(result.remote_deleted)
        if remote:
            text = (
                self.tr("Deleted 1 task, also on the server.")
                if count == 1
                else self.tr("Deleted {n} tasks, {remote} also on the server.")
            )
        else:
            text = self.tr("Deleted 1 task.") if count == 1 else self.tr("Deleted {n} tasks.")
        return text.format(n=f"{count:,}", remote=f"{remote:,}")

    def _exported_text(self, result: hk.ExportResult) -> str:
        text = (
            self.tr("Exported 1 task to {folder}")
            if result.tasks == 1
            else self.tr("Exported {n} tasks to {folder}")
        ).format(n=f"{result.tasks:,}", folder=result.folder)
        missing = len(result.missing)
        if not missing:
            return text
        what = (
            self.tr("1 missing output")
            if missing == 1
            else self.tr("{n} missing outputs").format(n=f"{missing:,}")
        )
        return self.tr("{exported} ({missing})").format(exported=text, missing=what)

    @Slot(int, object)
    def _on_failed(self, op: int, message: Message) -> None:
        if self._ops.pop(op, None) is not None:
            self._say(render(message))

    def _say(self, text: str) -> None:
        self._window.say(text, 12000)
