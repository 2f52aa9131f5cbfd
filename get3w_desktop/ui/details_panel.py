"""What a job was and what it cost: model, prompt, parameters, task id, timings, cost.

Everything a person may want to copy (prompt, values, task id) is selectable text.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPainter,
    QPainterPath,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.job import Job
from get3w_desktop.core.task import TIMING_KEYS
from get3w_desktop.ui.charge_text import charge_text
from get3w_desktop.ui.elided_label import ElidedLabel
from get3w_desktop.ui.style import OTHER_PHASE_COLOR, PHASE_COLORS
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, catalogue_text, estimate_text

TIMING_LABELS = {
    "queue_wait": QT_TRANSLATE_NOOP("Timings", "Queued"),
    "celery_init": QT_TRANSLATE_NOOP("Timings", "Starting"),
    "api_call": QT_TRANSLATE_NOOP("Timings", "Generating"),
    "save": QT_TRANSLATE_NOOP("Timings", "Saving"),
    "run_overhead": QT_TRANSLATE_NOOP("Timings", "Overhead"),
}
TIMING_COLORS, _OTHER_COLOR = PHASE_COLORS, OTHER_PHASE_COLOR  # ui/style.py
_SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


@dataclasses.dataclass(frozen=True)
class Segment:
    key: str
    label: str
    seconds: float
    x: float
    width: float
    color: str


def timing_segments(timings: Mapping[str, float], width: float) -> list[Segment]:
    """The stacked bar's parts: each phase's width is proportional to its share of the sum.

    `timings` are milliseconds in the API's shape; `total` is not a phase, and missing,
    zero, negative or non-numeric values are left out.
    """
    phases = [k for k in TIMING_KEYS if k != "total"]
    phases += [k for k in timings if k not in TIMING_KEYS]
    values = [(k, v) for k in phases if (v := _positive(timings.get(k))) is not None]
    total = sum(v for _, v in values)
    out, x = [], 0.0
    for key, value in values:
        w = width * value / total
        known = TIMING_LABELS.get(key)
        label = (
            QCoreApplication.translate("Timings", known)
            if known
            else key.replace("_", " ").capitalize()
        )
        out.append(Segment(key, label, value / 1000, x, w, TIMING_COLORS.get(key, _OTHER_COLOR)))
        x += w
    return out


def total_seconds(timings: Mapping[str, float]) -> float | None:
    total = _positive(timings.get("total"))
    if total is not None:
        return total / 1000
    parts = timing_segments(timings, 1.0)
    return sum(s.seconds for s in parts) if parts else None


def _same_text(value: object, text: str) -> bool:
    return isinstance(value, str) and value.strip() == text


def _positive(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 else None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seconds(value: float) -> str:
    number = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return QCoreApplication.translate("Duration", "{s} s").format(s=number)


class TimingsChart(QWidget):
    """A slim horizontal stacked bar of where the time went, with a legend below it."""

    BAR = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timings: Mapping[str, float] = {}
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_timings(self, timings: Mapping[str, float]) -> None:
        self._timings = dict(timings)
        self.updateGeometry()
        self.update()

    def segments(self) -> list[Segment]:
        return timing_segments(self._timings, float(self.width()))

    def _legend_rows(self, width: float) -> list[list[tuple[Segment, float]]]:
        fm = self.fontMetrics()
        rows: list[list[tuple[Segment, float]]] = [[]]
        used = 0.0
        for seg in timing_segments(self._timings, 1.0):
            w = 14 + fm.horizontalAdvance(f"{seg.label} {_seconds(seg.seconds)}") + 14
            if rows[-1] and used + w > width:
                rows.append([])
                used = 0
            rows[-1].append((seg, w))
            used += w
        return rows

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = len(self._legend_rows(float(max(width, 120))))
        return self.BAR + 8 + rows * (self.fontMetrics().height() + 4)

    def sizeHint(self) -> QSize:
        return QSize(240, self.heightForWidth(max(self.width(), 240)))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.heightForWidth(max(self.width(), 120)))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(0, 0, self.width(), self.BAR)
        track = QColor(self.palette().color(self.palette().ColorRole.WindowText))
        track.setAlpha(25)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(track)
        p.drawRoundedRect(bar, self.BAR / 2, self.BAR / 2)
        p.save()
        path = QPainterPath()
        path.addRoundedRect(bar, self.BAR / 2, self.BAR / 2)
        p.setClipPath(path)
        segments = self.segments()
        for i, seg in enumerate(segments):
            gap = 1.5 if i < len(segments) - 1 else 0.0
            p.fillRect(QRectF(seg.x, 0, max(0.0, seg.width - gap), self.BAR), QColor(seg.color))
        p.restore()
        fm = self.fontMetrics()
        y = self.BAR + 8
        text = self.palette().color(self.palette().ColorRole.WindowText)
        for row in self._legend_rows(float(self.width())):
            x = 0.0
            for seg, w in row:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(seg.color))
                p.drawRoundedRect(QRectF(x, y + fm.height() / 2 - 4, 8, 8), 2, 2)
                p.setPen(text)
                p.drawText(QRectF(x + 14, y, w - 14, fm.height()),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           f"{seg.label} {_seconds(seg.seconds)}")  # fmt: skip
                x += w
            y += fm.height() + 4
        p.end()


def format_value(value: Any) -> str:
    """A parameter value for people: Yes/No, trimmed floats, compact JSON, long text cut."""
    if isinstance(value, bool):
        text = (
            QCoreApplication.translate("DetailsPanel", "Yes")
            if value
            else QCoreApplication.translate("DetailsPanel", "No")
        )
    elif isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 160 else text[:120] + "…"


class DetailsPanel(QScrollArea):
    """The facts about one job, in a quiet scrollable column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(220)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(14, 10, 14, 14)
        self._layout.setSpacing(4)
        self.model_name = self._value("", bold=True)
        self.model_id = self._value("", muted=True)
        self.prompt = self._value("")
        self.params_grid = QGridLayout()
        self.params_grid.setHorizontalSpacing(12)
        self.params_grid.setVerticalSpacing(4)
        self.params_grid.setColumnStretch(1, 1)
        # (name, value) label pairs, kept and refilled for each task shown: building them
        # anew was most of the cost of following finished tasks (bench.responsiveness).
        self._param_rows: list[tuple[QLabel, QLabel]] = []
        self.timings = TimingsChart()
        self.total = self._value("", muted=True)
        # Ids are one long word: painted cut in the middle, copied whole (text() stays whole).
        self.task_id = ElidedLabel()
        self.task_id.setTextInteractionFlags(_SELECTABLE)
        self.task_id.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_id = QToolButton()
        self.copy_id.setAutoRaise(True)
        self.copy_id.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.task_id.text())
        )
        self.when = self._value("", muted=True)
        self.cost = self._value("")

        self._layout.addWidget(self.model_name)
        self._layout.addWidget(self.model_id)
        self._sections: dict[str, list[QWidget]] = {}
        self._headings: dict[str, QLabel] = {}
        self._job: tuple[Job, str] | None = None
        self._section("Prompt", self.prompt)
        params = QWidget()
        params.setLayout(self.params_grid)
        self.params_grid.setContentsMargins(0, 0, 0, 0)
        self._section("Parameters", params)
        self._section("Time", self.timings, self.total)
        id_row = QWidget()
        row = QHBoxLayout(id_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.task_id, 1)
        row.addWidget(self.copy_id)
        self._section("Task", id_row, self.when)
        self._section("Cost", self.cost)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.retranslate()

    def retranslate(self) -> None:
        titles = {
            "Prompt": self.tr("Prompt"), "Parameters": self.tr("Parameters"),
            "Time": self.tr("Time"), "Task": self.tr("Task"), "Cost": self.tr("Cost"),
        }  # fmt: skip
        for key, heading in self._headings.items():
            heading.setText(titles.get(key, key).upper())
        self.copy_id.setText(self.tr("Copy"))
        self.copy_id.setToolTip(self.tr("Copy the task id"))
        if self._job is not None:
            self.set_job(*self._job)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_job(self, job: Job | None, name: str = "") -> None:
        if job is None:
            return
        self._job = (job, name)
        self.model_name.setText(name or job.model_id)
        self.model_id.setText(job.model_id)
        self.model_id.setVisible(bool(name) and name != job.model_id)
        self.prompt.setText(job.prompt)
        self._show("Prompt", bool(job.prompt))
        shown_prompt = {k for k in ("prompt", "text") if _same_text(job.params.get(k), job.prompt)}
        self._fill_params({k: v for k, v in job.params.items() if k not in shown_prompt})
        timings = job.task.timings if job.task else {}
        self.timings.set_timings(timings)
        total = total_seconds(timings)
        server = self.tr("{time} on the server").format(time=_seconds(total)) if total else ""
        local = (
            self.tr("{time} from submit to saved").format(time=_seconds(job.elapsed()))
            if job.finished_at
            else ""
        )
        expected = (
            self.tr("Service estimate: {time}").format(time=estimate_text(job.estimated_duration))
            if job.state.active and job.estimated_duration
            else ""
        )  # while it runs; then what it took
        self.total.setText("\n".join(t for t in (expected, server, local) if t))
        self._show("Time", bool(self.total.text()))
        self.timings.setVisible(bool(timing_segments(timings, 1.0)))
        self.task_id.setText(job.remote_id or "")
        stamps = [self.tr("Created {time}").format(time=_stamp(job.created_at))]
        if job.finished_at:
            stamps.append(self.tr("finished {time}").format(time=_stamp(job.finished_at)))
        self.when.setText(self.tr(", ").join(stamps))
        self.task_id.setVisible(bool(job.remote_id))
        self.copy_id.setVisible(bool(job.remote_id))
        cost = job.task.extra.get("cost") if job.task else None
        self.cost.setText(charge_text(job) or _cost(cost))  # charged, refunded or free
        self._show("Cost", bool(self.cost.text()))

    # -- private ----------------------------------------------------------------------

    def _copy_id(self) -> None:
        QGuiApplication.clipboard().setText(self.task_id.text())

    def _fill_params(self, params: Mapping[str, Any]) -> None:
        """One row per value, reusing the rows of the task shown before; rows it does not
        need are emptied and hidden at once (no ghosts of the previous task)."""
        items = sorted(params.items())
        while len(self._param_rows) < len(items):
            row = len(self._param_rows)
            name = self._value("", muted=True, shrink=False)
            name.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            shown = self._value("")
            self.params_grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self.params_grid.addWidget(shown, row, 1, Qt.AlignmentFlag.AlignTop)
            self._param_rows.append((name, shown))
        for row, (name, shown) in enumerate(self._param_rows):
            if row >= len(items):
                for label in (name, shown):
                    if not label.isHidden():
                        label.hide()
                        label.clear()
                        label.setToolTip("")
                continue
            key, value = items[row]
            text = format_value(value)
            name.setText(catalogue_text(key.replace("_", " ").capitalize()))
            shown.setText(text)
            shown.setToolTip(str(value)[:2000] if text != str(value) else "")
            for label in (name, shown):
                if label.isHidden():
                    label.show()
        self._show("Parameters", bool(params))

    def _section(self, title: str, *widgets: QWidget) -> None:
        heading = QLabel(title.upper())
        self._headings[title] = heading
        font = QFont(heading.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        font.setWeight(QFont.Weight.DemiBold)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        heading.setFont(font)
        heading.setStyleSheet("color: palette(placeholder-text);")
        heading.setContentsMargins(0, 12, 0, 2)
        self._layout.addWidget(heading)
        for widget in widgets:
            self._layout.addWidget(widget)
        self._sections[title] = [heading, *widgets]

    def _show(self, title: str, visible: bool) -> None:
        for widget in self._sections[title]:
            widget.setVisible(visible)

    @staticmethod
    def _value(
        text: str, *, bold: bool = False, muted: bool = False, shrink: bool = True
    ) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        if shrink:
            # A wrapped label still asks for its longest word (a URL, a hash): let the
            # column's width win, so the text wraps inside it instead of pushing the whole
            # page past the panel's right edge.
            policy = label.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            label.setSizePolicy(policy)
        label.setTextInteractionFlags(_SELECTABLE)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if bold:
            font = QFont(label.font())
            font.setPointSizeF(font.pointSizeF() * 1.15)
            font.setWeight(QFont.Weight.DemiBold)
            label.setFont(font)
        if muted:
            label.setStyleSheet("color: palette(placeholder-text);")
        return label


def _stamp(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch)
    fmt = "%H:%M" if moment.date() == datetime.now().date() else "%d %b %Y, %H:%M"
    return moment.strftime(fmt)


def _cost(value: Any) -> str:
    if _number(value):
        amount = float(value)
        if not amount:
            return QCoreApplication.translate("DetailsPanel", "Free")
        return f"${amount:.2f}" if round(amount, 2) == amount else f"${amount:.4f}".rstrip("0")
    return str(value) if value is not None else ""
