"""The model picker: a search box over the catalogue, grouped by what each model makes.

A flat list view over a QStandardItemModel, filtered by a small QSortFilterProxyModel.
Group headers are rows without the enabled flag, so the view's arrow keys skip them
(Home, End and the page keys are steered past them here), and a delegate draws both
kinds of row. Only what the person does
(click, arrows, Enter) announces a model; filtering and `select()` never do, so typing a
search cannot switch the form under them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, catalogue_text

GROUP_LABELS = {
    "text-to-image": QT_TRANSLATE_NOOP("ModelPicker", "Text to image"),
    "image-edit": QT_TRANSLATE_NOOP("ModelPicker", "Image editing"),
    "text-to-video": QT_TRANSLATE_NOOP("ModelPicker", "Text to video"),
    "image-to-video": QT_TRANSLATE_NOOP("ModelPicker", "Image to video"),
    "text-to-audio": QT_TRANSLATE_NOOP("ModelPicker", "Audio"),
}
_Index = QModelIndex | QPersistentModelIndex


class Role(enum.IntEnum):
    MODEL_ID = Qt.ItemDataRole.UserRole + 1
    IS_HEADER = Qt.ItemDataRole.UserRole + 2
    GROUP = Qt.ItemDataRole.UserRole + 3
    SECONDARY = Qt.ItemDataRole.UserRole + 4
    PRICE = Qt.ItemDataRole.UserRole + 5
    HAYSTACK = Qt.ItemDataRole.UserRole + 6


def group_label(model_type: str) -> str:
    known = GROUP_LABELS.get(model_type)
    if known:
        return QCoreApplication.translate("ModelPicker", known)
    return model_type.replace("-", " ").capitalize()


def price_text(price: float | None) -> str:
    """ "$0.14 / run", "$0.012 / run"; empty when the price is unknown."""
    if price is None or price < 0:
        return ""
    amount = f"${price:.2f}" if round(price, 2) == round(price, 6) else f"${price:.4f}".rstrip("0")
    return QCoreApplication.translate("ModelPicker", "{price} / run").format(price=amount)


def duration_text(seconds: float | None) -> str:
    """ "about 20 s", "about 1½ min": an estimate, and said like one."""
    if seconds is None or seconds <= 0:
        return ""
    if seconds < 60:
        return QCoreApplication.translate("ModelPicker", "about {s} s").format(s=round(seconds))
    minutes = seconds / 60
    halves = round(minutes * 2) / 2
    text = f"{int(halves)}½" if halves % 1 else f"{int(halves)}"
    return QCoreApplication.translate("ModelPicker", "about {m} min").format(m=text)


def search_icon(palette: QPalette, side: int = 16) -> QIcon:
    """A magnifier, drawn (the bundled style has none)."""
    pixmap = QPixmap(side * 2, side * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(palette.color(QPalette.ColorRole.Text))
    color.setAlphaF(0.55)
    pen = QPen(color, 1.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawEllipse(3, 3, 8, 8)
    painter.drawLine(10, 10, 14, 14)
    painter.end()
    return QIcon(pixmap)


class ModelFilter(QSortFilterProxyModel):
    """Keeps models whose text holds every search word, and the headers of their groups."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._groups: set[str] = set()

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.lower().split()
        source = self.sourceModel()
        self._groups = set()
        if source is not None:
            for row in range(source.rowCount()):
                index = source.index(row, 0)
                if not index.data(Role.IS_HEADER) and self._matches(index):
                    self._groups.add(str(index.data(Role.GROUP)))
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _matches(self, index: QModelIndex) -> bool:
        haystack = str(index.data(Role.HAYSTACK) or "")
        return all(word in haystack for word in self._words)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        if not self._words:
            return True
        if index.data(Role.IS_HEADER):
            return str(index.data(Role.GROUP)) in self._groups
        return self._matches(index)


class ModelDelegate(QStyledItemDelegate):
    """Group headers as small muted captions; models as name, id and price."""

    PAD_X, PAD_Y = 10, 7

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        name = QFont(option.font)
        name.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.88)
        header = QFont(small)
        header.setWeight(QFont.Weight.Bold)
        header.setCapitalization(QFont.Capitalization.AllUppercase)
        header.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        return name, small, header

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        name, small, header = self._fonts(option)
        if index.data(Role.IS_HEADER):
            top = 6 if index.row() == 0 else 16
            return QSize(200, QFontMetrics(header).height() + top + 6)
        height = QFontMetrics(name).height() + QFontMetrics(small).height() + 2 * self.PAD_Y + 2
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        name_font, small, header_font = self._fonts(option)
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
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(card, 6, 6)
        elif hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
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
        painter.setFont(small)
        small_metrics = painter.fontMetrics()
        price = str(index.data(Role.PRICE) or "")
        price_width = small_metrics.horizontalAdvance(price) + 10 if price else 0
        painter.setFont(name_font)
        metrics = painter.fontMetrics()
        name = str(index.data(Qt.ItemDataRole.DisplayRole))
        name_rect = QRect(inner.left(), inner.top(), inner.width(), metrics.height())
        # The price sits beside the name when both fit, else under it beside the id.
        price_on_top = metrics.horizontalAdvance(name) <= inner.width() - price_width
        if price_on_top:
            name_rect.setWidth(inner.width() - price_width)
        painter.setPen(text)
        if not price_on_top:
            name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, left, name)
        painter.setFont(small)
        painter.setPen(secondary)
        line = QRect(inner.left(), name_rect.bottom() + 1, inner.width(), small_metrics.height())
        id_rect = QRect(line)
        if price:
            top = QRect(inner.left(), inner.top(), inner.width(), name_rect.height())
            painter.drawText(top if price_on_top else line, right, price)
            if not price_on_top:
                id_rect.setWidth(inner.width() - price_width)
        model_id = small_metrics.elidedText(
            str(index.data(Role.SECONDARY) or ""), Qt.TextElideMode.ElideMiddle, id_rect.width()
        )
        painter.drawText(id_rect, left, model_id)
        if option.state & QStyle.StateFlag.State_HasFocus and not selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card, 6, 6)
        painter.restore()


class ModelPicker(QWidget):
    """Search and choose a model.

    Signals:
        model_chosen(str model_id): the person picked a model (click, arrow keys, Enter).
        model_activated(str model_id): Enter or double-click: they are ready to fill it in.
    """

    model_chosen = Signal(str)
    model_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: str | None = None
        self._quiet = False
        self.source = QStandardItemModel(self)
        self.proxy = ModelFilter(self)
        self.proxy.setSourceModel(self.source)

        self._catalogue: list[ModelInfo] | None = None
        self._types: list[str] = []
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.addAction(search_icon(self.palette()), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumHeight(30)
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)

        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(ModelDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMouseTracking(True)
        self.view.setFrameShape(QListView.Shape.NoFrame)
        self.view.setStyleSheet("QListView { background: transparent; }")
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.activated.connect(self._on_activated)
        self.view.installEventFilter(self)

        self.empty_title = QLabel()
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.empty_title.setWordWrap(True)
        font = self.empty_title.font()
        font.setWeight(QFont.Weight.DemiBold)
        self.empty_title.setFont(font)
        self.empty_hint = QLabel()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: palette(placeholder-text);")
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.setContentsMargins(12, 24, 12, 24)
        empty_layout.setSpacing(6)
        empty_layout.addWidget(self.empty_title, 1)
        empty_layout.addWidget(self.empty_hint, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        self.setMinimumWidth(220)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search models"))
        self.search.setToolTip(self.tr("Search by name, maker or kind (Ctrl+K)"))
        self.view.setAccessibleName(self.tr("Models"))
        if self._catalogue is not None:
            self._fill(self._catalogue, self._types)  # group names and prices, in new words
        self._update_empty()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- content -------------------------------------------------------------------------

    def set_catalogue(self, catalogue: Iterable[ModelInfo]) -> None:
        """Show these models, grouped by type in the catalogue's type order."""
        models = list(catalogue)
        types = getattr(catalogue, "types", None)
        self._fill(models, list(types()) if callable(types) else [])

    def _fill(self, models: list[ModelInfo], types: list[str]) -> None:
        self._catalogue, self._types = models, types
        order = types + sorted({m.type for m in models} - set(types))
        self._quiet = True
        try:
            self.source.clear()
            for model_type in order:
                members = [m for m in models if m.type == model_type]
                if not members:
                    continue
                label = group_label(model_type)
                header = QStandardItem(label)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                header.setData(True, Role.IS_HEADER)
                header.setData(model_type, Role.GROUP)
                header.setAccessibleText(self.tr("{group} models").format(group=label))
                self.source.appendRow(header)
                for model in members:
                    self.source.appendRow(self._item(model, label))
            self.proxy.set_text(self.search.text())
        finally:
            self._quiet = False
        self._restore_current()
        self._update_empty()

    @staticmethod
    def _item(model: ModelInfo, label: str) -> QStandardItem:
        item = QStandardItem(model.name)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        price = price_text(model.base_price)
        item.setData(model.model_id, Role.MODEL_ID)
        item.setData(False, Role.IS_HEADER)
        item.setData(model.type, Role.GROUP)
        item.setData(model.model_id, Role.SECONDARY)
        item.setData(price, Role.PRICE)
        description = catalogue_text(model.description)
        haystack = (
            f"{model.name} {model.model_id} {model.description} {description} {model.type} {label}"
        )
        item.setData(haystack.lower(), Role.HAYSTACK)
        tip = f"<b>{model.name}</b><br>{description}" if description else model.name
        item.setToolTip(tip)
        item.setAccessibleText(f"{model.name}, {price}" if price else model.name)
        return item

    # -- choosing ------------------------------------------------------------------------

    def current_model_id(self) -> str | None:
        return self._current

    def select(self, model_id: str) -> bool:
        """Highlight `model_id` without announcing it (the caller already knows)."""
        for row in range(self.source.rowCount()):
            if self.source.item(row).data(Role.MODEL_ID) == model_id:
                self._current = model_id
                if not self.proxy.mapFromSource(self.source.index(row, 0)).isValid():
                    self.search.clear()  # it is filtered out: show everything again
                self._restore_current()
                return True
        return False

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _proxy_index_of(self, model_id: str | None) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if model_id is not None and index.data(Role.MODEL_ID) == model_id:
                return index
        return QModelIndex()

    def _first_model_index(self) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if not index.data(Role.IS_HEADER):
                return index
        return QModelIndex()

    def _restore_current(self) -> None:
        """After filtering, the highlight follows the chosen model (or disappears)."""
        self._quiet = True
        try:
            index = self._proxy_index_of(self._current)
            selection = self.view.selectionModel()
            if index.isValid():
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
            else:
                selection.clear()
                selection.setCurrentIndex(QModelIndex(), selection.SelectionFlag.Clear)
        finally:
            self._quiet = False

    def _on_search(self, text: str) -> None:
        self._quiet = True
        try:
            self.proxy.set_text(text)
        finally:
            self._quiet = False
        self._restore_current()
        self._update_empty()

    def _update_empty(self) -> None:
        has_rows = self.proxy.rowCount() > 0
        self.stack.setCurrentIndex(0 if has_rows else 1)
        text = self.search.text().strip()
        if has_rows:
            return
        if text:
            self.empty_title.setText(self.tr("No model matches “{text}”").format(text=text))
            self.empty_hint.setText(self.tr("Try a shorter word, a maker such as “google”, or a "
                                            "kind such as “video”."))  # fmt: skip
        else:
            self.empty_title.setText(self.tr("No models yet"))
            self.empty_hint.setText(self.tr("The model list could not be loaded."))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        model_id = current.data(Role.MODEL_ID)
        if isinstance(model_id, str) and model_id != self._current:
            self._current = model_id
            self.model_chosen.emit(model_id)

    def _on_activated(self, index: QModelIndex) -> None:
        model_id = index.data(Role.MODEL_ID)
        if isinstance(model_id, str):
            if model_id != self._current:
                self._current = model_id
                self.model_chosen.emit(model_id)
            self.model_activated.emit(model_id)

    def _choose_from_search(self) -> None:
        """Enter in the search box takes the highlighted match, else the first one."""
        index = self._proxy_index_of(self._current)
        if not index.isValid():
            index = self._first_model_index()
        if index.isValid():
            self.view.setCurrentIndex(index)  # announces it if it is new
            self._on_activated(index)

    def _model_row_near(self, row: int, direction: int) -> QModelIndex:
        """The model row at `row`, else the nearest one `direction`-wards, else backwards."""
        count = self.proxy.rowCount()
        row = max(0, min(count - 1, row))
        for step in (direction, -direction):
            probe = row
            while 0 <= probe < count:
                index = self.proxy.index(probe, 0)
                if not index.data(Role.IS_HEADER):
                    return index
                probe += step
        return QModelIndex()

    def _list_key(self, key: int) -> bool:
        """Home, End and the page keys, which the list would let land on a header."""
        count = self.proxy.rowCount()
        current = self.view.currentIndex().row()
        first_height = self.view.sizeHintForRow(max(0, current))
        page = max(1, self.view.viewport().height() // max(1, first_height) - 1)
        targets = {
            Qt.Key.Key_Home: (0, 1),
            Qt.Key.Key_End: (count - 1, -1),
            Qt.Key.Key_PageUp: (current - page, -1),
            Qt.Key.Key_PageDown: (current + page, 1),
        }
        if count == 0 or key not in targets:
            return False
        index = self._model_row_near(*targets[Qt.Key(key)])
        if index.isValid():
            self.view.setCurrentIndex(index)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and not event.modifiers()
            and self._list_key(event.key())
        ):
            return True
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.proxy.rowCount():
                index = self._proxy_index_of(self._current)
                if not index.isValid():
                    index = self._first_model_index()
                self.view.setFocus(Qt.FocusReason.TabFocusReason)
                if index.isValid():
                    self.view.setCurrentIndex(index)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self._choose_from_search()
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)
