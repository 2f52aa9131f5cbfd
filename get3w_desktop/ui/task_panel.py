"""The task panel: the task list with its filter, the batch bar, and the list's menu.

It shows what the job book holds (through a filter model), keeps the selection, repaints
running tasks' progress while any runs here, and opens the context menu from entries the
window gives it (the window owns the actions; the panel only decides where they show).

The shown task follows the filter: when a search or filter hides it, the first task still
listed becomes the current one (none listed: nothing is shown, and `nothing_matches` says
why). The hidden task is remembered; when the filter shows it again (cleared, or changed)
and the person has not picked another meanwhile, it comes back.

Signals:
    current_changed(object): the current task (a Job, or None).
    nothing_matches(bool): True when tasks exist but the filter hides every one.
    activated(): a task was double-clicked.
    tick(): running tasks moved on (the window refreshes what it shows of the current one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QListView, QMenu, QVBoxLayout, QWidget

from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_filter import JobFilterModel
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole
from get3w_desktop.ui.batch_bar import BatchBar
from get3w_desktop.ui.job_delegate import TICK_MS, JobDelegate
from get3w_desktop.ui.messages import job_error, job_note
from get3w_desktop.ui.search_words import row_words
from get3w_desktop.ui.style import bold, muted
from get3w_desktop.ui.task_filter_bar import TaskFilterBar
from get3w_desktop.ui.texts import estimate_text, state_label
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.thumbnails import ThumbnailLoader

#: What the context menu shows for a task: (action or None for a separator, enabled).
MenuEntries = Callable[[Job], Sequence[tuple[QAction | None, bool]]]


def row_text(job: Job, display_name: Callable[[str], str]) -> str:
    """A task row as a screen reader says it: state, model, prompt, and what went wrong."""
    parts = [state_label(job.state), display_name(job.model_id), job.prompt[:60]]
    if job.state.active and job.estimated_duration:  # the service's estimate, as shown
        parts.append(estimate_text(job.estimated_duration))
    error = job_error(job)
    return " · ".join([p for p in parts if p] + ([error] if error else []))


def row_tooltip(job: Job) -> str | None:
    return job_error(job) or job_note(job) or job.prompt or None


class TaskMenus(Protocol):
    """What add-ons to the task list (housekeeping, remote cancel) may use of the window:
    its menus and Remove action, the selection, a status line and a parent for dialogs."""

    act_remove: QAction
    act_quit: QAction
    task_menu: QMenu
    file_menu: QMenu
    extra_task_actions: list[QAction]  # shown in the task list's context menu too
    remove_handler: Callable[[], object] | None  # replaces "remove from list"

    def selected_jobs(self) -> list[Job]: ...

    def model_name(self, model_id: str) -> str: ...

    def forget_thumbnails(self) -> None: ...

    def say(self, text: str, ms: int) -> None: ...

    def dialog_parent(self) -> QWidget: ...


class TaskPanel(QWidget):
    current_changed = Signal(object)
    nothing_matches = Signal(bool)
    activated = Signal()
    tick = Signal()

    def __init__(
        self,
        book: JobBook,
        jobs: JobListModel,
        catalogue: Catalogue,
        thumbnails: ThumbnailLoader,
        display_name: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._book, self._jobs = book, jobs
        self._shown_id: str | None = None  # the task the viewer shows (the current one)
        self._hidden_pick: str | None = None  # the person's pick the filter hid
        self._following = False  # the current row is being moved by the filter, not a person
        self._no_match = False
        self.menu_entries: MenuEntries = lambda _job: ()
        self.batch_bar = BatchBar()
        self.batch_bar.retried.connect(
            lambda jobs: self.select_job(jobs[-1].local_id) if jobs else None
        )
        jobs.set_texts(lambda job: row_text(job, display_name), row_tooltip, row_words())
        self.shown = JobFilterModel(jobs, self, display_name=display_name)
        self.filter_bar = TaskFilterBar(self.shown, catalogue)
        self.list_view = QListView()
        self.list_view.setModel(self.shown)
        self.delegate = JobDelegate(thumbnails, self.list_view, display_name)
        self.list_view.setItemDelegate(self.delegate)
        self.list_view.setUniformItemSizes(True)
        # Lay out ~100,000 rows in batches between events, so a search that keeps most of
        # them never lays them all out in one go (bench/scale.py --search-only --batched).
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.list_view.setBatchSize(2000)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.list_view.setDragEnabled(True)  # drag outputs out to the file manager
        self.list_view.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.list_view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.heading = bold(QLabel())
        self.empty_hint = muted(QLabel(), smaller=False)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.linkActivated.connect(lambda _link: self.filter_bar.clear())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for widget in (self.heading, self.filter_bar, self.batch_bar):
            layout.addWidget(widget)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.empty_hint)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self.list_view.customContextMenuRequested.connect(self._show_context_menu)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.doubleClicked.connect(lambda _index: self.activated.emit())
        self.list_view.clicked.connect(self._forget_hidden_pick)  # even the row already shown
        for signal in (self.shown.rowsInserted, self.shown.rowsRemoved, self.shown.modelReset,
                       self.shown.layoutChanged):  # fmt: skip
            signal.connect(self.update_empty_hint)
        for signal in (self.shown.layoutChanged, self.shown.modelReset, self.shown.rowsRemoved,
                       self.shown.rowsInserted):  # fmt: skip
            signal.connect(self._follow_filter)
        book.changed.connect(self._on_job_changed)

    def retranslate(self) -> None:
        self._jobs.retranslate()
        self.list_view.setAccessibleName(self.tr("Tasks"))
        self.heading.setText(self.tr("Tasks"))
        self.update_empty_hint()

    def stop(self) -> None:
        """The window is closing: no more repaints."""
        self._ticker.stop()

    def set_profiles(self, names: list[str]) -> None:
        self.filter_bar.set_profiles(names)

    def focus_search(self) -> None:
        self.filter_bar.setVisible(True)
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    # -- the selection -----------------------------------------------------------------

    def select_job(self, local_id: str) -> None:
        """Make `local_id` the one selected and shown task (other selections cleared)."""
        self._hidden_pick = None  # a new pick: the one the filter hid stays hidden
        index = self.shown.index_of(local_id)
        if not index.isValid() and self.shown.is_filtered():
            self.filter_bar.clear()  # a new task must never be hidden by an old search
            index = self.shown.index_of(local_id)
        if index.isValid():
            flag = QItemSelectionModel.SelectionFlag
            self.list_view.selectionModel().setCurrentIndex(index, flag.ClearAndSelect)
            self.list_view.scrollTo(index)

    def current_job(self) -> Job | None:
        index = self.list_view.currentIndex()
        job = index.data(JobRole.JOB) if index.isValid() else None
        return job if isinstance(job, Job) else None

    def selected_jobs(self) -> list[Job]:
        """The selected tasks (or the current one), in list order."""
        rows = sorted(i.row() for i in self.list_view.selectionModel().selectedRows())
        jobs = [job for row in rows if (job := self.shown.job_at(row)) is not None]
        current = self.current_job()
        return jobs or ([current] if current is not None else [])

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        job = current.data(JobRole.JOB) if current.isValid() else None
        job = job if isinstance(job, Job) else None
        if not self._following and job is not None:
            self._hidden_pick = None  # the person chose: the hidden one stays where it is
        self._shown_id = job.local_id if job is not None else None
        self.current_changed.emit(job)

    @Slot()
    def _forget_hidden_pick(self) -> None:
        """The person chose a task: the one the filter hid stays hidden."""
        self._hidden_pick = None

    @Slot()
    def _follow_filter(self) -> None:
        """After the list changed: a hidden pick listed again comes back; a shown task the
        filter hid gives way to the first listed one (none listed: nothing is shown)."""
        if self._following:
            return
        index = self.list_view.currentIndex()
        current = index.data(JobRole.JOB) if index.isValid() else None
        target: QModelIndex | None = None
        if (
            self._hidden_pick is not None
            and (back := self.shown.index_of(self._hidden_pick)).isValid()
        ):
            self._hidden_pick = None
            target = back
        elif not isinstance(current, Job) and self._shown_id is not None:
            still = self.shown.index_of(self._shown_id)
            if still.isValid():
                target = still  # a reset lost the current row; the task is still listed
            else:
                # Hidden: remember the person's pick (not one the filter made), show the first.
                if self._hidden_pick is None and self._book.job(self._shown_id) is not None:
                    self._hidden_pick = self._shown_id
                if self.shown.rowCount():
                    target = self.shown.index(0, 0)
                else:
                    self._shown_id = None
                    self.current_changed.emit(None)
        if self._hidden_pick is not None and self._book.job(self._hidden_pick) is None:
            self._hidden_pick = None  # removed meanwhile: nothing to come back to
        if target is not None and target != index:
            self._move_to(target)
        self._set_no_match(self.shown.rowCount() == 0 and self._jobs.rowCount() > 0)

    def _move_to(self, index: QModelIndex) -> None:
        self._following = True
        try:
            flag = QItemSelectionModel.SelectionFlag
            self.list_view.selectionModel().setCurrentIndex(index, flag.ClearAndSelect)
            self.list_view.scrollTo(index)
        finally:
            self._following = False

    def _set_no_match(self, no_match: bool) -> None:
        if no_match != self._no_match:
            self._no_match = no_match
            self.nothing_matches.emit(no_match)

    # -- moving tasks ------------------------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        current = self.current_job()
        if current is not None and current.local_id == job.local_id:
            self.current_changed.emit(job)
        if self._book.active_count() and self.isVisible() and not self._ticker.isActive():
            self._ticker.start()

    def _tick(self) -> None:
        self.tick.emit()
        if self._book.active_count():
            self.list_view.viewport().update()  # progress bars and elapsed times move
        else:
            self._ticker.stop()

    def update_empty_hint(self) -> None:
        if self._jobs.rowCount() == 0:
            self.empty_hint.setText(self.tr("Nothing yet: your tasks appear here, newest first."))
        else:
            self.empty_hint.setText(
                self.tr("No task matches.")
                + ' <a href="clear">'
                + self.tr("Show all tasks")
                + "</a>"
            )
        self.empty_hint.setVisible(self.shown.rowCount() == 0)
        self.filter_bar.setVisible(self._jobs.rowCount() > 0)

    # -- the menu ----------------------------------------------------------------------

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.list_view.indexAt(pos)
        if not index.isValid():
            return
        selection, flag = self.list_view.selectionModel(), QItemSelectionModel.SelectionFlag
        # Right-click inside a selection keeps it (Save all acts on every selected task).
        selection.setCurrentIndex(
            index, flag.NoUpdate if selection.isSelected(index) else flag.ClearAndSelect
        )
        job = self.current_job()
        if job is None:
            return
        menu = QMenu(self)
        before: list[tuple[QAction, bool]] = []
        for act, enabled in self.menu_entries(job):
            if act is None:
                menu.addSeparator()
            else:
                before.append((act, act.isEnabled()))
                act.setEnabled(enabled)
                menu.addAction(act)
        menu.exec(self.list_view.viewport().mapToGlobal(pos))
        for act, enabled in before:  # the same actions serve the menu bar: as they were
            act.setEnabled(enabled)
