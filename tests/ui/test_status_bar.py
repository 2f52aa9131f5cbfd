"""Status-bar messages never hide the service badge (where new tasks run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.status_bar import StatusBar
from tests.window_support import open_window


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, None) as win:
        qtbot.waitExposed(win)
        yield win


def in_bar(widget: QWidget, bar: QStatusBar) -> QRect:
    return QRect(widget.mapTo(bar, widget.rect().topLeft()), widget.size())


def badge_shown_beside(window: MainWindow) -> None:
    bar = window.statusBar()
    badge, message = window.service_label, window.status_bar.message_label
    assert badge.isVisible() and badge.width() > 20
    assert message.isVisible()
    assert not in_bar(badge, bar).intersects(in_bar(message, bar))
    assert in_bar(badge, bar).right() < in_bar(message, bar).left()  # the badge stays first


def test_a_message_leaves_the_badge_visible_and_goes_after_its_timeout(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar = window.statusBar()
    assert isinstance(bar, StatusBar)
    badge_text = window.service_label.text()
    bar.showMessage("Parameters loaded into the form", 300)
    assert bar.currentMessage() == "Parameters loaded into the form"
    badge_shown_beside(window)
    assert window.service_label.text() == badge_text
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=5000)
    assert not bar.message_timer_active()
    assert window.service_label.isVisible()


def test_every_way_the_window_speaks_keeps_the_badge(qtbot: QtBot, window: MainWindow) -> None:
    """say=, window.say and the generate panel's message signal all end in the same label."""
    window.say("From the say method", 5000)
    badge_shown_beside(window)
    assert window.status_bar.message_label.text() == "From the say method"
    window.generate_panel.message.emit("From the generate panel", 5000)
    assert window.statusBar().currentMessage() == "From the generate panel"
    badge_shown_beside(window)


def test_a_long_message_is_cut_and_never_pushes_the_badge_away(
    qtbot: QtBot, window: MainWindow
) -> None:
    long = "A very long message about a saved file " * 40
    window.say(long, 0)
    badge_shown_beside(window)
    message = window.status_bar.message_label
    assert message.text() == long  # whole for the tooltip and screen readers
    assert in_bar(message, window.statusBar()).right() <= window.statusBar().width()
    assert not window.status_bar.message_timer_active()  # 0: stays until replaced


def test_a_message_without_timeout_stays_until_replaced_and_a_new_timeout_wins(
    qtbot: QtBot, window: MainWindow
) -> None:
    bar = window.statusBar()
    bar.showMessage("first", 200)
    bar.showMessage("second")  # no timeout: the first one's timer must not clear it
    qtbot.wait(400)
    assert bar.currentMessage() == "second"
    bar.clearMessage()
    assert bar.currentMessage() == ""
    assert window.service_label.isVisible()


def test_qts_own_status_tips_show_beside_the_badge_too(qtbot: QtBot, window: MainWindow) -> None:
    """Hovering an action with a status tip goes through QStatusBar's C++ showMessage."""
    bar = window.statusBar()
    QApplication.sendEvent(window, QStatusTipEvent("A tip from Qt"))
    assert bar.currentMessage() == "A tip from Qt"
    assert QStatusBar.currentMessage(bar) == ""  # Qt paints nothing of its own underneath
    badge_shown_beside(window)
    QApplication.sendEvent(window, QStatusTipEvent(""))  # the pointer left: message stays
    assert bar.currentMessage() == "A tip from Qt"
