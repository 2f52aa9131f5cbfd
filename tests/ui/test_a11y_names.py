"""Parts Qt builds inside a combo box (its popup list, an editable one's line edit) are named."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.a11y import install_combo_namer


def test_a_shown_combo_names_its_popup_and_line_edit_after_its_label(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_combo_namer(app)
    page = QWidget()
    form = QFormLayout(page)
    channel = QComboBox()
    channel.setEditable(True)
    channel.addItems(["(server default)", "stable"])
    kind = QComboBox()
    kind.addItems(["All kinds", "Image"])
    kind.setAccessibleName("Kind of model")
    bare = QComboBox()
    form.addRow("Default &channel:", channel)
    form.addRow("", kind)
    form.addRow("", bare)
    qtbot.addWidget(page)
    line_edit = channel.lineEdit()
    assert line_edit is not None
    assert channel.view().accessibleName() == "" and line_edit.accessibleName() == ""
    page.show()
    qtbot.waitExposed(page)
    assert channel.view().accessibleName() == "Default channel"
    assert line_edit.accessibleName() == "Default channel"
    assert kind.view().accessibleName() == "Kind of model"
    assert bare.view().accessibleName() == ""  # nothing to name it after: left alone
