"""One input widget per parameter kind, each turning what a person did into a JSON value.

Every field answers three questions for the form: `value()` (the JSON value, or None for
"leave it out"; it never raises), `problem()` (a sentence for people, or None) and
`set_value(v)` (False when `v` does not fit, so loading old parameters can say what it
skipped). The module is long because the kinds are many (media inputs are the last part);
each class is small and independent of the others.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFontDatabase,
    QIcon,
    QImage,
    QImageReader,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import CHANNELS, ParamKind, ParamSpec, parse_size
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, catalogue_text
from get3w_desktop.workers.thumbnails import ALLOCATION_LIMIT_MB

INT_LIMIT = 2_147_483_647
SEED_MAX = 2_147_483_647
CHANNEL_HELP = {
    "economy": QT_TRANSLATE_NOOP(
        "ParamFields", "Economy: the lowest price, for bulk work; may take longer."
    ),
    "stable": QT_TRANSLATE_NOOP(
        "ParamFields", "Stable: the usual choice, reliable at a standard price."
    ),
    "official": QT_TRANSLATE_NOOP(
        "ParamFields", "Official: routed to the model maker's official service."
    ),
}
CHANNEL_NAMES = {
    "economy": QT_TRANSLATE_NOOP("ParamFields", "Economy"),
    "stable": QT_TRANSLATE_NOOP("ParamFields", "Stable"),
    "official": QT_TRANSLATE_NOOP("ParamFields", "Official"),
}


def channel_help(option: str) -> str:
    """What a channel means, in the current language ("" for an unknown one)."""
    text = CHANNEL_HELP.get(option, "")
    return QCoreApplication.translate("ParamFields", text) if text else ""


def _title(spec: ParamSpec) -> str:
    return catalogue_text(spec.title)


_RATIO = re.compile(r"^\s*(\d{1,5})\s*[:*x×]\s*(\d{1,5})\s*$")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_color(palette: QPalette) -> str:
    """Readable on both light and dark windows."""
    return "#f28b82" if is_dark(palette) else "#b3261e"


def muted(label: QLabel, smaller: bool = True) -> QLabel:
    label.setStyleSheet("color: palette(placeholder-text);")
    if smaller:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        label.setFont(font)
    return label


def option_label(spec: ParamSpec, option: Any) -> str:
    """How a choice reads: "1280 × 720", "PNG", "8 s", "Friendly Person"."""
    translate = QCoreApplication.translate
    if isinstance(option, bool):
        return translate("ParamFields", "Yes") if option else translate("ParamFields", "No")
    if isinstance(option, int | float):
        text = str(option)
        return translate("Duration", "{s} s").format(s=text) if spec.title.endswith("(s)") else text
    text = str(option)
    if spec.name == "channel" and text in CHANNEL_NAMES:
        return translate("ParamFields", CHANNEL_NAMES[text])
    if (match := _RATIO.match(text)) and "*" in text:
        return f"{match.group(1)} × {match.group(2)}"
    if spec.name.endswith("format"):
        return text.upper()
    if text.islower() and text.isalpha():
        return text.capitalize()
    return text.replace("_", " ")


def ratio_of(option: Any) -> tuple[int, int] | None:
    match = _RATIO.match(str(option)) if isinstance(option, str) else None
    if not match:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if width > 0 and height > 0 else None


def ratio_icon(width: int, height: int, palette: QPalette, side: int = 16) -> QIcon:
    """A small outline of the shape, so "21:9" and "9:16" can be told apart at a glance."""
    pixmap = QPixmap(side * 2, side * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    scale = (side - 3) / max(width, height)
    w, h = max(3.0, width * scale), max(3.0, height * scale)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen_color = QColor(palette.color(QPalette.ColorRole.Text))
    pen_color.setAlphaF(0.75)
    painter.setPen(pen_color)
    painter.drawRoundedRect(QRectF((side - w) / 2, (side - h) / 2, w, h), 1.5, 1.5)
    painter.end()
    return QIcon(pixmap)


# -- widgets that leave the mouse wheel to the scroll area unless they have focus ----------


class _NoWheel:
    """Takes focus by click or Tab, and ignores the wheel until it has focus.

    Listed before the Qt class so its `wheelEvent` is the override Qt calls.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        assert isinstance(self, QWidget)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        assert isinstance(self, QWidget)
        if self.hasFocus():
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()  # let the form scroll instead of changing the value


class Combo(_NoWheel, QComboBox):
    pass


class SpinBox(_NoWheel, QSpinBox):
    pass


class DoubleSpinBox(_NoWheel, QDoubleSpinBox):
    pass


class Slider(_NoWheel, QSlider):
    def __init__(self) -> None:
        super().__init__(Qt.Orientation.Horizontal)


# -- the field protocol -----------------------------------------------------------------------


class Field(QWidget):
    """One parameter's input.

    Signals:
        changed(): the value may have changed (typing, picking, dropping, clearing).
    """

    changed = Signal()

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.spec = spec

    def value(self) -> Any:
        """The JSON value to send, or None to leave the parameter out. Never raises."""
        raise NotImplementedError

    def set_value(self, value: Any) -> bool:
        """Show `value`; False (and nothing changed) when it does not fit this field."""
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the schema default, or empty."""
        if self.spec.default is None or not self.set_value(self.spec.default):
            self.set_value(None)

    def problem(self) -> str | None:
        """What is wrong with the input, for people; None when nothing is."""
        if self.spec.required and self.value() is None:
            return self.tr("{title} is required.").format(title=_title(self.spec))
        return None

    def has_own_label(self) -> bool:
        """True when the field shows its title itself (a check box)."""
        return False

    def focus_target(self) -> QWidget:
        return self


def _row(*widgets: QWidget, spacing: int = 8, stretch: bool = True) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)
    return layout


def _column(widget: QWidget, spacing: int = 6) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return layout


# -- text -------------------------------------------------------------------------------------


class TextBox(QPlainTextEdit):
    """A plain-text box that grows with its text between `min_lines` and `max_lines`.

    Tab moves focus (a prompt never needs a tab character).
    """

    def __init__(self, min_lines: int, max_lines: int) -> None:
        super().__init__()
        self._min_lines, self._max_lines = min_lines, max_lines
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        lines = int(self.document().documentLayout().documentSize().height())
        lines = max(self._min_lines, min(self._max_lines, lines))
        margins = self.contentsMargins()
        height = (
            lines * self.fontMetrics().lineSpacing()
            + int(2 * self.document().documentMargin())
            + margins.top()
            + margins.bottom()
            + 2
        )
        if height != self.height():
            self.setFixedHeight(height)
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if lines >= self._max_lines
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()


class TextField(Field):
    """PROMPT and TEXT: a multi-line box; the prompt is taller."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        prompt = spec.kind is ParamKind.PROMPT
        self.edit = TextBox(4 if prompt else 2, 12 if prompt else 6)
        self.edit.setPlaceholderText(catalogue_text(spec.placeholder or ""))
        self.edit.textChanged.connect(self.changed)
        layout = _column(self, 2)
        layout.addWidget(self.edit)
        self.counter: QLabel | None = None
        if spec.max_length:
            self.counter = muted(QLabel())
            self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
            layout.addWidget(self.counter)
            self.edit.textChanged.connect(self._count)
            self._count()

    def _count(self) -> None:
        if self.counter is not None and self.spec.max_length:
            self.counter.setText(
                self.tr("{count} / {limit} characters").format(
                    count=f"{len(self.edit.toPlainText()):,}", limit=f"{self.spec.max_length:,}"
                )
            )

    def value(self) -> str | None:
        text = self.edit.toPlainText().strip()
        return text or None

    def set_value(self, value: Any) -> bool:
        if value is not None and not isinstance(value, str):
            return False
        self.edit.setPlainText(value or "")
        return True

    def problem(self) -> str | None:
        length = len(self.value() or "")
        if self.spec.max_length is not None and length > self.spec.max_length:
            return self.tr("{title} is too long: {count} characters, at most {limit}.").format(
                title=_title(self.spec), count=f"{length:,}", limit=f"{self.spec.max_length:,}"
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.edit


class StringListField(Field):
    """STRING_LIST: one item per line."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.edit = TextBox(3, 8)
        self.edit.setPlaceholderText(
            catalogue_text(spec.placeholder or "") or self.tr("One per line")
        )
        self.edit.textChanged.connect(self.changed)
        _column(self).addWidget(self.edit)

    def value(self) -> list[str] | None:
        items = [line.strip() for line in self.edit.toPlainText().splitlines() if line.strip()]
        return items or None

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.edit.clear()
            return True
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return False
        self.edit.setPlainText("\n".join(value))
        return True

    def problem(self) -> str | None:
        count = len(self.value() or [])
        low, high = self.spec.min_items, self.spec.max_items
        if count and low is not None and count < low:
            return self.tr("{title}: add at least {low} lines.").format(
                title=_title(self.spec), low=low
            )
        if high is not None and count > high:
            return self.tr("{title}: at most {high} lines, please (there are {count}).").format(
                title=_title(self.spec), high=high, count=count
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.edit


class ObjectField(Field):
    """OBJECT: structured values (LoRAs and the like) typed as JSON, checked as you go."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.edit = TextBox(3, 10)
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        example = '[{"path": "…", "scale": 1.0}]' if spec.json_type == "array" else '{"…": …}'
        self.edit.setPlaceholderText(
            catalogue_text(spec.placeholder or "")
            or self.tr("JSON, for example {example}").format(example=example)
        )
        self.edit.textChanged.connect(self.changed)
        _column(self).addWidget(self.edit)

    def _parse(self) -> tuple[Any, str | None]:
        text = self.edit.toPlainText().strip()
        if not text:
            return None, None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, self.tr(
                "{title} is not valid JSON (line {line}, column {column}: {reason})."
            ).format(
                title=_title(self.spec), line=exc.lineno, column=exc.colno, reason=exc.msg.lower()
            )
        except ValueError:
            return None, self.tr("{title} is not valid JSON.").format(title=_title(self.spec))
        except RecursionError:
            return None, self.tr("{title} is nested too deeply.").format(title=_title(self.spec))
        wanted = list if self.spec.json_type == "array" else dict
        if not isinstance(value, wanted):
            if wanted is list:
                return None, self.tr("{title} must be a list [ … ].").format(
                    title=_title(self.spec)
                )
            return None, self.tr("{title} must be an object {{ … }}.").format(
                title=_title(self.spec)
            )
        return value, None

    def value(self) -> Any:
        return self._parse()[0]

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.edit.clear()
            return True
        if not isinstance(value, list | dict):
            return False
        self.edit.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))
        return True

    def problem(self) -> str | None:
        return self._parse()[1] or super().problem()

    def focus_target(self) -> QWidget:
        return self.edit


# -- choices ----------------------------------------------------------------------------------


class Segmented(QWidget):
    """A row of joined toggle buttons for a few short options; one Tab stop, arrows move.

    Signals:
        current_changed(int): the chosen option's index.
    """

    current_changed = Signal(int)

    def __init__(self, labels: Sequence[str], icons: Sequence[QIcon | None] = ()) -> None:
        super().__init__()
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        layout = _row(spacing=0, stretch=False)
        self.setLayout(layout)
        for i, label in enumerate(labels):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setProperty("segment", self._position(i, len(labels)))
            if i < len(icons) and (icon := icons[i]) is not None:
                button.setIcon(icon)
            button.installEventFilter(self)
            self._group.addButton(button, i)
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addStretch(1)
        self._group.idToggled.connect(self._on_toggled)
        self.setStyleSheet(
            "QPushButton { border: 1px solid palette(mid); border-left-width: 0px;"
            " background: palette(base); padding: 4px 12px; min-height: 18px; }"
            "QPushButton[segment=first], QPushButton[segment=only] {"
            " border-left-width: 1px; border-top-left-radius: 6px;"
            " border-bottom-left-radius: 6px; }"
            "QPushButton[segment=last], QPushButton[segment=only] {"
            " border-top-right-radius: 6px; border-bottom-right-radius: 6px; }"
            "QPushButton:hover:!checked { background: palette(alternate-base); }"
            "QPushButton:checked { background: palette(highlight);"
            " color: palette(highlighted-text); border-color: palette(highlight); }"
            "QPushButton:focus { border: 2px solid palette(dark); }"
            "QPushButton:checked:focus { border: 2px solid palette(text); }"
        )
        self.set_current(0)

    @staticmethod
    def _position(i: int, count: int) -> str:
        if count == 1:
            return "only"
        return "first" if i == 0 else "last" if i == count - 1 else "middle"

    def current(self) -> int:
        return self._group.checkedId()

    def set_current(self, index: int) -> None:
        if 0 <= index < len(self.buttons):
            self.buttons[index].setChecked(True)

    def _on_toggled(self, index: int, checked: bool) -> None:
        if not checked:
            return
        had_focus = any(b.hasFocus() for b in self.buttons)
        for i, button in enumerate(self.buttons):
            # Only the chosen button takes Tab focus, like a radio group.
            button.setFocusPolicy(
                Qt.FocusPolicy.StrongFocus if i == index else Qt.FocusPolicy.NoFocus
            )
        if had_focus:
            self.buttons[index].setFocus(Qt.FocusReason.OtherFocusReason)
        self.current_changed.emit(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            step = {
                Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1,
                Qt.Key.Key_Home: -len(self.buttons), Qt.Key.Key_End: len(self.buttons),
            }.get(Qt.Key(event.key()))  # fmt: skip
            if step is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                target = max(0, min(len(self.buttons) - 1, self.current() + step))
                self.set_current(target)
                return True
        return super().eventFilter(watched, event)

    def focus_target(self) -> QAbstractButton:
        return self.buttons[max(0, self.current())]


class ChoiceField(Field):
    """CHOICE: joined buttons for a few short options, a drop-down list otherwise."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.options: list[Any] = list(spec.enum)
        labels = [option_label(spec, o) for o in self.options]
        ratios = [ratio_of(o) for o in self.options]
        icons = [ratio_icon(*r, self.palette()) if r else None for r in ratios]
        channel = spec.name == "channel"
        tips = [channel_help(str(o)) if channel else "" for o in self.options]
        short = len(labels) <= 4 and sum(map(len, labels)) <= 24 and spec.name != "channel"
        layout = _column(self, 4)
        self.segments: Segmented | None = None
        self.combo: Combo | None = None
        if short:
            self.segments = Segmented(labels, icons if all(ratios) else ())
            self.segments.current_changed.connect(self._changed)
            layout.addWidget(self.segments)
        else:
            self.combo = Combo()
            for i, label in enumerate(labels):
                icon = icons[i]
                if icon is not None and all(ratios):
                    self.combo.addItem(icon, label)
                else:
                    self.combo.addItem(label)
                if tips[i]:
                    self.combo.setItemData(i, tips[i], Qt.ItemDataRole.ToolTipRole)
            self.combo.setMinimumWidth(150)
            self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self.combo.currentIndexChanged.connect(self._changed)
            layout.addLayout(_row(self.combo))
        self.explain: QLabel | None = None
        if spec.name == "channel":
            self.explain = muted(QLabel())
            self.explain.setWordWrap(True)
            layout.addWidget(self.explain)
        self._touched = spec.default is not None
        self.reset()

    def _index(self) -> int:
        if self.segments is not None:
            return self.segments.current()
        assert self.combo is not None
        return self.combo.currentIndex()

    def _changed(self, _index: int = 0) -> None:
        self._touched = True
        if self.explain is not None:
            option = str(self.value())
            self.explain.setText(channel_help(option))
        self.changed.emit()

    def value(self) -> Any:
        index = self._index()
        if not self._touched or not 0 <= index < len(self.options):
            return None
        return self.options[index]

    def set_value(self, value: Any) -> bool:
        if value is None:
            return self.spec.default is None
        found = next(
            (i for i, o in enumerate(self.options)
             if o == value and isinstance(o, bool) == isinstance(value, bool)),
            None,
        )  # fmt: skip
        if found is None:
            found = next((i for i, o in enumerate(self.options) if str(o) == str(value)), None)
        if found is None:
            return False
        if self.segments is not None:
            self.segments.set_current(found)
        elif self.combo is not None:
            self.combo.setCurrentIndex(found)
        self._changed()
        return True

    def reset(self) -> None:
        if not self.set_value(self.spec.default):
            if self.combo is not None:
                self.combo.setCurrentIndex(0)
            elif self.segments is not None:
                self.segments.set_current(0)
            self._touched = False

    def focus_target(self) -> QWidget:
        if self.segments is not None:
            return self.segments.focus_target()
        assert self.combo is not None
        return self.combo


def channel_spec() -> ParamSpec:
    """For a model whose schema somehow lacks `channel` (the catalogue normally adds it)."""
    return ParamSpec(
        name="channel", kind=ParamKind.CHOICE, json_type="string", title="Channel",
        description="Get3W service tier: economy (cheapest), stable, or official.",
        default="stable", enum=CHANNELS, ui_component="select",
    )  # fmt: skip


# -- numbers ----------------------------------------------------------------------------------


def _decimals(spec: ParamSpec) -> int:
    """Enough decimals for the step, the default and the limits (0.05 -> 2, 0.1 -> 1)."""
    places = 0 if spec.step is not None else 2
    for number in (spec.step, spec.default, spec.minimum, spec.maximum):
        if isinstance(number, float) and not number.is_integer():
            places = max(places, len(f"{abs(number):.6f}".rstrip("0").split(".")[1]))
    return max(1, min(6, places))


class NumberField(Field):
    """INTEGER and NUMBER: a spin box, with a slider beside it for `x-ui-component: slider`."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        integer = spec.json_type == "integer"
        self.spin: QSpinBox | QDoubleSpinBox
        low = spec.minimum if spec.minimum is not None else -INT_LIMIT
        high = spec.maximum if spec.maximum is not None else INT_LIMIT
        step = spec.step or 1.0
        if integer:
            low, high, step = math.ceil(low), math.floor(high), max(1, round(step))
        # Optional, no default: an extra "Auto" position below the range means "leave it out".
        self._auto = spec.default is None and not spec.required
        if integer:
            spin = SpinBox()
            spin.setRange(int(low - step if self._auto else low), int(high))
            spin.setSingleStep(int(step))
            spin.valueChanged.connect(self._on_spin)
            self.spin = spin
        else:
            dspin = DoubleSpinBox()
            dspin.setDecimals(_decimals(spec))
            dspin.setRange(low - step if self._auto else low, high)
            dspin.setSingleStep(step)
            dspin.valueChanged.connect(self._on_spin)
            self.spin = dspin
        if self._auto:
            self.spin.setSpecialValueText(self.tr("Auto"))
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setAccelerated(True)
        self.spin.setMinimumWidth(92)
        self._low, self._step = float(low), float(step)
        self.slider: Slider | None = None
        ticks = (high - low) / step if step else math.inf
        if spec.ui_component == "slider" and 0 < ticks <= 100_000:
            self.slider = Slider()
            self.slider.setRange(0, round(ticks))
            self.slider.setPageStep(max(1, round(ticks / 10)))
            self.slider.valueChanged.connect(self._on_slider)
            self.slider.setToolTip(catalogue_text(spec.description))
            self.spin.setFixedWidth(max(92, self.spin.sizeHint().width()))
            self.setLayout(_row(self.slider, self.spin, spacing=12, stretch=False))
        else:
            self.spin.setFixedWidth(max(120, self.spin.sizeHint().width()))
            self.setLayout(_row(self.spin))
        self._syncing = False
        self.reset()
        self._on_spin(self.spin.value())  # the spin box may not have moved: sync the slider

    def _on_spin(self, value: float) -> None:
        if self.slider is not None and not self._syncing:
            self._syncing = True
            self.slider.setValue(round((float(value) - self._low) / self._step))
            self._syncing = False
        self.changed.emit()

    def _on_slider(self, position: int) -> None:
        if self._syncing:
            return
        self._syncing = True
        self._set(self._low + position * self._step)
        self._syncing = False

    def value(self) -> int | float | None:
        number = self.spin.value()
        if self._auto and number == self.spin.minimum():
            return None
        if isinstance(self.spin, QSpinBox):
            return int(number)
        return round(float(number), self.spin.decimals())

    def _set(self, number: float) -> None:
        if isinstance(self.spin, QSpinBox):
            self.spin.setValue(round(number))
        else:
            self.spin.setValue(number)

    def _text(self, number: float) -> str:
        if isinstance(self.spin, QSpinBox):
            return self.spin.textFromValue(round(number))
        return self.spin.textFromValue(number)

    def set_value(self, value: Any) -> bool:
        if value is None:
            if self._auto:
                self._set(self.spin.minimum())
            return self._auto
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(self.spin, QSpinBox) and not float(value).is_integer():
            return False
        low = self.spin.minimum() + (self._step if self._auto else 0)
        if not low <= value <= self.spin.maximum():
            return False
        self._set(value)
        return True

    def reset(self) -> None:
        if not self.set_value(self.spec.default):
            if self._auto:
                self._set(self.spin.minimum())
            else:
                low = self.spec.minimum if self.spec.minimum is not None else 0
                self._set(max(low, min(0, self.spin.maximum())))

    def problem(self) -> str | None:
        if not self.spin.hasAcceptableInput():
            low = self.spin.minimum() + (self._step if self._auto else 0)
            low_text, high_text = self._text(low), self._text(self.spin.maximum())
            return self.tr("{title}: type a number from {low} to {high}.").format(
                title=_title(self.spec), low=low_text, high=high_text
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.slider if self.slider is not None else self.spin


class BoolField(Field):
    """BOOLEAN: a check box that carries its own title."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.box = QCheckBox(_title(spec))
        self.box.setToolTip(catalogue_text(spec.description))
        self._touched = spec.default is not None
        self.box.toggled.connect(self._on_toggled)
        self.setLayout(_row(self.box))
        self.reset()

    def _on_toggled(self, _checked: bool) -> None:
        self._touched = True
        self.changed.emit()

    def value(self) -> bool | None:
        return self.box.isChecked() if self._touched else None

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.box.setChecked(False)
            self._touched = self.spec.default is not None
            return True
        if not isinstance(value, bool):
            return False
        self.box.setChecked(value)
        self._touched = True
        return True

    def has_own_label(self) -> bool:
        return True

    def focus_target(self) -> QWidget:
        return self.box


class SeedField(Field):
    """SEED: a number, or "Random" (-1), with a button that picks a fresh, reusable seed."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        high = int(spec.maximum) if spec.maximum is not None else SEED_MAX
        self.spin = SpinBox()
        self.spin.setRange(-1, high)
        self.spin.setSpecialValueText(self.tr("Random"))
        self.spin.setMinimumWidth(130)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.random_box = QCheckBox(self.tr("Random"))
        self.random_box.setToolTip(self.tr("A different result every time (seed −1)"))
        self.dice = QToolButton()
        self.dice.setText(self.tr("New seed"))
        self.dice.setToolTip(
            self.tr("Pick a new fixed seed, so you can reproduce the result later")
        )
        self.dice.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fixed = random.randint(0, high)  # noqa: S311 - a seed, not a secret
        self.setLayout(_row(self.spin, self.random_box, self.dice))
        self.spin.valueChanged.connect(self._on_spin)
        self.random_box.toggled.connect(self._on_random)
        self.dice.clicked.connect(self.randomize)
        self.reset()

    def _on_spin(self, value: int) -> None:
        if value >= 0:
            self._fixed = value
        self.random_box.blockSignals(True)
        self.random_box.setChecked(value < 0)
        self.random_box.blockSignals(False)
        self.changed.emit()

    def _on_random(self, checked: bool) -> None:
        self.spin.setValue(-1 if checked else self._fixed)

    def randomize(self) -> None:
        self.spin.setValue(random.randint(0, self.spin.maximum()))  # noqa: S311

    def is_random(self) -> bool:
        return self.spin.value() < 0

    def value(self) -> int | None:
        if self.is_random():
            return None if self.spec.default is None else -1
        return self.spin.value()

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.spin.setValue(-1)
            return True
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        if not -1 <= value <= self.spin.maximum():
            return False
        self.spin.setValue(max(-1, value))
        return True

    def focus_target(self) -> QWidget:
        return self.spin


class SizeField(Field):
    """SIZE ("W*H"): width × height within the schema's limits, presets and a ratio lock."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.low = spec.size_min or 64
        self.high = spec.size_max or max(self.low, 8192)
        self.width_spin, self.height_spin = SpinBox(), SpinBox()
        for spin, name, tip in (
            (self.width_spin, self.tr("Width"), self.tr("Width in pixels, {low}–{high}")),
            (self.height_spin, self.tr("Height"), self.tr("Height in pixels, {low}–{high}")),
        ):
            spin.setRange(self.low, self.high)
            spin.setSingleStep(64)
            spin.setAccelerated(True)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setToolTip(tip.format(low=self.low, high=self.high))
            spin.setAccessibleName(name)
            spin.setMinimumWidth(84)
        times = muted(QLabel("×"), smaller=False)
        unit = muted(QLabel("px"), smaller=False)
        self.lock = QCheckBox(self.tr("Keep ratio"))
        self.lock.setToolTip(self.tr("Change the other side too, keeping the shape"))
        self.presets: dict[str, QPushButton] = {}
        preset_buttons = []
        shown = {"Square": self.tr("Square"), "Landscape": self.tr("Landscape"),
                 "Portrait": self.tr("Portrait")}  # fmt: skip
        for name, (w, h) in self._preset_sizes().items():
            button = QPushButton(shown[name])
            button.setAutoDefault(False)
            button.setIcon(ratio_icon(w, h, self.palette()))
            button.setToolTip(f"{w} × {h} px")
            button.setProperty("flat_preset", True)
            button.clicked.connect(lambda _c=False, w=w, h=h: self.set_size(w, h))
            self.presets[name] = button
            preset_buttons.append(button)
        layout = _column(self)
        layout.addLayout(_row(self.width_spin, times, self.height_spin, unit, spacing=6))
        presets = _row(*preset_buttons, spacing=6, stretch=False)
        presets.addSpacing(6)
        presets.addWidget(self.lock)
        presets.addStretch(1)
        layout.addLayout(presets)
        self._touched = spec.default is not None
        self._adjusting = False
        self._ratio = 1.0
        self.width_spin.valueChanged.connect(lambda v: self._on_side(v, True))
        self.height_spin.valueChanged.connect(lambda v: self._on_side(v, False))
        self.reset()

    def _preset_sizes(self) -> dict[str, tuple[int, int]]:
        parsed = parse_size(self.spec.default) if isinstance(self.spec.default, str) else None
        base = max(parsed) if parsed else 1024
        base = max(self.low, min(self.high, base))
        short = max(self.low, min(self.high, int(base * 9 / 16) // 8 * 8))
        return {"Square": (base, base), "Landscape": (base, short), "Portrait": (short, base)}

    def _on_side(self, value: int, is_width: bool) -> None:
        if self.lock.isChecked() and not self._adjusting and self._ratio > 0:
            other = round(value / self._ratio) if is_width else round(value * self._ratio)
            self._adjusting = True
            (self.height_spin if is_width else self.width_spin).setValue(other)
            self._adjusting = False
        elif not self._adjusting:
            self._ratio = self.width_spin.value() / self.height_spin.value()
        self._touched = True
        self.changed.emit()

    def set_size(self, width: int, height: int) -> None:
        self._adjusting = True
        self.width_spin.setValue(width)
        self.height_spin.setValue(height)
        self._adjusting = False
        self._ratio = self.width_spin.value() / self.height_spin.value()
        self._touched = True
        self.changed.emit()

    def value(self) -> str | None:
        if not self._touched:
            return None
        return f"{self.width_spin.value()}*{self.height_spin.value()}"

    def set_value(self, value: Any) -> bool:
        if value is None:
            self._touched = False
            return self.spec.default is None
        size = parse_size(value) if isinstance(value, str) else None
        if size is None or not all(self.low <= side <= self.high for side in size):
            return False
        self.set_size(*size)
        return True

    def reset(self) -> None:
        if not self.set_value(self.spec.default):
            square = self._preset_sizes()["Square"]
            self.set_size(*square)
            self._touched = self.spec.default is not None

    def focus_target(self) -> QWidget:
        return self.width_spin


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


def local_path_of(value: str) -> str | None:
    """The path behind a file:// URL (None for web links and data URIs)."""
    if not value.lower().startswith("file:"):
        return None
    url = QUrl(value)
    return url.toLocalFile() if url.isLocalFile() else None


def file_url(path: str) -> str:
    return QUrl.fromLocalFile(path).toString()


def _as_local_path(text: str) -> str | None:
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
    title = _title(spec)
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
            name = os.path.basename(path)
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
            self.detail_label.setStyleSheet(f"color: {error_color(self.palette())};")
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
        self.link.setClearButtonEnabled(True)
        self.add_button: QPushButton | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        top = _row(self.caption, self.choose_button)
        top.insertStretch(0, 0)
        layout.addLayout(top)
        if multiple:
            self.add_button = QPushButton(self.tr("Add link"))
            self.add_button.setAutoDefault(False)
            self.add_button.setEnabled(False)
            self.link.textChanged.connect(lambda t: self._enable_add(bool(t.strip())))
            self.link.returnPressed.connect(self._add_link)
            self.add_button.clicked.connect(self._add_link)
            layout.addLayout(_row(self.link, self.add_button, stretch=False))
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


def _tab_before(anchor: QWidget, widgets: Sequence[QWidget]) -> None:
    """Put widgets made after the form was built where Tab expects them: before `anchor`.

    (Qt appends new widgets to the end of the window's focus chain.)
    """
    previous: QWidget | None = anchor.previousInFocusChain()
    while (
        previous is not None
        and previous is not anchor
        and not previous.focusPolicy() & Qt.FocusPolicy.TabFocus
    ):
        previous = previous.previousInFocusChain()  # setTabOrder ignores unfocusable widgets
    if previous is None:
        return
    for widget in widgets:
        if previous is not widget:
            QWidget.setTabOrder(previous, widget)
        previous = widget


def _dropped(event: QDropEvent | QDragEnterEvent) -> tuple[list[str], list[str]]:
    """(local files, web links) carried by a drag."""
    files: list[str] = []
    links: list[str] = []
    mime = event.mimeData()
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile() and os.path.isfile(url.toLocalFile()):
            files.append(url.toLocalFile())
        elif url.scheme() in ("http", "https"):
            links.append(url.toString())
    if not files and not links and mime.hasText():
        text = mime.text().strip()
        if (path := _as_local_path(text)) is not None:
            files.append(path)
        elif text.lower().startswith(("http://", "https://")):
            links.append(text)
    return files, links


class _MediaBase(Field):
    """Shared by one-file and many-file inputs: dropping, choosing, pasting."""

    multiple = False

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.setAcceptDrops(True)
        self.drop_box = DropBox(spec, self.multiple)
        self.drop_box.choose_requested.connect(self.choose_files)
        self.note = muted(QLabel())
        self.note.setWordWrap(True)
        self.note.hide()

    def choose_files(self) -> None:
        a_one, _one, many = kind_words(media_kind_of(self.spec))
        title = self.tr("Choose {what}").format(what=many if self.multiple else a_one)
        if self.multiple:
            paths, _filter = QFileDialog.getOpenFileNames(self, title, "", name_filter(self.spec))
        else:
            path, _filter = QFileDialog.getOpenFileName(self, title, "", name_filter(self.spec))
            paths = [path] if path else []
        if paths:
            self.add_files(paths)

    def add_files(self, paths: Sequence[str]) -> None:
        raise NotImplementedError

    def add_links(self, links: Sequence[str]) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        files, links = _dropped(event)
        if (files or links) and self.isEnabled():
            event.acceptProposedAction()
            self.drop_box.set_dragging(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_box.set_dragging(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_box.set_dragging(False)
        files, links = _dropped(event)
        if not files and not links:
            event.ignore()
            return
        event.acceptProposedAction()
        if files:
            self.add_files(files)
        else:
            self.add_links(links)

    def problem(self) -> str | None:
        value = self.value()
        items = value if isinstance(value, list) else [value] if value else []
        for position, item in enumerate(items):
            issue = media_problem(self.spec, item)
            if issue:
                if len(items) == 1:
                    return issue
                return self.tr("{problem} (item {number})").format(
                    problem=issue, number=position + 1
                )
        return super().problem()


class MediaField(_MediaBase):
    """MEDIA: one file (sent as a file:// URL for the worker to upload) or one web link."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self._file: str | None = None  # a file:// URL or a data: URI shown as a chip
        self.chip_holder = QVBoxLayout()
        self.chip_holder.setContentsMargins(0, 0, 0, 0)
        self.chip: MediaChip | None = None
        self.drop_box.link.textChanged.connect(lambda _t: self.changed.emit())
        self.drop_box.link.editingFinished.connect(self._link_finished)
        layout = _column(self)
        layout.addLayout(self.chip_holder)
        layout.addWidget(self.drop_box)

    def _link_finished(self) -> None:
        path = _as_local_path(self.drop_box.link.text())
        if path is not None:  # a pasted path or file URL is a file, not a link
            self.add_files([path])

    def add_files(self, paths: Sequence[str]) -> None:
        self._show_file(file_url(paths[0]))

    def add_links(self, links: Sequence[str]) -> None:
        self._show_file(None)
        self.drop_box.link.setText(links[0])

    def _show_file(self, value: str | None) -> None:
        had_focus = self.focusWidget() is not None and self.isAncestorOf(self.focusWidget())
        if self.chip is not None:
            self.chip.hide()
            self.chip.deleteLater()
            self.chip = None
        self._file = value
        if value is not None:
            self.chip = MediaChip(value, self.spec, side=56)
            self.chip.remove_requested.connect(self.clear)
            self.chip_holder.addWidget(self.chip)
            _tab_before(self.drop_box.choose_button, [self.chip.remove_button])
            self.drop_box.link.blockSignals(True)
            self.drop_box.link.clear()
            self.drop_box.link.blockSignals(False)
        self.drop_box.setVisible(value is None)
        if had_focus:
            self.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def clear(self) -> None:
        self.drop_box.link.blockSignals(True)
        self.drop_box.link.clear()
        self.drop_box.link.blockSignals(False)
        self._show_file(None)

    def value(self) -> str | None:
        if self._file is not None:
            return self._file
        return self.drop_box.link.text().strip() or None

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.clear()
            return True
        if not isinstance(value, str):
            return False
        if local_path_of(value) is not None or value.lower().startswith("data:"):
            self._show_file(value)
        else:
            self.add_links([value])
        return True

    def focus_target(self) -> QWidget:
        if self.chip is not None:
            return self.chip.remove_button
        return self.drop_box.choose_button


class MediaListField(_MediaBase):
    """MEDIA_LIST: several files or links, within `minItems`…`maxItems`."""

    multiple = True

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self._items: list[str] = []
        self.chips: list[MediaChip] = []
        self.chip_box = QVBoxLayout()
        self.chip_box.setContentsMargins(0, 0, 0, 0)
        self.chip_box.setSpacing(6)
        self.drop_box.link_entered.connect(lambda link: self.add_links([link]))
        layout = _column(self)
        layout.addLayout(self.chip_box)
        layout.addWidget(self.drop_box)
        layout.addWidget(self.note)
        self._rebuild()

    @property
    def limit(self) -> int | None:
        return self.spec.max_items

    def add_files(self, paths: Sequence[str]) -> None:
        self._add([file_url(p) for p in paths])

    def add_links(self, links: Sequence[str]) -> None:
        self._add([link.strip() for link in links if link.strip()])

    def _add(self, values: list[str]) -> None:
        room = len(values) if self.limit is None else max(0, self.limit - len(self._items))
        taken, left_out = values[:room], len(values) - room
        self._items.extend(taken)
        self._rebuild()
        if left_out > 0:
            many = kind_words(media_kind_of(self.spec))[2]
            self.note.setText(
                self.tr("Only {limit} {many} fit; {left_out} left out.").format(
                    limit=self.limit, many=many, left_out=left_out
                )
            )
            self.note.show()
        if taken:
            self.changed.emit()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self._items):
            del self._items[index]
            self._rebuild()
            if self.chips:
                self.chips[min(index, len(self.chips) - 1)].remove_button.setFocus()
            else:
                self.drop_box.choose_button.setFocus()
            self.changed.emit()

    def _rebuild(self) -> None:
        for chip in self.chips:
            chip.hide()
            chip.deleteLater()
        self.chips = []
        for index, value in enumerate(self._items):
            chip = MediaChip(value, self.spec)
            chip.remove_requested.connect(lambda i=index: self.remove(i))
            self.chip_box.addWidget(chip)
            self.chips.append(chip)
        _tab_before(self.drop_box.choose_button, [c.remove_button for c in self.chips])
        self.note.hide()
        full = self.limit is not None and len(self._items) >= self.limit
        _a_one, one, many = kind_words(media_kind_of(self.spec))
        count = len(self._items)
        if full:
            caption = self.tr("That's the most this model takes ({limit} {many}).").format(
                limit=self.limit, many=many
            )
        elif count and self.limit is not None:
            caption = self.tr("{count} of {limit} {many} · add more:").format(
                count=count, limit=self.limit, many=many
            )
        elif count:
            caption = self.tr("{count} {what} · add more:").format(
                count=count, what=one if count == 1 else many
            )
        else:
            caption = self.tr("Drop {what} here, or").format(what=many)
        self.drop_box.caption.setText(caption)
        self.drop_box.choose_button.setVisible(not full)
        self.drop_box.link.setEnabled(not full)

    def value(self) -> list[str] | None:
        return list(self._items) or None

    def set_value(self, value: Any) -> bool:
        if value is None:
            self._items = []
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            self._items = list(value)
        else:
            return False
        self._rebuild()
        self.changed.emit()
        return True

    def problem(self) -> str | None:
        count = len(self._items)
        _a_one, one, many = kind_words(media_kind_of(self.spec))
        low, high = self.spec.min_items, self.spec.max_items
        if (self.spec.required or count) and low is not None and count < low:
            if low == 1:
                return self.tr("Add at least one {one}.").format(one=one)
            return self.tr("Add at least {low} {many}.").format(low=low, many=many)
        if high is not None and count > high:
            return self.tr("{title}: at most {high} {many}, please (there are {count}).").format(
                title=_title(self.spec), high=high, many=many, count=count
            )
        if self.spec.required and not count:
            return self.tr("Add at least one {one}.").format(one=one)
        return super().problem()

    def focus_target(self) -> QWidget:
        if self.drop_box.choose_button.isVisible() or not self.chips:
            return self.drop_box.choose_button
        return self.chips[0].remove_button
