"""Choices: joined buttons for a few options, a drop-down list otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QIcon,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QLabel,
    QPushButton,
    QWidget,
)

from get3w_desktop.core.catalogue import CHANNELS, ParamKind, ParamSpec
from get3w_desktop.ui.param_fields.common import (
    Combo,
    Field,
    channel_help,
    column_layout,
    field_title,
    muted,
    option_label,
    ratio_icon,
    ratio_of,
    row_layout,
)
from get3w_desktop.ui.style import OWN_FOCUS_PROPERTY

# -- choices ----------------------------------------------------------------------------------

SEARCHABLE = 24  # more options than this: the drop-down list takes typing to filter


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
        layout = row_layout(spacing=0, stretch=False)
        self.setLayout(layout)
        for i, label in enumerate(labels):
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setProperty("segment", self._position(i, len(labels)))
            button.setProperty(OWN_FOCUS_PROPERTY, True)  # its sheet draws a focus border
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
        layout = column_layout(self, 4)
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
            if len(labels) > SEARCHABLE:
                self._make_searchable(self.combo)
            self.combo.currentIndexChanged.connect(self._changed)
            layout.addLayout(row_layout(self.combo))
        self.explain: QLabel | None = None
        if spec.name == "channel":
            self.explain = muted(QLabel())
            self.explain.setWordWrap(True)
            layout.addWidget(self.explain)
        self._touched = spec.default is not None
        self.reset()

    def _make_searchable(self, combo: QComboBox) -> None:
        """Long lists (150+ effects, voices, languages): type any part of a name to find it."""
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(24)
        completer = QCompleter(combo.model(), combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated.connect(self._on_completed)
        combo.setCompleter(completer)
        line = combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(self.tr("Type to search {count} options").format(
            count=len(self.options)))  # fmt: skip
        line.setAccessibleName(field_title(self.spec))

    def _on_completed(self, text: str) -> None:
        if self.combo is not None and (index := self.combo.findText(text)) >= 0:
            self.combo.setCurrentIndex(index)

    def problem(self) -> str | None:
        combo = self.combo
        if combo is not None and combo.isEditable() and combo.currentIndex() >= 0:
            typed = combo.currentText().strip()
            if typed != combo.itemText(combo.currentIndex()):
                text = self.tr("{title}: “{typed}” is not one of the options; pick one.")
                return text.format(title=field_title(self.spec), typed=typed)
        return super().problem()

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
