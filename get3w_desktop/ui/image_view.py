"""A zoomable, pannable image (fit to the window by default, smooth at every scale), and
the strip of thumbnails for a job with several outputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QRect, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QWidget,
)

from get3w_desktop.ui.thumb_tile import kind_glyph, rounded_tile
from get3w_desktop.workers.thumbnails import ThumbnailLoader

MIN_SCALE = 0.02
MAX_SCALE = 32.0
STEP = 1.25


class ImageView(QGraphicsView):
    """Ctrl+wheel or +/- zoom, Ctrl+0 (or 0) fits, Ctrl+1 (or 1) shows actual pixels,
    double-click toggles the two; drag to pan.

    Signals:
        zoom_changed(float percent): 100 means one image pixel per screen pixel.
    """

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self._fit = True
        self._alpha = False
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setAccessibleName(self.tr("Result image"))
        self._loading = QLabel(self.tr("Loading full resolution…"), self)
        self._loading.setStyleSheet("background: rgba(0, 0, 0, 0.55); color: white;"
                                    "border-radius: 4px; padding: 3px 8px;")  # fmt: skip
        self._loading.move(10, 10)
        self._loading.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setAccessibleName(self.tr("Result image"))
            self._loading.setText(self.tr("Loading full resolution…"))
            self._loading.adjustSize()
        super().changeEvent(event)

    # -- public -----------------------------------------------------------------------

    def set_image(self, image: QImage | None, *, keep_view: bool = False) -> None:
        """Show `image` (None clears). A new image fits the window unless `keep_view`."""
        pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else QPixmap()
        self._alpha = pixmap.hasAlphaChannel()
        previous = self._item.pixmap().size()
        self._item.setPixmap(pixmap)
        self._scene.setSceneRect(QRectF(pixmap.rect()))
        if keep_view and not self._fit and previous.width() > 0 and not pixmap.isNull():
            # A sharper version of the same picture: keep what the person sees.
            ratio = previous.width() / pixmap.width()
            self._set_scale(self.scale_factor() * ratio)
        else:
            self.fit()

    def set_loading(self, loading: bool) -> None:
        """Say a sharper version is on its way (the preview is a thumbnail)."""
        self._loading.adjustSize()
        self._loading.setVisible(loading)

    def is_loading(self) -> bool:
        return self._loading.isVisibleTo(self)

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull()

    def image_size(self) -> tuple[int, int]:
        size = self._item.pixmap().size()
        return size.width(), size.height()

    def scale_factor(self) -> float:
        """The view's scale: scene (image) pixels to logical screen pixels."""
        return self.transform().m11()

    def zoom_percent(self) -> float:
        return self.scale_factor() * self.devicePixelRatioF() * 100

    def is_fitted(self) -> bool:
        return self._fit

    def zoom_in(self) -> None:
        self.zoom_by(STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / STEP)

    def zoom_by(self, factor: float) -> None:
        if self.has_image():
            self._fit = False
            self._set_scale(self.scale_factor() * factor)

    def fit(self) -> None:
        """Fit the whole image in the window; small images are not blown up."""
        self._fit = True
        if not self.has_image():
            self._set_scale(1.0)
            return
        w, h = self.image_size()
        area = self.viewport().rect()
        margin = 24 if min(area.width(), area.height()) > 200 else 2  # breathing room
        scale = min((area.width() - margin) / w, (area.height() - margin) / h, 1.0)
        self._set_scale(max(scale, MIN_SCALE))
        self.centerOn(self._item)

    def actual_size(self) -> None:
        """One image pixel per device pixel."""
        if self.has_image():
            self._fit = False
            self._set_scale(1 / self.devicePixelRatioF())

    # -- Qt overrides -----------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(STEP**steps)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if not self.has_image():
            return
        if self._fit:
            target = self.mapToScene(event.position().toPoint())
            self.actual_size()
            self.centerOn(target)
        else:
            self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, self._backdrop())
        if self._alpha and self.has_image():
            # Transparent pixels over a soft checkerboard, as image editors do.
            painter.save()
            painter.setWorldMatrixEnabled(False)
            image_rect = self.mapFromScene(self._item.boundingRect()).boundingRect()
            painter.fillRect(image_rect, QBrush(_checkerboard()))
            painter.restore()

    # -- private ----------------------------------------------------------------------

    def _backdrop(self) -> QColor:
        window = self.palette().color(QPalette.ColorRole.Window)
        return window.darker(108) if window.lightness() >= 128 else window.darker(125)

    def _set_scale(self, scale: float) -> None:
        scale = min(MAX_SCALE, max(MIN_SCALE, scale))
        before = self.scale_factor()
        self.setTransform(QTransform.fromScale(scale, scale))
        if abs(before - scale) > 1e-9 or not self.has_image():
            self.zoom_changed.emit(self.zoom_percent())


def _checkerboard() -> QPixmap:
    tile = QPixmap(16, 16)
    tile.fill(QColor(255, 255, 255))
    p = QPainter(tile)
    p.fillRect(0, 0, 8, 8, QColor(220, 220, 220))
    p.fillRect(8, 8, 8, 8, QColor(220, 220, 220))
    p.end()
    return tile


class ZoomBar(QWidget):
    """− 100% + Fit 1:1 for an ImageView, plus Ctrl shortcuts on `scope` and its children."""

    def __init__(self, view: ImageView, scope: QWidget) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.label = QLabel("100%")
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("0000%"))
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._buttons: list[QToolButton] = []
        self._shortcuts: list[QShortcut] = []  # Help › Keyboard shortcuts lists them
        for text, slot, keys in (
            ("−", view.zoom_out, QKeySequence.StandardKey.ZoomOut),
            ("+", view.zoom_in, QKeySequence.StandardKey.ZoomIn),
            ("Fit", view.fit, QKeySequence("Ctrl+0")),
            ("1:1", view.actual_size, QKeySequence("Ctrl+1")),
        ):
            button = QToolButton()
            button.setText(text)
            button.setAutoRaise(True)
            self._buttons.append(button)
            button.clicked.connect(slot)
            # A click leaves the keyboard with the picture, so 0, 1, + and − keep working.
            button.clicked.connect(lambda: view.setFocus(Qt.FocusReason.OtherFocusReason))
            layout.addWidget(button)
            if text == "−":
                layout.addWidget(self.label)
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)
        view.zoom_changed.connect(lambda percent: self.label.setText(f"{percent:.0f}%"))
        self.retranslate()

    def retranslate(self) -> None:
        tips = (
            self.tr("Zoom out (Ctrl+−)"), self.tr("Zoom in (Ctrl++)"),
            self.tr("Fit to the window (Ctrl+0)"), self.tr("Actual pixels (Ctrl+1)"),
        )  # fmt: skip
        for button, tip in zip(self._buttons, tips, strict=True):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        self._buttons[2].setText(self.tr("Fit"))
        says = (
            self.tr("Zoom the picture out"), self.tr("Zoom the picture in"),
            self.tr("Fit the picture to the window"), self.tr("Show the picture's actual pixels"),
        )  # fmt: skip
        for shortcut, what in zip(self._shortcuts, says, strict=True):
            shortcut.setWhatsThis(what)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class GalleryStrip(QListWidget):
    """A row of thumbnails when a job has several outputs; the current one is outlined.

    Signals:
        file_chosen(int index)
    """

    file_chosen = Signal(int)
    ICON = 64

    def __init__(self, thumbnails: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = thumbnails
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(self.ICON, self.ICON))
        self.setGridSize(QSize(self.ICON + 12, self.ICON + 12))
        self.setFixedHeight(self.ICON + 22)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(self.tr("Outputs"))
        self.setViewportMargins(6, 0, 6, 0)
        self.setDragEnabled(True)  # drag an output out to the file manager
        self.setDragDropMode(QListView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setStyleSheet(
            "QListWidget { background: transparent; }"
            "QListWidget::item { border: 2px solid transparent; border-radius: 6px; padding: 0; }"
            "QListWidget::item:selected { border-color: palette(highlight);"
            " background: transparent; }"
            "QListWidget::item:hover:!selected { border-color: palette(mid); }"
        )
        thumbnails.ready.connect(self._on_thumbnail)
        self.currentRowChanged.connect(self._on_row)

    def set_files(self, files: tuple[str, ...]) -> None:
        """One tile per output; a single output has no strip (and no tile is drawn or
        decoded for it: following each finished task would pay for one every time)."""
        self.blockSignals(True)
        self.clear()
        for path in files if len(files) > 1 else ():
            item = QListWidgetItem(self._icon(path), "")
            item.setToolTip(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setSizeHint(QSize(self.ICON + 8, self.ICON + 8))
            self.addItem(item)
        self.blockSignals(False)
        self.setVisible(len(files) > 1)

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(i.data(Qt.ItemDataRole.UserRole))) for i in items])
        return data

    def select(self, index: int) -> None:
        if self.currentRow() != index:
            self.blockSignals(True)
            self.setCurrentRow(index)
            self.blockSignals(False)

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.file_chosen.emit(row)

    def _on_thumbnail(self, path: str, _image: QImage) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                item.setIcon(self._icon(path))

    def _icon(self, path: str) -> QIcon:
        dpr = self.devicePixelRatioF()
        text = self.palette().color(QPalette.ColorRole.Text)
        color = QColor(text)
        color.setAlpha(140)
        glyph = kind_glyph(path, broken=bool(self._loader.failure(path)))
        return rounded_tile(
            self._loader.request(path, 2 * round(self.ICON * dpr)), side=self.ICON, dpr=dpr,
            radius=4, text_color=text, glyph=glyph, glyph_color=color, inset=0.3,
        )  # fmt: skip
