"""The spend ledger as a table: one row per day, model and profile.

Cells show text; `SpendRole.SORT` gives the raw value (a date ordinal, text, a count or an
amount) so a proxy sorts days and money as numbers. An amount that includes estimates is
marked with "≈" and says so in its tooltip.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from get3w_desktop.core.money import SpendRow, format_money

_Index = QModelIndex | QPersistentModelIndex


class SpendColumn(enum.IntEnum):
    DAY = 0
    MODEL = 1
    PROFILE = 2
    TASKS = 3
    AMOUNT = 4


HEADERS = {
    SpendColumn.DAY: "Day",
    SpendColumn.MODEL: "Model",
    SpendColumn.PROFILE: "Profile",
    SpendColumn.TASKS: "Tasks",
    SpendColumn.AMOUNT: "Spent",
}


class SpendRole(enum.IntEnum):
    SORT = Qt.ItemDataRole.UserRole + 1
    ROW = Qt.ItemDataRole.UserRole + 2  # the SpendRow itself
    ESTIMATED = Qt.ItemDataRole.UserRole + 3


def day_text(row: SpendRow) -> str:
    return row.day.strftime("%a %d %b %Y")


class SpendTableModel(QAbstractTableModel):
    def __init__(
        self,
        rows: Sequence[SpendRow] = (),
        model_name: Callable[[str], str | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`model_name` turns a model id into what people call it (None: show the id)."""
        super().__init__(parent)
        self._rows = list(rows)
        self._name: Callable[[str], str | None] = model_name or (lambda model_id: model_id)

    def set_rows(self, rows: Sequence[SpendRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> SpendRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SpendColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(SpendColumn):
            return None
        column = SpendColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(SpendColumn):
            return None
        row, column = self._rows[index.row()], SpendColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SpendRole.SORT:
            return _sort_value(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is SpendColumn.MODEL:
                return row.model_id
            if column is SpendColumn.AMOUNT and row.estimated:
                return "Includes estimates: the service did not report what some tasks cost."
            return None
        if role == SpendRole.ROW:
            return row
        if role == SpendRole.ESTIMATED:
            return row.estimated
        return None

    def _text(self, row: SpendRow, column: SpendColumn) -> str:
        if column is SpendColumn.DAY:
            return day_text(row)
        if column is SpendColumn.MODEL:
            return self._name(row.model_id) or row.model_id
        if column is SpendColumn.PROFILE:
            return row.profile
        if column is SpendColumn.TASKS:
            return f"{row.tasks:,}"
        amount = format_money(row.amount)
        return f"≈ {amount}" if row.estimated else amount


def _sort_value(row: SpendRow, column: SpendColumn) -> Any:
    if column is SpendColumn.DAY:
        return row.day.toordinal()
    if column is SpendColumn.MODEL:
        return row.model_id
    if column is SpendColumn.PROFILE:
        return row.profile
    if column is SpendColumn.TASKS:
        return row.tasks
    return row.amount


def _alignment(column: SpendColumn) -> int:
    horizontal = (
        Qt.AlignmentFlag.AlignRight
        if column in (SpendColumn.TASKS, SpendColumn.AMOUNT)
        else Qt.AlignmentFlag.AlignLeft
    )
    return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
