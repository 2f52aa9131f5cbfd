"""Small accessibility helpers for controls Qt builds for us (inside a line edit, a combo box)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QToolButton, QWidget

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


def _label_for(widget: QWidget) -> str:
    """The text of the label whose buddy is `widget` ("&Channel:" -> "Channel"), or ""."""
    window = widget.window()
    for label in window.findChildren(QLabel):
        if label.buddy() is widget:
            return label.text().replace("&", "").rstrip(":：").strip()
    return ""


def name_combo_parts(combo: QComboBox) -> None:
    """Name the parts Qt builds inside `combo` after it: the popup list a screen reader
    enters, and the line edit of an editable one (both are unnamed otherwise)."""
    name = combo.accessibleName() or _label_for(combo) or combo.toolTip()
    if not name:
        return
    view = combo.view()
    if view is not None and not view.accessibleName():
        view.setAccessibleName(name)
    edit = combo.lineEdit()
    if edit is not None and not edit.accessibleName():
        edit.setAccessibleName(name)


class ComboNamer(QObject):
    """An application event filter: every combo box names its parts when it is shown, so
    combo boxes built later (forms rebuilt per model, dialogs) are covered too."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # It sees every event of the app: the cheap type test first (`event.type()` builds
        # a Python enum each call, thousands of times while the window is built).
        if isinstance(watched, QComboBox) and event.type() == QEvent.Type.Show:
            name_combo_parts(watched)
        return False


_namer: ComboNamer | None = None


def install_combo_namer(app: QCoreApplication) -> None:
    """Install the one `ComboNamer` (idempotent)."""
    global _namer
    if _namer is None:
        _namer = ComboNamer(app)
        app.installEventFilter(_namer)
