"""Media inputs' parts: what a file or link is, its preview chip and the drop area."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QImage,
    QImageReader,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamSpec
from get3w_desktop.ui.a11y import clearable
from get3w_desktop.ui.param_fields.common import (
    field_title,
    muted,
    row_layout,
    set_tone,
)
from get3w_desktop.workers.thumbnails import ALLOCATION_LIMIT_MB

# -- media ------------------------------------------------------------------------------------

MEDIA_SUFFIXES = {
    "image": (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"),
    "video": (".mp4", ".mov", ".webm", ".mkv", ".m4v", ".avi"),
    "audio": (".mp3", ".wav", ".m4a", ".aac", ".ogg", ".flac", ".opus"),
}
# What Get3W accepts per upload (API.md section 5); larger files fail later anyway.
UPLOAD_LIMIT_MB = {"image": 20, "video": 100, "audio": 50}
THUMB_MAX_BYTES = 40 * 1024 * 1024
THUMB_MAX_PIXELS = 60_000_000  # header-checked before decoding; on the GUI thread, so capped
_THUMBS: OrderedDict[tuple[str, int, int, int], tuple[QImage | None, QSize]] = OrderedDict()
_THUMB_CACHE = 64


_result_namer: Callable[[str], str | None] | None = None


def set_result_namer(namer: Callable[[str], str | None] | None) -> None:
    """How a chip names a local file a task made ("FLUX.1 [dev] · A fox · seed 42"; None for
    a file from elsewhere). Set by the window, which knows the tasks (ui/main_window.py)."""
    global _result_namer
    _result_namer = namer


def chip_name(path: str) -> str:
    """The task's human name for an output, else the file's name."""
    named = _result_namer(path) if _result_namer is not None else None
    return named or os.path.basename(path) or path


def local_path_of(value: str) -> str | None:
    """The path behind a file:// URL (None for web links and data URIs)."""
    if not value.lower().startswith("file:"):
        return None
    url = QUrl(value)
    return url.toLocalFile() if url.isLocalFile() else None


def file_url(path: str) -> str:
    return QUrl.fromLocalFile(path).toString()


def as_local_path(text: str) -> str | None:
    """A pasted file URL or an absolute path of an existing file, else None."""
    text = text.strip().strip('"')
    path = local_path_of(text) if text.lower().startswith("file:") else text
    if path and os.path.isabs(path) and os.path.isfile(path):
        return path
    return None


def media_kind_of(spec: ParamSpec) -> str:
    return spec.media_kind if spec.media_kind in MEDIA_SUFFIXES else "image"


def kind_words(kind: str) -> tuple[str, str, str]:
    """(with an article, one, many) in the current language: ("an image", "image", "images")."""
    translate = QCoreApplication.translate
    if kind == "video":
        return (translate("Media", "a video"), translate("Media", "video"),
                translate("Media", "videos"))  # fmt: skip
    if kind == "audio":
        return (translate("Media", "an audio file"), translate("Media", "audio file"),
                translate("Media", "audio files"))  # fmt: skip
    return (translate("Media", "an image"), translate("Media", "image"),
            translate("Media", "images"))  # fmt: skip


def name_filter(spec: ParamSpec) -> str:
    """A QFileDialog filter from `x-accept` ("image/*", "image/png,.webp", …)."""
    kind = media_kind_of(spec)
    patterns: list[str] = []
    for part in (spec.accept or f"{kind}/*").replace(";", ",").split(","):
        part = part.strip().lower()
        if part.endswith("/*") and part[:-2] in MEDIA_SUFFIXES:
            patterns += [f"*{s}" for s in MEDIA_SUFFIXES[part[:-2]]]
        elif part.startswith("."):
            patterns.append(f"*{part}")
        elif "/" in part:
            subtype = part.split("/", 1)[1].split("+")[0]
            patterns += ["*.jpg", "*.jpeg"] if subtype == "jpeg" else [f"*.{subtype}"]
    patterns = list(dict.fromkeys(patterns)) or [f"*{s}" for s in MEDIA_SUFFIXES[kind]]
    title = kind_words(kind)[2].capitalize()
    every = QCoreApplication.translate("Media", "All files (*)")
    return f"{title} ({' '.join(patterns)});;{every}"


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB"


def media_problem(spec: ParamSpec, value: str) -> str | None:
    """Why `value` cannot be sent, for people; None when it looks usable."""
    kind = media_kind_of(spec)
    lowered = value.lower()
    title = field_title(spec)
    translate = QCoreApplication.translate
    if lowered.startswith(("http://", "https://")):
        url = QUrl(value)
        if not url.isValid() or not url.host():
            return translate("Media", "{title}: “{value}” is not a complete web address.").format(
                title=title, value=value[:60]
            )
        return None
    if lowered.startswith("data:"):
        return None
    path = local_path_of(value)
    if path is None:
        text = translate("Media", "{title}: paste a web address (https://…) or choose a file.")
        return text.format(title=title)
    name = os.path.basename(path) or path
    try:
        size = os.stat(path).st_size
    except OSError:
        return translate(
            "Media", "{title}: “{name}” can't be found; it may have been moved or deleted."
        ).format(title=title, name=name)
    suffix = os.path.splitext(path)[1].lower()
    known = {s for names in MEDIA_SUFFIXES.values() for s in names}
    if suffix in known and suffix not in MEDIA_SUFFIXES[kind]:
        return translate("Media", "{title}: “{name}” is not {a_kind}.").format(
            title=title, name=name, a_kind=kind_words(kind)[0]
        )
    limit = UPLOAD_LIMIT_MB[kind]
    if size > limit * 1024 * 1024:
        text = translate("Media", "{title}: “{name}” is {size}; at most {limit} MB is allowed.")
        return text.format(title=title, name=name, size=_megabytes(size), limit=limit)
    return None


def load_thumbnail(path: str, side: int) -> tuple[QImage | None, QSize]:
    """A small preview (at least `side` px on the short edge) and the full pixel size.

    Runs on the GUI thread, so it reads the header first and refuses big files and huge
    images; results are cached by path, modification time and size.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None, QSize()
    key = (path, stat.st_mtime_ns, stat.st_size, side)
    if key in _THUMBS:
        _THUMBS.move_to_end(key)
        return _THUMBS[key]
    image: QImage | None = None
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    original = reader.size() if reader.canRead() else QSize()
    if (
        original.isValid()
        and stat.st_size <= THUMB_MAX_BYTES
        and original.width() * original.height() <= THUMB_MAX_PIXELS
    ):
        target = original.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatioByExpanding)
        if target.width() < original.width():
            reader.setScaledSize(target)
        decoded = reader.read()
        image = None if decoded.isNull() else decoded
    _THUMBS[key] = (image, original)
    while len(_THUMBS) > _THUMB_CACHE:
        _THUMBS.popitem(last=False)
    return image, original


def thumbnail_pixmap(image: QImage | None, side: int, widget: QWidget, kind: str) -> QPixmap:
    """A rounded square: the picture cropped to fill it, or a kind icon on a soft tile."""
    ratio = widget.devicePixelRatioF()
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addRoundedRect(QRectF(0, 0, side, side), 6, 6)
    painter.setClipPath(clip)
    if image is not None:
        scaled = image.scaled(round(side * ratio), round(side * ratio),
                              Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                              Qt.TransformationMode.SmoothTransformation)  # fmt: skip
        x = (scaled.width() / ratio - side) / 2
        y = (scaled.height() / ratio - side) / 2
        painter.drawImage(QRectF(0, 0, side, side), scaled,
                          QRectF(x * ratio, y * ratio, side * ratio, side * ratio))  # fmt: skip
    else:
        painter.fillRect(QRectF(0, 0, side, side), widget.palette().alternateBase())
        icon = {
            "video": QStyle.StandardPixmap.SP_MediaPlay,
            "audio": QStyle.StandardPixmap.SP_MediaVolume,
        }.get(kind, QStyle.StandardPixmap.SP_FileIcon)
        glyph = widget.style().standardIcon(icon).pixmap(QSize(side // 2, side // 2), ratio)
        painter.drawPixmap(side // 4, side // 4, glyph)
    painter.end()
    return pixmap


class MediaChip(QFrame):
    """One chosen file or link: preview, name, details, and a remove button.

    Signals:
        remove_requested(): the person clicked ✕ (or pressed Delete on it).
    """

    remove_requested = Signal()

    def __init__(self, value: str, spec: ParamSpec, side: int = 44) -> None:
        super().__init__()
        self.value = value
        self.setObjectName("mediaChip")
        self.setStyleSheet(
            "QFrame#mediaChip { border: 1px solid palette(midlight); border-radius: 8px;"
            " background: palette(base); }"
        )
        kind = media_kind_of(spec)
        path = local_path_of(value)
        image: QImage | None = None
        if path is not None:
            name = chip_name(path)
            parts = [os.path.splitext(path)[1].lstrip(".").upper()]
            try:
                parts.append(_megabytes(os.stat(path).st_size))
            except OSError:
                parts = [self.tr("File not found")]
            if kind == "image" and len(parts) > 1:
                image, original = load_thumbnail(path, side * 2)
                if original.isValid():
                    parts.append(f"{original.width()} × {original.height()}")
            detail = " · ".join(p for p in parts if p)
        elif value.lower().startswith("data:"):
            name = self.tr("Embedded {kind}").format(kind=kind_words(kind)[1])
            detail = self.tr("{size} inline").format(size=_megabytes(len(value) * 3 // 4))
        else:
            url = QUrl(value)
            name = url.fileName() or url.host() or value
            host = url.host()
            detail = self.tr("Link · {host}").format(host=host) if host else self.tr("Link")
        self.thumb = QLabel()
        self.thumb.setFixedSize(side, side)
        self.thumb.setPixmap(thumbnail_pixmap(image, side, self, kind))
        self.name_label = QLabel()
        self.name_label.setToolTip(path or value[:300])
        self._name = name
        self.detail_label = muted(QLabel(detail))
        problem = media_problem(spec, value)
        if problem:
            set_tone(self.detail_label, "error")
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(self.tr("Remove {name}").format(name=name))
        self.remove_button.setAccessibleName(self.tr("Remove {name}").format(name=name))
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.remove_button.clicked.connect(self.remove_requested)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.setContentsMargins(0, 0, 0, 0)
        text.addStretch(1)
        text.addWidget(self.name_label)
        text.addWidget(self.detail_label)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(10)
        layout.addWidget(self.thumb)
        layout.addLayout(text, 1)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._elide()

    def _elide(self) -> None:
        width = max(60, self.width() - self.thumb.width() - 80)
        self.name_label.setText(
            self.fontMetrics().elidedText(self._name, Qt.TextElideMode.ElideMiddle, width)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class DropBox(QFrame):
    """The dashed area of a media input: drop files here, choose one, or paste a link.

    Dragging is handled by the owning field (so the whole field is a target); this box
    only shows it. Signals:
        choose_requested(): the person wants the file dialog.
        link_entered(str): Enter (or Add) in the link box, lists only.
    """

    choose_requested = Signal()
    link_entered = Signal(str)

    def __init__(self, spec: ParamSpec, multiple: bool) -> None:
        super().__init__()
        a_one, _one, many = kind_words(media_kind_of(spec))
        self.setObjectName("dropBox")
        self.setProperty("dragging", False)
        self.setStyleSheet(
            "QFrame#dropBox { border: 1px dashed palette(mid); border-radius: 8px; }"
            "QFrame#dropBox[dragging=true] { border: 2px solid palette(highlight);"
            " background: palette(alternate-base); }"
        )
        self.caption = muted(
            QLabel(self.tr("Drop {what} here, or").format(what=many if multiple else a_one)), False
        )
        self.choose_button = QPushButton(
            self.tr("Choose files…") if multiple else self.tr("Choose file…")
        )
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_requested)
        self.link = QLineEdit()
        self.link.setPlaceholderText(self.tr("…or paste a link (https://…)"))
        clearable(self.link)
        self.add_button: QPushButton | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        top = row_layout(self.caption, self.choose_button)
        top.insertStretch(0, 0)
        layout.addLayout(top)
        if multiple:
            self.add_button = QPushButton(self.tr("Add link"))
            self.add_button.setAutoDefault(False)
            self.add_button.setEnabled(False)
            self.link.textChanged.connect(lambda t: self._enable_add(bool(t.strip())))
            self.link.returnPressed.connect(self._add_link)
            self.add_button.clicked.connect(self._add_link)
            layout.addLayout(row_layout(self.link, self.add_button, stretch=False))
        else:
            layout.addWidget(self.link)

    def _enable_add(self, has_text: bool) -> None:
        if self.add_button is not None:
            self.add_button.setEnabled(has_text)

    def _add_link(self) -> None:
        text = self.link.text().strip()
        if text:
            self.link_entered.emit(text)
            self.link.clear()

    def set_dragging(self, dragging: bool) -> None:
        self.setProperty("dragging", dragging)
        self.style().unpolish(self)
        self.style().polish(self)
