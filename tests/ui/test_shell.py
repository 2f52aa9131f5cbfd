"""The start-up shell: the first frame is painted at the window's size and place, in the
person's theme, then the real window takes its place and the shell goes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.shell import MINIMUM_SIZE, StartupShell, default_size, saved_geometry


def _save_geometry(state_file: Path, width: int, height: int, qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(width, height)
    state = QSettings(str(state_file), QSettings.Format.IniFormat)
    state.setValue("window/geometry", window.saveGeometry())
    state.sync()


def test_the_shell_is_painted_before_show_now_returns(qtbot: QtBot, tmp_path: Path) -> None:
    shell = StartupShell(tmp_path / "window.ini")  # no saved place yet: the default size
    qtbot.addWidget(shell)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    painted_before = shell.painted
    shell.show_now(app, wait_ms=5000)
    assert not painted_before and shell.painted and shell.isVisible()
    assert (shell.width(), shell.height()) == default_size()
    assert shell.windowTitle() == "Get3W Desktop" and shell.accessibleName()


def test_the_shell_takes_the_size_the_window_was_closed_at(qtbot: QtBot, tmp_path: Path) -> None:
    state_file = tmp_path / "window.ini"
    assert saved_geometry(state_file) is None
    closed_at = (MINIMUM_SIZE[0], MINIMUM_SIZE[1] + 45)  # fits the offscreen screen's width
    assert closed_at != default_size()
    _save_geometry(state_file, *closed_at, qtbot)
    assert saved_geometry(state_file) is not None
    shell = StartupShell(state_file)
    qtbot.addWidget(shell)
    assert (shell.width(), shell.height()) == closed_at


def test_the_window_takes_the_shell_s_place_and_the_shell_goes(qtbot: QtBot) -> None:
    shell = StartupShell()
    qtbot.addWidget(shell)
    window = QMainWindow()
    qtbot.addWidget(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell.show_now(app)
    shell.replace_with(window)
    assert window.isVisible() and not shell.isVisible()
    qtbot.waitUntil(lambda: shell not in QApplication.topLevelWidgets())  # deleted later
