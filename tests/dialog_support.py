"""Answering the next modal question in a test: record what it says, then press a button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton


def answer_next_dialog(action: Callable[[QMessageBox], None], seen: list[str]) -> None:
    """When the next modal dialog shows, record its texts and act on it."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, act)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        action(box)

    QTimer.singleShot(0, act)


def press_escape(box: QMessageBox) -> None:
    QTest.keyClick(box, Qt.Key.Key_Escape)


def press_send(box: QMessageBox) -> None:
    [send] = [b for b in box.findChildren(QPushButton) if b.objectName() == "send"]
    send.click()
