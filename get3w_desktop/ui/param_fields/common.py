"""Shared by every field: the `Field` protocol, wheel-safe inputs, labels and colours.

Every field answers three questions for the form: `value()` (the JSON value, or None for
"leave it out"; it never raises), `problem()` (a sentence for people, or None) and
`set_value(v)` (False when `v` does not fit, so loading old parameters can say what it
skipped).
"""

from __future__ import annotations

import math
import re
from typing import Any, cast

from PySide6.QtCore import (
    QCoreApplication,
    QRectF,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamSpec
from get3w_desktop.ui.style import error_color as error_color
from get3w_desktop.ui.style import is_dark as is_dark
from get3w_desktop.ui.style import muted as muted
from get3w_desktop.ui.style import set_tone as set_tone
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP, catalogue_text

INT_LIMIT = 2_147_483_647
#: The largest integer a double (and so a QDoubleSpinBox) holds exactly.
EXACT_LIMIT = 2**53
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


def field_title(spec: ParamSpec) -> str:
    return catalogue_text(spec.title)


_RATIO = re.compile(r"^\s*(\d{1,5})\s*[:*x×]\s*(\d{1,5})\s*$")


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


# Qt refuses the keystroke that leaves a spin box's range ("5000" stops at "500" under a
# maximum of 1536) and quietly puts the old value back for a number below it. The form's
# spin boxes let the number be typed instead; when the person leaves the box (or presses
# Enter) it becomes the nearest limit and `clamped(typed, limit, is_maximum)` is emitted, so
# the form can say so. `edited()` is emitted when the person changes the value again.

_Spin = QSpinBox | QDoubleSpinBox


def _typed(spin: _Spin, text: str) -> str:
    body = text.strip()
    for affix, cut in ((spin.prefix().strip(), str.removeprefix),
                       (spin.suffix().strip(), str.removesuffix)):  # fmt: skip
        body = cut(body, affix).strip() if affix else body
    return body


def clamp_limit(spin: _Spin, text: str, floor: float | None = None) -> float | None:
    """The limit a typed number must become; None when it is within them (or no number).
    `floor`: a lower limit above the box's minimum (when the minimum stands for "Auto")."""
    if text.strip() == spin.specialValueText():
        return None
    locale = spin.locale()
    body = _typed(spin, text).replace(locale.groupSeparator(), "")
    body = body.replace(locale.decimalPoint(), ".")
    try:
        number = float(int(body) if isinstance(spin, QSpinBox) else float(body))
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    if number > spin.maximum():
        return float(spin.maximum())
    low = floor if floor is not None else float(spin.minimum())
    if number < low and not (floor is not None and number == spin.minimum()):
        return low
    return None


def _validate(
    spin: _Spin, result: tuple[QValidator.State, str, int], floor: float | None
) -> tuple[QValidator.State, str, int]:
    state, text, pos = result
    if state is QValidator.State.Invalid and clamp_limit(spin, text, floor) is not None:
        return QValidator.State.Intermediate, text, pos  # let it be typed: fixup clamps it
    return result


def _shown(spin: _Spin, limit: float) -> str:
    if isinstance(spin, QSpinBox):
        return spin.textFromValue(round(limit))
    return spin.textFromValue(limit)


class _Clamping:
    """What SpinBox and DoubleSpinBox share: a number typed past a limit is taken while it
    is typed and brought to the limit on leaving, with `clamped` saying so (see above)."""

    clamp_floor: float | None
    clamped: Any
    edited: Any

    def _watch_typing(self) -> None:
        # A lower limit above the minimum (a minimum that stands for "Auto" or "Random").
        self.clamp_floor = None
        line = cast(_Spin, self).lineEdit()
        assert line is not None
        line.textEdited.connect(self.edited)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        spin = cast(_Spin, self)
        return _validate(spin, super().validate(text, pos), self.clamp_floor)  # type: ignore[misc]

    def fixup(self, text: str) -> str:
        spin = cast(_Spin, self)
        limit = clamp_limit(spin, text, self.clamp_floor)
        if limit is None:
            return str(super().fixup(text))  # type: ignore[misc]
        shown = _shown(spin, limit)
        self.clamped.emit(_typed(spin, text), shown, limit >= spin.maximum())
        return spin.prefix() + shown + spin.suffix()

    def stepBy(self, steps: int) -> None:
        super().stepBy(steps)  # type: ignore[misc]
        self.edited.emit()


class SpinBox(_Clamping, _NoWheel, QSpinBox):
    """Signals: clamped(typed, limit, is_maximum), edited() (see above)."""

    clamped = Signal(str, str, bool)
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._watch_typing()


class DoubleSpinBox(_Clamping, _NoWheel, QDoubleSpinBox):
    """Signals: clamped(typed, limit, is_maximum), edited() (see above)."""

    clamped = Signal(str, str, bool)
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._watch_typing()


class Slider(_NoWheel, QSlider):
    def __init__(self) -> None:
        super().__init__(Qt.Orientation.Horizontal)


def clamp_notice(typed: str, limit: str, is_maximum: bool) -> str:
    """ "The maximum is 1536; 5000 was changed to 1536." in the current language."""
    translate = QCoreApplication.translate
    sentence = (
        translate("ParamFields", "The maximum is {limit}; {typed} was changed to {limit}.")
        if is_maximum
        else translate("ParamFields", "The minimum is {limit}; {typed} was changed to {limit}.")
    )
    return sentence.format(limit=limit, typed=typed)


# -- the field protocol -----------------------------------------------------------------------


class Field(QWidget):
    """One parameter's input.

    Signals:
        changed(): the value may have changed (typing, picking, dropping, clearing).
    """

    changed = Signal()
    notice_changed = Signal(str)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.spec = spec
        self._notice = ""
        self._noticed: QWidget | None = None  # the input the note is about

    def notice(self) -> str:
        """What the field changed of the input, for people ("" when nothing): a number
        brought within its limits. Shown until the person edits the value again."""
        return self._notice

    def set_notice(self, text: str, about: QWidget | None = None) -> None:
        if self._noticed is not None and self._noticed is not self.focus_target():
            self._noticed.setAccessibleDescription("")
        self._noticed = about if text else None
        if about is not None and about is not self.focus_target():
            about.setAccessibleDescription(text)  # the form describes the focus target
        if text != self._notice:
            self._notice = text
            self.notice_changed.emit(text)

    def watch_clamps(self, spin: SpinBox | DoubleSpinBox) -> None:
        """Explain when `spin` brings a typed number within its limits."""
        spin.clamped.connect(
            lambda typed, limit, top: self.set_notice(clamp_notice(typed, limit, top), spin)
        )
        spin.edited.connect(self.clear_notice)

    @Slot()
    def clear_notice(self) -> None:
        self.set_notice("")

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
            return self.tr("{title} is required.").format(title=field_title(self.spec))
        return None

    def has_own_label(self) -> bool:
        """True when the field shows its title itself (a check box)."""
        return False

    def focus_target(self) -> QWidget:
        return self


def row_layout(*widgets: QWidget, spacing: int = 8, stretch: bool = True) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)
    return layout


def column_layout(widget: QWidget, spacing: int = 6) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return layout
