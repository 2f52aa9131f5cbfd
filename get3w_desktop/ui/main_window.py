"""The main window: it composes the panels and owns the menus, the status bar and the
service badge. It holds no business logic and no job state.

- the generate panel (ui/generate_panel.py): picker, form, price, Generate and Batch…;
- the task panel (ui/task_panel.py): the task list, its filter and its menu;
- the output actions (ui/output_actions.py): open, save, copy, drag out, remix, snippets;
- the job book (workers/job_book.py) owns every job; the window asks it.

Built beside it: the arrangement of the panels and status bar (ui/window_layout.py), the
actions, menus and task context menu (ui/window_menus.py, worded by `retranslate` here),
the kept geometry (ui/window_state.py) and the comparison window (ui/compare_launcher.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from get3w_desktop import __version__
from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Message
from get3w_desktop.core.money import check_caps
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.paths import AppPaths, app_paths
from get3w_desktop.storage.settings import DEFAULT_CONFIRM_ABOVE
from get3w_desktop.ui.a11y import install_combo_namer
from get3w_desktop.ui.compare_launcher import CompareLauncher
from get3w_desktop.ui.focus_ring import install_focus_ring
from get3w_desktop.ui.generate_panel import MAX_VARIATIONS, GeneratePanel
from get3w_desktop.ui.help_dialogs import HelpActions, data_places
from get3w_desktop.ui.human_names import file_name
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.output_actions import OutputActions
from get3w_desktop.ui.param_fields.media_chips import set_result_namer
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.ui.shell import MINIMUM_SIZE, default_size
from get3w_desktop.ui.status_bar import StatusBar
from get3w_desktop.ui.task_panel import TaskPanel
from get3w_desktop.ui.use_as_input import UseAsInput  # #14.5
from get3w_desktop.ui.window_layout import WindowLayout, build_layout
from get3w_desktop.ui.window_menus import WindowMenus, build_actions, menu_entries
from get3w_desktop.ui.window_state import restore_state, save_state
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.history_loader import LoadedHistory
from get3w_desktop.workers.job_book import JobBook, resume_message
from get3w_desktop.workers.pricing import PriceQuoter
from get3w_desktop.workers.reachability import Reach
from get3w_desktop.workers.thumbnails import ThumbnailLoader

if TYPE_CHECKING:
    from get3w_desktop.ui.compare_window import CompareWindow

__all__ = ["MAX_VARIATIONS", "MainWindow"]


class MainWindow(QMainWindow, WindowMenus, WindowLayout):
    """Signals:
    key_requested(): the person wants to enter an API key (the sandbox banner, the menu).
    settings_requested(): Settings… (profiles, folders, concurrency, theme).
    profile_chosen(str): run new tasks on another profile.
    diagnostics_requested(): Help › Save diagnostics….
    spending_requested(): File › Spending….
    job_finished(Job): a job that just stopped moving (done, failed, stopped).
    """

    key_requested = Signal()
    settings_requested = Signal()
    profile_chosen = Signal(str)
    diagnostics_requested = Signal()
    spending_requested = Signal()
    job_finished = Signal(object)

    def __init__(
        self,
        catalogue: Catalogue,
        book: JobBook,
        thumbnails: ThumbnailLoader,
        memory: FormMemory,
        service: ServiceInfo,
        saver: FileCopier,
        *,
        balance: BalanceWatcher | None = None,
        state_file: Path | None = None,
        paths: AppPaths | None = None,
    ) -> None:
        super().__init__()
        if (app := QCoreApplication.instance()) is not None:
            install_combo_namer(app)  # combo popups and editable combos get their names
            if isinstance(app, QApplication):
                install_focus_ring(app)  # a visible ring on every control the keyboard is on
        self._catalogue = catalogue
        self.book = book
        jobs = book.rows
        assert isinstance(jobs, JobListModel)
        self.jobs = jobs
        self._thumbnails = thumbnails
        self._saver = saver
        self._service = service
        self._balance: BalanceWatcher | None = None  # set by set_service()
        self._balance_value: float | None = None
        self._caps: tuple[float | None, float | None] = (None, None)  # per run, per day
        self._comparing = CompareLauncher(self, thumbnails, self._use_compare_params)
        # Added by other parts (housekeeping) to the task list's context menu.
        self.extra_task_actions: list[QAction] = []
        # Replaces "remove from list" (housekeeping deletes files and remote tasks too).
        self.remove_handler: Callable[[], object] | None = None
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat) if state_file else None
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*default_size())  # the start-up shell (ui/shell.py) had the same
        # Before anything keeps a reference to statusBar().showMessage (say= callbacks).
        self.status_bar = StatusBar()
        self.setStatusBar(self.status_bar)

        self.tasks = TaskPanel(book, jobs, catalogue, thumbnails, self.model_name)
        self.tasks.menu_entries = partial(menu_entries, self)
        self.viewer = ResultViewer(thumbnails, display_name=self.model_name,
                                   group_of=self._group_of)  # fmt: skip
        self.generate_panel = GeneratePanel(
            catalogue, book, memory, service=lambda: self._service,
            caps_message=self.caps_message, last_folder=lambda: self.outputs.last_folder(),
            batch_bar=self.tasks.batch_bar,
        )  # fmt: skip
        self.outputs = OutputActions(
            self, tasks=self.tasks, viewer=self.viewer, book=book, catalogue=catalogue,
            thumbnails=thumbnails, saver=saver, state=self._state,
            base_url=lambda: self._service.base_url, load_recipe=self.generate_panel.load,
            say=self.statusBar().showMessage,
        )  # fmt: skip
        # The panels' widgets, by the names the rest of the app (and its tests) know.
        panel = self.generate_panel
        self.picker, self.form, self.count = panel.picker, panel.form, panel.count
        self.generate_button, self.batch_button = panel.generate_button, panel.batch_button
        self.price_label = panel.price_label
        self.list_view, self.shown, self.delegate = (
            self.tasks.list_view, self.tasks.shown, self.tasks.delegate)  # fmt: skip
        self.filter_bar, self.batch_bar = self.tasks.filter_bar, self.tasks.batch_bar
        self.empty_hint, self.tasks_heading = self.tasks.empty_hint, self.tasks.heading
        build_layout(self)
        build_actions(self)
        self.help = HelpActions(  # Help › Getting started, Keyboard shortcuts, data places
            self, self.help_menu, self.act_diagnostics,
            guide_actions={"find": self.act_search, "generate": self.act_generate,
                           "stop": self.act_cancel, "save": self.act_save},
            places=lambda: data_places(paths or app_paths(), outputs=book.runner.outputs_dir,
                                       thumbnails=thumbnails.cache_dir),
        )  # fmt: skip
        # #14.5 outputs feed models: "Use as input" in the viewer header and the task menu.
        self.use_as_input = UseAsInput(self, self.generate_panel.choose_model)
        self.set_service(service, balance)

        panel.sent.connect(lambda jobs: self.select_job(jobs[-1].local_id) if jobs else None)
        panel.message.connect(self.statusBar().showMessage)
        self.tasks.current_changed.connect(self.viewer.show_job)
        self.tasks.nothing_matches.connect(self.viewer.set_no_match)
        self.viewer.job_requested.connect(self.select_job)  # a gallery tile of another task
        # Media chips name a file this window's tasks made by its task, not its hash.
        namer = weakref.WeakMethod(self.result_name)
        set_result_namer(lambda path: method(path) if (method := namer()) else None)
        self.tasks.activated.connect(self.outputs.open_output)
        self.tasks.tick.connect(self._on_tick)
        book.changed.connect(lambda _job: self._update_activity())
        book.finished.connect(self._on_job_finished)
        book.removed.connect(self._forget_thumbnails)
        book.resumed.connect(
            lambda count, _profile: self.statusBar().showMessage(resume_message(count), 8000)
        )
        restore_state(self, self._state)
        self.setAcceptDrops(True)  # drop a saved output: its recipe fills the form
        self.retranslate()

    def retranslate(self) -> None:
        """Every text this window sets itself, in the current language (see ui/i18n.py)."""
        self.setWindowTitle(self.tr("Get3W Desktop"))
        self.generate_panel.retranslate()
        self.tasks.retranslate()
        texts = (
            (self.act_generate, self.tr("&Generate")), (self.act_batch, self.tr("&Batch…")),
            (self.act_compare, self.tr("&Compare models or seeds…")),
            (self.act_search, self.tr("&Find a model…")),
            (self.act_find_task, self.tr("Find a &task…")),
            (self.act_open, self.tr("&Open output")),
            (self.act_save, self.tr("&Save output as…")),
            (self.act_save_all, self.tr("Save &all outputs to a folder…")),
            (self.act_copy_image, self.tr("&Copy image")), (self.act_key, self.tr("API &key…")),
            (self.act_settings, self.tr("&Settings…")),
            (self.act_spending, self.tr("S&pending…")),
            (self.act_diagnostics, self.tr("Save &diagnostics…")),
            (self.act_copy_curl, self.tr("Copy as c&url")),
            (self.act_copy_python, self.tr("Copy as &Python")),
            (self.act_copy_url, self.tr("Copy output &URL")),
            (self.act_copy_id, self.tr("Copy task &id")), (self.act_rerun, self.tr("&Re-run")),
            (self.act_load, self.tr("&Load parameters into the form")),
            (self.act_cancel, self.tr("&Stop waiting")),
            (self.act_remove, self.tr("Re&move from list")), (self.act_quit, self.tr("&Quit")),
            (self.act_about, self.tr("&About Get3W Desktop")),
        )  # fmt: skip
        for act, text in texts:
            act.setText(text)
        menus = (
            (self.file_menu, self.tr("&File")), (self.task_menu, self.tr("&Task")),
            (self.view_menu, self.tr("&View")), (self.help_menu, self.tr("&Help")),
        )  # fmt: skip
        for menu, title in menus:
            menu.setTitle(title)
        self._show_balance()
        self._update_activity()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- generating (the generate panel does it) --------------------------------------

    def model_name(self, model_id: str) -> str:
        model = self._catalogue.get(model_id)
        return model.name if model else model_id

    @Slot()
    def generate(self) -> list[Job]:
        return self.generate_panel.generate()

    @Slot()
    def batch(self) -> list[Job]:
        return self.generate_panel.batch()

    def set_quoter(self, quoter: PriceQuoter | None) -> None:
        """Where prices come from (the live service's pricing route, or estimates)."""
        self.generate_panel.set_quoter(quoter)

    @Slot()
    def compare(self) -> CompareWindow | None:
        """The same prompt across several models or seeds, side by side (non-modal, reused)."""
        return self._comparing.open()

    @Slot(str, object)
    def _use_compare_params(self, model_id: str, params: dict[str, Any]) -> None:
        self.generate_panel.load(model_id, params)
        self.statusBar().showMessage(self.tr("Settings from the comparison are in the form"), 4000)

    # -- money -------------------------------------------------------------------------

    def caps_message(self, cost: float | None) -> str | None:
        """Why a run of `cost` would break a spending limit; None when it may go."""
        per_run, per_day = self._caps
        if per_run is None and per_day is None:
            return None
        return check_caps(per_run, per_day, self.book.spent_today(), cost)

    def set_spending(
        self,
        per_run: float | None,
        per_day: float | None,
        sidecars: bool,
        *,
        confirm_above: float | None = DEFAULT_CONFIRM_ABOVE,
    ) -> None:
        """Spending limits (None: no limit), the amount above which a run asks first
        (None: never) and JSON sidecars, from Settings."""
        self._caps = (per_run, per_day)
        self.generate_panel.confirm_above = confirm_above
        self.outputs.sidecars = sidecars

    def set_filename_pattern(self, pattern: str | None) -> None:
        """How saved files are named (Settings); None: the built-in pattern."""
        self.outputs.pattern = pattern

    def set_save_folder(self, folder: Path | None) -> None:
        """Where Save… and Save all start (Settings' download folder; None: home)."""
        self.outputs.save_folder = folder

    def set_auto_save_dir(self, folder: Path | None) -> None:
        """Copy every finished task's outputs into `folder` as they arrive (None: off)."""
        self.outputs.auto_save_dir = folder

    # -- the service -------------------------------------------------------------------

    def set_service(self, service: ServiceInfo, balance: BalanceWatcher | None = None) -> None:
        """New tasks go to `service` from now on; the banner, badge and balance follow."""
        self._comparing.set_profile(service.profile)
        if self._balance is not None and self._balance is not balance:
            self._balance.changed.disconnect(self._on_balance)
            self._balance.failed.disconnect(self._on_balance_failed)
        self._service = service
        self.banner.setVisible(service.is_sandbox)
        self.service_label.set_service(service)
        self._balance_value = None
        self._show_balance()
        if balance is not None and balance is not self._balance:
            balance.changed.connect(self._on_balance)
            balance.failed.connect(self._on_balance_failed)
            balance.refresh()
        self._balance = balance
        self.act_copy_curl.setEnabled(bool(service.base_url))
        self.act_copy_python.setEnabled(bool(service.base_url))
        self.generate_panel.show_price()

    @Slot(object)
    def set_reach(self, reach: object) -> None:
        """Whether the service's host answers (a `Reach`): the badge says "cannot reach"."""
        self.service_label.set_reach(reach if isinstance(reach, Reach) else None)

    def set_profiles(self, names: list[str], active: str) -> None:
        self.service_label.set_profiles(names, active)
        self.tasks.set_profiles(names)

    @property
    def service(self) -> ServiceInfo:
        return self._service

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    def models_changed(self, added: int = 0, removed: int = 0) -> None:
        """The catalogue adopted the service's list: show it, and say quietly what changed."""
        self.generate_panel.models_changed()
        parts = []
        if added:
            parts.append(self.tr("%n new model(s)", "", added))
        if removed:
            parts.append(self.tr("%n no longer offered", "", removed))
        if parts:
            self.say(self.tr("Model list updated: {changes}.").format(changes=", ".join(parts)),
                     8000)  # fmt: skip

    @Slot(object)
    def _on_balance(self, value: float | None) -> None:
        self._balance_value = value
        self._show_balance()

    def _show_balance(self) -> None:
        value = self._balance_value
        if value is None:
            self.balance_label.setText("")
            self.balance_label.setToolTip(self.tr("Account balance"))
            return
        text = (
            self.tr("Sandbox credit {amount}")
            if self._service.is_sandbox
            else self.tr("Balance {amount}")
        )
        self.balance_label.setText(text.format(amount=f"${value:,.2f}"))
        self.balance_label.setToolTip(self.tr("Account balance, refreshed after each task"))

    @Slot(object)
    def _on_balance_failed(self, message: object) -> None:
        reason = render(message) if isinstance(message, Message) else str(message)
        self.balance_label.setToolTip(
            self.tr("Balance not updated: {reason}").format(reason=reason)
        )

    # -- the tasks (the task panel shows them, the book holds them) ---------------------

    def all_jobs(self) -> list[Job]:
        """Every task in the list (this session's and the history's), newest first."""
        return self.book.jobs()

    def result_name(self, path: str) -> str | None:
        """'FLUX.1 [dev] · A fox · seed 42' for a file a task made (None for others)."""
        job = self.book.find_by_file(path)
        return file_name(job, path, self.model_name(job.model_id)) if job else None

    def _group_of(self, job: Job) -> list[Job]:
        """The gallery's tasks: the selected rows when several are, else `job`'s variations."""
        selected = self.selected_jobs()
        if len(selected) > 1 and any(j.local_id == job.local_id for j in selected):
            return selected
        return self.book.variations_of(job)

    def select_job(self, local_id: str) -> None:
        self.tasks.select_job(local_id)

    def say(self, text: str, ms: int) -> None:
        self.statusBar().showMessage(text, ms)

    def dialog_parent(self) -> QWidget:
        return self

    def current_job(self) -> Job | None:
        return self.tasks.current_job()

    def selected_jobs(self) -> list[Job]:
        """The selected tasks (or the current one), in list order."""
        return self.tasks.selected_jobs()

    def add_history(self, loaded: LoadedHistory) -> None:
        """Show the stored tasks (below this session's); the book resumes the unfinished
        ones of the profile in use and parks the others."""
        self.book.add_history(loaded)
        self.tasks.update_empty_hint()

    @Slot(object)
    def _on_job_finished(self, job: Job) -> None:
        self.job_finished.emit(job)
        if self._balance is not None and job.submitted_at is not None:
            self._balance.refresh()  # a task was charged (or refunded)
        self.outputs.auto_save(job)

    def _update_activity(self) -> None:
        active = self.book.active_count()
        self.activity_label.setText(
            self.tr("{count} running").format(count=active) if active else ""
        )

    def _on_tick(self) -> None:
        current = self.current_job()
        if current is not None and current.state.active:
            self.viewer.show_job(current)

    @Slot(list)
    def _forget_thumbnails(self, jobs: list[Job]) -> None:
        for job in jobs:
            for path in job.files:
                self._thumbnails.forget(path)

    @Slot()
    def forget_thumbnails(self) -> None:
        self._forget_thumbnails(self.book.jobs())

    def _rerun(self) -> list[Job]:
        """Send the selected tasks again, as they were (one question above the threshold)."""
        jobs = self.selected_jobs()
        units = [self.generate_panel.unit_price(job.model_id, job.params) for job in jobs]
        names = [self.model_name(job.model_id) for job in jobs]
        if not jobs or not self.generate_panel.may_send(names, units):
            return []
        new = [
            self.book.submit(j.model_id, j.params, j.profile, u)
            for j, u in zip(jobs, units, strict=True)
        ]
        self.select_job(new[-1].local_id)
        return new

    def _load_params(self) -> None:
        job = self.current_job()
        if job is not None:
            self.generate_panel.load(job.model_id, job.params)
            self.statusBar().showMessage(self.tr("Parameters loaded into the form"), 3000)

    def _cancel(self) -> None:
        job = self.current_job()
        if job and job.state.active:
            self.book.stop([job.local_id])

    def _remove(self) -> None:
        """Remove the selected tasks that are not running from the list and the history."""
        if self.remove_handler is not None:
            self.remove_handler()
            return
        gone = [job.local_id for job in self.selected_jobs() if not self.book.is_running(job)]
        if not gone:
            return
        if len(gone) > 1:
            answer = QMessageBox.question(
                self, self.tr("Remove tasks"),
                self.tr("Remove {count} tasks from the list and the history? Saved copies "
                        "stay where you saved them.").format(count=len(gone)),
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.book.forget(gone)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Get3W Desktop"),
            f"<b>Get3W Desktop</b> {__version__}<br>"
            + self.tr("A desktop client for the Get3W API."),
        )

    # -- remix: drop a saved output onto the window ------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(url.isLocalFile() for url in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.outputs.remix_from_file(files[0])

    def remix_from_file(self, path: str) -> bool:
        """Fill the form with how `path` was made (PNG recipe, sidecar or history)."""
        return self.outputs.remix_from_file(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.generate_panel.remember()
        save_state(self, self._state)
        self.tasks.stop()
        self.viewer.shutdown()
        super().closeEvent(event)
