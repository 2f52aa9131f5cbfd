"""The window's status bar: the service badge stays in view while messages come and go.

A QStatusBar hides its ordinary widgets while it shows a message, and keeps its permanent
widgets on the right. The badge (where tasks run: "Sandbox", "Get3W") must never vanish,
so everything sits in permanent widgets: on the left a row of [badge | message], then the
activity and balance labels. `showMessage`, `clearMessage` and `currentMessage` keep
QStatusBar's meaning (a text, and an optional timeout in ms) for every caller; a status
tip that Qt itself shows (a hovered action's) lands in the same message label.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QHBoxLayout, QStatusBar, QWidget

from get3w_desktop.ui.elided_label import ElidedLabel


class StatusBar(QStatusBar):
    """A status bar whose messages sit beside the badge instead of over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self._left = QWidget()
        self._row = QHBoxLayout(self._left)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(8)
        self.message_label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.message_label.setObjectName("statusMessage")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self._row.addWidget(self.message_label, 1)
        self.addPermanentWidget(self._left, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)
        self._own_clear = False
        # Qt's own messages (status tips) go through the C++ showMessage: show them here.
        super().messageChanged.connect(self._on_native_message)

    def set_badge(self, badge: QWidget) -> None:
        """Put `badge` first on the left, where no message can cover it."""
        self._row.insertWidget(0, badge)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        """Show `text` beside the badge; it goes after `timeout` ms (0: until replaced)."""
        self._timer.stop()
        self.message_label.setText(text)
        if text and timeout:
            self._timer.start(timeout)

    @Slot()
    def clearMessage(self) -> None:
        self._timer.stop()
        self.message_label.setText("")

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():  # the window closed (not minimised): its message goes too
            self.clearMessage()
        super().hideEvent(event)

    def currentMessage(self) -> str:
        return self.message_label.text()

    def message_timer_active(self) -> bool:
        return self._timer.isActive()

    @Slot(str)
    def _on_native_message(self, text: str) -> None:
        if self._own_clear or not text:
            return  # an empty tip (the pointer left an action) leaves our message alone
        self.showMessage(text)
        self._own_clear = True
        try:  # so QStatusBar paints nothing of its own under our row
            QStatusBar.clearMessage(self)
        finally:
            self._own_clear = False
