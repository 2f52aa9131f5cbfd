"""The Spending window: totals, the ledger, the balance, and the bill check."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import Billing
from get3w_desktop.core.task import Task
from get3w_desktop.itemmodels.spend_model import SpendColumn
from get3w_desktop.ui.spend_dialog import ESTIMATE_NOTE, SpendDialog

CATALOGUE = load_bundled()
IMAGE = "google/nano-banana-pro/text-to-image"
VEO = "google/veo3.1-fast/text-to-video"
TODAY = dt.date(2026, 3, 28)
NOON = dt.datetime.combine(TODAY, dt.time(12)).timestamp()
DAY = 86400.0


def job(
    remote: str, model_id: str, cost: float | None, when: float, profile: str = "default"
) -> Job:
    extra = {} if cost is None else {"cost": cost}
    task = Task(id=remote, status="completed", model=model_id, extra=extra)
    return Job(model_id=model_id, params={"prompt": "x"}, profile=profile,
               state=JobState.COMPLETED, task=task, submitted_at=when, created_at=when)  # fmt: skip


JOBS = [
    job("a", IMAGE, 0.14, NOON),
    job("b", IMAGE, 0.28, NOON + 60),
    job("c", VEO, 1.2, NOON, "team"),
    job("d", VEO, 0.6, NOON - 3 * DAY),
    job("e", IMAGE, 0.14, NOON - 40 * DAY),  # last month
]


def make(qtbot: QtBot, **kwargs: object) -> SpendDialog:
    kwargs.setdefault("catalogue", CATALOGUE)
    kwargs.setdefault("today", TODAY)
    dialog = SpendDialog(JOBS if "jobs" not in kwargs else kwargs.pop("jobs"), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_totals_ledger_and_balance(qtbot: QtBot) -> None:
    dialog = make(qtbot, balance=42.5)
    assert dialog.today_tile.value.text() == "$1.62"
    assert dialog.today_tile.detail.text() == "3 tasks"
    assert (
        dialog.month_tile.value.text() == "$2.22"
        and "March 2026" in dialog.month_tile.caption.text()
    )
    assert dialog.balance_tile.value.text() == "$42.50"
    table = dialog.findChild(QTableView)
    assert table is not None and table.model().rowCount() == 4
    first_day = table.model().index(0, SpendColumn.DAY).data()
    assert first_day == "Sat 28 Mar 2026"  # newest first
    assert dialog.estimate_note.isHidden()
    assert "does not publish a billing history" in dialog.check_label.text()
    assert dialog.differences.isHidden()


def test_estimates_are_marked(qtbot: QtBot) -> None:
    dialog = make(qtbot, jobs=[job("a", IMAGE, None, NOON)])
    assert dialog.estimate_note.isVisible() and dialog.estimate_note.text() == ESTIMATE_NOTE
    assert "includes estimates" in dialog.today_tile.detail.text()
    assert dialog.balance_tile.value.text() == "—"


def test_a_matching_bill_is_confirmed(qtbot: QtBot) -> None:
    bill = [Billing(0.14, "a"), Billing(0.28, "b"), Billing(0.6, "d")]
    dialog = make(qtbot, billings=bill, billing_profile="default", billing_since=NOON - 10 * DAY)
    assert dialog.reconciliation is not None and dialog.reconciliation.ok
    assert dialog.check_label.text().startswith("✓ All 3 tasks match")
    assert dialog.differences.isHidden()


def test_differences_are_listed_one_per_row(qtbot: QtBot) -> None:
    bill = [Billing(0.14, "a"), Billing(0.30, "b"), Billing(0.5, "zzz", IMAGE)]
    dialog = make(qtbot, billings=bill, billing_profile="default", billing_since=NOON - DAY)
    assert dialog.reconciliation is not None and not dialog.reconciliation.ok
    assert dialog.check_label.text().startswith("⚠ 1 task match; 2 differences")
    assert dialog.differences.isVisible() and dialog.differences.rowCount() == 2

    def cell(row: int, column: int) -> str:
        item = dialog.differences.item(row, column)
        assert item is not None
        return item.text()

    rows = {cell(r, 0): [cell(r, c) for c in range(1, 4)] for r in range(2)}
    assert rows["b"][:2] == ["$0.28", "$0.30"] and "more than recorded" in rows["b"][2]
    assert rows["zzz"][0] == "—" and "not in this computer" in rows["zzz"][2]


def test_nothing_spent_says_so(qtbot: QtBot) -> None:
    dialog = make(qtbot, jobs=[], billings=[])
    assert dialog.ledger_stack.currentWidget() is dialog.empty_label
    assert (
        dialog.today_tile.value.text() == "$0.00" and dialog.today_tile.detail.text() == "no tasks"
    )
    assert "Nothing to check yet" in dialog.check_label.text()
