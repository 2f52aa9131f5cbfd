"""Unexpected exceptions from slots and threads: logged, shown once, reported without keys."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.ui.crash import CrashDialog, CrashHandler, install_crash_hooks

CANARY = "sk_live_crashcanary0123456789abcdef"


@pytest.fixture
def handler(qtbot: QtBot) -> Iterator[CrashHandler]:
    REDACTOR.add_secret(CANARY)
    installed = install_crash_hooks()
    yield installed
    installed.uninstall()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CrashDialog):
            widget.close()


def _dialogs() -> list[CrashDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, CrashDialog) and w.isVisible()]  # fmt: skip


def _boom() -> None:
    raise ValueError(f"the server refused {CANARY}")


@pytest.mark.qt_no_exception_capture
def test_a_slot_that_raises_is_logged_and_shown_once_without_the_key(
    qtbot: QtBot, handler: CrashHandler, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="get3w_desktop.crash"):
        QTimer.singleShot(0, _boom)
        QTimer.singleShot(0, _boom)
        qtbot.waitUntil(lambda: handler.count == 2, timeout=5000)
        qtbot.waitUntil(lambda: len(_dialogs()) == 1, timeout=5000)
    qtbot.wait(50)
    (dialog,) = _dialogs()  # two errors, one dialog
    assert "2 errors" in dialog.windowTitle()
    report = dialog.report.toPlainText()
    assert "ValueError" in report and "_boom" in report and "Get3W Desktop" in report
    assert CANARY not in report
    logged = [r for r in caplog.records if r.name == "get3w_desktop.crash"]
    assert len(logged) == 2 and logged[0].exc_info is not None
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == report


@pytest.mark.qt_no_exception_capture
def test_a_thread_that_raises_is_logged_and_shown(
    qtbot: QtBot, handler: CrashHandler, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="get3w_desktop.crash"):
        thread = threading.Thread(target=_boom, name="doomed")
        thread.start()
        thread.join(5)
        qtbot.waitUntil(lambda: len(_dialogs()) == 1, timeout=5000)
    (dialog,) = _dialogs()
    assert "thread doomed" in dialog.report.toPlainText()
    assert CANARY not in dialog.report.toPlainText()
    assert any("thread doomed" in r.getMessage() for r in caplog.records)


def test_uninstall_puts_the_previous_hooks_back(qtbot: QtBot) -> None:
    before_sys, before_thread = sys.excepthook, threading.excepthook
    handler = CrashHandler().install()
    assert sys.excepthook != before_sys and threading.excepthook != before_thread
    handler.uninstall()
    assert sys.excepthook == before_sys and threading.excepthook == before_thread
