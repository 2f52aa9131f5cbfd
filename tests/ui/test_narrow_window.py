"""At the window's smallest size nothing in the form is cut off at the right edge."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"  # size presets, a ratio lock, media rows, sliders


def test_the_form_fits_its_column_at_the_smallest_window(qtbot: QtBot, tmp_path: Path) -> None:
    with open_window(qtbot, tmp_path, None) as win:
        win.picker.select(FLUX)
        win.generate_panel.choose_model(FLUX)
        win.resize(win.minimumSize())
        QApplication.processEvents()
        [scroll] = [s for s in win.form.findChildren(QScrollArea) if s.widget() is not None]
        viewport = scroll.viewport()
        size = win.form.field("size")
        assert size is not None
        controls = [w for w in size.findChildren(QWidget) if w.isVisibleTo(size)]
        assert len(controls) >= 6  # two sides, three presets, the lock
        for control in controls:
            right = control.mapTo(viewport, QPoint(control.width(), 0)).x()
            assert right <= viewport.width(), (control.accessibleName() or control, right)
