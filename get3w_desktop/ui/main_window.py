"""The main window: choose a model, fill its form, generate, watch, look, save.

It owns no business logic: jobs come from the runner, the list from the item model, and
each widget gets only what it needs (see app.py for the wiring).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop import __version__
from get3w_desktop.core.batch import variations
from get3w_desktop.core.catalogue import Catalogue, ModelInfo
from get3w_desktop.core.export import output_metadata, short_model_name, unique_path
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import Quote, charges_of, check_caps, estimate_cost, spent_on
from get3w_desktop.core.remix import RecipeError, read_recipe
from get3w_desktop.core.snippets import as_curl, as_python
from get3w_desktop.itemmodels.job_filter import JobFilterModel
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.settings import DEFAULT_PATTERN, render_filename
from get3w_desktop.ui.batch_bar import BatchBar
from get3w_desktop.ui.job_delegate import TICK_MS, JobDelegate
from get3w_desktop.ui.model_picker import ModelPicker
from get3w_desktop.ui.param_form import ParamForm
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.ui.service_bar import SandboxBanner, ServiceBadge, ServiceInfo
from get3w_desktop.ui.task_filter_bar import TaskFilterBar
from get3w_desktop.ui.texts import batch_text
from get3w_desktop.ui.use_as_input import UseAsInput  # #14.5
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.batch import BatchTracker
from get3w_desktop.workers.file_copy import FileCopier, SaveItem
from get3w_desktop.workers.history_loader import LoadedHistory
from get3w_desktop.workers.pricing import PriceQuoter
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import MediaKind, ThumbnailLoader, media_kind

if TYPE_CHECKING:
    from get3w_desktop.ui.compare_window import CompareWindow

MAX_VARIATIONS = 16


class MainWindow(QMainWindow):
    """Signals:
    key_requested(): the person wants to enter an API key (the sandbox banner, the menu).
    settings_requested(): Settings… (profiles, folders, concurrency, theme).
    profile_chosen(str): run new tasks on another profile.
    diagnostics_requested(): Help › Save diagnostics….
    spending_requested(): File › Spending….
    jobs_removed(list[str]): local ids the person removed (the history forgets them).
    job_finished(Job): a job that just stopped moving (done, failed, stopped).
    """

    key_requested = Signal()
    settings_requested = Signal()
    profile_chosen = Signal(str)
    diagnostics_requested = Signal()
    spending_requested = Signal()
    jobs_removed = Signal(list)
    job_finished = Signal(object)

    def __init__(
        self,
        catalogue: Catalogue,
        runner: TaskRunner,
        jobs: JobListModel,
        thumbnails: ThumbnailLoader,
        memory: FormMemory,
        service: ServiceInfo,
        saver: FileCopier,
        *,
        balance: BalanceWatcher | None = None,
        state_file: Path | None = None,
    ) -> None:
        super().__init__()
        self._catalogue = catalogue
        self._runner = runner
        self._jobs = jobs
        self._memory = memory
        self._thumbnails = thumbnails
        self._saver = saver
        self._balance: BalanceWatcher | None = None  # set by set_service()
        self._pattern: str | None = None  # file-name pattern from settings (None: built-in)
        self._sidecars = False  # also write <file>.json recipes when saving (Settings)
        self._caps: tuple[float | None, float | None] = (None, None)  # per run, per day
        self._quoter: PriceQuoter | None = None
        self._quotes: dict[str, Quote] = {}  # local id -> the unit price when it was sent
        # Added by other parts (housekeeping) to the task list's context menu.
        self.extra_task_actions: list[QAction] = []
        # Replaces "remove from list" (housekeeping deletes files and remote tasks too).
        self.remove_handler: Callable[[], object] | None = None
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat) if state_file else None
        self._model: ModelInfo | None = None
        self._service = service
        self._auto_save_dir: Path | None = None
        self._pending_copy: str | None = None  # an image to put on the clipboard once decoded
        self._balance_value: float | None = None
        self.setMinimumSize(1100, 640)
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        width = min(1480, available.width() - 40) if available else 1480
        height = min(900, available.height() - 40) if available else 900
        self.resize(max(width, 1100), max(height, 640))

        self.picker = ModelPicker()
        self.picker.set_catalogue(catalogue)
        self.form = ParamForm()
        self.count = QSpinBox()
        self.count.setRange(1, MAX_VARIATIONS)
        self.count.setPrefix("× ")
        self.generate_button = QPushButton()
        self.generate_button.setDefault(True)
        self.generate_button.setMinimumHeight(34)
        self.price_label = QLabel("")
        self.price_label.setStyleSheet("color: palette(placeholder-text);")
        self.batch_button = QPushButton()
        self.batch_button.setMinimumHeight(34)
        self.batch_bar = BatchBar()
        self.batch_bar.retried.connect(
            lambda jobs: self.select_job(jobs[-1].local_id) if jobs else None
        )
        self._batches: list[BatchTracker] = []
        self._compare: CompareWindow | None = None
        self.viewer = ResultViewer(thumbnails, display_name=self._model_name)
        self.shown = JobFilterModel(jobs, self, display_name=self._model_name)
        self.filter_bar = TaskFilterBar(self.shown, catalogue)
        self.list_view = QListView()
        self.list_view.setModel(self.shown)
        self.delegate = JobDelegate(thumbnails, self.list_view, self._model_name)
        self.list_view.setItemDelegate(self.delegate)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.list_view.setDragEnabled(True)  # drag outputs out to the file manager
        self.list_view.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.list_view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.list_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self._build_layout(service)
        self._build_actions()
        # #14.5 outputs feed models: "Use as input" in the viewer header and the task menu.
        self.use_as_input = UseAsInput(self, self._on_model_chosen)
        self.set_service(service, balance)

        self.picker.model_chosen.connect(self._on_model_chosen)
        self.picker.model_activated.connect(lambda _id: self.form.focus_first_field())
        self.form.submit_requested.connect(self.generate)
        self.generate_button.clicked.connect(self.generate)
        self.form.changed.connect(self._request_price)
        self.count.valueChanged.connect(lambda _n: self._show_price())
        self.batch_button.clicked.connect(self.batch)
        self.list_view.customContextMenuRequested.connect(self._show_context_menu)
        self.list_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list_view.doubleClicked.connect(lambda _index: self._open_output())
        self.viewer.save_requested.connect(self._save_file)
        self.viewer.save_all_requested.connect(self._save_all)
        self.viewer.copy_requested.connect(self._copy_image)
        self.viewer.open_requested.connect(self._open_path)
        runner.job_changed.connect(self._on_job_changed)
        saver.copied.connect(
            lambda dest: self.statusBar().showMessage(
                self.tr("Saved {path}").format(path=dest), 6000
            )
        )
        saver.saved_all.connect(self._on_saved_all)
        saver.failed.connect(self._on_save_failed)
        thumbnails.image_ready.connect(self._on_image_decoded)
        thumbnails.image_failed.connect(self._on_image_decode_failed)

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)

        first = memory.last_model() or (catalogue.models[0].model_id if len(catalogue) else None)
        if first and catalogue.get(first):
            self.picker.select(first)
            self._on_model_chosen(first)
        self._restore_state()
        self.setAcceptDrops(True)  # drop a saved output: its recipe fills the form
        self.retranslate()

    def retranslate(self) -> None:
        """Every text this window sets itself, in the current language (see ui/i18n.py)."""
        self.setWindowTitle(self.tr("Get3W Desktop"))
        self.count.setToolTip(self.tr("How many variations to generate (each with its own seed)"))
        self.generate_button.setText(self.tr("Generate"))
        self.generate_button.setToolTip(self.tr("Generate (Ctrl+Enter)"))
        self.batch_button.setText(self.tr("Batch…"))
        self.batch_button.setToolTip(
            self.tr("Many prompts at once, typed or from a .txt/.csv file (Ctrl+Shift+B)")
        )
        self.list_view.setAccessibleName(self.tr("Tasks"))
        self.price_label.setAccessibleName(self.tr("Price of this run"))
        self.tasks_heading.setText(self.tr("Tasks"))
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
        self._update_empty_hint()
        self._show_price()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- layout ----------------------------------------------------------------------

    def _build_layout(self, service: ServiceInfo) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(12, 12, 6, 12)
        left_layout.addWidget(self.picker)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(6, 12, 6, 12)
        middle_layout.setSpacing(10)
        middle_layout.addWidget(self.form, 1)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.count)
        bar.addWidget(self.price_label)
        bar.addWidget(self.generate_button, 1)
        bar.addWidget(self.batch_button)
        middle_layout.addLayout(bar)

        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(4)
        heading = self.tasks_heading = QLabel()
        heading.setStyleSheet("font-weight: 600;")
        self.empty_hint = QLabel()
        self.empty_hint.setStyleSheet("color: palette(placeholder-text);")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.linkActivated.connect(lambda _link: self.filter_bar.clear())
        list_layout.addWidget(heading)
        list_layout.addWidget(self.filter_bar)
        list_layout.addWidget(self.batch_bar)
        list_layout.addWidget(self.list_view, 1)
        list_layout.addWidget(self.empty_hint)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.viewer)
        right.addWidget(list_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setContentsMargins(6, 12, 12, 12)
        right_holder = QWidget()
        right_layout = QVBoxLayout(right_holder)
        right_layout.setContentsMargins(6, 12, 12, 12)
        right_layout.addWidget(right)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(middle)
        split.addWidget(right_holder)
        left.setMinimumWidth(250)
        middle.setMinimumWidth(380)
        split.setSizes([270, 430, 780])
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 0)
        split.setStretchFactor(2, 1)
        split.setChildrenCollapsible(False)
        self.main_split, self.right_split = split, right

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner = SandboxBanner()
        self.banner.key_requested.connect(self.key_requested)
        self.key_button = self.banner.key_button
        column.addWidget(self.banner)
        column.addWidget(split, 1)
        self.setCentralWidget(central)

        self.service_label = ServiceBadge()
        self.service_label.profile_chosen.connect(self.profile_chosen)
        self.service_label.manage_requested.connect(self.settings_requested)
        self.balance_label = QLabel("")
        self.activity_label = QLabel("")
        for label in (self.balance_label, self.activity_label):
            label.setContentsMargins(10, 0, 6, 0)
        self.statusBar().addWidget(self.service_label)
        self.statusBar().addPermanentWidget(self.activity_label)
        self.statusBar().addPermanentWidget(self.balance_label)
        for signal in (self.shown.rowsInserted, self.shown.rowsRemoved, self.shown.modelReset,
                       self.shown.layoutChanged):  # fmt: skip
            signal.connect(self._update_empty_hint)

    def _build_actions(self) -> None:
        def action(slot: Callable[[], Any], shortcut: Any = None) -> QAction:
            act = QAction(self)  # texts: retranslate()
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _checked=False: slot())
            self.addAction(act)
            return act

        self.act_generate = action(self.generate, "Ctrl+Return")
        self.act_batch = action(self.batch, "Ctrl+Shift+B")
        self.act_compare = action(self.compare, "Ctrl+Shift+M")
        self.act_search = action(self.picker.focus_search, "Ctrl+K")
        self.act_find_task = action(self._focus_task_search, "Ctrl+F")
        self.act_open = action(self._open_output, "Ctrl+O")
        self.act_save = action(self._save_current, QKeySequence.StandardKey.Save)
        self.act_save_all = action(self._save_all, "Ctrl+Shift+S")
        self.act_copy_image = QAction(self)
        self.act_copy_image.setShortcut(QKeySequence.StandardKey.Copy)
        # Ctrl+C copies text in the form; it copies the image only from the list or viewer.
        self.act_copy_image.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_copy_image.triggered.connect(lambda _checked=False: self._copy_current_image())
        self.list_view.addAction(self.act_copy_image)
        self.viewer.addAction(self.act_copy_image)
        self.act_key = action(self.key_requested.emit)
        self.act_settings = action(self.settings_requested.emit,
                                   QKeySequence.StandardKey.Preferences)  # fmt: skip
        if self.act_settings.shortcut().isEmpty():
            self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.act_spending = action(self.spending_requested.emit)
        self.act_diagnostics = action(self.diagnostics_requested.emit)
        self.act_copy_curl = action(self._copy_as_curl)
        self.act_copy_python = action(self._copy_as_python)
        self.act_copy_url = action(self._copy_output_url, "Ctrl+Shift+C")
        self.act_copy_id = action(self._copy_task_id, "Ctrl+Shift+I")
        self.act_rerun = action(self._rerun, "Ctrl+R")
        self.act_load = action(self._load_params, "Ctrl+L")
        self.act_cancel = action(self._cancel, "Ctrl+.")
        self.act_remove = action(self._remove, QKeySequence.StandardKey.Delete)
        self.act_quit = action(self.close, QKeySequence.StandardKey.Quit)
        self.act_about = action(self._about)

        menu = self.menuBar()
        file_menu = self.file_menu = menu.addMenu("")
        file_menu.addActions([self.act_open, self.act_save, self.act_save_all,
                              self.act_copy_image])  # fmt: skip
        file_menu.addSeparator()
        file_menu.addActions([self.act_key, self.act_settings, self.act_spending])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        task_menu = self.task_menu = menu.addMenu("")
        task_menu.addActions([self.act_generate, self.act_batch, self.act_compare,
                              self.act_rerun, self.act_load])  # fmt: skip
        task_menu.addSeparator()
        task_menu.addActions([self.act_copy_url, self.act_copy_id, self.act_copy_curl,
                              self.act_copy_python])  # fmt: skip
        task_menu.addSeparator()
        task_menu.addActions([self.act_cancel, self.act_remove])
        view_menu = self.view_menu = menu.addMenu("")
        view_menu.addActions([self.act_search, self.act_find_task])
        help_menu = self.help_menu = menu.addMenu("")
        help_menu.addActions([self.act_diagnostics, self.act_about])

    # -- generating ------------------------------------------------------------------

    def _model_name(self, model_id: str) -> str:
        model = self._catalogue.get(model_id)
        return model.name if model else model_id

    @Slot(str)
    def _on_model_chosen(self, model_id: str) -> None:
        model = self._catalogue.get(model_id)
        if model is None or model is self._model:
            return
        if self._model is not None:
            self._memory.put(self._model.model_id, self.form.values())
        self._model = model
        self._memory.set_last_model(model_id)
        self.form.set_model(model, self._memory.get(model_id) or None)
        self._request_price()
        self._show_price()

    @Slot()
    def generate(self) -> list[Job]:
        """Submit the form (× N variations). Invalid input is explained in the form."""
        model = self._model
        if model is None:
            return []
        problems = self.form.problems()
        if problems:
            self.form.show_problems()
            self.statusBar().showMessage(
                self.tr("Check the form: {problem}").format(problem=problems[0]), 6000
            )
            return []
        params = self.form.values()
        unit = self._unit_price(model, params)
        count = self.count.value()
        if self._refused_by_caps(unit.amount * count if unit else None):
            return []
        self._memory.put(model.model_id, params)
        self.picker.note_used(model.model_id)
        jobs = [
            self._runner.submit(model.model_id, variation, self._service.profile)
            for variation in variations(params, count, model.param("seed") is not None)
        ]
        if unit is not None:
            self._quotes.update((job.local_id, unit) for job in jobs)
        if jobs:
            self.select_job(jobs[-1].local_id)
        return jobs

    @Slot()
    def batch(self) -> list[Job]:
        """Many prompts (typed, or from a .txt/.csv) × N variations, followed as one batch."""
        model = self._model
        if model is None:
            return []
        from get3w_desktop.ui.batch_dialog import BatchDialog  # loads when first used

        plan = BatchDialog.ask(model, self.form.values(), variations=self.count.value(),
                               start_dir=str(self._last_folder()), parent=self)  # fmt: skip
        if plan is None or not plan.ok:
            return []
        if self._refused_by_caps(plan.cost):
            return []
        self._memory.put(model.model_id, self.form.values())
        tracker = BatchTracker(self._runner, self)
        for done in [b for b in self._batches if b.counts().finished]:
            self._batches.remove(done)
            done.deleteLater()
        self._batches.append(tracker)
        jobs = tracker.start(plan.model_id, plan.params, self._service.profile)
        self.batch_bar.bind(tracker)
        tracker.finished.connect(
            lambda counts: self.statusBar().showMessage(batch_text(counts), 8000)
        )
        if jobs:
            self.select_job(jobs[-1].local_id)
        return jobs

    # -- the list and the viewer -----------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        before = self._jobs.job(job.local_id)
        self._jobs.upsert(job)
        if before is not None and before.state.active and not job.state.active:
            self._on_job_finished(job)
        current = self.current_job()
        if current is not None and current.local_id == job.local_id:
            self.viewer.show_job(job)
        self._update_activity()
        if self._jobs.active_count() and not self._ticker.isActive():
            self._ticker.start()

    def _update_activity(self) -> None:
        active = self._jobs.active_count()
        self.activity_label.setText(
            self.tr("{count} running").format(count=active) if active else ""
        )

    @Slot()
    def compare(self) -> CompareWindow | None:
        """The same prompt across several models or seeds, side by side (non-modal, reused)."""
        model = self._model
        if model is None:
            return None
        if self._compare is None:
            from get3w_desktop.ui.compare_window import CompareWindow  # loads when first used

            self._compare = CompareWindow(
                self._catalogue, self._runner, self._thumbnails, model.model_id,
                self.form.values(), profile=self._service.profile,
                spend_check=self.caps_message, parent=self,
            )  # fmt: skip
            self._compare.open_job.connect(self._open_from_compare)
            self._compare.use_params.connect(self._use_compare_params)
            self._compare.submitted.connect(self._quotes.update)
        else:
            self._compare.set_form(model.model_id, self.form.values())
            self._compare.set_profile(self._service.profile)
        self._compare.show()
        self._compare.raise_()
        self._compare.activateWindow()
        return self._compare

    def caps_message(self, cost: float | None) -> str | None:
        """Why a run of `cost` would break a spending limit; None when it may go."""
        per_run, per_day = self._caps
        if per_run is None and per_day is None:
            return None
        return check_caps(per_run, per_day, self.spent_today(), cost)

    @Slot(str)
    def _open_from_compare(self, local_id: str) -> None:
        self.select_job(local_id)
        self.raise_()
        self.activateWindow()

    @Slot(str, object)
    def _use_compare_params(self, model_id: str, params: dict[str, Any]) -> None:
        self.picker.select(model_id)
        self._on_model_chosen(model_id)
        self.form.set_values(params)
        self.statusBar().showMessage(self.tr("Settings from the comparison are in the form"), 4000)

    def set_service(self, service: ServiceInfo, balance: BalanceWatcher | None = None) -> None:
        """New tasks go to `service` from now on; the banner, badge and balance follow."""
        if self._compare is not None:
            self._compare.set_profile(service.profile)
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

    def set_profiles(self, names: list[str], active: str) -> None:
        self.service_label.set_profiles(names, active)
        self.filter_bar.set_profiles(names)

    @property
    def service(self) -> ServiceInfo:
        return self._service

    def _on_job_finished(self, job: Job) -> None:
        self.job_finished.emit(job)
        if self._balance is not None and job.submitted_at is not None:
            self._balance.refresh()  # a task was charged (or refunded)
        if self._auto_save_dir is not None and job.state is JobState.COMPLETED and job.files:
            self._saver.save_all(
                save_items([job], self._auto_save_dir, self._pattern, self._sidecars)
            )

    def add_history(self, loaded: LoadedHistory) -> None:
        """Show the stored tasks (below any made since start), and resume the unfinished."""
        self._jobs.add_older(list(loaded.jobs))
        for job in loaded.resume:
            self._runner.start(job)
        if loaded.resume:
            count = len(loaded.resume)
            self.statusBar().showMessage(
                self.tr("Resuming 1 unfinished task from last time")
                if count == 1
                else self.tr("Resuming {count} unfinished tasks from last time").format(
                    count=count
                ),
                8000,
            )
        self._update_empty_hint()

    def _tick(self) -> None:
        current = self.current_job()
        if current is not None and current.state.active:
            self.viewer.show_job(current)
        if self._jobs.active_count():
            self.list_view.viewport().update()  # progress bars and elapsed times move
        else:
            self._ticker.stop()

    def _update_empty_hint(self) -> None:
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

    def select_job(self, local_id: str) -> None:
        """Make `local_id` the one selected and shown task (other selections cleared)."""
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

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        job = current.data(JobRole.JOB) if current.isValid() else None
        self.viewer.show_job(job if isinstance(job, Job) else None)

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
        has_files, has_task = bool(job.files), job.task is not None
        has_image = any(media_kind(f) is MediaKind.IMAGE for f in job.files)
        for act, enabled in (
            (self.act_open, has_files), (self.act_save, has_files),
            (self.act_save_all, has_files), (self.act_copy_image, has_image), (None, True),
            (self.act_copy_url, has_task and bool(job.task and job.task.outputs)),
            (self.act_copy_id, has_task), (self.act_copy_curl, bool(self._service.base_url)),
            (self.act_copy_python, bool(self._service.base_url)), (None, True),
            (self.act_rerun, True), (self.act_load, True), (None, True),
            (self.act_cancel, job.state.active), (self.act_remove, not job.state.active),
            *((act, True) for act in self.extra_task_actions),
        ):  # fmt: skip
            if act is None:
                menu.addSeparator()
            else:
                act.setEnabled(enabled)
                menu.addAction(act)
        menu.exec(self.list_view.viewport().mapToGlobal(pos))
        for act in (self.act_open, self.act_save, self.act_save_all, self.act_copy_image,
                    self.act_copy_url, self.act_copy_id, self.act_cancel,
                    self.act_remove):  # fmt: skip
            act.setEnabled(True)

    # -- actions on the current job --------------------------------------------------

    def _open_output(self) -> None:
        job = self.current_job()
        if job and job.files:
            self._open_path(job.files[0])

    def _open_path(self, path: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _save_current(self) -> None:
        job = self.current_job()
        if job and job.files:
            shown = self.viewer.current_file()
            self._save_file(shown if shown in job.files else job.files[0])

    def _job_of_file(self, path: str) -> tuple[Job, int] | None:
        for job in (self.viewer.current_job(), self.current_job()):
            if job is not None and path in job.files:
                return job, job.files.index(path)
        return None

    def _last_folder(self) -> Path:
        saved = self._state.value("save/folder", "") if self._state else ""
        folder = Path(str(saved)) if saved else Path.home()
        return folder if folder.is_dir() else Path.home()

    def _remember_folder(self, folder: Path) -> None:
        if self._state is not None:
            self._state.setValue("save/folder", str(folder))

    @Slot(str)
    def _save_file(self, source: str) -> None:
        """Ask where, then save a copy (PNGs with how they were made) off the GUI thread."""
        found = self._job_of_file(source)
        suffix = Path(source).suffix
        name = (
            file_name(found[0], found[1] + 1, suffix, self._pattern) if found
            else Path(source).name
        )  # fmt: skip
        kind = self._kind_name(media_kind(source))
        destination, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save output"), str(self._last_folder() / name),
            f"{kind} {suffix.upper()[1:]} (*{suffix});;" + self.tr("All files (*)"),
        )  # fmt: skip
        if not destination:
            return
        dest = Path(destination)
        if not dest.suffix and suffix:
            dest = dest.with_suffix(suffix)
        self._remember_folder(dest.parent)
        job = found[0] if found else None
        self._saver.copy(source, str(dest), output_metadata(job) if job else None,
                         job if job is not None and self._sidecars else None)  # fmt: skip

    def _selected_jobs(self) -> list[Job]:
        rows = sorted(i.row() for i in self.list_view.selectionModel().selectedRows())
        jobs = [job for row in rows if (job := self.shown.job_at(row)) is not None]
        current = self.current_job()
        return jobs or ([current] if current is not None else [])

    def _save_all(self) -> None:
        """Every output of the selected tasks into one folder, with distinct names."""
        jobs = [job for job in self._selected_jobs() if job.files]
        if not jobs:
            self.statusBar().showMessage(
                self.tr("Nothing to save yet: select a finished task."), 5000
            )
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Save all outputs to"), str(
            self._last_folder()))  # fmt: skip
        if folder:
            self._remember_folder(Path(folder))
            self._saver.save_all(save_items(jobs, Path(folder), self._pattern, self._sidecars))

    def set_spending(self, per_run: float | None, per_day: float | None, sidecars: bool) -> None:
        """Spending limits (None: no limit) and JSON sidecars, from Settings."""
        self._caps = (per_run, per_day)
        self._sidecars = sidecars

    def set_quoter(self, quoter: PriceQuoter | None) -> None:
        """Where prices come from (the live service's pricing route, or estimates)."""
        if self._quoter is not None:
            self._quoter.quoted.disconnect(self._on_quoted)
            self._quoter.unavailable.disconnect(self._on_price_unavailable)
        self._quoter = quoter
        if quoter is not None:
            quoter.quoted.connect(self._on_quoted)
            quoter.unavailable.connect(self._on_price_unavailable)
        self._request_price()

    def _request_price(self) -> None:
        if self._quoter is not None and self._model is not None:
            self._quoter.request(self._model.model_id, self.form.values())

    def _unit_price(self, model: ModelInfo, params: dict[str, Any]) -> Quote | None:
        cached = self._quoter.cached(model.model_id, params) if self._quoter else None
        return cached or estimate_cost(model, params)

    @Slot(object)
    def _on_quoted(self, quote: Quote) -> None:
        self._show_price(quote)

    @Slot(str)
    def _on_price_unavailable(self, reason: str) -> None:
        self.price_label.setText("")
        self.price_label.setToolTip(reason)

    def _show_price(self, quote: Quote | None = None) -> None:
        if quote is None and self._model is not None:
            quote = self._unit_price(self._model, self.form.values())
        if quote is None:
            self.price_label.setText("")
            return
        count = self.count.value()
        total = quote.times(count)
        self.price_label.setText(total.text())
        source = (
            self.tr("an estimate from the model list")
            if quote.estimated
            else self.tr("Get3W's price")
        )
        tip = (
            self.tr("{price} per task × {count} ({source}). Nothing is charged in the sandbox.")
            if self._service.is_sandbox
            else self.tr("{price} per task × {count} ({source}).")
        )
        self.price_label.setToolTip(tip.format(price=quote.text(), count=count, source=source))

    def spent_today(self) -> float:
        charges = charges_of(self._jobs.jobs(), self._catalogue, self._quotes)
        return spent_on(charges, dt.date.today())

    def _refused_by_caps(self, cost: float | None) -> bool:
        """True (and the person told why) when a run of `cost` breaks a spending limit."""
        message = self.caps_message(cost)
        if message is None:
            return False
        self.statusBar().showMessage(message, 15000)
        QMessageBox.information(self, self.tr("Spending limit"), message)
        return True

    @property
    def quotes(self) -> dict[str, Quote]:
        return self._quotes

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    def all_jobs(self) -> list[Job]:
        """Every task in the list (this session's and the history's), newest first."""
        return self._jobs.jobs()

    def set_filename_pattern(self, pattern: str | None) -> None:
        """How saved files are named (Settings); None: the built-in pattern."""
        self._pattern = pattern

    def set_auto_save_dir(self, folder: Path | None) -> None:
        """Copy every finished task's outputs into `folder` as they arrive (None: off)."""
        self._auto_save_dir = folder

    @Slot(int, str)
    def _on_saved_all(self, count: int, folder: str) -> None:
        message = (
            self.tr("Saved 1 file to {folder}")
            if count == 1
            else self.tr("Saved {count} files to {folder}")
        )
        self.statusBar().showMessage(message.format(count=count, folder=folder), 6000)

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Not saved"), message)

    def _copy_current_image(self) -> None:
        shown = self.viewer.current_file()
        job = self.current_job()
        if shown and media_kind(shown) is MediaKind.IMAGE:
            self._copy_image(shown)
        elif job is not None:
            images = [f for f in job.files if media_kind(f) is MediaKind.IMAGE]
            if images:
                self._copy_image(images[0])

    @Slot(str)
    def _copy_image(self, path: str) -> None:
        """Put the image on the clipboard; decoding happens off the GUI thread."""
        image = self._thumbnails.load_image(path)
        if image is None:
            self._pending_copy = path
            self.statusBar().showMessage(self.tr("Copying the image…"), 3000)
            return
        self._pending_copy = None
        QGuiApplication.clipboard().setImage(image)
        self.statusBar().showMessage(self.tr("Image copied to the clipboard"), 4000)

    @Slot(str, QImage)
    def _on_image_decoded(self, path: str, image: QImage) -> None:
        if path == self._pending_copy:
            self._pending_copy = None
            QGuiApplication.clipboard().setImage(image)
            self.statusBar().showMessage(self.tr("Image copied to the clipboard"), 4000)

    @Slot(str, str)
    def _on_image_decode_failed(self, path: str, reason: str) -> None:
        if path == self._pending_copy:
            self._pending_copy = None
            self.statusBar().showMessage(
                self.tr("Could not copy the image: {reason}").format(reason=reason), 6000
            )

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

    @Slot(str)
    def _on_balance_failed(self, message: str) -> None:
        self.balance_label.setToolTip(
            self.tr("Balance not updated: {reason}").format(reason=message)
        )

    def _copy_output_url(self) -> None:
        job = self.current_job()
        if job and job.task and job.task.outputs:
            QGuiApplication.clipboard().setText("\n".join(job.task.outputs))
            self.statusBar().showMessage(self.tr("Output URL copied"), 3000)

    def _copy_as_curl(self) -> None:
        job = self.current_job()
        if job is not None and self._service.base_url:
            text = as_curl(self._service.base_url, job.model_id, job.params)
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage(
                self.tr("Copied as a curl command (the key is $GET3W_API_KEY)"), 5000
            )

    def _copy_as_python(self) -> None:
        job = self.current_job()
        if job is not None and self._service.base_url:
            text = as_python(self._service.base_url, job.model_id, job.params)
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage(
                self.tr("Copied as a Python script (it reads the key from GET3W_API_KEY)"), 5000
            )

    def _copy_task_id(self) -> None:
        job = self.current_job()
        if job and job.remote_id:
            QGuiApplication.clipboard().setText(job.remote_id)
            self.statusBar().showMessage(self.tr("Task id copied"), 3000)

    def _rerun(self) -> None:
        job = self.current_job()
        if job:
            new = self._runner.submit(job.model_id, job.params, job.profile)
            self.select_job(new.local_id)

    def _load_params(self) -> None:
        job = self.current_job()
        if job is None:
            return
        self.picker.select(job.model_id)
        self._on_model_chosen(job.model_id)
        self.form.set_values(job.params)
        self.statusBar().showMessage(self.tr("Parameters loaded into the form"), 3000)

    def _cancel(self) -> None:
        job = self.current_job()
        if job and job.state.active:
            self._runner.cancel(job.local_id)

    def selected_jobs(self) -> list[Job]:
        """The selected tasks (or the current one), in list order."""
        return self._selected_jobs()

    def model_name(self, model_id: str) -> str:
        return self._model_name(model_id)

    @Slot(list)
    def update_jobs(self, jobs: list[Job]) -> None:
        """Stored changes made elsewhere (a clean-up rewrote these tasks' files)."""
        for job in jobs:
            if self._jobs.job(job.local_id) is not None:
                self._jobs.upsert(job)
        current = self.current_job()
        if current is not None:
            self.viewer.show_job(current)

    @Slot()
    def forget_thumbnails(self) -> None:
        for job in self._jobs.jobs():
            for path in job.files:
                self._thumbnails.forget(path)

    def stop_waiting(self, local_ids: list[str]) -> None:
        """Stop checking on these tasks here (the server is not told)."""
        for local_id in local_ids:
            self._runner.cancel(local_id)

    def forget_jobs(self, local_ids: list[str]) -> None:
        """Take deleted tasks out of the list and their thumbnails out of memory."""
        for local_id in local_ids:
            job = self._jobs.job(local_id)
            if job is not None:
                for path in job.files:
                    self._thumbnails.forget(path)
                self._jobs.remove(local_id)

    def _remove(self) -> None:
        """Remove the selected finished tasks from the list and the history."""
        if self.remove_handler is not None:
            self.remove_handler()
            return
        gone = [job.local_id for job in self._selected_jobs() if not job.state.active]
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
        for local_id in gone:
            self._jobs.remove(local_id)
        self.jobs_removed.emit(gone)

    def _focus_task_search(self) -> None:
        self.filter_bar.setVisible(True)
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Get3W Desktop"),
            f"<b>Get3W Desktop</b> {__version__}<br>"
            + self.tr("A desktop client for the Get3W API."),
        )

    def _restore_state(self) -> None:
        if self._state is None:
            return
        geometry = self._state.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        for key, splitter in (("window/main", self.main_split), ("window/right", self.right_split)):
            state = self._state.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)

    def _save_state(self) -> None:
        if self._state is None:
            return
        self._state.setValue("window/geometry", self.saveGeometry())
        self._state.setValue("window/main", self.main_split.saveState())
        self._state.setValue("window/right", self.right_split.saveState())
        self._state.sync()

    # -- remix: drop a saved output onto the window ------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(url.isLocalFile() for url in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.remix_from_file(files[0])

    def remix_from_file(self, path: str) -> bool:
        """Fill the form with how `path` was made (PNG recipe, sidecar or history)."""
        known = {model.model_id for model in self._catalogue.models}
        try:
            recipe = read_recipe(path, lookup=self._job_by_file, known_models=known)
        except RecipeError as exc:
            self.statusBar().showMessage(exc.message, 10000)
            return False
        self.picker.select(recipe.model_id)
        self._on_model_chosen(recipe.model_id)
        self.form.set_values(recipe.params)
        self.statusBar().showMessage(
            self.tr("Loaded how {name} was made: {model}").format(
                name=Path(path).name, model=self._model_name(recipe.model_id)
            ),
            8000,
        )
        return True

    def _kind_name(self, kind: MediaKind) -> str:
        names = {MediaKind.IMAGE: self.tr("Image"), MediaKind.VIDEO: self.tr("Video"),
                 MediaKind.AUDIO: self.tr("Audio")}  # fmt: skip
        return names.get(kind, self.tr("File"))

    def _job_by_file(self, path: Path) -> Job | None:
        wanted = str(path)
        for job in self._jobs.jobs():
            if wanted in job.files:
                return job
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._model is not None:
            self._memory.put(self._model.model_id, self.form.values())
        self._save_state()
        self._ticker.stop()
        self.viewer.shutdown()
        super().closeEvent(event)


def file_name(job: Job, index: int, suffix: str, pattern: str | None = None) -> str:
    """A file name for output `index` (from 1) of `job`, from the Settings pattern."""
    seed = job.params.get("seed")
    try:
        return render_filename(
            pattern or DEFAULT_PATTERN, model=short_model_name(job.model_id), prompt=job.prompt,
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            index=index, task=job.remote_id or "", extension=suffix,
        )  # fmt: skip
    except ValueError:  # a pattern the settings dialog would have refused
        return file_name(job, index, suffix, DEFAULT_PATTERN) if pattern else f"output{suffix}"


def save_items(
    jobs: list[Job], folder: Path, pattern: str | None = None, sidecars: bool = False
) -> list[SaveItem]:
    """(source, destination, metadata, sidecar job) for every output of `jobs`, with
    distinct names."""
    taken: set[str] = set()
    items: list[SaveItem] = []
    for job in jobs:
        metadata = output_metadata(job)
        for index, source in enumerate(job.files):
            name = file_name(job, index + 1, Path(source).suffix, pattern)
            destination = str(unique_path(folder, name, taken))
            items.append((source, destination, metadata, job if sidecars else None))
    return items
