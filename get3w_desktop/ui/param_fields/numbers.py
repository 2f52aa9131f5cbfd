"""Numbers, check boxes, seeds and sizes."""

from __future__ import annotations

import math
import random
from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamSpec, parse_size
from get3w_desktop.ui.param_fields.common import (
    EXACT_LIMIT,
    INT_LIMIT,
    SEED_MAX,
    DoubleSpinBox,
    Field,
    Slider,
    SpinBox,
    column_layout,
    field_title,
    muted,
    ratio_icon,
    row_layout,
)
from get3w_desktop.ui.texts import catalogue_text

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
        # Past 32 bits a QSpinBox overflows: a double spin box with no decimals holds
        # every integer up to 2**53 exactly.
        wide = integer and (low - step < -INT_LIMIT - 1 or high > INT_LIMIT)
        low, high = max(low, -EXACT_LIMIT), min(high, EXACT_LIMIT)
        self._integer = integer
        if integer and not wide:
            spin = SpinBox()
            spin.setRange(int(low - step if self._auto else low), int(high))
            spin.setSingleStep(int(step))
            spin.valueChanged.connect(self._on_spin)
            self.spin = spin
        else:
            dspin = DoubleSpinBox()
            dspin.setDecimals(0 if integer else _decimals(spec))
            dspin.setRange(low - step if self._auto else low, high)
            dspin.setSingleStep(step)
            dspin.valueChanged.connect(self._on_spin)
            self.spin = dspin
        if self._auto:
            self.spin.setSpecialValueText(self.tr("Auto"))
            spin_box = self.spin
            assert isinstance(spin_box, SpinBox | DoubleSpinBox)
            spin_box.clamp_floor = float(low)  # below the range is "Auto", not a limit
        assert isinstance(self.spin, SpinBox | DoubleSpinBox)
        self.watch_clamps(self.spin)
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
            self.slider.actionTriggered.connect(self.clear_notice)  # moved by the person
            self.slider.setToolTip(catalogue_text(spec.description))
            self.spin.setFixedWidth(max(92, self.spin.sizeHint().width()))
            self.setLayout(row_layout(self.slider, self.spin, spacing=12, stretch=False))
        else:
            self.spin.setFixedWidth(max(120, self.spin.sizeHint().width()))
            self.setLayout(row_layout(self.spin))
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
        if self._integer:
            return round(number)
        assert isinstance(self.spin, QDoubleSpinBox)
        return round(float(number), self.spin.decimals())

    def _set(self, number: float) -> None:
        if isinstance(self.spin, QSpinBox):
            self.spin.setValue(round(number))
        elif self._integer:
            self.spin.setValue(float(round(number)))
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
        if self._integer and not float(value).is_integer():
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
                title=field_title(self.spec), low=low_text, high=high_text
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.slider if self.slider is not None else self.spin


class BoolField(Field):
    """BOOLEAN: a check box that carries its own title."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.box = QCheckBox(field_title(spec))
        self.box.setToolTip(catalogue_text(spec.description))
        self._touched = spec.default is not None
        self.box.toggled.connect(self._on_toggled)
        self.setLayout(row_layout(self.box))
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
        high = max(0, min(high, EXACT_LIMIT))
        self.spin: QSpinBox | QDoubleSpinBox
        if high > INT_LIMIT:  # past 32 bits (wavespeed-ai/framepack): no decimals, exact
            self.spin = DoubleSpinBox()
            self.spin.setDecimals(0)
        else:
            self.spin = SpinBox()
        self.spin.setRange(-1, high)
        self.spin.clamp_floor = 0.0  # -1 is "Random", not the lowest seed
        self.watch_clamps(self.spin)
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
        self.setLayout(row_layout(self.spin, self.random_box, self.dice))
        self.spin.valueChanged.connect(self._on_spin)
        self.random_box.toggled.connect(self._on_random)
        self.dice.clicked.connect(self.randomize)
        self.reset()

    def _on_spin(self, value: float) -> None:
        if value >= 0:
            self._fixed = round(value)
        self.random_box.blockSignals(True)
        self.random_box.setChecked(value < 0)
        self.random_box.blockSignals(False)
        self.changed.emit()

    def _on_random(self, checked: bool) -> None:
        self.spin.setValue(-1 if checked else self._fixed)

    def randomize(self) -> None:
        self.spin.setValue(random.randint(0, round(self.spin.maximum())))  # noqa: S311

    def is_random(self) -> bool:
        return self.spin.value() < 0

    def value(self) -> int | None:
        if self.is_random():
            return None if self.spec.default is None else -1
        return round(self.spin.value())

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
            self.watch_clamps(spin)
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
        layout = column_layout(self)
        # Sides and the lock on one line, the presets under them: in one line the presets
        # and the lock were wider than the form at the window's smaller widths (cut off).
        sides = row_layout(self.width_spin, times, self.height_spin, unit, spacing=6,
                           stretch=False)  # fmt: skip
        sides.addSpacing(6)
        sides.addWidget(self.lock)
        sides.addStretch(1)
        layout.addLayout(sides)
        layout.addLayout(row_layout(*preset_buttons, spacing=6))
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
