"""The model browser: 800 models by kind and maker, searchable, with favourites and recents.

A search box, a kind list (every type with its count, plus Favourites and Recently used)
and a maker list sit above one list view over `itemmodels.model_catalogue`: group
headers are rows without flags, so the view's arrow keys skip them (Home, End and the
page keys are steered past them here). Keyboard first: Ctrl+K (the window's shortcut)
lands in the search box, Down goes to the list, Enter takes a model, Ctrl+D stars it.
Only what the person does (click, arrows, Enter) announces a model; filtering and
`select()` never do, so typing a search cannot switch the form under them.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.itemmodels.model_catalogue import (
    ALL,
    FAVOURITES,
    RECENT,
    ModelFilter,
    ModelListModel,
    Role,
    Texts,
)
from get3w_desktop.storage.model_prefs import ModelPrefs
from get3w_desktop.ui.a11y import clearable, decoration
from get3w_desktop.ui.model_delegate import ModelDelegate
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, catalogue_text, estimate_text

GROUP_LABELS = {
    "text-to-image": QT_TRANSLATE_NOOP("ModelPicker", "Text to image"),
    "image-edit": QT_TRANSLATE_NOOP("ModelPicker", "Image editing"),
    "text-to-video": QT_TRANSLATE_NOOP("ModelPicker", "Text to video"),
    "image-to-video": QT_TRANSLATE_NOOP("ModelPicker", "Image to video"),
    "text-to-audio": QT_TRANSLATE_NOOP("ModelPicker", "Audio"),
    "image-to-image": QT_TRANSLATE_NOOP("ModelPicker", "Image to image"),
    "video-effects": QT_TRANSLATE_NOOP("ModelPicker", "Video effects"),
    "lora-support": QT_TRANSLATE_NOOP("ModelPicker", "With LoRAs"),
    "digital-human": QT_TRANSLATE_NOOP("ModelPicker", "Digital humans"),
    "video-to-video": QT_TRANSLATE_NOOP("ModelPicker", "Video to video"),
    "upscaler": QT_TRANSLATE_NOOP("ModelPicker", "Upscalers"),
    "image-to-3d": QT_TRANSLATE_NOOP("ModelPicker", "Image to 3D"),
    "ai-remover": QT_TRANSLATE_NOOP("ModelPicker", "Removers"),
    "training": QT_TRANSLATE_NOOP("ModelPicker", "Training"),
    "motion-control": QT_TRANSLATE_NOOP("ModelPicker", "Motion control"),
    "image-to-text": QT_TRANSLATE_NOOP("ModelPicker", "Image to text"),
    "video-extend": QT_TRANSLATE_NOOP("ModelPicker", "Video extension"),
    "portrait-transfer": QT_TRANSLATE_NOOP("ModelPicker", "Portrait transfer"),
    "image-effects": QT_TRANSLATE_NOOP("ModelPicker", "Image effects"),
    "video-dubbing": QT_TRANSLATE_NOOP("ModelPicker", "Video dubbing"),
    "audio-to-audio": QT_TRANSLATE_NOOP("ModelPicker", "Audio to audio"),
    "content-moderation": QT_TRANSLATE_NOOP("ModelPicker", "Content moderation"),
    "video-to-text": QT_TRANSLATE_NOOP("ModelPicker", "Video to text"),
    "text-to-3d": QT_TRANSLATE_NOOP("ModelPicker", "Text to 3D"),
    "llm": QT_TRANSLATE_NOOP("ModelPicker", "Language models"),
    "speech-to-text": QT_TRANSLATE_NOOP("ModelPicker", "Speech to text"),
}

__all__ = ["GROUP_LABELS", "ModelPicker", "Role", "duration_text", "group_label", "price_text"]


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
    """ "about 20 s", "about 1½ min": an estimate, and said like one (`texts.estimate_text`)."""
    return estimate_text(seconds)


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


def _texts() -> Texts:
    return Texts(
        group_label, price_text, duration_text, lambda m: catalogue_text(m.description),
        lambda: QCoreApplication.translate("ModelPicker", "favourite"),
    )  # fmt: skip


class ModelPicker(QWidget):
    """Search, narrow down and choose a model.

    Signals:
        model_chosen(str model_id): the person picked a model (click, arrow keys, Enter).
        model_activated(str model_id): Enter or double-click: they are ready to fill it in.
    """

    model_chosen = Signal(str)
    model_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None, prefs: ModelPrefs | None = None) -> None:
        super().__init__(parent)
        self._current: str | None = None
        self._quiet = False
        self.prefs = prefs if prefs is not None else ModelPrefs()
        self.source = ModelListModel(_texts(), self)
        self.proxy = ModelFilter(self)
        self.proxy.setSourceModel(self.source)
        self.source.set_favourites(self.prefs.favourites())
        self.source.set_recent(self.prefs.recent())
        self._catalogue: list[ModelInfo] | None = None
        self._types: list[str] = []

        self.search = QLineEdit()
        clearable(self.search, self.tr("search"))
        decoration(self.search, search_icon(self.palette()), self.tr("Search"),
                   QLineEdit.ActionPosition.LeadingPosition)  # fmt: skip
        self.search.setMinimumHeight(30)
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)
        self.kind = QComboBox()
        self.kind.setMaxVisibleItems(30)
        self.kind.currentIndexChanged.connect(self._on_filters)
        self.maker = QComboBox()
        self.maker.setMaxVisibleItems(30)
        self.maker.currentIndexChanged.connect(self._on_filters)
        shrink = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        for combo in (self.kind, self.maker):
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(shrink)

        self.delegate = ModelDelegate(self)
        self.delegate.star_clicked.connect(self.toggle_favourite)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Headers and models are one height (ModelDelegate.sizeHint): a relayout after
        # a keystroke measures one row, not all ~800.
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setFrameShape(QListView.Shape.NoFrame)
        # The list sits on the window's colour. (A "background: transparent" style sheet did
        # that too, but left the scroll bar's groove unpainted: black under X.)
        self.view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.activated.connect(self._on_activated)
        self.view.installEventFilter(self)
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")

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

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(6)
        filters.addWidget(self.kind, 3)
        filters.addWidget(self.maker, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        self.setMinimumWidth(220)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search models"))
        self.search.setToolTip(self.tr("Search by name, id, maker, kind or description (Ctrl+K)"))
        self.search.setAccessibleName(self.tr("Search models"))
        self.kind.setToolTip(self.tr("Show one kind of model, your favourites or recent ones"))
        self.kind.setAccessibleName(self.tr("Kind of model"))
        self.maker.setToolTip(self.tr("Show one maker's models"))
        self.maker.setAccessibleName(self.tr("Maker"))
        self.view.setAccessibleName(self.tr("Models"))
        self.view.setAccessibleDescription(
            self.tr("Enter chooses a model; Ctrl+D adds it to or removes it from favourites")
        )
        self.status.setAccessibleName(self.tr("How many models are shown"))
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
        self._quiet = True
        try:
            self.source.set_models(models, types)
            self._fill_filters()
            self._apply_filters()
        finally:
            self._quiet = False
        self._restore_current()
        self._update_empty()

    def _fill_filters(self) -> None:
        kind, maker = self.kind.currentData(), self.maker.currentData()
        for combo in (self.kind, self.maker):
            combo.blockSignals(True)
            combo.clear()
        source, total = self.source, sum(self.source.type_counts.values())
        self.kind.addItem(self.tr("All kinds ({count})").format(count=total), ALL)
        self.kind.addItem(self.tr("★ Favourites ({count})").format(
            count=len(self.prefs.favourites())), FAVOURITES)  # fmt: skip
        self.kind.addItem(self.tr("Recently used ({count})").format(
            count=len(self.prefs.recent())), RECENT)  # fmt: skip
        self.kind.insertSeparator(3)
        for model_type in source.types:
            label = f"{group_label(model_type)} ({source.type_counts[model_type]})"
            self.kind.addItem(label, model_type)
        self.maker.addItem(self.tr("All makers"), "")
        for name in sorted(source.provider_counts, key=str.lower):
            self.maker.addItem(f"{name} ({source.provider_counts[name]})", name)
        for combo, data in ((self.kind, kind), (self.maker, maker)):
            at = combo.findData(data) if data is not None else -1
            combo.setCurrentIndex(max(0, at))
            combo.blockSignals(False)

    def _apply_filters(self) -> None:
        category = str(self.kind.currentData() or ALL)
        self.proxy.set_filter(self.search.text(), category, str(self.maker.currentData() or ""))
        shown, total = self.proxy.model_count(), sum(self.source.type_counts.values())
        self.status.setText(
            self.tr("{shown} of {total} models").format(shown=shown, total=total)
            if shown != total
            else self.tr("{total} models").format(total=total)
        )

    # -- favourites and recent use -------------------------------------------------------

    def toggle_favourite(self, model_id: str | None = None) -> None:
        """Star or unstar `model_id` (default: the current model)."""
        model_id = model_id or self._current
        if not model_id or self.source.row_of(model_id) < 0:
            return
        self.prefs.set_favourite(model_id, not self.prefs.is_favourite(model_id))
        self.source.set_favourites(self.prefs.favourites())
        self._refresh_special_counts()

    def note_used(self, model_id: str) -> None:
        """A task was started with `model_id`: it goes to the top of Recently used."""
        self.prefs.note_used(model_id)
        self.source.set_recent(self.prefs.recent())
        self._refresh_special_counts()

    def _refresh_special_counts(self) -> None:
        for data, text, count in (
            (FAVOURITES, self.tr("★ Favourites ({count})"), len(self.prefs.favourites())),
            (RECENT, self.tr("Recently used ({count})"), len(self.prefs.recent())),
        ):
            self.kind.setItemText(self.kind.findData(data), text.format(count=count))
        if self.kind.currentData() in (FAVOURITES, RECENT):
            self._on_filters()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        model_id = index.data(Role.MODEL_ID)
        if not isinstance(model_id, str):
            return
        menu = QMenu(self)
        starred = self.prefs.is_favourite(model_id)
        action = menu.addAction(
            self.tr("Remove from favourites") if starred else self.tr("Add to favourites")
        )
        action.setShortcut(QKeySequence("Ctrl+D"))
        action.triggered.connect(lambda _c=False: self.toggle_favourite(model_id))
        copy = menu.addAction(self.tr("Copy model id"))
        copy.triggered.connect(lambda _c=False: _copy(model_id))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # -- choosing ------------------------------------------------------------------------

    def current_model_id(self) -> str | None:
        return self._current

    def select(self, model_id: str) -> bool:
        """Highlight `model_id` without announcing it (the caller already knows)."""
        row = self.source.row_of(model_id)
        if row < 0:
            return False
        self._current = model_id
        if not self.proxy.mapFromSource(self.source.index(row, 0)).isValid():
            self._quiet = True
            try:  # it is filtered out: show everything again
                for combo in (self.kind, self.maker):
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
                self.search.clear()
                self._apply_filters()
            finally:
                self._quiet = False
        self._restore_current()
        self._update_empty()
        return True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _proxy_index_of(self, model_id: str | None) -> QModelIndex:
        if model_id is None or (row := self.source.row_of(model_id)) < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.source.index(row, 0))

    def _first_model_index(self) -> QModelIndex:
        return self._model_row_near(0, 1)

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

    def _on_search(self, _text: str) -> None:
        self._on_filters()

    def _on_filters(self, _index: int = 0) -> None:
        self._quiet = True
        try:
            self._apply_filters()
        finally:
            self._quiet = False
        self._restore_current()
        self._update_empty()

    def _update_empty(self) -> None:
        has_rows = self.proxy.rowCount() > 0
        self.stack.setCurrentIndex(0 if has_rows else 1)
        if has_rows:
            return
        text = self.search.text().strip()
        category = self.kind.currentData()
        if text:
            self.empty_title.setText(self.tr("No model matches “{text}”").format(text=text))
            self.empty_hint.setText(self.tr("Try a shorter word, a maker such as “google”, or a "
                                            "kind such as “video”."))  # fmt: skip
        elif category == FAVOURITES:
            self.empty_title.setText(self.tr("No favourites yet"))
            self.empty_hint.setText(self.tr("Click the star beside a model, or press Ctrl+D in "
                                            "the list, to keep it here."))  # fmt: skip
        elif category == RECENT:
            self.empty_title.setText(self.tr("Nothing used yet"))
            self.empty_hint.setText(self.tr("The models you generate with appear here."))
        elif self.source.rowCount() and (category != ALL or self.maker.currentData()):
            self.empty_title.setText(self.tr("No model of this kind from this maker"))
            self.empty_hint.setText(self.tr("Choose “All kinds” or “All makers”."))
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
        if count == 0:
            return QModelIndex()
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
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key, modifiers = event.key(), event.modifiers()
        if key == Qt.Key.Key_D and modifiers == Qt.KeyboardModifier.ControlModifier:
            self.toggle_favourite()
            return True
        if watched is self.view and not modifiers and self._list_key(key):
            return True
        if watched is self.search:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.proxy.rowCount():
                index = self._proxy_index_of(self._current)
                if not index.isValid():
                    index = self._first_model_index()
                self.view.setFocus(Qt.FocusReason.TabFocusReason)
                if index.isValid():
                    self.view.setCurrentIndex(index)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not modifiers:
                self._choose_from_search()
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)


def _copy(text: str) -> None:
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)
