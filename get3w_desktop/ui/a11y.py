"""Small accessibility helpers for controls Qt builds for us inside a line edit."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QLineEdit, QToolButton

#: Qt's name for the clear button's action (qlineedit_p.h).
_CLEAR_ACTION = "_q_qlineeditclearaction"


def _name_buttons(action: QAction, name: str) -> None:
    for owner in action.associatedObjects():
        if isinstance(owner, QToolButton):
            owner.setAccessibleName(name)


def clearable(edit: QLineEdit, what: str = "") -> QLineEdit:
    """Turn on `edit`'s clear button and name it ("Clear search"), so a screen reader does
    not announce an unnamed button inside the field."""
    edit.setClearButtonEnabled(True)
    name = (
        QCoreApplication.translate("Accessibility", "Clear {what}").format(what=what)
        if what
        else QCoreApplication.translate("Accessibility", "Clear")
    )
    action = edit.findChild(QAction, _CLEAR_ACTION)
    if action is not None:
        action.setToolTip(name)
        _name_buttons(action, name)
    return edit


def decoration(edit: QLineEdit, icon: QIcon, name: str,
               position: QLineEdit.ActionPosition) -> QAction:  # fmt: skip
    """An icon inside `edit` (a magnifier): named, so it is not an unnamed button."""
    action = edit.addAction(icon, position)
    action.setText(name)
    _name_buttons(action, name)
    return action
