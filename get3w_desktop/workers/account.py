"""Account calls the window asks for now and then: the month's bill, and cancelling tasks
on the server. Both run off the GUI thread on their own single-thread pool.

Signals:
    SpendingGatherer.gathered(Bill): the bill and balance (or why they could not be read:
        `problem` in English, `problem_message` coded for the window).
    RemoteCanceller.done(str local_id, bool cancelled, Message | None problem): one task's
        answer; `problem` is NO_ROUTE when the service offers no way to cancel, None when
        cancelled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.messages import Message
from get3w_desktop.core.money import Billing, Priced
from get3w_desktop.workers.base import PoolOwner

NO_ROUTE = messages.text("no route")


class AccountClient(Protocol):
    def billings(self, since: dt.datetime) -> list[Billing] | None: ...

    def balance(self) -> float | None: ...

    def delete(self, task_id: str) -> bool: ...


@dataclasses.dataclass(frozen=True)
class Bill:
    profile: str
    since: dt.datetime
    billings: list[Billing] | None
    balance: float | None
    problem: str = ""
    problem_message: Message | None = None  # `problem`, coded (None when there is none)
    priced: Priced | None = None  # this computer's record, priced with the bill (if asked)


class _GatherSignals(QObject):
    gathered = Signal(object)


class SpendingGatherer(PoolOwner):
    gathered = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._signals = _GatherSignals(self)
        self._signals.gathered.connect(self.gathered)

    def gather(
        self,
        client: AccountClient,
        since: dt.datetime,
        profile: str,
        price: Callable[[], Priced] | None = None,
    ) -> bool:
        """Read the bill since `since` and the balance, and run `price` (pricing the
        history, seconds of Python at 100,000 tasks) on the same worker; `gathered`
        follows (False: closed)."""
        signals = self._signals

        def work() -> None:
            billings: list[Billing] | None = None
            balance: float | None = None
            said: Message | None = None
            try:
                billings = client.billings(since)
                balance = client.balance()
            except Get3WError as exc:
                said = worker_messages.bill_unreadable(messages.for_error(exc))
            problem = said.fallback if said is not None else ""
            priced = price() if price is not None else None
            signals.gathered.emit(Bill(profile, since, billings, balance, problem, said, priced))

        def crashed(_exc: Exception) -> None:
            said = worker_messages.BILL_CRASHED
            signals.gathered.emit(Bill(profile, since, None, None, said.fallback, said))

        return self.run_work(work, crashed=crashed)


class _CancelSignals(QObject):
    done = Signal(str, bool, object)  # (local id, cancelled, core.messages.Message | None)


class RemoteCanceller(PoolOwner):
    done = Signal(str, bool, object)  # (local id, cancelled, core.messages.Message | None)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._signals = _CancelSignals(self)
        self._signals.done.connect(self.done)

    def cancel(self, client: AccountClient, pairs: Sequence[tuple[str, str]]) -> bool:
        """Ask the server to stop each (local id, remote id); one `done` per pair."""
        pairs, signals = list(pairs), self._signals
        answered: set[str] = set()

        def work() -> None:
            for local_id, remote_id in pairs:
                try:
                    offered = client.delete(remote_id)
                except Get3WError as exc:
                    signals.done.emit(local_id, False, messages.for_error(exc))
                else:
                    signals.done.emit(local_id, offered, None if offered else NO_ROUTE)
                answered.add(local_id)

        def crashed(_exc: Exception) -> None:
            for local_id, _remote in pairs:
                if local_id not in answered:
                    signals.done.emit(local_id, False, worker_messages.CANCEL_CRASHED)

        return self.run_work(work, crashed=crashed)
