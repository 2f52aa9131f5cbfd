"""A secondary window that closes like one: Esc and the platform's Close keys (Ctrl+W)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

NATIVE = QKeySequence.SequenceFormat.NativeText


def install_close_keys(window: QWidget, *, escape: bool = True) -> list[QShortcut]:
    """Esc and the platform's Close keys (Ctrl+W, Cmd+W) close `window`. A dialog that
    already cancels on Esc (QDialog does) passes `escape=False` and gets only Close."""
    close = QKeySequence.keyBindings(QKeySequence.StandardKey.Close)
    # Not the rare "Close" media key some platforms add: a list of keys would read "Close".
    keys = [*([QKeySequence(Qt.Key.Key_Escape)] if escape else []),
            *(k for k in close if k != QKeySequence(Qt.Key.Key_Close))]  # fmt: skip
    return [
        QShortcut(sequence, window, window.close, context=Qt.ShortcutContext.WindowShortcut)
        for sequence in keys
    ]


class HelpWindow(QDialog):
    """A non-modal help window that closes with Esc and Ctrl+W; its close keys say so in
    their whatsThis (the shortcut list reads it)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.close_keys = install_close_keys(self)

    def close_key_text(self) -> str:
        return ", ".join(s.key().toString(NATIVE) for s in self.close_keys)

    def retranslate(self) -> None:
        for shortcut in self.close_keys:
            shortcut.setWhatsThis(self.tr("Close this window"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
