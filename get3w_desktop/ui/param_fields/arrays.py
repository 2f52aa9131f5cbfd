"""Arrays of objects (`speakers`, `transitions`, `multi_prompt`, …) as rows of small forms.

Each row is built from the item schema (`ParamSpec.items`): one field per item property,
with buttons to move the row up or down and to remove it; Add appends a row until
`maxItems`. Keys of a loaded value that the item schema does not know are kept and sent
back unchanged, so loading a past task's parameters loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamKind, ParamSpec
from get3w_desktop.ui.param_fields.common import (
    Field,
    column_layout,
    field_title,
    muted,
    row_layout,
    set_tone,
)
from get3w_desktop.ui.texts import catalogue_text

Path = tuple[str | int, ...]


class LineField(Field):
    """A one-line text input: the short strings inside a row (a speaker, a LoRA path)."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(catalogue_text(spec.placeholder or ""))
        self.edit.setAccessibleName(field_title(spec))
        if spec.max_length:
            self.edit.setMaxLength(spec.max_length)
        self.edit.textChanged.connect(lambda _t: self.changed.emit())
        column_layout(self).addWidget(self.edit)

    def value(self) -> str | None:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> bool:
        if value is not None and not isinstance(value, str):
            return False
        self.edit.setText(value or "")
        return True

    def focus_target(self) -> QWidget:
        return self.edit


def item_field(spec: ParamSpec) -> Field:
    """The input for one property of a row: short text gets one line, the rest as usual."""
    from get3w_desktop.ui.param_fields.factory import make_field  # the factory imports us

    if spec.kind is ParamKind.TEXT:
        return LineField(spec)
    return make_field(spec)


class ItemRow(QFrame):
    """One element of the array: its fields in a grid, and move/remove buttons.

    Signals:
        changed(): a value in the row changed.
        move_requested(int): -1 up, +1 down.
        remove_requested(): the person clicked Remove.
    """

    changed = Signal()
    move_requested = Signal(int)
    remove_requested = Signal()

    def __init__(self, specs: Sequence[ParamSpec], owner_title: str) -> None:
        super().__init__()
        self.setObjectName("itemRow")
        self.setStyleSheet(
            "QFrame#itemRow { border: 1px solid palette(midlight); border-radius: 8px;"
            " background: palette(base); }"
        )
        self.extra: dict[str, Any] = {}
        self.fields: list[Field] = []
        self.errors: dict[str, QLabel] = {}
        self.number = muted(QLabel())
        self.up_button = self._tool("↑", self.tr("Move up"), lambda: self.move_requested.emit(-1))
        self.down_button = self._tool(
            "↓", self.tr("Move down"), lambda: self.move_requested.emit(1)
        )
        self.remove_button = self._tool("✕", self.tr("Remove"), self.remove_requested.emit)
        self._owner_title = owner_title
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(2)
        top.addWidget(self.number, 1)
        for button in (self.up_button, self.down_button, self.remove_button):
            top.addWidget(button)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        for spec in specs:
            field = item_field(spec)
            field.changed.connect(self.changed)
            field.setToolTip(catalogue_text(spec.description))
            at = grid.rowCount()
            if not field.has_own_label():
                marker = " *" if spec.required else ""
                label = QLabel(field_title(spec) + marker)
                label.setBuddy(field.focus_target())
                label.setToolTip(catalogue_text(spec.description))
                grid.addWidget(label, at, 0, Qt.AlignmentFlag.AlignTop)
                field.focus_target().setAccessibleName(field_title(spec))
            grid.addWidget(field, at, 1)
            error = QLabel()
            error.setWordWrap(True)
            set_tone(error, "error")
            error.hide()
            grid.addWidget(error, at + 1, 1)
            self.errors[spec.name] = error
            self.fields.append(field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 10)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(grid)

    def _tool(self, text: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def set_position(self, index: int, count: int) -> None:
        self.number.setText(self.tr("Item {number}").format(number=index + 1))
        where = self.tr("{title}, item {number}").format(title=self._owner_title, number=index + 1)
        for button, what in (
            (self.up_button, self.tr("Move up")),
            (self.down_button, self.tr("Move down")),
            (self.remove_button, self.tr("Remove")),
        ):
            button.setAccessibleName(f"{what}: {where}")
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(index < count - 1)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.spec.name == name), None)

    def value(self) -> dict[str, Any]:
        out = dict(self.extra)
        for field in self.fields:
            try:
                value = field.value()
            except Exception:  # a field bug must not cost the person their row
                value = None
            if value is not None:
                out[field.spec.name] = value
            else:
                out.pop(field.spec.name, None)
        return out

    def set_value(self, value: Mapping[str, Any]) -> bool:
        fits = True
        for field in self.fields:
            if field.spec.name in value:
                fits = field.set_value(value[field.spec.name]) and fits
            else:
                field.reset()
        known = {f.spec.name for f in self.fields}
        self.extra = {str(k): v for k, v in value.items() if k not in known}
        return fits

    def problems(self) -> list[tuple[str, str]]:
        """(property name, sentence) for every field of this row with something wrong."""
        found = []
        for field in self.fields:
            problem = field.problem()
            if problem is None and field.spec.required and field.value() is None:
                problem = self.tr("{title} is required.").format(title=field_title(field.spec))
            if problem is None and (value := field.value()) is not None:
                problem = field.spec.check(value)
            if problem:
                found.append((field.spec.name, problem))
        return found

    def show_problem(self, name: str, problem: str | None) -> bool:
        label = self.errors.get(name)
        if label is None:
            return False
        label.setText(f"⚠ {problem}" if problem else "")
        label.setVisible(bool(problem))
        return True


class ObjectListField(Field):
    """OBJECT_LIST: rows built from the item schema, within `minItems`…`maxItems`."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.rows: list[ItemRow] = []
        self.row_box = QVBoxLayout()
        self.row_box.setContentsMargins(0, 0, 0, 0)
        self.row_box.setSpacing(6)
        self.add_button = QPushButton(self.add_text())
        self.add_button.setAutoDefault(False)
        self.add_button.setAccessibleName(self.tr("Add to {title}").format(title=field_title(spec)))
        self.add_button.clicked.connect(lambda _c=False: self.add_row())
        self.count_label = muted(QLabel())
        self.empty_label = muted(QLabel(self.tr("None yet.")), smaller=False)
        self.footer = row_layout(self.add_button, self.count_label)
        self.layout_ = column_layout(self)
        self.layout_.addWidget(self.empty_label)
        self.layout_.addLayout(self.row_box)
        self.layout_.addLayout(self.footer)
        self._update()
        self.reset()

    def add_text(self) -> str:
        return self.tr("Add")

    @property
    def limit(self) -> int | None:
        return self.spec.max_items

    def is_full(self) -> bool:
        return self.limit is not None and len(self.rows) >= self.limit

    def add_row(self, value: Mapping[str, Any] | None = None, *, focus: bool = True) -> bool:
        """Append a row (filled with `value`, else the item defaults); False when full."""
        if self.is_full():
            return False
        row = self._make_row()
        fits = row.set_value(value or {})
        self.rows.append(row)
        self.row_box.addWidget(row)
        self._update()
        if focus and row.fields:
            row.fields[0].focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()
        return fits

    def _make_row(self) -> ItemRow:
        row = ItemRow(self.spec.items, field_title(self.spec))
        row.changed.connect(self.changed)
        row.move_requested.connect(lambda step, row=row: self.move_row(row, step))
        row.remove_requested.connect(lambda row=row: self.remove_row(row))
        return row

    def move_row(self, row: ItemRow, step: int) -> None:
        at = self.rows.index(row)
        to = at + step
        if not 0 <= to < len(self.rows):
            return
        self.rows.insert(to, self.rows.pop(at))
        self.row_box.removeWidget(row)
        self.row_box.insertWidget(to, row)
        self._update()
        (row.up_button if step < 0 and to > 0 else row.down_button
         if to < len(self.rows) - 1 else row.up_button).setFocus()  # fmt: skip
        self.changed.emit()

    def remove_row(self, row: ItemRow) -> None:
        at = self.rows.index(row)
        self.rows.pop(at)
        row.hide()
        row.deleteLater()
        self._update()
        if self.rows:
            self.rows[min(at, len(self.rows) - 1)].remove_button.setFocus()
        else:
            self.add_button.setFocus()
        self.changed.emit()

    def _clear(self) -> None:
        for row in self.rows:
            row.hide()
            row.deleteLater()
        self.rows = []

    def _update(self) -> None:
        count = len(self.rows)
        for index, row in enumerate(self.rows):
            row.set_position(index, count)
        self.empty_label.setVisible(count == 0)
        full = self.is_full()
        self.add_button.setEnabled(not full)
        if self.limit is not None:
            self.count_label.setText(
                self.tr("{count} of at most {limit}").format(count=count, limit=self.limit)
            )
        self.count_label.setVisible(self.limit is not None)

    def value(self) -> list[dict[str, Any]] | None:
        if not self.rows:
            # Empty on purpose: say so when the server would otherwise use its default.
            return [] if isinstance(self.spec.default, list) else None
        return [row.value() for row in self.rows]

    def set_value(self, value: Any) -> bool:
        if value is None:
            self._clear()
            self._update()
            self.changed.emit()
            return True
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            return False
        if self.limit is not None and len(value) > self.limit:
            return False
        before = self.value()
        self._clear()
        fits = True
        for item in value:  # every row, even after one that does not fit
            fits = self.add_row(item, focus=False) and fits
        if not fits:  # put back what was there
            self._clear()
            for item in before or []:
                self.add_row(item, focus=False)
        self._update()
        return fits

    def item_problems(self) -> list[tuple[Path, str]]:
        """((row index, property), sentence) for every problem inside the rows."""
        return [((i, name), problem) for i, row in enumerate(self.rows)
                for name, problem in row.problems()]  # fmt: skip

    def problem(self) -> str | None:
        own = self.own_problem()
        if own:
            return own
        inner = self.item_problems()
        if inner:
            (index, _name), problem = inner[0]
            number = index + 1 if isinstance(index, int) else index
            return self.tr("Item {number}: {problem}").format(number=number, problem=problem)
        return None

    def own_problem(self) -> str | None:
        """What is wrong with the list itself (how many rows), not inside a row."""
        count = len(self.rows)
        title = field_title(self.spec)
        low, high = self.spec.min_items, self.spec.max_items
        if (self.spec.required or count) and low is not None and count < low:
            return self.tr("{title}: add at least {low}.").format(title=title, low=low)
        if high is not None and count > high:
            return self.tr("{title}: at most {high}, please.").format(title=title, high=high)
        return super().problem()

    def show_item_problem(self, path: Path, problem: str | None) -> bool:
        """Put `problem` under the row field `path` = (index, property); False if none."""
        if len(path) < 2 or not isinstance(path[0], int) or not 0 <= path[0] < len(self.rows):
            return False
        return self.rows[path[0]].show_problem(str(path[1]), problem)

    def clear_item_problems(self) -> None:
        for row in self.rows:
            for name in row.errors:
                row.show_problem(name, None)

    def focus_target(self) -> QWidget:
        if self.rows and self.rows[0].fields:
            return self.rows[0].fields[0].focus_target()
        return self.add_button
