"""Asking once before an expensive run: the model(s), how many tasks, the price of each and
the total, with Send and Cancel (Cancel is the default; Esc and closing cancel too).

Generate and Batch ask through the generate panel; Compare and Re-run through
`ask_to_send`, with every task of the run in one question.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

from get3w_desktop.core.money import Quote, format_money, money_round
from get3w_desktop.storage.settings import MAX_CAP
from get3w_desktop.ui.texts import quote_text


class RunConfirmation(QMessageBox):
    """The question, not yet shown (`confirm_run` shows it).

    `unit` is the price of each task when they all cost the same (else None); `total`, when
    given, is the sum of the priced tasks and `unpriced` how many have no price.
    """

    def __init__(
        self,
        parent: QWidget | None,
        model_name: str,
        count: int,
        unit: Quote | None,
        threshold: float,
        *,
        total: Quote | None = None,
        unpriced: int = 0,
        models: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runConfirmation")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Send this run?"))
        if total is None and unit is not None and not unpriced:
            total = unit.times(count)
        lines = [
            self.tr("Models: {models}").format(models=", ".join(models))
            if len(models) > 1
            else self.tr("Model: {model}").format(model=model_name),
            self.tr("Tasks: {count}").format(count=count),
        ]
        if total is None:
            self.setText(self.tr("The price of this run is not known."))
            lines += [self.tr("Each task: not known"), self.tr("Total: not known")]
        else:
            shown = quote_text(total)
            if unpriced:
                self.setText(
                    self.tr(
                        "{n} of these tasks have no known price; the others cost {total}."
                    ).format(n=unpriced, total=shown)
                )
            else:
                self.setText(
                    self.tr("This run costs {total}, more than {threshold}.").format(
                        total=shown, threshold=format_money(threshold)
                    )
                )
            if unit is not None:
                lines.append(self.tr("Each task: {price}").format(price=quote_text(unit)))
            lines.append(
                self.tr("Total: {total} (without the tasks of unknown price)").format(total=shown)
                if unpriced
                else self.tr("Total: {total}").format(total=shown)
            )
        if (unit is not None and unit.estimated) or (total is not None and total.estimated):
            lines.append(self.tr("An estimate from the model list: the service has not quoted it."))
        lines.append(self.tr("You can change when this is asked in Settings › Spending."))
        self.setInformativeText("\n".join(lines))
        self.send_button = self.addButton(self.tr("Send"), QMessageBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("send")
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancel"))
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.setAccessibleName(self.windowTitle())
        self.setAccessibleDescription(self.text() + "\n" + self.informativeText())


def confirm_run(
    parent: QWidget | None,
    model_name: str,
    count: int,
    unit: Quote | None,
    threshold: float,
    *,
    total: Quote | None = None,
    unpriced: int = 0,
    models: Sequence[str] = (),
) -> bool:
    """Ask; True only when the person pressed Send."""
    box = RunConfirmation(parent, model_name, count, unit, threshold, total=total,
                          unpriced=unpriced, models=models)  # fmt: skip
    box.exec()
    sent = box.clickedButton() is box.send_button
    box.deleteLater()
    return sent


def ask_to_send(
    parent: QWidget | None,
    models: Sequence[str],
    units: Sequence[Quote | None],
    threshold: float | None,
) -> bool:
    """May a run of tasks priced `units` (one per task, None: not known) go?

    True without a question when there is no threshold or the run's total is at or below
    it; a run with a task of unknown price asks (it may cost anything); else the person
    answers, once for the whole run.
    """
    if threshold is None or not units:
        return True
    known = [unit for unit in units if unit is not None]
    unpriced = len(units) - len(known)
    total = (
        Quote(
            money_round(sum(u.amount for u in known)),
            known[0].currency,
            estimated=any(u.estimated for u in known),
        )
        if known
        else None
    )
    if not unpriced and total is not None and total.amount <= threshold + 1e-9:
        return True
    names = list(dict.fromkeys(models))
    same = units[0] if all(unit == units[0] for unit in units) else None
    return confirm_run(parent, ", ".join(names), len(units), same, min(threshold, MAX_CAP),
                       total=total, unpriced=unpriced, models=names)  # fmt: skip
