"""A visible ring around whichever control has the keyboard, in every window and theme.

Fusion shows focus on text inputs and spin boxes, but not on combo boxes, push buttons, tool
buttons or lists: a person tabbing past the form's last field saw nothing move. One overlay
follows the application's focus instead of a style sheet on every widget (a sheet would
replace the style's own drawing of those controls). It sits on the focused control's parent,
just outside the control, ignores the mouse, and takes its colour from the theme's tones.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QWidget,
)

from get3w_desktop.ui.style import OWN_FOCUS_PROPERTY, tone

#: Controls whose style already marks focus clearly (a highlighted frame or a focus rect).
_STYLE_SHOWS_FOCUS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QCheckBox,
                      QRadioButton)  # fmt: skip
GAP = 3  # pixels between the control and the ring
WIDTH = 2.0


def needs_ring(widget: QWidget) -> bool:
    """True when `widget`'s own drawing does not show that it has the keyboard."""
    if widget.property(OWN_FOCUS_PROPERTY):
        return False
    if isinstance(widget, _STYLE_SHOWS_FOCUS):
        return False
    proxy_owner = widget.parentWidget()
    # The line edit inside a spin box or an editable combo: its owner shows focus.
    return not (proxy_owner is not None and proxy_owner.focusProxy() is widget)


class FocusRing(QWidget):
    """The ring itself: a child of the focused control's window, drawn over it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(tone("blue", self.palette())), WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = WIDTH / 2
        area = QRectF(self.property("ring") or QRectF(self.rect()))
        painter.drawRoundedRect(area.adjusted(inset, inset, -inset, -inset), 4, 4)
        painter.end()


class FocusTracker(QObject):
    """Follows the application's focus and keeps the focused window's ring around it.

    It never touches the widgets `focusChanged` names: the old one may be in its destructor
    (a dialog closing with a focused button). It looks again at the focus once the event
    loop is back, and forgets any widget it watches the moment that widget is destroyed.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._watched: list[QWidget] = []
        self._target: QWidget | None = None
        self._ring: FocusRing | None = None
        self._queued = False
        app.focusChanged.connect(self.follow)

    def target(self) -> QWidget | None:
        return self._target

    def ring(self, window: QWidget) -> FocusRing:
        found = window.findChild(FocusRing, "", Qt.FindChildOption.FindDirectChildrenOnly)
        if isinstance(found, FocusRing):
            return found
        ring = FocusRing(window)
        ring.destroyed.connect(self._forget_ring)
        return ring

    @Slot(QWidget, QWidget)
    def follow(self, _old: QWidget | None, _new: QWidget | None) -> None:
        if not self._queued:
            self._queued = True
            QTimer.singleShot(0, self.refresh)

    @Slot()
    def refresh(self) -> None:
        """Put the ring around whatever has the keyboard now (or hide it)."""
        self._queued = False
        self._unwatch()
        if self._ring is not None:
            self._ring.hide()
        new = QApplication.focusWidget()
        if new is None or new.isWindow() or not needs_ring(new):
            return
        self._target = new
        step: QWidget | None = new
        while step is not None and not step.isWindow():  # it, and whatever moves it
            step.installEventFilter(self)
            step.destroyed.connect(self._forget_watched)
            self._watched.append(step)
            step = step.parentWidget()
        self._place()

    def _unwatch(self) -> None:
        for widget in self._watched:
            widget.removeEventFilter(self)
            widget.destroyed.disconnect(self._forget_watched)
        self._watched = []
        self._target = None

    @Slot()
    def _forget_watched(self) -> None:
        # One of them is going: drop them all without touching it (the others keep a
        # harmless filter until they are watched again), and look again later.
        self._watched = []
        self._target = None
        if self._ring is not None:
            self._ring.hide()
        self.follow(None, None)

    @Slot()
    def _forget_ring(self) -> None:
        self._ring = None

    def _place(self) -> None:
        target = self.target()
        if target is None:
            return
        window = target.window()
        ring = self._ring = self.ring(window)
        if not target.isVisible():
            ring.hide()
            return
        where = QRect(target.mapTo(window, QPoint(0, 0)), target.size())
        outer = where.adjusted(-GAP, -GAP, GAP, GAP)
        shown = outer
        ancestor = target.parentWidget()
        while ancestor is not None and ancestor is not window:
            area = ancestor.parentWidget()
            if isinstance(area, QAbstractScrollArea) and area.viewport() is ancestor:
                shown &= QRect(ancestor.mapTo(window, QPoint(0, 0)), ancestor.size())
            ancestor = ancestor.parentWidget()
        if shown.isEmpty():
            ring.hide()
            return
        ring.setGeometry(shown)
        # The whole ring in the ring's own coordinates: cut where a scroll area clips it.
        ring.setProperty("ring", QRectF(outer.translated(-shown.topLeft())))
        ring.show()
        ring.raise_()
        ring.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide,
        ):  # fmt: skip
            self.follow(None, None)  # placed again once the loop is back (never mid-change)
        return super().eventFilter(watched, event)


def install_focus_ring(app: QApplication) -> FocusTracker:
    """The application's focus tracker, made and connected on the first call."""
    found = app.findChild(FocusTracker)
    return found if isinstance(found, FocusTracker) else FocusTracker(app)
