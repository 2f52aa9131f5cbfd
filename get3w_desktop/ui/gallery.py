"""The gallery: every result of a group (the variations of one Generate, or the selected
rows) as a grid of tiles named like people remember them. Arrows move, Enter opens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QImage,
    QKeyEvent,
    QPalette,
)
from PySide6.QtWidgets import QFrame, QListView, QListWidget, QListWidgetItem, QWidget

from get3w_desktop.core.job import Job
from get3w_desktop.ui.human_names import distinct_names, file_name, name_parts
from get3w_desktop.ui.job_delegate import glyph_for, state_color
from get3w_desktop.ui.texts import state_label
from get3w_desktop.ui.thumb_tile import kind_glyph, rounded_tile
from get3w_desktop.workers.thumbnails import ThumbnailLoader

_JOB = Qt.ItemDataRole.UserRole
_PATH = Qt.ItemDataRole.UserRole + 1


class GalleryGrid(QListWidget):
    """Tiles for each output of each job of a group; a job without outputs is one tile.

    Signals:
        result_chosen(str local_id, str path): Enter or a double click on a tile ("" when the
            job has no output yet).
    """

    result_chosen = Signal(str, str)
    TILE = 168

    def __init__(
        self,
        thumbnails: ThumbnailLoader,
        model_name: Callable[[str], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._loader, self._model_name = thumbnails, model_name
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(self.TILE, self.TILE))
        self.setGridSize(QSize(self.TILE + 20, self.TILE + 44))
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps "… · seed 42" visible
        self.setWordWrap(False)
        self.setSpacing(6)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setAccessibleName(self.tr("Gallery"))
        self.setAccessibleDescription(
            self.tr("Every result of this group. Arrow keys move; Enter opens a result.")
        )
        self.itemActivated.connect(self._on_activated)
        thumbnails.ready.connect(self._on_thumbnail)

    def set_jobs(self, jobs: list[Job]) -> None:
        """Show `jobs`' results, keeping the current tile when it is still there."""
        current = self.current_result()
        self.clear()
        tiles: list[tuple[Job, str, list[str]]] = []
        for job in jobs:
            name = self._model_name(job.model_id) if self._model_name else None
            for path in job.files or ("",):
                parts = name_parts(job, name)
                if path and len(job.files) > 1:
                    parts.append(file_name(job, path, name).rsplit(" · ", 1)[1])  # "2 of 4"
                if not path:
                    parts.insert(0, state_label(job.state))
                tiles.append((job, path, parts))
        # Under each tile only what tells it apart ("seed 43"); the whole name is the tip
        # and what a screen reader says.
        shorts = distinct_names([parts for _job, _path, parts in tiles])
        for (job, path, parts), short in zip(tiles, shorts, strict=True):
            label = " · ".join(parts)
            item = QListWidgetItem(self._icon(job, path), short)
            item.setData(_JOB, job.local_id)
            item.setData(_PATH, path)
            item.setToolTip(label)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
            self.addItem(item)
        row = next((r for r in range(self.count()) if self._result(r) == current), 0)
        if self.count():
            self.setCurrentRow(row)

    def results(self) -> list[tuple[str, str]]:
        return [self._result(row) for row in range(self.count())]

    def current_result(self) -> tuple[str, str] | None:
        row = self.currentRow()
        return self._result(row) if row >= 0 else None

    def select_result(self, local_id: str, path: str) -> None:
        for row in range(self.count()):
            if self._result(row) == (local_id, path):
                self.setCurrentRow(row)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self._on_activated(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

    def _result(self, row: int) -> tuple[str, str]:
        item = self.item(row)
        return str(item.data(_JOB)), str(item.data(_PATH))

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.result_chosen.emit(str(item.data(_JOB)), str(item.data(_PATH)))

    def _on_thumbnail(self, path: str, _image: QImage) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(_PATH) == path:
                item.setIcon(self._icon(None, path))

    def _icon(self, job: Job | None, path: str) -> QIcon:
        text = self.palette().color(QPalette.ColorRole.Text)
        if job is not None and not path:
            glyph, color = glyph_for(job), state_color(job.state, self.palette())
        else:
            broken = bool(path) and self._loader.failure(path) is not None
            glyph, color = kind_glyph(path, broken=broken), QColor(text)
            color.setAlpha(140)
        pixels = round(self.TILE * self.devicePixelRatioF())
        thumb = self._loader.request(path, pixels) if path else None
        return rounded_tile(
            thumb, side=self.TILE, dpr=self.devicePixelRatioF(), radius=6,
            text_color=text, glyph=glyph, glyph_color=color, inset=0.34,
        )  # fmt: skip
