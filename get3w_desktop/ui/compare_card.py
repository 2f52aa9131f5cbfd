"""One card of the compare grid: a task's picture, state, time and cost, painted by hand.

Painted like a task-list row turned on its side (the same colours, glyphs and status texts
from job_delegate), so a grid of 36 stays cheap and looks like the rest of the app.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from get3w_desktop.core.compare import CompareCell
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import format_money
from get3w_desktop.ui.job_delegate import (
    Glyph,
    crop_rect,
    draw_glyph,
    draw_progress,
    format_duration,
    glyph_for,
    is_dark,
    mix,
    state_color,
    status_text,
)
from get3w_desktop.ui.messages import job_error
from get3w_desktop.ui.texts import state_label
from get3w_desktop.workers.thumbnails import ThumbnailLoader

THUMB = 176
PAD = 9


class CompareCard(QWidget):
    """One task of the grid, painted like a task-list row turned on its side.

    Signals:
        clicked(): the card was clicked, or activated with Enter/Space.
    """

    clicked = Signal()

    def __init__(
        self,
        cell: CompareCell,
        job: Job,
        thumbnails: ThumbnailLoader,
        cost: Callable[[Job], tuple[float, bool] | None],
        seed_label: str,
        parent: QWidget | None = None,
        *,
        labelled: bool = True,
    ) -> None:
        """`labelled` cards name their model and seed; in a grid with headers they need not."""
        super().__init__(parent)
        self.cell, self.job, self.labelled = cell, job, labelled
        self._thumbnails, self._cost, self._seed_label = thumbnails, cost, seed_label
        self._selected = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._describe()

    # -- state ---------------------------------------------------------------------------

    def set_job(self, job: Job) -> None:
        self.job = job
        self._describe()
        self.update()

    def set_seed_label(self, text: str) -> None:
        self._seed_label = text
        self._describe()
        self.update()

    def set_selected(self, selected: bool) -> None:
        self._selected = selected
        self.update()

    def is_selected(self) -> bool:
        return self._selected

    def time_text(self) -> str:
        """How long it took, once it finished ("" before)."""
        if self.job.state.active or self.job.submitted_at is None:
            return ""
        return format_duration(self.job.elapsed())

    def cost_text(self) -> str:
        """What it cost (or "about …" while that is an estimate); "" when unknown."""
        found = self._cost(self.job)
        if found is None:
            return ""
        amount, estimated = found
        shown = format_money(amount)
        return self.tr("about {cost}").format(cost=shown) if estimated else shown

    def thumbnail(self) -> QImage | None:
        """The picture shown, once it is decoded (None for video, audio, or not yet)."""
        if glyph_for(self.job) is not Glyph.IMAGE:
            return None
        image = self._thumbnails.request(self.job.files[0], self._thumb_pixels())
        return image if image is not None and not image.isNull() else None

    def shows_file(self, path: str) -> bool:
        return bool(self.job.files) and self.job.files[0] == path

    def _thumb_pixels(self) -> int:
        return int(THUMB * max(1.0, self.devicePixelRatioF()))

    def _describe(self) -> None:
        job = self.job
        parts = [self.cell.model_name, self._seed_label, state_label(job.state)]
        if not job.state.active:
            parts += [p for p in (self.time_text(), self.cost_text()) if p]
        self.setAccessibleName(" · ".join(parts))
        tip = [f"<b>{html.escape(self.cell.model_name)}</b>", self._seed_label,
               html.escape(status_text(job))]  # fmt: skip
        if job.remote_id:
            tip.append(self.tr("Task {id}").format(id=job.remote_id))
        if job.task is not None and "total" in job.task.timings:
            seconds = job.task.timings["total"] / 1000
            tip.append(self.tr("Server time {time}").format(time=f"{seconds:.1f} s"))
        tip.append(self.tr("Click to open it in the main window."))
        self.setToolTip("<br>".join(t.replace("\n", " ") for t in tip if t))

    # -- events --------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        text = 3 * fm.height() + 6 if self.labelled else fm.height()
        return QSize(THUMB + 2 * PAD, int(PAD + THUMB + 9 + text + PAD + 2))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                         | QPainter.RenderHint.SmoothPixmapTransform)  # fmt: skip
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        muted_color = mix(text, pal.color(QPalette.ColorRole.Base), 0.45)
        card = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        self._paint_card(p, card, pal, text)
        box = QRectF(card.left() + PAD - 1, card.top() + PAD - 1, THUMB, THUMB)
        self._paint_thumbnail(p, box, pal, text)
        self._paint_chip(p, box, pal)
        base, fm = QFont(self.font()), QFontMetricsF(self.font())
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
        x0, width = box.left(), box.width()
        y = box.bottom() + 9
        line = fm.height()
        if self.labelled:
            _text(p, QRectF(x0, y, width, line), self.cell.model_name, bold, text)
            y += line + 2
            _text(p, QRectF(x0, y, width, line), self._seed_label, small, muted_color)
            y += line + 4
        self._paint_status(p, QRectF(x0, y, width, line), small, bold, pal, text, muted_color)
        p.end()

    def _paint_card(self, p: QPainter, card: QRectF, pal: QPalette, text: QColor) -> None:
        fill = QColor(pal.color(QPalette.ColorRole.Base))
        if self.underMouse() and not self._selected:
            fill = mix(fill, text, 0.04)
        edge = QColor(text)
        edge.setAlpha(34)
        width = 1.0
        if self._selected:
            edge, width = QColor(pal.color(QPalette.ColorRole.Highlight)), 2.0
        elif self.hasFocus():
            edge = QColor(pal.color(QPalette.ColorRole.Highlight))
            edge.setAlpha(150)
        p.setPen(QPen(edge, width))
        p.setBrush(fill)
        p.drawRoundedRect(card.adjusted(width / 2, width / 2, -width / 2, -width / 2), 10, 10)

    def _paint_thumbnail(self, p: QPainter, box: QRectF, pal: QPalette, text: QColor) -> None:
        path = QPainterPath()
        path.addRoundedRect(box, 7, 7)
        image = self.thumbnail()
        if image is not None:
            p.save()
            p.setClipPath(path)
            p.drawImage(box, image, crop_rect(image.width(), image.height(), box))
            p.restore()
            return
        job = self.job
        glyph = glyph_for(job)
        if glyph is Glyph.IMAGE and job.files and self._thumbnails.failure(job.files[0]):
            glyph = Glyph.BROKEN
        by_state = not job.files
        accent = state_color(job.state, pal) if by_state else QColor(text)
        fill = QColor(accent)
        fill.setAlpha(28 if by_state else 16)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawPath(path)
        if not by_state:
            accent.setAlpha(150)
        side = 44.0
        centre = box.center()
        draw_glyph(p, QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side), glyph,
                   accent)  # fmt: skip

    def _paint_chip(self, p: QPainter, box: QRectF, pal: QPalette) -> None:
        state = self.job.state
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetricsF(font)
        label = state_label(state)
        w, h = fm.horizontalAdvance(label) + 14, fm.height() + 4
        chip = QRectF(box.right() - w - 6, box.top() + 6, w, h)
        back = QColor(pal.color(QPalette.ColorRole.Base))
        back.setAlpha(225)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(back)
        p.drawRoundedRect(chip, h / 2, h / 2)
        tint = state_color(state, pal)
        tint.setAlpha(60 if is_dark(pal) else 34)
        p.setBrush(tint)
        p.drawRoundedRect(chip, h / 2, h / 2)
        p.setFont(font)
        p.setPen(state_color(state, pal))
        p.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_status(
        self, p: QPainter, line: QRectF, small: QFont, bold: QFont, pal: QPalette,
        text: QColor, muted_color: QColor,
    ) -> None:  # fmt: skip
        job, now = self.job, time.time()
        if job.state.active:
            bar = QRectF(line.left(), line.center().y() - 2, 54, 4)
            draw_progress(p, bar, job, now, pal)
            x = bar.right() + 8
            _text(p, QRectF(x, line.top(), line.right() - x, line.height()),
                  status_text(job, now), small, muted_color)  # fmt: skip
            return
        if job.state in (JobState.FAILED, JobState.NOT_SAVED, JobState.UNCERTAIN):
            why = job_error(job) or state_label(job.state)
            _text(p, line, why, small, state_color(job.state, pal))
            return
        if job.state is JobState.CANCELLED:
            _text(p, line, status_text(job, now), small, muted_color)
            return
        cost = self.cost_text()
        cost_w = QFontMetricsF(bold).horizontalAdvance(cost) if cost else 0.0
        if cost:
            _text(p, line, cost, bold, text, Qt.AlignmentFlag.AlignRight)
        clock = QRectF(line.left(), line.center().y() - 6, 12, 12)
        draw_glyph(p, clock, Glyph.CLOCK, muted_color)
        x = clock.right() + 5
        _text(p, QRectF(x, line.top(), line.right() - x - cost_w - 8, line.height()),
              self.time_text(), small, muted_color)  # fmt: skip


def _text(
    p: QPainter, rect: QRectF, text: str, font: QFont, color: QColor,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> None:  # fmt: skip
    fm = QFontMetricsF(font)
    shown = fm.elidedText(
        " ".join(text.split()), Qt.TextElideMode.ElideRight, max(0.0, rect.width())
    )
    p.setFont(font)
    p.setPen(color)
    p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, shown)
