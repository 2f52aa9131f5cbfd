"""Cancel on Get3W: ask the server to stop running tasks (DELETE /api/v3/predictions/{id}).

Three different things, kept apart for people: *Stop waiting* (Ctrl+.) only stops this app
from checking, and the task goes on on the server; *Cancel on Get3W* asks the server to
stop it; *Delete* forgets it here (and optionally there). The server call runs off the
GUI thread; the task shows "Cancelled on Get3W" once the server agreed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import JobState
from get3w_desktop.core.messages import Message
from get3w_desktop.ui.messages import render
from get3w_desktop.workers.account import NO_ROUTE, RemoteCanceller

if TYPE_CHECKING:
    from get3w_desktop.ui.services import LiveService
    from get3w_desktop.ui.task_panel import TaskMenus
    from get3w_desktop.workers.job_book import JobBook

# How long to wait for a worker's own "stopped" snapshot before writing ours over it.
_SETTLE_TRIES = 25


class RemoteCancel(QObject):
    def __init__(
        self,
        window: TaskMenus,
        book: JobBook,
        live: Callable[[], LiveService | None],
    ) -> None:
        super().__init__(window.dialog_parent())
        self._window, self._book, self._live = window, book, live
        self._canceller = RemoteCanceller(self)
        self._canceller.done.connect(self._on_done)
        self.act_cancel_remote = QAction(window.dialog_parent())
        self.act_cancel_remote.triggered.connect(lambda _checked=False: self.cancel_selected())
        self.retranslate()
        window.extra_task_actions.append(self.act_cancel_remote)
        window.task_menu.insertAction(window.act_remove, self.act_cancel_remote)

    def retranslate(self) -> None:
        self.act_cancel_remote.setText(self.tr("Cancel on Get3&W…"))
        self.act_cancel_remote.setToolTip(
            self.tr(
                "Ask the server to stop the selected running tasks (Stop waiting only "
                "stops this app from checking)"
            )
        )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return super().event(event)

    def cancel_selected(self, *, confirm: bool = True) -> int:
        """Cancel the selected running tasks on the server; how many were asked."""
        live = self._live()
        jobs = [job for job in self._window.selected_jobs()
                if job.state.active and job.remote_id]  # fmt: skip
        if live is None or not jobs:
            self._say(self.tr("Select running tasks that have reached the server."))
            return 0
        jobs = [job for job in jobs if job.profile == live.info.profile]  # its own server only
        if not jobs:
            self._say(self.tr("These tasks ran on another profile: switch to it first."))
            return 0
        if confirm:
            text = (
                self.tr("Ask Get3W to stop this task? What it already did may be charged.")
                if len(jobs) == 1
                else self.tr(
                    "Ask Get3W to stop these {n} tasks? What they already did may be charged."
                ).format(n=len(jobs))
            )
            answer = QMessageBox.question(
                self._window.dialog_parent(), self.tr("Cancel on Get3W"), text
            )
            if answer != QMessageBox.StandardButton.Yes:
                return 0
        self._book.stop([job.local_id for job in jobs])
        pairs = [(job.local_id, job.remote_id or "") for job in jobs]
        self._canceller.cancel(live.client, pairs)
        return len(jobs)

    @Slot(str, bool, object)
    def _on_done(self, local_id: str, cancelled: bool, problem: Message | None) -> None:
        if not cancelled:
            reason = (
                self.tr("this service offers no way to cancel a task")
                if problem is None or problem == NO_ROUTE
                else render(problem)
            )
            self._say(self.tr("Not cancelled on Get3W: {why}").format(why=reason))
            return
        self._settle(local_id, _SETTLE_TRIES)

    def _settle(self, local_id: str, tries: int) -> None:
        job = self._book.job(local_id)
        if job is None:
            return
        if self._book.is_running(job) and tries > 0:  # the worker's own "stopped" is on its way
            QTimer.singleShot(100, lambda: self._settle(local_id, tries - 1))
            return
        done = job.evolve(
            state=JobState.CANCELLED, error=self.tr("Cancelled on Get3W."), note="",
            error_action=Action.RETRY, finished_at=job.finished_at or time.time(),
        )  # fmt: skip
        self._book.update([done], record=True)
        self._say(self.tr("Cancelled on Get3W."))

    def _say(self, text: str) -> None:
        self._window.say(text, 8000)

    def shutdown(self) -> None:
        self._canceller.shutdown()
