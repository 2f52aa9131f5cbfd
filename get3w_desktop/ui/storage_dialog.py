"""The Storage window: disk used by outputs, a clean-up with a preview, the thumbnail cache.

It runs its own look-ups (usage, a clean-up preview, the thumbnail cache) through the
housekeeper it is given, so it opens at once and fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.messages import Message
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.housekeeping_dialogs import (
    big_heading,
    count_text,
    files_text,
    size_text,
    tasks_text,
    wrapped,
)
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.style import muted, set_tone
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP
from get3w_desktop.workers.housekeeping import CacheResult, Housekeeper, LoadJobs

# core.housekeeping's age buckets (UsageRow labels of `by_age`), for the Storage window.
AGE_LABELS = (
    QT_TRANSLATE_NOOP("StorageAge", "Last 7 days"),
    QT_TRANSLATE_NOOP("StorageAge", "8–30 days"),
    QT_TRANSLATE_NOOP("StorageAge", "31–90 days"),
    QT_TRANSLATE_NOOP("StorageAge", "Older than 90 days"),
)


def age_label(label: str) -> str:
    return QCoreApplication.translate("StorageAge", label)


# -- storage ---------------------------------------------------------------------------


class _Table(QTableWidget):
    """A small read-only table of usage rows."""

    def __init__(self, first: str) -> None:
        super().__init__(0, 4)
        self.setHorizontalHeaderLabels([first, self.tr("Tasks"), self.tr("Files"), self.tr("Size")])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(72)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            item = self.horizontalHeaderItem(column)
            if item is not None:
                item.setTextAlignment(right)

    def set_rows(self, rows: Sequence[hk.UsageRow], label: Callable[[str], str]) -> None:
        self.setRowCount(len(rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for number, row in enumerate(rows):
            values = (
                label(row.label),
                count_text(row.tasks),
                count_text(row.files),
                size_text(row.bytes),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(right)
                if column == 0:  # a model's id; an age bucket as shown (not its English)
                    item.setToolTip(value if row.label in AGE_LABELS else row.label)
                self.setItem(number, column, item)


class StorageDialog(QDialog):
    """Disk usage of the app's copies of outputs, a clean-up of old ones, the thumbnail cache.

    Signals:
        jobs_changed(list[Job]): tasks whose local copies were cleaned up, as now stored
            (for the task list); they stay in the history.
        thumbnails_cleared(): the thumbnail cache was emptied (drop in-memory copies too).
    """

    jobs_changed = Signal(list)
    thumbnails_cleared = Signal()

    def __init__(
        self,
        keeper: Housekeeper,
        load_jobs: LoadJobs,
        *,
        days: int = 30,
        model_label: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        install_close_keys(self, escape=False)  # Ctrl+W cancels, like Esc
        self._keeper, self._load = keeper, load_jobs
        self._label = model_label or (lambda model_id: model_id)
        self._ops: dict[int, str] = {}  # live operation -> what it is
        self._plan: hk.CleanupPlan | None = None
        self._plan_op = 0
        self.setWindowTitle(self.tr("Storage"))
        self.resize(600, 640)
        self.setMinimumSize(520, 560)

        self.total_label = big_heading("…")
        self.total_label.setAccessibleName(self.tr("Space used"))
        self.detail_label = wrapped(self.tr("Measuring…"))
        self.open_button = QPushButton(self.tr("Open folder"))
        self.open_button.setToolTip(str(keeper.outputs_dir))
        self.open_button.clicked.connect(self._open_folder)
        top = QGridLayout()
        top.addWidget(self.total_label, 0, 0)
        top.addWidget(self.detail_label, 1, 0)
        top.addWidget(self.open_button, 0, 1, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        top.setColumnStretch(0, 1)

        self.model_table, self.age_table = _Table(self.tr("Model")), _Table(self.tr("Finished"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.model_table, self.tr("By model"))
        self.tabs.addTab(self.age_table, self.tr("By age"))
        self.notes_label = muted(wrapped())

        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(days)
        self._update_days_suffix(days)
        self.days_spin.setAccessibleName(self.tr("Age of copies to clean up"))
        self.preview_label = wrapped(self.tr("Working out what would be freed…"))
        self.clean_button = QPushButton(self.tr("Clean up"))
        self.clean_button.setEnabled(False)
        self.clean_button.clicked.connect(self._clean_up)
        clean = QGroupBox(self.tr("Clean up"))
        clean_layout = QGridLayout(clean)
        #: Before the number of days: "[Delete local copies … more than] [30 days] [ago]".
        before_days = self.tr("Delete local copies of tasks finished more than")
        #: After the number of days: "[Delete local copies … more than] [30 days] [ago]".
        after_days = self.tr("ago")
        clean_layout.addWidget(QLabel(before_days), 0, 0)
        clean_layout.addWidget(self.days_spin, 0, 1)
        clean_layout.addWidget(QLabel(after_days), 0, 2)
        clean_layout.setColumnStretch(3, 1)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_label, 1)
        preview_row.addWidget(self.clean_button)
        clean_layout.addLayout(preview_row, 1, 0, 1, 4)
        self.clean_note = muted(wrapped(self.tr(
            "Tasks stay in the history with their parameters. Get3W keeps outputs about "
            "7 days: older ones cannot be downloaded again.")))  # fmt: skip
        clean_layout.addWidget(self.clean_note, 2, 0, 1, 4)

        self.cache_label = wrapped(self.tr("Measuring…"))
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setEnabled(False)
        self.clear_button.setToolTip(self.tr("Thumbnails are made again when needed"))
        self.clear_button.clicked.connect(self._clear_thumbnails)
        cache = QGroupBox(self.tr("Thumbnail cache"))
        cache_layout = QHBoxLayout(cache)
        cache_layout.addWidget(self.cache_label, 1)
        cache_layout.addWidget(self.clear_button)

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.status_label = wrapped()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        footer = QFrame()
        footer_layout = QVBoxLayout(footer)
        footer_layout.setContentsMargins(0, 0, 0, 0)
        footer_layout.addWidget(self.progress)
        footer_layout.addWidget(self.status_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notes_label)
        layout.addWidget(clean)
        layout.addWidget(cache)
        layout.addWidget(footer)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._preview)
        self.days_spin.valueChanged.connect(self._on_days_changed)
        keeper.finished.connect(self._on_finished)
        keeper.failed.connect(self._on_failed)
        keeper.progress.connect(self._on_progress)
        self.refresh()

    # -- asking ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Measure again: usage, the clean-up preview and the thumbnail cache."""
        self._track(self._keeper.usage(self._load), "usage")
        self._preview()
        self._track(self._keeper.thumbnail_usage(), "cache")

    def busy(self) -> bool:
        return bool(self._ops)

    @Slot(int)
    def _on_days_changed(self, days: int) -> None:
        self._update_days_suffix(days)
        self._debounce.start()

    def _update_days_suffix(self, days: int) -> None:
        #: The unit after the number in the clean-up's age box ("1 day", "30 days").
        self.days_spin.setSuffix(self.tr(" day") if days == 1 else self.tr(" days"))

    @Slot()
    def _preview(self) -> None:
        self.clean_button.setEnabled(False)
        self._plan_op = self._keeper.plan_cleanup(
            self._load, older_than_days=self.days_spin.value()
        )
        self._track(self._plan_op, "plan")

    @Slot()
    def _clean_up(self) -> None:
        if self._plan is None or not (self._plan.files or self._plan.orphans):
            return
        self.clean_button.setEnabled(False)
        self.days_spin.setEnabled(False)
        self._track(self._keeper.clean_up(self._plan), "clean")
        self._plan = None

    @Slot()
    def _clear_thumbnails(self) -> None:
        self.clear_button.setEnabled(False)
        self._track(self._keeper.prune_thumbnails(0), "clear")

    @Slot()
    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._keeper.outputs_dir)))

    def _track(self, op: int, kind: str) -> None:
        self._ops[op] = kind
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)

    def done(self, result: int) -> None:
        """Closing stops what this window started (a running clean-up at a safe point)."""
        for op in list(self._ops):
            self._keeper.cancel(op)
        for signal, slot in ((self._keeper.finished, self._on_finished),
                             (self._keeper.failed, self._on_failed),
                             (self._keeper.progress, self._on_progress)):  # fmt: skip
            signal.disconnect(slot)
        self._ops.clear()
        super().done(result)

    # -- answers ---------------------------------------------------------------------------

    @Slot(int, int, int, str)
    def _on_progress(self, op: int, done: int, total: int, text: str) -> None:
        if op in self._ops and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    @Slot(int, object)
    def _on_finished(self, op: int, result: object) -> None:
        kind = self._ops.pop(op, None)
        if kind is None:
            return
        if isinstance(result, hk.UsageSummary):
            self._show_usage(result)
        elif isinstance(result, hk.CleanupPlan) and op == self._plan_op:
            self._show_plan(result)
        elif isinstance(result, hk.CleanupResult):
            self._cleaned(result)
        elif isinstance(result, CacheResult):
            self._show_cache(result, cleared=kind == "clear")
        self._idle()

    @Slot(int, object)
    def _on_failed(self, op: int, message: Message) -> None:
        kind = self._ops.pop(op, None)
        if kind is None:
            return
        set_tone(self.status_label, "error")
        self.status_label.setText(render(message))
        if kind == "clean":
            self.days_spin.setEnabled(True)
            self._preview()
        self._idle()

    def _idle(self) -> None:
        if not self._ops:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setVisible(False)

    def _show_usage(self, usage: hk.UsageSummary) -> None:
        self.total_label.setText(size_text(usage.bytes))
        self.detail_label.setText(
            self.tr("in {files} for {tasks}, kept by Get3W Desktop in its data folder").format(
                files=files_text(usage.files), tasks=tasks_text(usage.tasks)
            )
        )
        self.model_table.set_rows(usage.by_model, self._label)
        self.age_table.set_rows(usage.by_age, age_label)
        notes = []
        if usage.missing:
            notes.append(
                self.tr("1 recorded file no longer on disk.")
                if usage.missing == 1
                else self.tr("{n} recorded files no longer on disk.").format(
                    n=count_text(usage.missing)
                )
            )
        if usage.cleaned:
            notes.append(
                self.tr("1 task already cleaned up.")
                if usage.cleaned == 1
                else self.tr("{n} tasks already cleaned up.").format(n=count_text(usage.cleaned))
            )
        if usage.orphan_files:
            orphans = (
                self.tr("1 file ({size}) belongs to no task; a clean-up removes it once a day old.")
                if usage.orphan_files == 1
                else self.tr(
                    "{n} files ({size}) belong to no task; a clean-up removes them once a day old."
                )
            )
            notes.append(
                orphans.format(n=count_text(usage.orphan_files), size=size_text(usage.orphan_bytes))
            )
        if usage.outside_files:
            outside = (
                self.tr("1 file ({size}) in your own folders is not counted and never cleaned up.")
                if usage.outside_files == 1
                else self.tr(
                    "{n} files ({size}) in your own folders are not counted and never cleaned up."
                )
            )
            notes.append(
                outside.format(
                    n=count_text(usage.outside_files), size=size_text(usage.outside_bytes)
                )
            )
        self.notes_label.setText(" ".join(notes))
        self.notes_label.setVisible(bool(notes))

    def _show_plan(self, plan: hk.CleanupPlan) -> None:
        self._plan = plan
        if not (plan.files or plan.orphans):
            self.preview_label.setText(self.tr("Nothing that old: there is nothing to clean up."))
            self.clean_button.setText(self.tr("Clean up"))
            self.clean_button.setEnabled(False)
            return
        parts = []
        if plan.files:
            parts.append(
                self.tr("{files} of {tasks}").format(
                    files=files_text(len(plan.files)), tasks=tasks_text(len(plan.jobs))
                )
            )
        if plan.orphans:
            parts.append(self.tr("{files} of no task").format(files=files_text(len(plan.orphans))))
        what = (
            parts[0]
            if len(parts) == 1
            else self.tr("{first} and {second}").format(first=parts[0], second=parts[1])
        )
        size = size_text(plan.total_bytes)
        self.preview_label.setText(self.tr("Frees {size}: {what}.").format(size=size, what=what))
        self.clean_button.setText(self.tr("Clean up {size}").format(size=size))
        self.clean_button.setEnabled(True)

    def _cleaned(self, result: hk.CleanupResult) -> None:
        self.days_spin.setEnabled(True)
        freed = self.tr("Freed {size} ({files}).").format(
            size=size_text(result.bytes_freed), files=files_text(result.files_deleted)
        )
        set_tone(self.status_label, None)
        self.status_label.setText(" ".join([freed, *map(render, result.said)]))
        if result.jobs:
            self.jobs_changed.emit(list(result.jobs))
        self._track(self._keeper.usage(self._load), "usage")
        self._preview()

    def _show_cache(self, cache: CacheResult, *, cleared: bool) -> None:
        if cache.files:
            thumbnails = (
                self.tr("1 thumbnail")
                if cache.files == 1
                else self.tr("{n} thumbnails").format(n=count_text(cache.files))
            )
            self.cache_label.setText(
                self.tr("{size} in {thumbnails}").format(
                    size=size_text(cache.bytes), thumbnails=thumbnails
                )
            )
        else:
            self.cache_label.setText(self.tr("Empty"))
        self.clear_button.setEnabled(cache.files > 0)
        if cleared:
            set_tone(self.status_label, None)
            self.status_label.setText(
                self.tr("Thumbnail cache cleared: {size} freed.").format(
                    size=size_text(cache.freed)
                )
            )
            self.thumbnails_cleared.emit()
