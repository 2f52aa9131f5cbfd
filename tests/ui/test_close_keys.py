"""Dialogs close with the platform's Close keys (Ctrl+W) as well as Esc, and either key
cancels: nothing the dialog would have done on OK happens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.storage.settings import Settings
from get3w_desktop.ui.batch_dialog import BatchDialog
from get3w_desktop.ui.settings_dialog import SettingsDialog


def _settings(tmp_path: Path) -> QDialog:
    return SettingsDialog(Settings(download_folder=str(tmp_path)))


def _batch(_tmp_path: Path) -> QDialog:
    model = load_bundled().get("wavespeed-ai/flux-dev")
    assert model is not None
    return BatchDialog(model, {})


@pytest.mark.parametrize("make", [_settings, _batch], ids=["settings", "batch"])
@pytest.mark.parametrize("key", ["Esc", "Ctrl+W"])
def test_a_dialog_closes_and_cancels_with_esc_and_ctrl_w(
    qtbot: QtBot, tmp_path: Path, make: object, key: str
) -> None:
    assert callable(make)
    dialog = make(tmp_path)
    qtbot.addWidget(dialog)
    results: list[int] = []
    dialog.finished.connect(results.append)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    QTest.keySequence(dialog, QKeySequence(key))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert results == [QDialog.DialogCode.Rejected.value]
