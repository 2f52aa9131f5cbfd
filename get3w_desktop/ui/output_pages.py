"""Viewer pages for outputs that are not pictures or sound: text, 3D models, other files.

Captioners, language models, speech-to-text and moderation models answer with text;
3D models with `.glb` files; trainers with weight files. The viewer shows:

- text: selectable, with Copy and Save as .txt (`TextPage.set_texts(texts)`);
- a 3D model or any other file: a card naming what it is, with Open (the system's viewer,
  through the window's `open_requested`) and Show in folder (`FileCard.set_file(path)`).

`open_file` and `show_in_folder` are the one way outputs are handed to the system's apps;
both say whether anything could take the file, so a failure can be shown.

The one hook into jobs is `job_texts(job)`: the text outputs of a job, read from
`Job.texts` once the job lifecycle stores them (and empty until then).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.job import Job
from get3w_desktop.ui.i18n import data_size
from get3w_desktop.ui.message_page import centre_card
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

MODEL_3D_SUFFIXES = {".glb", ".gltf", ".obj", ".fbx", ".usdz", ".ply", ".stl"}
WEIGHT_SUFFIXES = {".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".onnx", ".gguf"}
ARCHIVE_SUFFIXES = {".zip", ".tar", ".gz", ".tgz", ".7z", ".rar"}
_KIND_NAMES = {
    "3d": QT_TRANSLATE_NOOP("OutputPages", "3D model"),
    "weights": QT_TRANSLATE_NOOP("OutputPages", "Model weights"),
    "archive": QT_TRANSLATE_NOOP("OutputPages", "Archive"),
    "file": QT_TRANSLATE_NOOP("OutputPages", "File"),
}
_KIND_HINTS = {
    "3d": QT_TRANSLATE_NOOP(
        "OutputPages", "Open it in your 3D viewer, or drag it into Blender or a web viewer."
    ),
    "weights": QT_TRANSLATE_NOOP(
        "OutputPages", "Trained weights: use them as a LoRA, or keep them for later."
    ),
    "archive": QT_TRANSLATE_NOOP("OutputPages", "Open it with your archive tool."),
    "file": QT_TRANSLATE_NOOP("OutputPages", "This app cannot preview this kind of file."),
}


def job_texts(job: Job) -> tuple[str, ...]:
    """The text outputs of `job` (captions, answers, transcripts) in output order; () when
    there are none."""
    return tuple(item.text for item in sorted(job.texts, key=lambda item: item.index))


def file_kind(path: str) -> str:
    """ "3d", "weights", "archive" or "file", by extension (outputs are named by their bytes)."""
    suffix = Path(path).suffix.lower()
    if suffix in MODEL_3D_SUFFIXES:
        return "3d"
    if suffix in WEIGHT_SUFFIXES:
        return "weights"
    if suffix in ARCHIVE_SUFFIXES:
        return "archive"
    return "file"


def _size(path: str) -> str:
    try:
        size = Path(path).stat().st_size
    except OSError:
        return QCoreApplication.translate("OutputPages", "missing")
    return data_size(size)  # as the Storage window writes it, in the person's locale


class TextPage(QWidget):
    """Text outputs: read-only but selectable, one tab per text when there are several.

    Signals:
        saved(str path): a text was saved to `path`.
    """

    saved = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._texts: list[str] = []
        self._stem = "output"
        self.tabs = QTabBar()
        self.tabs.setDrawBase(False)
        self.tabs.currentChanged.connect(self._show)
        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        self.edit.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.edit.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.edit.setStyleSheet("QPlainTextEdit { background: palette(base); padding: 12px; }")
        font = self.edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.edit.setFont(font)
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.ask_and_save)
        self.mono_button = QPushButton()
        self.mono_button.setCheckable(True)
        self.mono_button.toggled.connect(self._monospace)
        self.note = QLabel()
        self.note.setStyleSheet("color: palette(placeholder-text);")
        bar = QHBoxLayout()
        bar.setContentsMargins(12, 8, 12, 8)
        bar.setSpacing(8)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.mono_button)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.edit, 1)
        layout.addLayout(bar)
        self.retranslate()

    def retranslate(self) -> None:
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the text (or the selected part)"))
        self.save_button.setText(self.tr("Save as .txt…"))
        self.save_button.setToolTip(self.tr("Save this text as a UTF-8 text file"))
        self.mono_button.setText(self.tr("Monospace"))
        self.mono_button.setToolTip(self.tr("Show the text in a fixed-width font (tables, code)"))
        self.edit.setAccessibleName(self.tr("Text output"))
        self.tabs.setAccessibleName(self.tr("Text outputs"))
        for i in range(self.tabs.count()):
            self.tabs.setTabText(i, self.tr("Text {number}").format(number=i + 1))
        self._describe()

    def set_texts(self, texts: Sequence[str], stem: str = "output") -> None:
        """Show `texts` (the first one selected); `stem` names the saved file."""
        self._texts, self._stem = list(texts), stem
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        for i in range(len(self._texts)):
            self.tabs.addTab(self.tr("Text {number}").format(number=i + 1))
        self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self.tabs.setVisible(len(self._texts) > 1)
        self._show(0)

    def texts(self) -> list[str]:
        return list(self._texts)

    def current_text(self) -> str:
        index = self.tabs.currentIndex() if self.tabs.count() else 0
        return self._texts[index] if 0 <= index < len(self._texts) else ""

    def _show(self, index: int) -> None:
        text = self._texts[index] if 0 <= index < len(self._texts) else ""
        self.edit.setPlainText(text)
        self._describe()

    def _describe(self, message: str = "") -> None:
        text = self.current_text()
        words = len(text.split())
        self.note.setText(message or self.tr("{words} words · {chars} characters").format(
            words=f"{words:,}", chars=f"{len(text):,}"))  # fmt: skip

    def _monospace(self, on: bool) -> None:
        font = (QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if on
                else QGuiApplication.font())  # fmt: skip
        font.setPointSizeF(QGuiApplication.font().pointSizeF() * 1.1)
        self.edit.setFont(font)

    def copy(self) -> None:
        """The selection if there is one, else the whole text."""
        selected = self.edit.textCursor().selectedText().replace("\u2029", "\n")
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(selected or self.current_text())
            self._describe(self.tr("Copied."))

    def default_name(self) -> str:
        index = self.tabs.currentIndex() if len(self._texts) > 1 else -1
        return f"{self._stem}_{index + 1}.txt" if index >= 0 else f"{self._stem}.txt"

    def ask_and_save(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save text"), self.default_name(), self.tr("Text files (*.txt)")
        )
        if path:
            self.save(path)

    def save(self, path: str) -> bool:
        """Write the shown text to `path` (UTF-8, atomically); say how it went."""
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".txt")
        try:
            write_atomically(target, self.current_text().encode("utf-8"))
        except OSError as exc:
            self._describe(self.tr("Could not save {name}: {reason}").format(
                name=target.name, reason=exc.strerror or exc))  # fmt: skip
            return False
        self._describe(self.tr("Saved to {name}.").format(name=target.name))
        self.saved.emit(str(target))
        return True


def open_file(path: str) -> bool:
    """Open `path` with the system's app for it; False when nothing could."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def show_in_folder(path: str) -> bool:
    """Open the folder holding `path` in the file manager; False when nothing could."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


class FileCard(QWidget):
    """A 3D model, weights, an archive or any file: what it is, and Open / Show in folder.

    Signals:
        open_requested(str path): the person wants the system's app for it.
    """

    open_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._path = ""
        self.kind_label = QLabel()
        self.kind_label.setStyleSheet(
            "QLabel { color: palette(highlighted-text); background: palette(highlight);"
            " border-radius: 9px; padding: 2px 10px; font-weight: 600; }"
        )
        self.name = QLabel()
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(font.Weight.DemiBold)
        self.name.setFont(font)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setWordWrap(True)
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel()
        self.detail.setStyleSheet("color: palette(placeholder-text);")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.open_button = QPushButton()
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(lambda _c=False: self.open_requested.emit(self._path))
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.show_in_folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        card = QWidget()
        card.setObjectName("fileCard")
        card.setStyleSheet(
            "QWidget#fileCard { border: 1px solid palette(midlight); border-radius: 12px;"
            " background: palette(base); }"
        )
        card.setMaximumWidth(460)
        column = QVBoxLayout(card)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(10)
        column.addWidget(self.kind_label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.name)
        column.addWidget(self.detail)
        column.addWidget(self.hint)
        column.addSpacing(6)
        column.addLayout(buttons)
        centre_card(self, card)
        self.retranslate()

    def retranslate(self) -> None:
        self.open_button.setToolTip(self.tr("Open with the system's app for this kind of file"))
        self.folder_button.setText(self.tr("Show in folder"))
        self.folder_button.setToolTip(self.tr("Open the folder that holds this file"))
        if self._path:
            self.set_file(self._path)

    def path(self) -> str:
        return self._path

    def set_file(self, path: str, note: str = "") -> None:
        self._path = path
        kind = file_kind(path)
        translate = QCoreApplication.translate
        self.kind_label.setText(translate("OutputPages", _KIND_NAMES[kind]))
        self.name.setText(Path(path).name)
        suffix = Path(path).suffix.lstrip(".").upper()
        self.detail.setText(" · ".join(p for p in (suffix, _size(path)) if p))
        self.hint.setText(note or translate("OutputPages", _KIND_HINTS[kind]))
        self.open_button.setText(self.tr("Open in 3D viewer") if kind == "3d" else self.tr("Open"))
        self.open_button.setAccessibleName(self.tr("Open {name}").format(name=Path(path).name))

    def show_in_folder(self) -> None:
        """Show the file's folder; when no file manager can, copy the folder's path and
        say so on the card."""
        if self._path and not show_in_folder(self._path):
            folder = str(Path(self._path).parent)
            QGuiApplication.clipboard().setText(folder)
            self.hint.setText(
                self.tr("No app could show the folder; its path is copied: {folder}").format(
                    folder=folder
                )
            )
