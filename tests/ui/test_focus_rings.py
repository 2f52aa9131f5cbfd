"""Every control of the generate panel shows where the keyboard is: Tab through it, and each
focused control paints differently from itself unfocused, in the light and the dark theme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.storage.settings import Theme
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.theme import apply_theme
from tests.window_support import open_window

NANO = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style_name, palette = app.style().name(), app.palette()
    with open_window(qtbot, tmp_path, None) as win:
        win.resize(1400, 900)
        win.picker.select(NANO)
        win.generate_panel.choose_model(NANO)
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow)
        yield win
    app.setStyle(style_name)
    app.setPalette(palette)
    QApplication.styleHints().unsetColorScheme()


def _shot(widget: QWidget) -> QImage:
    """The widget and a margin around it as its window paints them (a ring may be drawn
    just outside the control, by the style or by an overlay)."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).adjusted(-4, -4, 4, 4)
    return window.grab(rect).toImage()


def _tab_stops(window: MainWindow, qtbot: QtBot) -> list[QWidget]:
    """The controls Tab reaches in the generate panel, from the first form field onwards."""
    panel = window.generate_panel
    window.form.focus_first_field()
    stops: list[QWidget] = []
    for _ in range(60):
        widget = QApplication.focusWidget()
        assert widget is not None
        if not panel.isAncestorOf(widget) or widget in stops:
            break
        stops.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return stops


@pytest.mark.parametrize("theme", [Theme.LIGHT, Theme.DARK])
def test_every_control_in_the_generate_panel_shows_its_focus(
    qtbot: QtBot, window: MainWindow, theme: Theme
) -> None:
    apply_theme(theme)
    qtbot.wait(20)
    stops = _tab_stops(window, qtbot)
    names = [w.accessibleName() or w.objectName() or type(w).__name__ for w in stops]
    channel = window.form.field("channel")
    assert channel is not None and channel.focus_target() in stops, names
    after = stops[stops.index(channel.focus_target()) + 1 :]
    panel = window.generate_panel
    # From the form's last field, Tab goes on to the count, Generate and Batch.
    assert after == [panel.count, panel.generate_button, panel.batch_button], names
    invisible = []
    for widget in stops:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        qtbot.wait(50)  # the ring follows the focus once the event loop is back
        focused = _shot(widget)
        window.picker.search.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: QApplication.focusWidget() not in stops)
        qtbot.wait(50)
        if focused == _shot(widget):
            invisible.append(widget.accessibleName() or type(widget).__name__)
    assert invisible == [], f"{theme}: no visible focus on {invisible} (of {names})"


def test_ordering_tabs_leaves_the_viewer_s_menu_actions_alive(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Walking the focus chain to order the form's tabs (PySide6 6.11) invalidated the
    viewer's Save-menu actions once a LoRA row it had passed was deleted: the next result
    shown raised "Internal C++ object already deleted"."""
    for model_id in (
        "wavespeed-ai/flux-dev-lora",
        "wavespeed-ai/flux-dev",
        "wavespeed-ai/wan-2.1/i2v-480p-lora",
    ):
        window.picker.select(model_id)
        window.generate_panel.choose_model(model_id)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        QApplication.processEvents()
    viewer = window.viewer
    assert shiboken6.isValid(viewer.copy_item) and shiboken6.isValid(viewer.save_all_item)
    viewer.copy_item.setEnabled(True)  # raised RuntimeError before
