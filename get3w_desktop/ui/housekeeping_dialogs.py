"""Housekeeping dialogs: confirm a delete, choose where to export, see and reclaim storage.

The delete and export dialogs only ask; the caller runs the returned choice through a
`Housekeeper`. The Storage window runs its own look-ups (usage, a clean-up preview, the
thumbnail cache) through the housekeeper it is given, so it opens at once and fills in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, QUrl, Signal, Slot
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
from get3w_desktop.ui.style import error_color, muted
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP
from get3w_desktop.workers.housekeeping import CacheResult, Housekeeper, LoadJobs

# core.housekeeping's age buckets (UsageRow labels of `by_age`), for the Storage window.
AGE_LABELS = (
    QT_TRANSLATE_NOOP("StorageAge", "Last 7 days"),
    QT_TRANSLATE_NOOP("StorageAge", "8–30 days"),
    QT_TRANSLATE_NOOP("StorageAge", "31–90 days"),
    QT_TRANSLATE_NOOP("StorageAge", "Older than 90 days"),
)


def _age_label(label: str) -> str:
    return QCoreApplication.translate("StorageAge", label)


def _size(size: float) -> str:
    """hk.format_size in the current language ("512 bytes"; kB, MB and GB stay as they are)."""
    text = hk.format_size(size)
    number, _, unit = text.partition(" ")
    if unit == "bytes":
        return QCoreApplication.translate("Housekeeping", "{n} bytes").format(n=number)
    return text


def _count(count: int) -> str:
    return f"{count:,}"


def _tasks(count: int) -> str:
    """ "1 task" / "12 tasks" in the current language."""
    if count == 1:
        return QCoreApplication.translate("Housekeeping", "1 task")
    return QCoreApplication.translate("Housekeeping", "{n} tasks").format(n=_count(count))


def _files(count: int) -> str:
    """ "1 file" / "12 files" in the current language."""
    if count == 1:
        return QCoreApplication.translate("Housekeeping", "1 file")
    return QCoreApplication.translate("Housekeeping", "{n} files").format(n=_count(count))


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
        self.setWindowTitle(self.tr("Delete tasks"))
        self.setMinimumWidth(460)
        self.heading = _heading(
            self.tr("Delete 1 task?")
            if count == 1
            else self.tr("Delete {n} tasks?").format(n=_count(count))
        )
        self.body = _wrapped(self._body_text(count, len(plan.files), plan.bytes))
        self.skipped_label = muted(_wrapped())
        skipped = len(plan.skipped)
        if skipped:
            self.skipped_label.setText(
                self.tr("1 running task not included: stop them first.")
                if skipped == 1
                else self.tr("{n} running tasks not included: stop them first.").format(
                    n=_count(skipped)
                )
            )
        self.skipped_label.setVisible(bool(plan.skipped))
        remote = len(plan.remote_ids)
        self.remote_check = QCheckBox(
            self.tr("Also delete on the server (1 task)")
            if remote == 1
            else self.tr("Also delete on the server ({n} tasks)").format(n=_count(remote))
        )
        self.remote_check.setAccessibleName(self.tr("Also delete on the server"))
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
            self.tr("Delete"), QDialogButtonBox.ButtonRole.DestructiveRole
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

    def _body_text(self, count: int, files: int, size: int) -> str:
        if count == 1 and files:
            text = self.tr(
                "It is removed from the history, and the app's copies of its outputs are "
                "deleted ({files}, {size}). Copies you saved elsewhere stay where they are."
            )
        elif count == 1:
            text = self.tr(
                "It is removed from the history, and it has no local copies to delete. "
                "Copies you saved elsewhere stay where they are."
            )
        elif files:
            text = self.tr(
                "They are removed from the history, and the app's copies of their outputs are "
                "deleted ({files}, {size}). Copies you saved elsewhere stay where they are."
            )
        else:
            text = self.tr(
                "They are removed from the history, and they have no local copies to delete. "
                "Copies you saved elsewhere stay where they are."
            )
        return text.format(files=_files(files), size=_size(size))

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
            text = self.tr("None of these tasks reached the server.")
        elif self._available is None:
            text = self.tr("Checking whether the server can delete tasks…")
        elif not self._available:
            text = self.tr(
                "This server does not offer deleting tasks; they stay in your Get3W history."
            )
        elif self.remote_check.isChecked():
            text = self.tr("Get3W forgets them too, and their output links stop working.")
        else:
            text = self.tr("Otherwise they stay in your Get3W history until it expires (30 days).")
        self.remote_hint.setText(text)
        self.delete_button.setText(
            self.tr("Delete here and on the server") if self.also_remote() else self.tr("Delete")
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
        self.setWindowTitle(self.tr("Export tasks"))
        self.setMinimumWidth(520)
        count = len(jobs)
        self.heading = _heading(
            self.tr("Export 1 task")
            if count == 1
            else self.tr("Export {n} tasks").format(n=_count(count))
        )
        outputs = (
            self.tr("1 output file")
            if self._files == 1
            else self.tr("{n} output files").format(n=_count(self._files))
        )
        self.summary = _wrapped(
            self.tr(
                "{outputs} ({size}), each task's parameters, timings and server record in a "
                "task.json, and an index.json."
            ).format(outputs=outputs, size=_size(self._bytes))
        )
        self.folder_edit = QLineEdit(start_dir)
        self.folder_edit.setPlaceholderText(self.tr("Choose a folder"))
        self.folder_edit.setAccessibleName(self.tr("Export folder"))
        self.browse_button = QPushButton(self.tr("Choose…"))
        self.browse_button.clicked.connect(self._browse)
        self.metadata_check = QCheckBox(self.tr("Embed the prompt and parameters in PNG files"))
        self.metadata_check.setChecked(True)
        self.sidecar_check = QCheckBox(self.tr("Write a recipe (.json) next to each output"))
        self.sidecar_check.setToolTip(
            self.tr(
                "A small file any Get3W Desktop can read back with Remix from file, for every "
                "format (JPEG and videos have no room for text inside)."
            )
        )
        #: "Get3W export" is the folder's actual name: keep it as it is.
        note = self.tr("A new folder named “Get3W export …” is created inside it.")
        self.note = muted(_wrapped(note))
        self.problem = _wrapped()
        self.problem.setStyleSheet(f"color: {error_color(self.palette())};")

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        where = QGroupBox(self.tr("Save into"))
        where_layout = QVBoxLayout(where)
        where_layout.addLayout(folder_row)
        where_layout.addWidget(self.note)
        where_layout.addWidget(self.problem)
        options = QGroupBox(self.tr("Options"))
        options_layout = QVBoxLayout(options)
        options_layout.addWidget(self.metadata_check)
        options_layout.addWidget(self.sidecar_check)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole
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
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Export into"), self.folder_edit.text()
        )
        if chosen:
            self.folder_edit.setText(chosen)

    @Slot()
    def _check(self) -> None:
        problem = ""
        text = self.folder_edit.text().strip()
        if text and not self.folder().is_dir():
            problem = self.tr("This folder does not exist.")
        elif text:
            try:
                free = shutil.disk_usage(self.folder()).free
            except OSError:
                free = None
            if free is not None and free < self._needed:
                problem = self.tr("Not enough space here: {free} free, {needed} needed.").format(
                    free=_size(free), needed=_size(self._needed)
                )
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.export_button.setEnabled(bool(text) and not problem)


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
            values = (label(row.label), _count(row.tasks), _count(row.files), _size(row.bytes))
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
        self.setWindowTitle(self.tr("Storage"))
        self.resize(600, 640)
        self.setMinimumSize(520, 560)

        self.total_label = _heading("…")
        self.total_label.setAccessibleName(self.tr("Space used"))
        self.detail_label = _wrapped(self.tr("Measuring…"))
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
        self.notes_label = muted(_wrapped())

        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(days)
        self._update_days_suffix(days)
        self.days_spin.setAccessibleName(self.tr("Age of copies to clean up"))
        self.preview_label = _wrapped(self.tr("Working out what would be freed…"))
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
        self.clean_note = muted(_wrapped(self.tr(
            "Tasks stay in the history with their parameters. Get3W keeps outputs about "
            "7 days: older ones cannot be downloaded again.")))  # fmt: skip
        clean_layout.addWidget(self.clean_note, 2, 0, 1, 4)

        self.cache_label = _wrapped(self.tr("Measuring…"))
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
            self.tr("in {files} for {tasks}, kept by Get3W Desktop in its data folder").format(
                files=_files(usage.files), tasks=_tasks(usage.tasks)
            )
        )
        self.model_table.set_rows(usage.by_model, self._label)
        self.age_table.set_rows(usage.by_age, _age_label)
        notes = []
        if usage.missing:
            notes.append(
                self.tr("1 recorded file no longer on disk.")
                if usage.missing == 1
                else self.tr("{n} recorded files no longer on disk.").format(
                    n=_count(usage.missing)
                )
            )
        if usage.cleaned:
            notes.append(
                self.tr("1 task already cleaned up.")
                if usage.cleaned == 1
                else self.tr("{n} tasks already cleaned up.").format(n=_count(usage.cleaned))
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
                orphans.format(n=_count(usage.orphan_files), size=_size(usage.orphan_bytes))
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
                outside.format(n=_count(usage.outside_files), size=_size(usage.outside_bytes))
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
                    files=_files(len(plan.files)), tasks=_tasks(len(plan.jobs))
                )
            )
        if plan.orphans:
            parts.append(self.tr("{files} of no task").format(files=_files(len(plan.orphans))))
        what = (
            parts[0]
            if len(parts) == 1
            else self.tr("{first} and {second}").format(first=parts[0], second=parts[1])
        )
        size = _size(plan.total_bytes)
        self.preview_label.setText(self.tr("Frees {size}: {what}.").format(size=size, what=what))
        self.clean_button.setText(self.tr("Clean up {size}").format(size=size))
        self.clean_button.setEnabled(True)

    def _cleaned(self, result: hk.CleanupResult) -> None:
        self.days_spin.setEnabled(True)
        freed = self.tr("Freed {size} ({files}).").format(
            size=_size(result.bytes_freed), files=_files(result.files_deleted)
        )
        self.status_label.setStyleSheet("")
        self.status_label.setText(" ".join([freed, *result.problems]))
        if result.jobs:
            self.jobs_changed.emit(list(result.jobs))
        self._track(self._keeper.usage(self._load), "usage")
        self._preview()

    def _show_cache(self, cache: CacheResult, *, cleared: bool) -> None:
        if cache.files:
            thumbnails = (
                self.tr("1 thumbnail")
                if cache.files == 1
                else self.tr("{n} thumbnails").format(n=_count(cache.files))
            )
            self.cache_label.setText(
                self.tr("{size} in {thumbnails}").format(
                    size=_size(cache.bytes), thumbnails=thumbnails
                )
            )
        else:
            self.cache_label.setText(self.tr("Empty"))
        self.clear_button.setEnabled(cache.files > 0)
        if cleared:
            self.status_label.setStyleSheet("")
            self.status_label.setText(
                self.tr("Thumbnail cache cleared: {size} freed.").format(size=_size(cache.freed))
            )
            self.thumbnails_cleared.emit()
