"""Asking once before an expensive run: the model, how many tasks, the price of each and
the total, with Send and Cancel (Cancel is the default; Esc and closing cancel too)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from get3w_desktop.core.money import Quote, format_money
from get3w_desktop.ui.texts import quote_text


class RunConfirmation(QMessageBox):
    """The question, not yet shown (`confirm_run` shows it)."""

    def __init__(
        self,
        parent: QWidget | None,
        model_name: str,
        count: int,
        unit: Quote | None,
        threshold: float,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("runConfirmation")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Send this run?"))
        if unit is None:
            self.setText(self.tr("The price of this run is not known."))
            unit_line, total_line = self.tr("Each task: not known"), self.tr("Total: not known")
        else:
            total = quote_text(unit.times(count))
            self.setText(
                self.tr("This run costs {total}, more than {threshold}.").format(
                    total=total, threshold=format_money(threshold)
                )
            )
            unit_line = self.tr("Each task: {price}").format(price=quote_text(unit))
            total_line = self.tr("Total: {total}").format(total=total)
        lines = [
            self.tr("Model: {model}").format(model=model_name),
            self.tr("Tasks: {count}").format(count=count),
            unit_line,
            total_line,
        ]
        if unit is not None and unit.estimated:
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
    parent: QWidget | None, model_name: str, count: int, unit: Quote | None, threshold: float
) -> bool:
    """Ask; True only when the person pressed Send."""
    box = RunConfirmation(parent, model_name, count, unit, threshold)
    box.exec()
    sent = box.clickedButton() is box.send_button
    box.deleteLater()
    return sent
