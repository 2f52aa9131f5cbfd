"""The result viewer's message pages: a large line icon on a soft disc over a title, a text
and a hint, in a centred column. The empty, progress and error states are such pages; the
banner is the warning strip above a result (some outputs were not saved).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from get3w_desktop.ui.job_delegate import Glyph, draw_glyph


class Emblem(QWidget):
    """A large line icon on a soft disc: the face of an empty or message page."""

    def __init__(self, glyph: Glyph, side: int = 72) -> None:
        super().__init__()
        self.glyph, self.color = glyph, QColor()
        self.setFixedSize(side, side)

    def set(self, glyph: Glyph, color: QColor | None = None) -> None:
        self.glyph, self.color = glyph, QColor(color) if color else QColor()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        color = self.color if self.color.isValid() else self.palette().color(
            self.palette().ColorRole.PlaceholderText)  # fmt: skip
        disc = QColor(color)
        disc.setAlpha(34)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(disc)
        p.drawEllipse(self.rect())
        inset = self.width() * 0.27
        draw_glyph(p, QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), self.glyph, color)
        p.end()


class MessagePage(QWidget):
    """Emblem, title, text and optional extras in a centred column at most 480 px wide."""

    def __init__(self, glyph: Glyph, title: str = "", body: str = "") -> None:
        super().__init__()
        self.emblem = Emblem(glyph)
        self.title = QLabel(title)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(font.Weight.DemiBold)
        self.title.setFont(font)
        self.body = QLabel(body)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        card = QWidget()
        card.setMaximumWidth(480)
        self.column = QVBoxLayout(card)
        self.column.setSpacing(8)
        self.column.addWidget(self.emblem, 0, Qt.AlignmentFlag.AlignHCenter)
        self.column.addSpacing(6)
        for label in (self.title, self.body, self.hint):
            label.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.column.addWidget(label)
        self.hint.hide()
        centre_card(self, card)

    def add(self, widget: QWidget) -> None:
        """Put `widget` (a bar, a button) under the text and above the hint."""
        at = self.column.indexOf(self.hint)
        self.column.insertSpacing(at, 4)
        self.column.insertWidget(at + 1, widget, 0, Qt.AlignmentFlag.AlignHCenter)

    def set_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))


def centre_card(page: QWidget, card: QWidget) -> None:
    """Lay `card` out in the middle of `page`, a little above centre, as the viewer's
    message and file pages show theirs."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 100)
    row.addStretch(1)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(24, 24, 24, 24)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


def banner() -> QLabel:
    """A warm strip of plain text (server text is never markup) above the result."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setContentsMargins(12, 6, 12, 6)
    label.setStyleSheet("background: rgba(217, 119, 6, 0.16); border-radius: 4px;")
    return label
