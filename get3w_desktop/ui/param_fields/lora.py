"""LoRA lists: rows of path + scale, with the schema's suggested LoRAs one click away.

A LoRA goes out as an object `{"path": …, "scale": …}`, never as a line of text. The
suggestions (`recommend`) show their cover picture once the field is first on screen;
covers come from `workers.covers.CoverLoader` (no API key, cached).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QToolButton, QWidget

from get3w_desktop.core.catalogue import ParamSpec
from get3w_desktop.ui.param_fields.arrays import ObjectListField
from get3w_desktop.ui.param_fields.common import muted
from get3w_desktop.ui.param_fields.media_chips import thumbnail_pixmap
from get3w_desktop.workers.covers import COVER_SIDE, CoverLoader, shared_loader

TILE = 64


def short_name(path: str) -> str:
    """ "Remade-AI/Squish" -> "Squish"; "https://…/style.safetensors" -> "style"."""
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    stem = tail.rsplit(".", 1)[0] if tail.endswith((".safetensors", ".bin", ".pt")) else tail
    return stem.replace("_", " ").replace("-", " ").strip() or path


def initial_tile(name: str, side: int, widget: QWidget) -> QPixmap:
    """A rounded tile in a colour picked from `name`, with its first letter."""
    ratio = widget.devicePixelRatioF()
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    hue = sum(map(ord, name)) * 37 % 360
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor.fromHsv(hue, 70, 225))
    painter.drawRoundedRect(QRectF(0, 0, side, side), 6, 6)
    font = QFont(widget.font())
    font.setPixelSize(side // 2)
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(QColor.fromHsv(hue, 160, 110))
    painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, name[:1].upper())
    painter.end()
    return pixmap


class LoraListField(ObjectListField):
    """LORA_LIST: path + scale rows; suggested LoRAs added with one click."""

    loader_factory: Callable[[], CoverLoader] = staticmethod(shared_loader)

    def __init__(self, spec: ParamSpec) -> None:
        self.presets: dict[str, QToolButton] = {}
        self._covers_requested = False
        super().__init__(spec)
        self.empty_label.setText(self.tr("No LoRA: the base model alone."))
        if spec.recommend:
            self._build_presets(spec.recommend)

    def add_text(self) -> str:
        return self.tr("Add LoRA")

    def _build_presets(self, entries: tuple[Mapping[str, Any], ...]) -> None:
        strip = QWidget()
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for entry in entries:
            path = str(entry["path"])
            button = QToolButton()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(QSize(TILE, TILE))
            button.setIcon(self._tile(None, short_name(path)))
            button.setText(short_name(path))
            button.setToolTip(self.tr("Add {path}").format(path=path))
            button.setAccessibleName(self.tr("Add suggested LoRA {path}").format(path=path))
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setFixedWidth(TILE + 24)
            button.setProperty("cover", str(entry.get("cover") or ""))
            scale = entry.get("scale", 1)
            button.clicked.connect(
                lambda _c=False, p=path, s=scale: self.add_preset({"path": p, "scale": s})
            )
            row.addWidget(button)
            self.presets[path] = button
        row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(strip)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(strip.sizeHint().height() + 14)
        caption = muted(QLabel(self.tr("Suggested (click to add):")))
        self.layout_.insertWidget(0, caption)
        self.layout_.insertWidget(1, scroll)
        self._update()

    def _tile(self, image: QImage | None, name: str = "") -> QIcon:
        """The cover, or (until it arrives, or offline) a soft tile with the LoRA's initial."""
        pixmap = thumbnail_pixmap(image, TILE, self, "image")
        if image is None and name:
            pixmap = initial_tile(name, TILE, self)
        return QIcon(pixmap)

    def add_preset(self, entry: Mapping[str, Any]) -> None:
        """Add a suggested LoRA, unless it is already in the list."""
        if any(row.value().get("path") == entry["path"] for row in self.rows):
            return
        self.add_row(entry)

    def _update(self) -> None:
        super()._update()
        chosen = {row.value().get("path") for row in self.rows}
        for path, button in self.presets.items():
            button.setEnabled(path not in chosen and not self.is_full())

    def value(self) -> list[dict[str, Any]] | None:
        rows = super().value()
        if rows is None:
            return None
        return [row for row in rows if row.get("path")] or (
            [] if rows or isinstance(self.spec.default, list) else None
        )

    # -- covers, on first show -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._covers_requested and self.presets:
            self._covers_requested = True
            loader = type(self).loader_factory()
            loader.ready.connect(self._on_cover)
            for button in self.presets.values():
                url = str(button.property("cover") or "")
                if url and (image := loader.request(url)) is not None:
                    self._on_cover(url, image)

    def _on_cover(self, url: str, image: QImage) -> None:
        for button in self.presets.values():
            if button.property("cover") == url:
                button.setIcon(self._tile(image))

    def cover_pixmap(self, path: str) -> QPixmap:
        """What the preset for `path` shows (tests, screenshots)."""
        return self.presets[path].icon().pixmap(QSize(TILE, TILE))


__all__ = ["COVER_SIDE", "LoraListField", "short_name"]
