"""The result viewer's header: the result's name and facts over a row of actions (zoom,
Open, Use as input, Save… with its menu), with the Gallery and Details switches.

Only the widgets and their layout; the viewer words them (its `retranslate`, so their
texts keep the ResultViewer translation context) and connects them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget

from get3w_desktop.ui.elided_label import ElidedLabel
from get3w_desktop.ui.tool_row import ToolRow


class ResultHeader(QWidget):
    """The name's whole width on top; the actions on a row under it (hidden while empty)."""

    def __init__(self, zoom_box: QWidget) -> None:
        super().__init__()
        self.title = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        font = self.title.font()
        font.setWeight(font.Weight.DemiBold)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.subtitle = ElidedLabel()
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton()
        self.save_button = QToolButton()
        self.save_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.save_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        save_menu = QMenu(self.save_button)
        self.save_all_item = save_menu.addAction("")
        self.copy_item = save_menu.addAction("")
        self.save_button.setMenu(save_menu)
        self.use_button = QToolButton()
        self.use_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.use_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.use_menu = QMenu(self.use_button)
        self.use_menu.setToolTipsVisible(True)
        self.use_button.setMenu(self.use_menu)
        self.use_button.hide()
        self.gallery_button = self._tool("", "")
        self.gallery_button.setCheckable(True)
        self.gallery_button.hide()
        self.details_button = self._tool("", "")
        self.details_button.setCheckable(True)
        self.details_button.setChecked(True)

        header = QVBoxLayout(self)
        header.setContentsMargins(12, 8, 8, 6)
        header.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        bar.addLayout(names, 1)
        bar.addWidget(self.gallery_button)
        bar.addWidget(self.details_button)
        header.addLayout(bar)
        self.tool_row = ToolRow([zoom_box],
                                [self.open_button, self.use_button, self.save_button])  # fmt: skip
        header.addWidget(self.tool_row)

    @staticmethod
    def _tool(text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button
