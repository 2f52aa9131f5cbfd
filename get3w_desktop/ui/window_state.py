"""The main window's place and its panels' split, kept between sessions in the window-state
file (QSettings, INI; None: not kept, as in most tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from get3w_desktop.ui.main_window import MainWindow


def restore_state(window: MainWindow, state: QSettings | None) -> None:
    if state is None:
        return
    geometry = state.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    for key, splitter in (("window/main", window.main_split), ("window/right", window.right_split)):
        value = state.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            splitter.restoreState(value)


def save_state(window: MainWindow, state: QSettings | None) -> None:
    if state is None:
        return
    state.setValue("window/geometry", window.saveGeometry())
    state.setValue("window/main", window.main_split.saveState())
    state.setValue("window/right", window.right_split.saveState())
    state.sync()
