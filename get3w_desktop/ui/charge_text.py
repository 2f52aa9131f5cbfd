"""Charged, refunded or free: the words a finished task's row and details show."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from get3w_desktop.core.job import Job
from get3w_desktop.core.money import ChargeKind, charge_kind, format_money, reported_cost


def charge_text(job: Job) -> str:
    """ "Charged $0.14", "Refunded", "Free", "Not charged"; "" while the task is going."""
    kind = charge_kind(job)
    if kind is None:
        return ""
    if kind is ChargeKind.CHARGED:
        cost = reported_cost(job)
        if cost is None:
            return QCoreApplication.translate("ChargeText", "Charged")
        return QCoreApplication.translate("ChargeText", "Charged {amount}").format(
            amount=format_money(cost)
        )
    if kind is ChargeKind.REFUNDED:
        return QCoreApplication.translate("ChargeText", "Refunded")
    if kind is ChargeKind.FREE:
        return QCoreApplication.translate("ChargeText", "Free")
    if kind is ChargeKind.NOT_SENT:
        return QCoreApplication.translate("ChargeText", "Not charged")
    return QCoreApplication.translate("ChargeText", "May be charged")
