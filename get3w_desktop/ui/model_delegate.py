"""How the model browser draws its rows: group captions, and models as cards.

A model row: its name (with a star when it is a favourite), then its id, and on the
right its price and typical time. The star is also a button: clicking it toggles the
favourite (`star_clicked`).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from get3w_desktop.itemmodels.model_catalogue import Role

_Index = QModelIndex | QPersistentModelIndex
STAR_ON, STAR_OFF = "★", "☆"


class ModelDelegate(QStyledItemDelegate):
    """Signals:
    star_clicked(str model_id): the star of a row was clicked.
    """

    star_clicked = Signal(str)
    PAD_X, PAD_Y = 10, 7

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Every row, header or model, is one height that depends only on the view's font,
        # so the view can use uniform item sizes: a relayout after a keystroke asks one
        # row's size instead of ~800 (see ModelPicker). Fonts, sizes and elided texts are
        # kept; a repaint redraws ~20 rows, mostly with strings it has drawn before.
        self._fonts_by_key: dict[str, tuple[QFont, QFont, QFont]] = {}
        self._sizes: dict[str, QSize] = {}
        self._elided: dict[tuple[str, str, int, int], str] = {}
        self._lines: dict[tuple[str, str, str, int], tuple[str, str]] = {}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        return self._fonts_of(option.font)[1]

    def _fonts_of(self, font: QFont) -> tuple[str, tuple[QFont, QFont, QFont]]:
        """The font's key and its (name, small, header) variants. (`QFont.key()` and
        `option.font` each cost a copy: a paint asks once.)"""
        key = font.key()
        fonts = self._fonts_by_key.get(key)
        if fonts is None:
            fonts = self._fonts_by_key[key] = self._make_fonts(font)
        return key, fonts

    @staticmethod
    def _make_fonts(font: QFont) -> tuple[QFont, QFont, QFont]:
        option_font = font
        name = QFont(option_font)
        name.setWeight(QFont.Weight.DemiBold)
        small = QFont(option_font)
        small.setPointSizeF(option_font.pointSizeF() * 0.88)
        header = QFont(small)
        header.setWeight(QFont.Weight.Bold)
        header.setCapitalization(QFont.Capitalization.AllUppercase)
        header.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        return name, small, header

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """One size for every row (a header sits at the bottom of a card-high row)."""
        key, (name, small, _header) = self._fonts_of(option.font)
        size = self._sizes.get(key)
        if size is None:
            height = QFontMetrics(name).height() + QFontMetrics(small).height() + 2 * self.PAD_Y + 2
            size = self._sizes[key] = QSize(200, height)
        return size

    ELIDED_KEPT = 8192  # strings; forgotten all at once past this (a few hundred KB)

    def _elide(
        self, metrics: QFontMetrics, font_key: str, text: str, mode: Qt.TextElideMode, width: int
    ) -> str:
        """`metrics.elidedText`, remembered per (font, text, mode, width); `font_key` names
        the font of `metrics` (the view's font key and which of its variants)."""
        key = (font_key, text, int(mode.value), width)
        elided = self._elided.get(key)
        if elided is None:
            if len(self._elided) >= self.ELIDED_KEPT:
                self._elided.clear()
            elided = self._elided[key] = metrics.elidedText(text, mode, width)
        return elided

    def _line(
        self, metrics: QFontMetrics, font_key: str, text: str, facts: str, width: int
    ) -> tuple[str, str]:
        """`secondary_line`, remembered like `_elide`."""
        key = (font_key, text, facts, width)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) >= self.ELIDED_KEPT:
                self._lines.clear()
            line = self._lines[key] = secondary_line(metrics, text, facts, width)
        return line

    def _star_rect(self, rect: QRect, option: QStyleOptionViewItem) -> QRect:
        return self._star_at(rect, QFontMetrics(self._fonts(option)[0]).height())

    def _star_at(self, rect: QRect, side: int) -> QRect:
        """The star's square in a row's `rect`; `side` is the name font's line height."""
        card = rect.adjusted(2, 1, -2, -1)
        return QRect(card.right() - self.PAD_X - side + 4, card.top() + self.PAD_Y - 1, side, side)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        font_key, (name_font, small, header_font) = self._fonts_of(option.font)
        palette = option.palette
        rect = QRect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        muted = QColor(palette.color(QPalette.ColorRole.PlaceholderText))
        if index.data(Role.IS_HEADER):
            painter.setFont(header_font)
            painter.setPen(muted)
            text_rect = rect.adjusted(self.PAD_X, 0, -self.PAD_X, -5)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             str(index.data(Qt.ItemDataRole.DisplayRole)))  # fmt: skip
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        card = rect.adjusted(2, 1, -2, -1)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            role = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.AlternateBase
            painter.setBrush(palette.color(role))
            painter.drawRoundedRect(card, 6, 6)
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        secondary = QColor(text) if selected else muted
        if selected:
            secondary.setAlphaF(0.8)
        inner = card.adjusted(self.PAD_X - 2, self.PAD_Y - 1, -(self.PAD_X - 2), -(self.PAD_Y - 1))
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        name_text, secondary_text, facts, favourite = index.data(Role.PAINT)
        painter.setFont(name_font)
        metrics = painter.fontMetrics()
        star = self._star_at(rect, metrics.height())
        if favourite or hovered or selected:
            star_color = QColor("#e9a23b") if favourite and not selected else QColor(secondary)
            painter.setPen(star_color)
            painter.drawText(star, Qt.AlignmentFlag.AlignCenter, STAR_ON if favourite else STAR_OFF)
        name_rect = QRect(inner.left(), inner.top(), star.left() - inner.left() - 4,
                          metrics.height())  # fmt: skip
        painter.setPen(text)
        name = self._elide(metrics, f"{font_key}/name", name_text, Qt.TextElideMode.ElideRight,
                           name_rect.width())  # fmt: skip
        painter.drawText(name_rect, left, name)
        painter.setFont(small)
        small_metrics = painter.fontMetrics()
        painter.setPen(secondary)
        line = QRect(inner.left(), name_rect.bottom() + 1, inner.width(), small_metrics.height())
        model_id, facts = self._line(small_metrics, f"{font_key}/small", secondary_text, facts,
                                     inner.width())  # fmt: skip
        if facts:
            painter.drawText(line, right, facts)
        id_rect = QRect(line)
        id_rect.setWidth(max(20, inner.width() - _facts_width(small_metrics, facts)))
        painter.drawText(id_rect, left, model_id)
        if option.state & QStyle.StateFlag.State_HasFocus and not selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card, 6, 6)
        painter.restore()

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not index.data(Role.IS_HEADER)
            and self._star_rect(option.rect, option).contains(event.position().toPoint())
        ):
            model_id = index.data(Role.MODEL_ID)
            if isinstance(model_id, str):
                self.star_clicked.emit(model_id)
                return True
        return super().editorEvent(event, model, option, index)


def _facts_width(metrics: QFontMetrics, facts: str) -> int:
    return metrics.horizontalAdvance(facts) + 10 if facts else 0


def secondary_line(metrics: QFontMetrics, text: str, facts: str, width: int) -> tuple[str, str]:
    """The line under a model's name in `width` pixels: (left text, facts on the right).

    The id when it fits beside the facts ("$0.012 / run · about 8 s"); else its maker whole
    ("wav…dev" says nothing; the full id is in the tooltip), dropping the time before the
    maker is cut; elided at the end only when even that does not fit."""
    if metrics.horizontalAdvance(text) <= width - _facts_width(metrics, facts):
        return text, facts
    text = text.split("/", 1)[0]
    if metrics.horizontalAdvance(text) > width - _facts_width(metrics, facts) and " · " in facts:
        facts = facts.split(" · ", 1)[0]
    room = max(20, width - _facts_width(metrics, facts))
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room), facts
