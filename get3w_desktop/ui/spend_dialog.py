"""The Spending window: today's and this month's spend, a ledger per day, model and
profile, the account balance, and the history checked against the service's bill.

Everything is computed from what the caller hands in (jobs from the history, bill lines
and the balance fetched off the GUI thread), so the window itself never waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.job import Job
from get3w_desktop.core.money import (
    Billing,
    Charge,
    Priced,
    Quote,
    Reconciliation,
    day_bounds,
    format_money,
    month_bounds,
    price_history,
    reconcile,
    spent_in_month,
    spent_on,
)
from get3w_desktop.itemmodels.spend_model import SpendColumn, SpendRole, SpendTableModel
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.style import muted, set_tone
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

#: Rows the ledger's columns are sized from (Qt's default reads up to 1,000 rows, each a
#: Python `data` call per column: ~1 s for a 100,000-task history's 700 rows).
SIZE_FROM_ROWS = 100

ESTIMATE_NOTE = QT_TRANSLATE_NOOP(
    "SpendDialog",
    "≈ marks amounts that include estimates: the service did not report those costs.",
)


class _Tile(QFrame):
    """A caption over a large figure."""

    def __init__(self, caption: str, value: str, detail: str = "") -> None:
        super().__init__()
        self.setObjectName("spendTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.caption = muted(QLabel(caption))
        self.value = QLabel(value)
        self.value.setAccessibleName(caption)
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = muted(QLabel(detail or " "))  # every tile keeps the same height
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)


class SpendDialog(QDialog):
    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        catalogue: Catalogue | None = None,
        billings: Sequence[Billing] | None = None,
        billing_profile: str | None = None,
        billing_since: float | None = None,
        balance: float | None = None,
        quotes: Mapping[str, Quote] | None = None,
        today: dt.date | None = None,
        priced: Priced | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`billings` is None when the service offers no bill; its lines belong to
        `billing_profile` and start at `billing_since` (epoch seconds), and only the
        history of that profile and period is checked against them."""
        super().__init__(parent)
        install_close_keys(self, escape=False)  # Ctrl+W cancels, like Esc
        self.setWindowTitle(self.tr("Spending"))
        self.setMinimumSize(640, 520)
        self.resize(780, 600)
        today = today or dt.date.today()
        # `priced`: `jobs` already priced off the GUI thread (seconds at 100,000 tasks)
        priced = priced or price_history(jobs, catalogue, quotes)
        self.charges: list[Charge] = priced.charges
        self.reconciliation: Reconciliation | None = None
        if billings is not None:
            mine = [
                c
                for c in self.charges
                if (billing_profile is None or c.profile == billing_profile)
                and (billing_since is None or c.when >= billing_since)
            ]
            self.reconciliation = reconcile(mine, billings)

        self.today_total = spent_on(self.charges, today)
        self.month_total = spent_in_month(self.charges, today)
        day_start, day_end = day_bounds(today)
        month_start, month_end = month_bounds(today)
        todays = [c for c in self.charges if day_start <= c.when < day_end]
        months = [c for c in self.charges if month_start <= c.when < month_end]
        self.today_tile = _Tile(
            self.tr("Today"), format_money(self.today_total, cents=True), _tasks_note(todays)
        )
        self.month_tile = _Tile(
            today.strftime("%B %Y"), format_money(self.month_total, cents=True), _tasks_note(months)
        )
        self.balance_tile = _Tile(
            self.tr("Balance"),
            format_money(balance, cents=True) if balance is not None else "—",
            self.tr("left in the account")
            if balance is not None
            else self.tr("not reported by this service"),
        )
        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        for tile in (self.today_tile, self.month_tile, self.balance_tile):
            tiles.addWidget(tile)

        names = {m.model_id: m.name for m in catalogue} if catalogue is not None else {}
        self.model = SpendTableModel(priced.rows, names.get, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SpendRole.SORT)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Spending by day, model and profile"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SpendColumn.DAY, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(SIZE_FROM_ROWS)  # not every row of a long ledger
        header.setSectionResizeMode(SpendColumn.MODEL, QHeaderView.ResizeMode.Stretch)
        self.empty_label = muted(
            QLabel(self.tr("Nothing spent yet: runs you send will be listed here."))
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ledger_stack = QStackedWidget()
        self.ledger_stack.addWidget(self.table)
        self.ledger_stack.addWidget(self.empty_label)
        self.ledger_stack.setCurrentWidget(self.empty_label if not self.charges else self.table)
        ledger_box = QGroupBox(self.tr("By day, model and profile"))
        ledger_layout = QVBoxLayout(ledger_box)
        ledger_layout.addWidget(self.ledger_stack)
        self.estimate_note = muted(QLabel(self.tr(ESTIMATE_NOTE)))
        self.estimate_note.setWordWrap(True)
        self.estimate_note.setVisible(any(c.estimated for c in self.charges))
        ledger_layout.addWidget(self.estimate_note)

        check_box = QGroupBox(self.tr("Checked against the bill"))
        check_layout = QVBoxLayout(check_box)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        check_layout.addWidget(self.check_label)
        self.differences = QTableWidget(0, 4)
        self.differences.setAccessibleName(self.tr("Differences from the bill"))
        self.differences.setHorizontalHeaderLabels(
            [self.tr("Task"), self.tr("Recorded"), self.tr("Billed"), self.tr("What differs")]
        )
        self.differences.verticalHeader().setVisible(False)
        self.differences.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.differences.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.differences.setShowGrid(False)
        self.differences.setWordWrap(False)
        diff_header = self.differences.horizontalHeader()
        diff_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        diff_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        diff_header.setHighlightSections(False)
        diff_header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.differences.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.differences.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        check_layout.addWidget(self.differences)
        self._show_reconciliation()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(tiles)
        layout.addWidget(ledger_box, 1)
        layout.addWidget(check_box)
        layout.addWidget(buttons)

    def _show_reconciliation(self) -> None:
        result = self.reconciliation
        self.differences.setVisible(bool(result and result.differences))
        if result is None:
            self.check_label.setText(
                self.tr(
                    "This service does not publish a billing history, so the amounts above are "
                    "what this computer recorded."
                )
            )
            set_tone(self.check_label, None)
            return
        mark = "✓" if result.ok else "⚠"
        self.check_label.setText(f"{mark} {result.summary()}")
        set_tone(self.check_label, "good" if result.ok else "error")
        self.differences.setRowCount(len(result.differences))
        for row, diff in enumerate(result.differences):
            cells = (
                diff.task_id[:13] + ("…" if len(diff.task_id) > 13 else ""),
                "—" if diff.ours is None else format_money(diff.ours),
                "—" if diff.billed is None else format_money(diff.billed),
                diff.explanation,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(diff.task_id if column == 0 else text)
                if column in (1, 2):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.differences.setItem(row, column, item)
        self._fit_differences(len(result.differences))

    def _fit_differences(self, rows: int) -> None:
        """As tall as its rows, up to five; the ledger gets the rest of the window."""
        table = self.differences
        shown = max(1, min(rows, 5))
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(shown)) if rows else 0
        table.setFixedHeight(height + 2)


def _tasks_note(charges: Sequence[Charge]) -> str:
    translate = QCoreApplication.translate
    if not charges:
        return translate("SpendDialog", "no tasks")
    count = (
        translate("SpendDialog", "1 task")
        if len(charges) == 1
        else translate("SpendDialog", "{count} tasks").format(count=f"{len(charges):,}")
    )
    if any(c.estimated for c in charges):
        count += translate("SpendDialog", " · includes estimates")
    return count
