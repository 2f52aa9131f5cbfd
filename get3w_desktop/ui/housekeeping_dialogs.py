"""Housekeeping dialogs: confirm a delete, choose where to export (the Storage window is in
ui/storage_dialog.py). They only ask; the caller runs the returned choice through a
`Housekeeper`. The small helpers here (sizes, counts, headings) serve both.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job
from get3w_desktop.ui.i18n import data_size
from get3w_desktop.ui.style import muted, set_tone


def size_text(size: float) -> str:
    """`size` bytes in the person's language and locale ("512 字节", "1.2 MB")."""
    return data_size(int(size))


def count_text(count: int) -> str:
    return f"{count:,}"


def tasks_text(count: int) -> str:
    """ "1 task" / "12 tasks" in the current language."""
    if count == 1:
        return QCoreApplication.translate("Housekeeping", "1 task")
    return QCoreApplication.translate("Housekeeping", "{n} tasks").format(n=count_text(count))


def files_text(count: int) -> str:
    """ "1 file" / "12 files" in the current language."""
    if count == 1:
        return QCoreApplication.translate("Housekeeping", "1 file")
    return QCoreApplication.translate("Housekeeping", "{n} files").format(n=count_text(count))


def big_heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def icon_row(widget: QWidget, icon: QStyle.StandardPixmap, content: QVBoxLayout) -> QHBoxLayout:
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
        self.heading = big_heading(
            self.tr("Delete 1 task?")
            if count == 1
            else self.tr("Delete {n} tasks?").format(n=count_text(count))
        )
        self.body = wrapped(self._body_text(count, len(plan.files), plan.bytes))
        self.skipped_label = muted(wrapped())
        skipped = len(plan.skipped)
        if skipped:
            self.skipped_label.setText(
                self.tr("1 running task not included: stop them first.")
                if skipped == 1
                else self.tr("{n} running tasks not included: stop them first.").format(
                    n=count_text(skipped)
                )
            )
        self.skipped_label.setVisible(bool(plan.skipped))
        remote = len(plan.remote_ids)
        self.remote_check = QCheckBox(
            self.tr("Also delete on the server (1 task)")
            if remote == 1
            else self.tr("Also delete on the server ({n} tasks)").format(n=count_text(remote))
        )
        self.remote_check.setAccessibleName(self.tr("Also delete on the server"))
        self.remote_hint = muted(wrapped())
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
        layout.addLayout(icon_row(self, QStyle.StandardPixmap.SP_MessageBoxWarning, content))
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
        return text.format(files=files_text(files), size=size_text(size))

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
        self.heading = big_heading(
            self.tr("Export 1 task")
            if count == 1
            else self.tr("Export {n} tasks").format(n=count_text(count))
        )
        outputs = (
            self.tr("1 output file")
            if self._files == 1
            else self.tr("{n} output files").format(n=count_text(self._files))
        )
        self.summary = wrapped(
            self.tr(
                "{outputs} ({size}), each task's parameters, timings and server record in a "
                "task.json, and an index.json."
            ).format(outputs=outputs, size=size_text(self._bytes))
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
        self.note = muted(wrapped(note))
        self.problem = wrapped()
        set_tone(self.problem, "error")

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
                    free=size_text(free), needed=size_text(self._needed)
                )
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.export_button.setEnabled(bool(text) and not problem)
