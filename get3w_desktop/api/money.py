"""Server JSON about money -> core types: quotes, bill lines, usage.

The pricing, billing and usage routes are documented only as WaveSpeed hints, so every
parser accepts the shapes seen in the wild (`unit_price` or `price`, a `refund` type or a
negative amount, a task id flat or inside `prediction`) and ignores unknown fields. A value
of the wrong shape for a field that matters is a `BadResponseError`; a bill line that
cannot be read is skipped and counted, so a reconciliation can say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from get3w_desktop.core.errors import BadResponseError
from get3w_desktop.core.money import CURRENCY, Billing, Quote, Usage, UsageLine, money_round

_PRICE_KEYS = ("discounted_price", "unit_price", "price", "amount", "cost")
_AMOUNT_KEYS = ("amount", "price", "cost", "value")
_REFUND = {"refund", "refunded", "credit", "reversal", "return"}
_CHARGE = {"deduct", "deduction", "charge", "charged", "debit", "consume", "usage", "payment"}
_LIST_KEYS = ("items", "list", "records", "billings", "data", "results")
#: Epoch numbers above this are milliseconds.
_MS_THRESHOLD = 1e11


def number(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _currency(data: Mapping[str, Any]) -> str:
    currency = _text(data.get("currency"))
    return currency.upper() if currency.isalpha() and len(currency) <= 8 else CURRENCY


def parse_time(value: Any) -> float | None:
    """Epoch seconds from ISO 8601 (a naive time is UTC) or an epoch number (s or ms)."""
    seconds = number(value)
    if seconds is not None:
        return seconds / 1000 if abs(seconds) > _MS_THRESHOLD else seconds
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def parse_quote(data: Any) -> Quote:
    """`/api/v3/model/pricing` data: `{unit_price, currency, discounted_price?}`.

    The discounted price, when given, is what the account pays.
    """
    if isinstance(data, int | float | str) and not isinstance(data, bool):
        data = {"unit_price": data}
    if not isinstance(data, Mapping):
        raise BadResponseError("The price answer is not an object.", detail=repr(data)[:200])
    for key in _PRICE_KEYS:
        if key not in data or data[key] is None:
            continue
        amount = number(data[key])
        if amount is None or amount < 0:
            raise BadResponseError(
                "The server sent a price that is not a number.", detail=f"{key}={data[key]!r}"[:200]
            )
        return Quote(money_round(amount), _currency(data), estimated=False)
    raise BadResponseError("The price answer has no price.", detail=", ".join(map(str, data))[:200])


@dataclasses.dataclass(frozen=True)
class BillingPage:
    items: tuple[Billing, ...]
    total: int | None  # the server's count of all lines, when it says
    skipped: int  # lines that could not be read


def _nested(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    inner = data.get(key)
    return inner if isinstance(inner, Mapping) else {}


def parse_billing(data: Any) -> Billing | None:
    """One bill line, or None when it has no readable amount."""
    if not isinstance(data, Mapping):
        return None
    amount: float | None = None
    for key in _AMOUNT_KEYS:
        amount = number(data.get(key))
        if amount is not None:
            break
    if amount is None:
        return None
    kind_raw = ""
    for key in ("billing_type", "type", "kind"):
        kind_raw = _text(data.get(key)).lower()
        if kind_raw:
            break
    if kind_raw in _REFUND:
        kind, amount = "refund", -abs(amount)
    elif kind_raw in _CHARGE:
        kind, amount = "charge", abs(amount)
    else:
        kind = kind_raw or ("refund" if amount < 0 else "charge")
    prediction = _nested(data, "prediction") or _nested(data, "task")
    task_id = (
        _text(data.get("task_id"))
        or _text(data.get("prediction_id"))
        or _text(data.get("prediction_uuid"))
        or _text(prediction.get("id"))
        or _text(prediction.get("uuid"))
    )
    model_id = (
        _text(data.get("model_id"))
        or _text(data.get("model"))
        or _text(prediction.get("model_id"))
        or _text(prediction.get("model_uuid"))
        or _text(prediction.get("model"))
    )
    when = None
    for key in ("created_at", "time", "timestamp", "billed_at"):
        when = parse_time(data.get(key))
        if when is not None:
            break
    return Billing(
        amount=money_round(amount),
        task_id=task_id or None,
        model_id=model_id,
        when=when,
        kind=kind,
        billing_id=_text(data.get("id")) or _text(data.get("uuid")),
        currency=_currency(data),
    )


def parse_billings(data: Any) -> BillingPage:
    """`/api/v3/billings` data: a list of lines, or `{items: [...], total}`."""
    total: int | None = None
    raw = data
    if isinstance(data, Mapping):
        count = number(data.get("total"))
        total = int(count) if count is not None and count >= 0 else None
        raw = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if raw is None:
            raise BadResponseError(
                "The billing answer has no list of charges.", detail=", ".join(map(str, data))[:200]
            )
    if not isinstance(raw, list):
        raise BadResponseError("The billing answer is not a list.", detail=repr(data)[:200])
    items: list[Billing] = []
    skipped = 0
    for entry in raw:
        line = parse_billing(entry)
        if line is None:
            skipped += 1
        else:
            items.append(line)
    return BillingPage(tuple(items), total, skipped)


def parse_usage(data: Any) -> Usage:
    """`/api/v3/usage` data: `{total_tasks, total_cost, period, breakdown: [...]}`."""
    if not isinstance(data, Mapping):
        raise BadResponseError("The usage answer is not an object.", detail=repr(data)[:200])
    lines: list[UsageLine] = []
    breakdown = data.get("breakdown")
    entries = (
        [{"model_id": k, **v} if isinstance(v, Mapping) else {"model_id": k, "cost": v}
         for k, v in breakdown.items()]
        if isinstance(breakdown, Mapping)
        else breakdown if isinstance(breakdown, list) else []
    )  # fmt: skip
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        model_id = _text(entry.get("model_id")) or _text(entry.get("model"))
        cost = number(entry.get("cost", entry.get("amount")))
        tasks = number(entry.get("tasks", entry.get("count")))
        if model_id and cost is not None:
            lines.append(UsageLine(model_id, int(tasks or 0), money_round(cost)))
    total_cost = number(data.get("total_cost"))
    if total_cost is None:
        total_cost = sum(line.cost for line in lines)
    total_tasks = number(data.get("total_tasks"))
    return Usage(
        total_tasks=int(total_tasks) if total_tasks is not None and total_tasks >= 0 else 0,
        total_cost=money_round(total_cost),
        period=_text(data.get("period")),
        breakdown=tuple(lines),
    )
