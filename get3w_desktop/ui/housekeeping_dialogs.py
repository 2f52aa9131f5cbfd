"""Housekeeping dialogs: confirm a delete, choose where to export, see and reclaim storage.

The delete and export dialogs only ask; the caller runs the returned choice through a
`Housekeeper`. The Storage window runs its own look-ups (usage, a clean-up preview, the
thumbnail cache) through the housekeeper it is given, so it opens at once and fills in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job
from get3w_desktop.ui.param_fields import error_color, muted
from get3w_desktop.workers.housekeeping import CacheResult, Housekeeper, LoadJobs

_size = hk.format_size


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _icon_row(widget: QWidget, icon: QStyle.StandardPixmap, content: QVBoxLayout) -> QHBoxLayout:
    picture = QLabel()
    picture.setPixmap(widget.style().standardIcon(icon).pixmap(QSize(40, 40)))
    picture.setAlignment(Qt.AlignmentFlag.AlignTop)
    row = QHBoxLayout()
    row.setSpacing(16)
    row.addWidget(picture)
    row.addLayout(content, 1)
    return row


# -- delete ----------------------------------------------------------------------------


class DeleteDialog(QDialog):
    """Confirm deleting the tasks of `plan`.

    `remote_available` says whether the server answers the delete route: True enables
    "Also delete on the server", False disables it with the reason, None (not known yet)
    disables it until `set_remote_available` says more.
    """

    def __init__(
        self,
        plan: hk.DeletePlan,
        *,
        remote_available: bool | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._plan = plan
        count = len(plan.jobs)
        self.setWindowTitle("Delete tasks")
        self.setMinimumWidth(460)
        self.heading = _heading(f"Delete {_plural(count, 'task')}?")
        files = len(plan.files)
        what = "they have no local copies to delete"
        if files:
            what = (f"the app's copies of their outputs are deleted ({_plural(files, 'file')}, "
                    f"{_size(plan.bytes)})")  # fmt: skip
        self.body = _wrapped(
            f"{'It is' if count == 1 else 'They are'} removed from the history, and {what}. "
            "Copies you saved elsewhere stay where they are."
        )
        self.skipped_label = muted(_wrapped())
        if plan.skipped:
            running = _plural(len(plan.skipped), "running task")
            self.skipped_label.setText(f"{running} not included: stop them first.")
        self.skipped_label.setVisible(bool(plan.skipped))
        remote = len(plan.remote_ids)
        self.remote_check = QCheckBox(f"Also delete on the server ({_plural(remote, 'task')})")
        self.remote_check.setAccessibleName("Also delete on the server")
        self.remote_hint = muted(_wrapped())
        self.remote_hint.setContentsMargins(24, 0, 0, 0)

        content = QVBoxLayout()
        content.setSpacing(8)
        for widget in (self.heading, self.body, self.skipped_label):
            content.addWidget(widget)
        content.addSpacing(6)
        content.addWidget(self.remote_check)
        content.addWidget(self.remote_hint)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton(
            "Delete", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setEnabled(count > 0)
        self.delete_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(18)
        layout.addLayout(_icon_row(self, QStyle.StandardPixmap.SP_MessageBoxWarning, content))
        layout.addWidget(self.buttons)
        self.remote_check.toggled.connect(self._update_hint)
        self.set_remote_available(remote_available)

    def set_remote_available(self, available: bool | None) -> None:
        self._available = available
        usable = available is True and bool(self._plan.remote_ids)
        self.remote_check.setEnabled(usable)
        if not usable:
            self.remote_check.setChecked(False)
        self._update_hint()

    def also_remote(self) -> bool:
        return self.remote_check.isEnabled() and self.remote_check.isChecked()

    @Slot()
    def _update_hint(self) -> None:
        if not self._plan.remote_ids:
            text = "None of these tasks reached the server."
        elif self._available is None:
            text = "Checking whether the server can delete tasks…"
        elif not self._available:
            text = "This server does not offer deleting tasks; they stay in your Get3W history."
        elif self.remote_check.isChecked():
            text = "Get3W forgets them too, and their output links stop working."
        else:
            text = "Otherwise they stay in your Get3W history until it expires (30 days)."
        self.remote_hint.setText(text)
        self.delete_button.setText(
            "Delete here and on the server" if self.also_remote() else "Delete"
        )


# -- export ----------------------------------------------------------------------------


class ExportDialog(QDialog):
    """Choose a folder and options for exporting `jobs`; read `folder()` and `options()`."""

    def __init__(
        self, jobs: Sequence[Job], *, start_dir: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._files, self._bytes = hk.export_size(jobs)
        self._needed = self._bytes + 16 * 1024 * (len(jobs) + 1)
        self.setWindowTitle("Export tasks")
        self.setMinimumWidth(520)
        self.heading = _heading(f"Export {_plural(len(jobs), 'task')}")
        self.summary = _wrapped(
            f"{_plural(self._files, 'output file')} ({_size(self._bytes)}), each task's "
            "parameters, timings and server record in a task.json, and an index.json."
        )
        self.folder_edit = QLineEdit(start_dir)
        self.folder_edit.setPlaceholderText("Choose a folder")
        self.folder_edit.setAccessibleName("Export folder")
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self._browse)
        self.metadata_check = QCheckBox("Embed the prompt and parameters in PNG files")
        self.metadata_check.setChecked(True)
        self.sidecar_check = QCheckBox("Write a recipe (.json) next to each output")
        self.sidecar_check.setToolTip(
            "A small file any Get3W Desktop can read back with Remix from file, for every "
            "format (JPEG and videos have no room for text inside)."
        )
        self.note = muted(_wrapped("A new folder named “Get3W export …” is created inside it."))
        self.problem = _wrapped()
        self.problem.setStyleSheet(f"color: {error_color(self.palette())};")

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        where = QGroupBox("Save into")
        where_layout = QVBoxLayout(where)
        where_layout.addLayout(folder_row)
        where_layout.addWidget(self.note)
        where_layout.addWidget(self.problem)
        options = QGroupBox("Options")
        options_layout = QVBoxLayout(options)
        options_layout.addWidget(self.metadata_check)
        options_layout.addWidget(self.sidecar_check)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(where)
        layout.addWidget(options)
        layout.addWidget(self.buttons)
        self.folder_edit.textChanged.connect(self._check)
        self._check()

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def options(self) -> hk.ExportOptions:
        return hk.ExportOptions(png_metadata=self.metadata_check.isChecked(),
                                sidecars=self.sidecar_check.isChecked())  # fmt: skip

    @Slot()
    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export into", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    @Slot()
    def _check(self) -> None:
        problem = ""
        text = self.folder_edit.text().strip()
        if text and not self.folder().is_dir():
            problem = "This folder does not exist."
        elif text:
            try:
                free = shutil.disk_usage(self.folder()).free
            except OSError:
                free = None
            if free is not None and free < self._needed:
                problem = (
                    f"Not enough space here: {_size(free)} free, {_size(self._needed)} needed."
                )
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.export_button.setEnabled(bool(text) and not problem)


# -- storage ---------------------------------------------------------------------------


class _Table(QTableWidget):
    """A small read-only table of usage rows."""

    def __init__(self, first: str) -> None:
        super().__init__(0, 4)
        self.setHorizontalHeaderLabels([first, "Tasks", "Files", "Size"])
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
            values = (label(row.label), str(row.tasks), str(row.files), _size(row.bytes))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(right)
                if column == 0:
                    item.setToolTip(row.label)
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
        self._keeper, self._load = keeper, load_jobs
        self._label = model_label or (lambda model_id: model_id)
        self._ops: dict[int, str] = {}  # live operation -> what it is
        self._plan: hk.CleanupPlan | None = None
        self._plan_op = 0
        self.setWindowTitle("Storage")
        self.resize(600, 640)
        self.setMinimumSize(520, 560)

        self.total_label = _heading("…")
        self.total_label.setAccessibleName("Space used")
        self.detail_label = _wrapped("Measuring…")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip(str(keeper.outputs_dir))
        self.open_button.clicked.connect(self._open_folder)
        top = QGridLayout()
        top.addWidget(self.total_label, 0, 0)
        top.addWidget(self.detail_label, 1, 0)
        top.addWidget(self.open_button, 0, 1, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        top.setColumnStretch(0, 1)

        self.model_table, self.age_table = _Table("Model"), _Table("Finished")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.model_table, "By model")
        self.tabs.addTab(self.age_table, "By age")
        self.notes_label = muted(_wrapped())

        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(days)
        self.days_spin.setSuffix(" days")
        self.days_spin.setAccessibleName("Age of copies to clean up")
        self.preview_label = _wrapped("Working out what would be freed…")
        self.clean_button = QPushButton("Clean up")
        self.clean_button.setEnabled(False)
        self.clean_button.clicked.connect(self._clean_up)
        clean = QGroupBox("Clean up")
        clean_layout = QGridLayout(clean)
        clean_layout.addWidget(QLabel("Delete local copies of tasks finished more than"), 0, 0)
        clean_layout.addWidget(self.days_spin, 0, 1)
        clean_layout.addWidget(QLabel("ago"), 0, 2)
        clean_layout.setColumnStretch(3, 1)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_label, 1)
        preview_row.addWidget(self.clean_button)
        clean_layout.addLayout(preview_row, 1, 0, 1, 4)
        self.clean_note = muted(_wrapped(
            "Tasks stay in the history with their parameters. Get3W keeps outputs about "
            "7 days: older ones cannot be downloaded again."))  # fmt: skip
        clean_layout.addWidget(self.clean_note, 2, 0, 1, 4)

        self.cache_label = _wrapped("Measuring…")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setEnabled(False)
        self.clear_button.setToolTip("Thumbnails are made again when needed")
        self.clear_button.clicked.connect(self._clear_thumbnails)
        cache = QGroupBox("Thumbnail cache")
        cache_layout = QHBoxLayout(cache)
        cache_layout.addWidget(self.cache_label, 1)
        cache_layout.addWidget(self.clear_button)

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.status_label = _wrapped()
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
        self.days_spin.valueChanged.connect(lambda _: self._debounce.start())
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

    @Slot(int, str)
    def _on_failed(self, op: int, message: str) -> None:
        kind = self._ops.pop(op, None)
        if kind is None:
            return
        self.status_label.setStyleSheet(f"color: {error_color(self.palette())};")
        self.status_label.setText(message)
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
        self.total_label.setText(_size(usage.bytes))
        self.detail_label.setText(
            f"in {_plural(usage.files, 'file')} for {_plural(usage.tasks, 'task')}, "
            "kept by Get3W Desktop in its data folder"
        )
        self.model_table.set_rows(usage.by_model, self._label)
        self.age_table.set_rows(usage.by_age, str)
        notes = []
        if usage.missing:
            notes.append(f"{_plural(usage.missing, 'recorded file')} no longer on disk.")
        if usage.cleaned:
            notes.append(f"{_plural(usage.cleaned, 'task')} already cleaned up.")
        if usage.orphan_files:
            notes.append(f"{_plural(usage.orphan_files, 'file')} ({_size(usage.orphan_bytes)}) "
                         "belong to no task; a clean-up removes them once a day old.")  # fmt: skip
        if usage.outside_files:
            notes.append(f"{_plural(usage.outside_files, 'file')} ({_size(usage.outside_bytes)}) "
                         "in your own folders are not counted and never cleaned up.")  # fmt: skip
        self.notes_label.setText(" ".join(notes))
        self.notes_label.setVisible(bool(notes))

    def _show_plan(self, plan: hk.CleanupPlan) -> None:
        self._plan = plan
        if not (plan.files or plan.orphans):
            self.preview_label.setText("Nothing that old: there is nothing to clean up.")
            self.clean_button.setText("Clean up")
            self.clean_button.setEnabled(False)
            return
        parts = []
        if plan.files:
            parts.append(f"{_plural(len(plan.files), 'file')} of {_plural(len(plan.jobs), 'task')}")
        if plan.orphans:
            parts.append(f"{_plural(len(plan.orphans), 'file')} of no task")
        self.preview_label.setText(f"Frees {_size(plan.total_bytes)}: {' and '.join(parts)}.")
        self.clean_button.setText(f"Clean up {_size(plan.total_bytes)}")
        self.clean_button.setEnabled(True)

    def _cleaned(self, result: hk.CleanupResult) -> None:
        self.days_spin.setEnabled(True)
        freed = f"Freed {_size(result.bytes_freed)} ({_plural(result.files_deleted, 'file')})."
        self.status_label.setStyleSheet("")
        self.status_label.setText(" ".join([freed, *result.problems]))
        if result.jobs:
            self.jobs_changed.emit(list(result.jobs))
        self._track(self._keeper.usage(self._load), "usage")
        self._preview()

    def _show_cache(self, cache: CacheResult, *, cleared: bool) -> None:
        if cache.files:
            self.cache_label.setText(f"{_size(cache.bytes)} in {_plural(cache.files, 'thumbnail')}")
        else:
            self.cache_label.setText("Empty")
        self.clear_button.setEnabled(cache.files > 0)
        if cleared:
            self.status_label.setStyleSheet("")
            self.status_label.setText(f"Thumbnail cache cleared: {_size(cache.freed)} freed.")
            self.thumbnails_cleared.emit()
