"""Help › Where your data lives: the real folders and files the app keeps, each with
Open folder and Copy path, where the API key is kept, and that uninstalling keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.storage.paths import AppPaths
from get3w_desktop.storage.secrets import SecretStore
from get3w_desktop.storage.settings import settings_path
from get3w_desktop.ui.help_window import HelpWindow
from get3w_desktop.ui.keyring_words import keyring_name
from get3w_desktop.ui.style import bold, muted, set_tone


@dataclass(frozen=True)
class DataPlaces:
    """Where the window's data is, as it really is (tests use temporary folders)."""

    settings: Path  # settings.json (the window's layout and form values sit beside it)
    history: Path  # the task history (SQLite)
    outputs: Path  # the outputs the app downloaded
    thumbnails: Path  # the picture cache (rebuilt when deleted)
    logs: Path  # the log, which Save diagnostics… packs
    sandbox_account: Path  # the sandbox's pretend balance and bill


def data_places(paths: AppPaths, *, outputs: Path, thumbnails: Path) -> DataPlaces:
    return DataPlaces(
        settings=settings_path(paths), history=paths.history_db, outputs=outputs,
        thumbnails=thumbnails, logs=paths.logs, sandbox_account=paths.sandbox_account,
    )  # fmt: skip


class DataDialog(HelpWindow):
    """The places in `places`, each with Open folder and Copy path."""

    def __init__(self, places: DataPlaces, key_store: SecretStore, parent: QWidget) -> None:
        super().__init__(parent)
        self._places = places
        self._store = key_store
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        grid_holder = QWidget()
        self.grid = QGridLayout(grid_holder)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(0, 1)
        # Per place: (title, description, path, open button, copy button).
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel, QPushButton, QPushButton]] = {}
        for row, (name, path) in enumerate(self._entries()):
            self._add_row(row, name, path)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_holder)
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.keep_note = muted(QLabel(), smaller=False)
        self.keep_note.setWordWrap(True)
        self.feedback = muted(QLabel())
        self.feedback.setWordWrap(True)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close)
        self.close_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.feedback, 1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.key_note)
        layout.addWidget(self.keep_note)
        layout.addLayout(buttons)
        self.resize(720, 640)
        self.retranslate()

    def showEvent(self, event: QShowEvent) -> None:
        self.retranslate()  # a folder made since (the first log, the first result) opens now
        super().showEvent(event)

    def _entries(self) -> list[tuple[str, Path]]:
        p = self._places
        return [("settings", p.settings), ("history", p.history), ("outputs", p.outputs),
                ("thumbnails", p.thumbnails), ("logs", p.logs),
                ("sandbox", p.sandbox_account)]  # fmt: skip

    def _add_row(self, row: int, name: str, path: Path) -> None:
        title = bold(QLabel())
        about = muted(QLabel())
        about.setWordWrap(True)
        shown = QLabel(str(path))
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setWordWrap(True)
        shown.setObjectName(f"path_{name}")
        open_button, copy_button = QPushButton(), QPushButton()
        for button in (open_button, copy_button):
            button.setAutoDefault(False)  # Enter closes the window, it opens nothing
        open_button.clicked.connect(lambda _c=False, p=path: self.open_folder(p))
        copy_button.clicked.connect(lambda _c=False, p=path: self.copy_path(p))
        top = row * 4
        self.grid.addWidget(title, top, 0)
        self.grid.addWidget(about, top + 1, 0)
        self.grid.addWidget(shown, top + 2, 0)
        self.grid.addWidget(open_button, top, 1, 3, 1, Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(copy_button, top, 2, 3, 1, Qt.AlignmentFlag.AlignVCenter)
        self.grid.setRowMinimumHeight(top + 3, 12)
        self.rows[name] = (title, about, shown, open_button, copy_button)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Where your data lives"))
        self.setAccessibleName(self.tr("Where your data lives"))
        intro = self.tr("Everything Get3W Desktop keeps on this computer is in these "
                        "places. You can open, back up or delete them.")  # fmt: skip
        self.intro.setText(intro)
        texts = {
            "settings": (self.tr("Settings"),
                         self.tr("Profiles, folders, limits and the window's layout.")),
            "history": (self.tr("Task history"),
                        self.tr("Every task you sent and its parameters.")),
            "outputs": (self.tr("Downloaded results"),
                        self.tr("The app's own copy of every result; your saved copies "
                                "stay where you saved them.")),
            "thumbnails": (self.tr("Thumbnail cache"),
                           self.tr("Small previews; safe to delete, they are made again.")),
            "logs": (self.tr("Logs"),
                     self.tr("What the app did, for Help › Save diagnostics…; never "
                             "contains your key.")),
            "sandbox": (self.tr("Sandbox account"),
                        self.tr("The pretend balance and bill of the offline sandbox.")),
        }  # fmt: skip
        for name, (title, about, shown, open_button, copy_button) in self.rows.items():
            words, description = texts[name]
            path = Path(shown.text())
            title.setText(words)
            about.setText(description if path.exists() else
                          self.tr("{what} Not created yet.").format(what=description))  # fmt: skip
            shown.setAccessibleDescription(words)  # its name stays the path it reads out
            open_button.setText(self.tr("Open folder"))
            open_button.setAccessibleName(self.tr("Open the folder of {what}").format(what=words))
            open_button.setEnabled(self.folder_of(path).is_dir())
            copy_button.setText(self.tr("Copy path"))
            copy_button.setAccessibleName(self.tr("Copy the path of {what}").format(what=words))
        self.key_note.setText(self._key_words())
        self.keep_note.setText(self.tr("Uninstalling Get3W Desktop never deletes these "
                                       "places or your key; remove them yourself if you "
                                       "want them gone."))  # fmt: skip
        self.close_button.setText(self.tr("Close"))

    def _key_words(self) -> str:
        try:
            backend, secure = self._store.backend_name, self._store.is_secure
        except Exception:  # a broken keyring is described here, not raised
            backend, secure = "", False
        if not secure:
            return self.tr("Your API key is in none of these places. No secure keyring is "
                           "available, so a key you enter is kept in memory until the app "
                           "quits.")  # fmt: skip
        text = self.tr("Your API key is in none of these places: it is kept in {keyring}, "
                       "encrypted by your system.")  # fmt: skip
        return text.format(keyring=keyring_name(backend))  # words, never the class

    # -- the buttons -------------------------------------------------------------------

    def folder_of(self, path: Path) -> Path:
        return path if path.is_dir() or not path.suffix else path.parent

    def open_folder(self, path: Path) -> bool:
        folder = self.folder_of(path)
        opened = folder.is_dir() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not opened:
            set_tone(self.feedback, "error")
            text = self.tr("Nothing could open {folder}. Copy its path and open it in your "
                           "file manager.")  # fmt: skip
            self.feedback.setText(text.format(folder=folder))
        else:
            set_tone(self.feedback, None)
            self.feedback.setText(self.tr("Opened {folder}").format(folder=folder))
        return opened

    def copy_path(self, path: Path) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(str(path))
        set_tone(self.feedback, None)
        self.feedback.setText(self.tr("Copied {path}").format(path=path))
