"""The viewer header's action row: there while one of its controls is, and the result's
name above it has the header's whole width."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.tool_row import ToolRow


def test_the_row_hides_while_all_its_controls_are_hidden(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    zoom, open_button = QPushButton("Zoom"), QPushButton("Open")
    row = ToolRow([zoom], [open_button])
    QVBoxLayout(holder).addWidget(row)
    holder.show()
    assert row.isVisible()
    zoom.hide()
    assert row.isVisible()  # Open is still there
    open_button.hide()
    assert row.isHidden()
    zoom.show()
    assert not row.isHidden() and zoom.isVisible()
