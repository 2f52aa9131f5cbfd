"""The task list's rows: thumbnail, model, status chip, prompt, progress and what is happening.

Painted by hand (no item widgets) so a list of hundreds of jobs stays cheap. The view's
owner drives the clock: calling `tick()` (or `viewport().update()`) every ~500 ms while a
job is active keeps elapsed times and the indeterminate bar moving; `tick()` says when to stop.

The small helpers (state colours, durations, glyphs) are shared with the result viewer.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.job_list import JobRole
from get3w_desktop.ui.charge_text import charge_text
from get3w_desktop.ui.messages import job_error, job_note
from get3w_desktop.ui.row_tiles import TileCache

# Re-exported: the compare cards and the result viewer paint with the same colours.
from get3w_desktop.ui.style import is_dark as is_dark
from get3w_desktop.ui.style import mix as mix
from get3w_desktop.ui.style import state_color as state_color
from get3w_desktop.ui.texts import estimate_text, state_label
from get3w_desktop.workers.thumbnails import MediaKind, ThumbnailLoader, media_kind

_Index = QModelIndex | QPersistentModelIndex

ROW_HEIGHT = 76
THUMB = 64
PAD = 8
# How often the view's owner should call `tick()` while something runs.
TICK_MS = 500

# -- shared helpers ---------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """'12 s', '1 min 05 s', '2 h 03 min': short, and steady while it ticks."""
    total = max(0, int(seconds))
    translate = QCoreApplication.translate
    if total < 60:
        return translate("Duration", "{s} s").format(s=total)
    if total < 3600:
        return translate("Duration", "{m} min {s} s").format(m=total // 60, s=f"{total % 60:02d}")
    return translate("Duration", "{h} h {m} min").format(
        h=total // 3600, m=f"{total % 3600 // 60:02d}"
    )


def format_estimate(seconds: float) -> str:
    """ "about 5 s": the same words as the model's typical time (`texts.estimate_text`)."""
    return estimate_text(seconds)


def status_text(job: Job, now: float | None = None) -> str:
    """Where a job is and how long it took ('12 s of ~52 s'); its error once it failed."""
    elapsed, estimate = job.elapsed(now), job.estimated_duration
    translate = QCoreApplication.translate
    match job.state:
        case JobState.QUEUED:
            return translate("JobStatus", "Waiting for a free slot")
        case JobState.SUBMITTING:
            return translate("JobStatus", "Sending to Get3W…")
        case JobState.RUNNING if estimate and job.progress(now) is not None:
            return translate("JobStatus", "{elapsed} of {estimate}").format(
                elapsed=format_duration(elapsed), estimate=format_estimate(estimate)
            )
        case JobState.RUNNING if estimate:
            return translate("JobStatus", "{elapsed} · expected {estimate}").format(
                elapsed=format_duration(elapsed), estimate=format_estimate(estimate)
            )
        case JobState.RUNNING:
            return format_duration(elapsed)
        case JobState.DOWNLOADING:
            return translate("JobStatus", "Saving results… · {elapsed}").format(
                elapsed=format_duration(elapsed)
            )
        case JobState.COMPLETED:
            count = len(job.files)
            text = translate("JobStatus", "Finished in {elapsed}").format(
                elapsed=format_duration(elapsed)
            )
            if count > 1:
                text += translate("JobStatus", " · {count} files").format(count=count)
            return text
        case JobState.CANCELLED:
            return translate("JobStatus", "Stopped after {elapsed}").format(
                elapsed=format_duration(elapsed)
            )
    return job_error(job) or state_label(job.state)


def note_text(job: Job) -> str:
    if job.note:
        return job_note(job)
    if job.overdue and job.state.active:
        return QCoreApplication.translate("JobStatus", "Taking longer than usual")
    return ""


class Glyph(enum.Enum):
    IMAGE = "image"
    FILM = "film"
    AUDIO = "audio"
    CLOCK = "clock"
    SPARK = "spark"
    DOWNLOAD = "download"
    ERROR = "error"
    WARNING = "warning"
    STOP = "stop"
    BROKEN = "broken"
    FILE = "file"


def _glyph_path(glyph: Glyph) -> tuple[QPainterPath, list[QPointF]]:
    """Line-art icons on a 24-unit grid (after Lucide), plus dots to draw filled."""
    path, dots = QPainterPath(), []

    def poly(*points: tuple[float, float]) -> None:
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)

    if glyph in (Glyph.IMAGE, Glyph.BROKEN):
        path.addRoundedRect(QRectF(3, 3, 18, 18), 2.5, 2.5)
        path.addEllipse(QPointF(9, 9), 2, 2)
        poly((21, 15), (16, 10), (5, 21))
        if glyph is Glyph.BROKEN:
            poly((2, 2), (22, 22))
    elif glyph is Glyph.FILM:
        path.addRoundedRect(QRectF(3, 3, 18, 18), 2.5, 2.5)
        for x in (7.5, 16.5):
            poly((x, 3), (x, 21))
        poly((3, 12), (21, 12))
        for y in (7.5, 16.5):
            poly((3, y), (7.5, y))
            poly((16.5, y), (21, y))
    elif glyph is Glyph.AUDIO:
        poly((9, 18), (9, 5), (21, 3), (21, 16))
        path.addEllipse(QPointF(6, 18), 3, 3)
        path.addEllipse(QPointF(18, 16), 3, 3)
    elif glyph is Glyph.CLOCK:
        path.addEllipse(QPointF(12, 12), 9.5, 9.5)
        poly((12, 6.5), (12, 12), (15.5, 14))
    elif glyph is Glyph.SPARK:
        poly((12, 3), (13.8, 10.2), (21, 12), (13.8, 13.8), (12, 21), (10.2, 13.8), (3, 12),
             (10.2, 10.2), (12, 3))  # fmt: skip
        poly((19, 2.5), (19, 6.5))
        poly((17, 4.5), (21, 4.5))
    elif glyph is Glyph.DOWNLOAD:
        poly((21, 15), (21, 19), (19, 21), (5, 21), (3, 19), (3, 15))
        poly((7, 10), (12, 15), (17, 10))
        poly((12, 15), (12, 3))
    elif glyph in (Glyph.ERROR, Glyph.STOP):
        path.addEllipse(QPointF(12, 12), 9.5, 9.5)
        if glyph is Glyph.ERROR:
            poly((12, 7.5), (12, 12.5))
            dots.append(QPointF(12, 16.3))
        else:
            path.addRect(QRectF(9, 9, 6, 6))
    elif glyph is Glyph.WARNING:
        poly((12, 3), (22, 20.5), (2, 20.5), (12, 3))
        poly((12, 9.5), (12, 14))
        dots.append(QPointF(12, 17.3))
    else:  # FILE
        poly((14, 2.5), (6, 2.5), (4, 4.5), (4, 19.5), (6, 21.5), (18, 21.5), (20, 19.5), (20, 8.5),
             (14, 2.5), (14, 8.5), (20, 8.5))  # fmt: skip
    return path, dots


def draw_glyph(p: QPainter, rect: QRectF, glyph: Glyph, color: QColor) -> None:
    """A line icon fitted into `rect`, crisp at any size and device pixel ratio."""
    path, dots = _glyph_path(glyph)
    side = min(rect.width(), rect.height())
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.translate(rect.center().x() - side / 2, rect.center().y() - side / 2)
    p.scale(side / 24, side / 24)
    pen = QPen(color, 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    for dot in dots:
        p.drawEllipse(dot, 1.2, 1.2)
    p.restore()


def glyph_for(job: Job) -> Glyph:
    """What the thumbnail placeholder shows: the output's kind, else the job's state."""
    if job.files:
        return _KIND_GLYPHS[media_kind(job.files[0])]
    return _STATE_GLYPHS[job.state]


_STATE_GLYPHS = {
    JobState.QUEUED: Glyph.CLOCK,
    JobState.SUBMITTING: Glyph.SPARK,
    JobState.RUNNING: Glyph.SPARK,
    JobState.DOWNLOADING: Glyph.DOWNLOAD,
    JobState.COMPLETED: Glyph.FILE,
    JobState.FAILED: Glyph.ERROR,
    JobState.NOT_SAVED: Glyph.ERROR,
    JobState.UNCERTAIN: Glyph.WARNING,
    JobState.CANCELLED: Glyph.STOP,
}
_KIND_GLYPHS = {
    MediaKind.IMAGE: Glyph.IMAGE,
    MediaKind.VIDEO: Glyph.FILM,
    MediaKind.AUDIO: Glyph.AUDIO,
    MediaKind.OTHER: Glyph.FILE,
}

# -- the delegate -----------------------------------------------------------------------


class JobDelegate(QStyledItemDelegate):
    """Paints one `Job` per row; repaints its view (the parent) when a thumbnail arrives.

    `display_name` maps a model id to a name for people (e.g. from the catalogue).
    """

    def __init__(
        self,
        thumbnails: ThumbnailLoader,
        parent: QObject | None = None,
        display_name: Callable[[str], str | None] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._display_name = display_name
        self._clock = clock
        #: The rows' thumbnail tiles and fonts, made once and reused by every repaint.
        self.tiles = TileCache()
        self._fonts_by_key: dict[str, _Fonts] = {}
        thumbnails.ready.connect(self._repaint_view)
        thumbnails.failed.connect(self._repaint_view)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        f = self._fonts(option)
        text = f.bold_fm.height() + f.fm.height() + f.small_fm.height() + 9
        return QSize(280, max(ROW_HEIGHT, int(text + 2 * PAD + 6)))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        job = index.data(JobRole.JOB)
        if not isinstance(job, Job):
            super().paint(painter, option, index)
            return
        painter.save()
        try:
            painter.setRenderHints(
                QPainter.RenderHint.Antialiasing
                | QPainter.RenderHint.TextAntialiasing
                | QPainter.RenderHint.SmoothPixmapTransform
            )
            _RowPainter(painter, option, self._fonts(option), self.tiles).paint(
                job, self._clock(), self._name(job), self._thumbnail(painter, job)
            )
        finally:
            painter.restore()

    def _fonts(self, option: QStyleOptionViewItem) -> _Fonts:
        font = option.font
        key = font.key()
        fonts = self._fonts_by_key.get(key)
        if fonts is None:
            fonts = self._fonts_by_key[key] = _Fonts(font)
        return fonts

    def _name(self, job: Job) -> str:
        return (self._display_name(job.model_id) if self._display_name else None) or job.model_id

    def _thumbnail(self, painter: QPainter, job: Job) -> QImage | Glyph:
        glyph = glyph_for(job)
        if glyph not in (Glyph.IMAGE, Glyph.FILM, Glyph.AUDIO):  # a poster or a waveform
            return glyph
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        image = self._thumbnails.request(
            job.files[0], int(2 * THUMB * max(1.0, dpr)), repainted=True
        )
        if image is not None and not image.isNull():
            return image
        broken = glyph is Glyph.IMAGE and self._thumbnails.failure(job.files[0])
        return Glyph.BROKEN if broken else glyph

    def _repaint_view(self, *_args: object) -> None:
        view = self.parent()
        if isinstance(view, QAbstractItemView):
            view.viewport().update()


class _RowPainter:
    """One row's geometry and paint calls, so `JobDelegate.paint` reads as a summary."""

    def __init__(
        self, p: QPainter, option: QStyleOptionViewItem, fonts: _Fonts, tiles: TileCache
    ) -> None:
        self.p, self.option, self.f, self.tiles = p, option, fonts, tiles
        self.pal = option.palette
        self.text = self.pal.color(QPalette.ColorRole.Text)
        self.muted = mix(self.text, self.pal.color(QPalette.ColorRole.Base), 0.45)
        self.rect = QRectF(option.rect)

    def paint(self, job: Job, now: float, name: str, thumb: QImage | Glyph) -> None:
        f, rect = self.f, self.rect
        self._background()
        box = QRectF(rect.left() + PAD + 4, rect.center().y() - THUMB / 2, THUMB, THUMB)
        self._thumbnail(box, job, thumb)
        x0, x1 = box.right() + 12, rect.right() - PAD - 6
        heights = (f.bold_fm.height(), f.fm.height(), f.small_fm.height())
        top = rect.center().y() - (sum(heights) + 9) / 2
        line1 = QRectF(x0, top, x1 - x0, heights[0])
        line2 = QRectF(x0, line1.bottom() + 3, x1 - x0, heights[1])
        line3 = QRectF(x0, line2.bottom() + 6, x1 - x0, heights[2])

        right = line1.right() - self._chip(line1, job.state) - 10
        when = datetime.fromtimestamp(job.created_at).strftime("%H:%M")
        when_w = f.small_fm.horizontalAdvance(when)
        if right - x0 > when_w + 90:
            self._text(QRectF(right - when_w, line1.top(), when_w, line1.height()), when,
                       f.small, self.muted, Qt.AlignmentFlag.AlignRight)  # fmt: skip
            right -= when_w + 12
        self._text(QRectF(x0, line1.top(), right - x0, line1.height()), name, f.bold, self.text)
        prompt_color = mix(self.text, self.muted, 0.25) if job.prompt else self.muted
        prompt = job.prompt or QCoreApplication.translate("JobDelegate", "No prompt")
        self._text(line2, prompt, f.normal if job.prompt else f.italic, prompt_color)
        self._status(line3, job, now)

    def _background(self) -> None:
        p, rect, state = self.p, self.rect, self.option.state
        card = rect.adjusted(4, 2, -4, -2)
        p.setPen(Qt.PenStyle.NoPen)
        if state & QStyle.StateFlag.State_Selected:
            fill = QColor(self.pal.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(72 if state & QStyle.StateFlag.State_Active else 44)
            p.setBrush(fill)
            p.drawRoundedRect(card, 7, 7)
            return
        if state & QStyle.StateFlag.State_MouseOver:
            hover = QColor(self.text)
            hover.setAlpha(14)
            p.setBrush(hover)
            p.drawRoundedRect(card, 7, 7)
        line = QColor(self.text)
        line.setAlpha(24)
        p.setPen(QPen(line, 1))
        y = rect.bottom() + 0.5
        p.drawLine(QPointF(rect.left() + PAD + THUMB + 16, y), QPointF(rect.right() - PAD - 4, y))

    def _text(
        self,
        rect: QRectF,
        text: str,
        font: QFont,
        color: QColor,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> float:
        """Draw one elided line; return the width it took."""
        fm = QFontMetricsF(font)
        shown = fm.elidedText(" ".join(text.split()), Qt.TextElideMode.ElideRight,
                              max(0.0, rect.width()))  # fmt: skip
        self.p.setFont(font)
        self.p.setPen(color)
        self.p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, shown)
        return fm.horizontalAdvance(shown)

    def _status(self, line: QRectF, job: Job, now: float) -> None:
        f, x = self.f, line.left()
        failed = job.state in (JobState.FAILED, JobState.NOT_SAVED, JobState.UNCERTAIN)
        if job.state.active:
            bar = QRectF(x, line.center().y() - 2, min(120.0, line.width() * 0.3), 4)
            draw_progress(self.p, bar, job, now, self.pal)
            x = bar.right() + 10
        color = state_color(job.state, self.pal) if failed else self.muted
        x += self._text(QRectF(x, line.top(), line.right() - x, line.height()),
                        status_text(job, now), f.small, color)  # fmt: skip
        note = "" if failed else note_text(job)
        money = charge_text(job)  # charged, refunded or free (#15)
        note = f"{money} · {note}" if money and note else money or note
        if note and line.right() - x > 60:
            x += 6
            self._text(QRectF(x, line.top(), line.right() - x, line.height()), f"· {note}",
                       f.small_italic, self.muted)  # fmt: skip

    def _chip(self, line: QRectF, state: JobState) -> float:
        p, fm = self.p, self.f.chip_fm
        color = state_color(state, self.pal)
        label = state_label(state)
        w, h = fm.horizontalAdvance(label) + 16, fm.height() + 4
        chip = QRectF(line.right() - w, line.center().y() - h / 2, w, h)
        fill = QColor(color)
        fill.setAlpha(56 if is_dark(self.pal) else 30)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(chip, h / 2, h / 2)
        p.setFont(self.f.chip)
        p.setPen(color)
        p.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        return w

    def _thumbnail(self, box: QRectF, job: Job, thumb: QImage | Glyph) -> None:
        device = self.p.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        if isinstance(thumb, QImage):
            edge = QColor(self.text)
            edge.setAlpha(30)
            source = crop_rect(thumb.width(), thumb.height(), box)
            tile = self.tiles.image(thumb, source, box.width(), dpr, edge)
        else:
            by_state = not job.files
            accent = state_color(job.state, self.pal) if by_state else QColor(self.text)
            fill = QColor(accent)
            fill.setAlpha(30 if by_state else 18)
            if not by_state:
                accent.setAlpha(140)

            def glyph(p: QPainter, tile_box: QRectF) -> None:
                draw_glyph(p, tile_box.adjusted(20, 20, -20, -20), thumb, accent)

            tile = self.tiles.glyph(glyph, (thumb, accent.rgba()), box.width(), dpr, fill)
        self.p.drawPixmap(box.topLeft(), tile)
        if len(job.files) > 1:
            self._count_badge(box, len(job.files))

    def _count_badge(self, box: QRectF, count: int) -> None:
        p, font = self.p, QFont(self.f.chip)
        fm = QFontMetricsF(font)
        h = fm.height() + 2
        w = max(h, fm.horizontalAdvance(str(count)) + 10)
        badge = QRectF(box.right() - w - 4, box.bottom() - h - 4, w, h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 160))
        p.drawRoundedRect(badge, h / 2, h / 2)
        p.setFont(font)
        p.setPen(QColor(255, 255, 255))
        p.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(count))


def crop_rect(width: int, height: int, target: QRectF) -> QRectF:
    """The centred part of a `width` x `height` image with `target`'s aspect (fill, no bars)."""
    if width <= 0 or height <= 0 or target.isEmpty():
        return QRectF(0, 0, max(width, 0), max(height, 0))
    aspect = target.width() / target.height()
    if width / height > aspect:
        w = height * aspect
        return QRectF((width - w) / 2, 0, w, height)
    h = width / aspect
    return QRectF(0, (height - h) / 2, width, h)


class _Fonts:
    """The row's fonts, derived from the view's so the system font size is honoured."""

    def __init__(self, base: QFont) -> None:
        self.normal = QFont(base)
        self.bold = QFont(base)
        self.bold.setWeight(QFont.Weight.DemiBold)
        self.italic = QFont(base)
        self.italic.setItalic(True)
        self.small = QFont(base)
        if base.pointSizeF() > 0:
            self.small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
        self.small_italic = QFont(self.small)
        self.small_italic.setItalic(True)
        self.chip = QFont(self.small)
        self.chip.setWeight(QFont.Weight.DemiBold)
        self.fm = QFontMetricsF(self.normal)
        self.bold_fm = QFontMetricsF(self.bold)
        self.small_fm = QFontMetricsF(self.small)
        self.chip_fm = QFontMetricsF(self.chip)


def draw_progress(p: QPainter, bar: QRectF, job: Job, now: float, pal: QPalette) -> None:
    """A job's thin progress bar: filled against the estimate, or a sliding segment once
    past it (indeterminate); empty while queued. Shared by the task list and compare cards."""
    accent = state_color(job.state, pal)
    track = QColor(accent)
    track.setAlpha(50)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(track)
    p.drawRoundedRect(bar, 2, 2)
    p.setBrush(accent)
    fraction = job.progress(now)
    if fraction is not None:
        p.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * fraction, 4), 2, 2)
    elif job.state is not JobState.QUEUED:
        seg = bar.width() * 0.35  # indeterminate: a segment sliding across, a step per tick
        left = bar.left() - seg + (bar.width() + seg) * ((time.monotonic() % 3.0) / 3.0)
        p.save()
        p.setClipRect(bar)
        p.drawRoundedRect(QRectF(left, bar.top(), seg, 4), 2, 2)
        p.restore()
