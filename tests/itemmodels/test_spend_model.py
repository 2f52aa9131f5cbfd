"""The spend table model: shape, text, sort values, estimates, resets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from pytestqt.modeltest import ModelTester

from get3w_desktop.core.money import SpendRow
from get3w_desktop.itemmodels.spend_model import SpendColumn, SpendRole, SpendTableModel

ROWS = [
    SpendRow(dt.date(2026, 3, 28), "google/nano-banana-pro/text-to-image", "default", 2, 0.42,
             False),
    SpendRow(dt.date(2026, 3, 28), "wavespeed-ai/flux-dev", "team", 1, 0.012, True),
    SpendRow(dt.date(2026, 3, 9), "google/veo3.1-fast/text-to-video", "default", 11, 13.2, False),
]  # fmt: skip


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = SpendTableModel()
    qtmodeltester.check(model)
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (3, 5)
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no children


def test_cells_show_text_and_sort_by_value() -> None:
    model = SpendTableModel(ROWS, {"wavespeed-ai/flux-dev": "FLUX.1 [dev]"}.get)
    text = [[model.index(r, c).data() for c in range(5)] for r in range(3)]
    assert text[0] == ["Sat 28 Mar 2026", ROWS[0].model_id, "default", "2", "$0.42"]  # no name
    assert text[1][1] == "FLUX.1 [dev]" and text[1][4] == "≈ $0.012"
    assert text[2][3] == "11" and text[2][4] == "$13.20"
    amount = model.index(1, SpendColumn.AMOUNT)
    assert "estimates" in amount.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, SpendColumn.AMOUNT).data(Qt.ItemDataRole.ToolTipRole) is None
    assert amount.data(SpendRole.ESTIMATED) is True and amount.data(SpendRole.ROW) == ROWS[1]
    assert model.headerData(SpendColumn.AMOUNT, Qt.Orientation.Horizontal) == "Spent"
    align = Qt.AlignmentFlag(model.index(0, SpendColumn.TASKS).data(
        Qt.ItemDataRole.TextAlignmentRole))  # fmt: skip
    assert align & Qt.AlignmentFlag.AlignRight
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SpendRole.SORT)
    proxy.sort(SpendColumn.AMOUNT, Qt.SortOrder.DescendingOrder)
    amounts = [proxy.index(r, SpendColumn.AMOUNT).data() for r in range(3)]
    assert amounts == ["$13.20", "$0.42", "≈ $0.012"]  # as numbers, not as text
    proxy.sort(SpendColumn.DAY, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, SpendColumn.DAY).data() == "Mon 09 Mar 2026"


def test_out_of_range_asks_answer_nothing() -> None:
    model = SpendTableModel(ROWS)
    assert model.data(QModelIndex()) is None
    assert model.row_at(3) is None and model.row_at(0) == ROWS[0]
    assert model.headerData(9, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
