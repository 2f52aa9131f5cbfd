"""The sandbox's fake account kept across restarts: balances and the bill.

A real Get3W account does not forget what was spent when the app restarts, so the app's
sandbox does not either: otherwise the balance jumps back to $100 and the bill check
finds every earlier task "in the history, but not on the bill". Tasks themselves are not
kept (a new sandbox knows none of the old ones, as the app expects); only money is.

Keys are stored as a short hash, never as written: nothing key-like lands in a file.
Times are wall-clock epoch seconds, so they survive the sandbox clock starting over.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from get3w_desktop.core.files import write_atomically

log = logging.getLogger(__name__)

VERSION = 1


def key_tag(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class SavedLine:
    key_tag: str
    kind: str  # "deduct" or "refund"
    task_id: str
    model_id: str
    amount: float
    when: float  # wall-clock epoch seconds


@dataclasses.dataclass(frozen=True)
class SavedAccount:
    balances: Mapping[str, float]  # by key tag
    bill: tuple[SavedLine, ...]


EMPTY = SavedAccount({}, ())


def load_account(path: Path) -> SavedAccount:
    """What an earlier sandbox left; an empty account when there is none or it is damaged
    (a damaged file is set aside, never silently overwritten)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("version") != VERSION:
            raise ValueError("not a sandbox account file")
        balances = {str(k): float(v) for k, v in dict(raw["balances"]).items()}
        bill = tuple(
            SavedLine(
                str(b["key"]),
                str(b["kind"]),
                str(b["task_id"]),
                str(b["model_id"]),
                float(b["amount"]),
                float(b["when"]),
            )
            for b in raw["bill"]
        )
    except FileNotFoundError:
        return EMPTY
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("sandbox account %s unreadable (%s); starting a new one", path, exc)
        with contextlib.suppress(OSError):
            path.replace(path.with_name(path.name + ".damaged"))
        return EMPTY
    return SavedAccount(balances, bill)


def save_account(path: Path, account: SavedAccount) -> None:
    """Write atomically; a failure is logged (the sandbox goes on, as a bank would)."""
    data: dict[str, Any] = {
        "version": VERSION,
        "balances": dict(account.balances),
        "bill": [
            {
                "key": b.key_tag,
                "kind": b.kind,
                "task_id": b.task_id,
                "model_id": b.model_id,
                "amount": b.amount,
                "when": b.when,
            }
            for b in account.bill
        ],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except OSError as exc:
        log.warning("sandbox account %s not saved: %s", path, exc)
