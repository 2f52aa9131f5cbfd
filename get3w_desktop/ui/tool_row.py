"""A row of controls that is there only while one of them is.

The viewer's header puts its actions (zoom, Open, Use as input, Save) on a row under the
result's name, so the name has the header's whole width. A failed task or an empty viewer
shows none of those actions: the row then hides itself, and takes no height, until one of
its controls is shown again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHBoxLayout, QWidget


class ToolRow(QWidget):
    def __init__(self, leading: list[QWidget], trailing: list[QWidget]) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in leading:
            layout.addWidget(widget)
        layout.addStretch(1)
        for widget in trailing:
            layout.addWidget(widget)
        self._controls = [*leading, *trailing]
        for widget in self._controls:
            widget.installEventFilter(self)
        self._follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._follow()
        return False

    def _follow(self) -> None:
        self.setVisible(any(not widget.isHidden() for widget in self._controls))
