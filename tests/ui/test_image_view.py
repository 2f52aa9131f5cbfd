"""The zoom bar and the picture share the keyboard: clicking a button keeps 0/1/+/− working."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.image_view import ImageView, ZoomBar


@pytest.mark.parametrize("button_index", [0, 1, 2, 3])
def test_plain_zoom_keys_still_work_after_clicking_a_zoom_button(
    qtbot: QtBot, button_index: int
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    view = ImageView()
    bar = ZoomBar(view, host)
    layout = QVBoxLayout(host)
    layout.addWidget(bar)
    layout.addWidget(view)
    host.resize(500, 400)
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a9d8f"))
    view.set_image(image)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    fitted = view.scale_factor()

    button = bar.findChildren(QToolButton)[button_index]
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # as a click on any platform may take it
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=2000)

    focused = QApplication.focusWidget()
    assert focused is view
    QTest.keyClick(focused, Qt.Key.Key_1)
    assert view.scale_factor() == pytest.approx(1 / view.devicePixelRatioF())
    QTest.keyClick(focused, Qt.Key.Key_0)
    assert view.is_fitted()
    # Fitting again once the scroll bars of the 1:1 view are gone gives the first fit back.
    qtbot.waitUntil(lambda: view.scale_factor() == pytest.approx(fitted), timeout=2000)
