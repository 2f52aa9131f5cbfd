"""What money needs, kept in the history: the price each task was sent at and what it cost.

One row per task in table `spend` (migration 3). Rows outlive the task's own row: removing
a task from the list, or deleting its files, never lowers "spent today" or moves the daily
cap, and a restart finds the same figures.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable

from get3w_desktop.core.money import CURRENCY, Charge, Quote

COLUMNS = (
    "local_id", "profile", "model_id", "remote_id", "at", "quote", "quote_estimated", "amount",
    "estimated", "currency",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SpendRecord:
    """One task's money: the unit price when it was sent, and its cost once it may be
    charged (`amount` None: nothing can have been charged yet)."""

    local_id: str
    profile: str
    model_id: str
    when: float  # epoch seconds: when it was sent (or created, before that)
    remote_id: str | None = None
    quote: Quote | None = None
    amount: float | None = None
    estimated: bool = True  # the server did not say what it charged
    currency: str = CURRENCY

    def charge(self) -> Charge | None:
        if self.amount is None:
            return None
        return Charge(self.local_id, self.remote_id, self.model_id, self.profile, self.when,
                      self.amount, self.estimated)  # fmt: skip


def create_table(conn: sqlite3.Connection) -> None:
    """Migration 3's body (see history_schema.py)."""
    conn.execute(
        """CREATE TABLE spend (
            local_id        TEXT PRIMARY KEY NOT NULL,
            profile         TEXT NOT NULL,
            model_id        TEXT NOT NULL,
            remote_id       TEXT,
            at              REAL NOT NULL,
            quote           REAL,
            quote_estimated INTEGER NOT NULL DEFAULT 0,
            amount          REAL,
            estimated       INTEGER NOT NULL DEFAULT 1,
            currency        TEXT NOT NULL DEFAULT 'USD'
        )"""
    )
    conn.execute("CREATE INDEX spend_at ON spend(at)")


def save(conn: sqlite3.Connection, records: Iterable[SpendRecord]) -> None:
    rows = [_row(record) for record in records]
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "local_id")
    conn.executemany(
        f"INSERT INTO spend ({', '.join(COLUMNS)}) "  # noqa: S608 - fixed column names
        f"VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT(local_id) DO UPDATE SET {updates}",
        rows,
    )


def select_sql(since: float | None) -> tuple[str, list[float]]:
    sql = f"SELECT {', '.join(COLUMNS)} FROM spend"  # noqa: S608 - fixed column names
    if since is None:
        return sql + " ORDER BY at", []
    return sql + " WHERE at >= ? ORDER BY at", [since]


def from_row(row: tuple[object, ...]) -> SpendRecord:
    local_id, profile, model_id, remote_id, at, quote, quote_est, amount, est, currency = row
    currency = str(currency or CURRENCY)
    return SpendRecord(
        local_id=str(local_id), profile=str(profile), model_id=str(model_id),
        when=float(at),  # type: ignore[arg-type]
        remote_id=None if remote_id is None else str(remote_id),
        quote=None if quote is None else Quote(float(quote), currency, bool(quote_est)),  # type: ignore[arg-type]
        amount=None if amount is None else float(amount),  # type: ignore[arg-type]
        estimated=bool(est), currency=currency,
    )  # fmt: skip


def _row(record: SpendRecord) -> tuple[object, ...]:
    quote = record.quote
    return (
        record.local_id, record.profile, record.model_id, record.remote_id, record.when,
        quote.amount if quote else None, int(quote.estimated) if quote else 0, record.amount,
        int(record.estimated), record.currency,
    )  # fmt: skip
