"""Money: prices before a run, what runs cost after, the spend ledger, and spending caps.

Prices follow the shape real generation models use: a model's base price is what its
default parameters cost, and resolution, duration and the number of images scale it.
The same rule prices a run locally (an estimate, when the server has no pricing route)
and in the sandbox (what it charges), so a quote, a charge and a bill can be compared.

Amounts are US dollars rounded to a millionth (the precision the API reports).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, parse_size
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.pacing import paced

CURRENCY = "USD"
#: Amounts closer than this are the same amount (half a millionth of a dollar).
TOLERANCE = 5e-7

#: Relative cost of an output resolution. A model's base price is for its default.
RESOLUTION_FACTORS: dict[str, float] = {
    "480p": 0.5, "720p": 1.0, "1080p": 1.5, "2k": 1.5, "1440p": 2.0, "4k": 3.0,
    "1k": 1.0,
}  # fmt: skip
#: Image tiers ("1k", "2k", "4k") cost less per step than video tiers.
IMAGE_RESOLUTION_FACTORS: dict[str, float] = {"1k": 1.0, "2k": 1.5, "4k": 2.0}


def money_round(amount: float) -> float:
    return round(amount + 0.0, 6)


@dataclasses.dataclass(frozen=True)
class Quote:
    """A price. `estimated` is True when it comes from the catalogue, not the server."""

    amount: float
    currency: str = CURRENCY
    estimated: bool = False

    def times(self, count: int) -> Quote:
        return dataclasses.replace(self, amount=money_round(self.amount * count))

    def text(self) -> str:
        """ "$0.14" or "about $0.14" for an estimate."""
        shown = format_money(self.amount, self.currency)
        return f"about {shown}" if self.estimated else shown


# -- prices ---------------------------------------------------------------------------


def _resolution_factor(model: ModelInfo, value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    if model.output_kind == "image" and key in IMAGE_RESOLUTION_FACTORS:
        return IMAGE_RESOLUTION_FACTORS[key]
    return RESOLUTION_FACTORS.get(key)


def _size_factor(value: Any) -> float | None:
    """A video `size` ("1920*1080") priced by its tier: the shorter side names it."""
    size = parse_size(value) if isinstance(value, str) else None
    if size is None:
        return None
    short = min(size)
    if short >= 2160:
        return RESOLUTION_FACTORS["4k"]
    if short >= 1080:
        return RESOLUTION_FACTORS["1080p"]
    if short >= 720:
        return RESOLUTION_FACTORS["720p"]
    return RESOLUTION_FACTORS["480p"]


def _count(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip().rstrip("s"))
        except ValueError:
            return None
        return number if math.isfinite(number) and number > 0 else None
    return None


def _ratio(chosen: float | None, default: float | None) -> float:
    if chosen is None or default is None or default <= 0:
        return 1.0
    return chosen / default


def price_factor(model: ModelInfo, params: Mapping[str, Any]) -> float:
    """How much `params` cost relative to the model's defaults (1.0 when nothing changes).

    Values a rule cannot read count as the default: submitting them fails anyway.
    """
    factor = 1.0
    for spec in model.params:
        if spec.name not in params:
            continue
        value, default = params[spec.name], spec.default
        if spec.name == "resolution":
            factor *= _ratio(_resolution_factor(model, value), _resolution_factor(model, default))
        elif spec.name == "size" and model.output_kind == "video":
            factor *= _ratio(_size_factor(value), _size_factor(default))
        elif spec.name == "duration":
            factor *= _ratio(_count(value), _count(default))
        elif spec.name == "num_images":
            number = _count(value)
            factor *= _ratio(None if number is None else float(math.floor(number)),
                             _count(default) or 1.0)  # fmt: skip
    return factor


def unit_price(model: ModelInfo, params: Mapping[str, Any]) -> float | None:
    """What one task of `model` with `params` costs, or None when the model has no price."""
    if model.base_price is None:
        return None
    return money_round(max(0.0, model.base_price) * price_factor(model, params))


def estimate_cost(model: ModelInfo, params: Mapping[str, Any]) -> Quote | None:
    """The catalogue's price for one task, marked as an estimate."""
    amount = unit_price(model, params)
    return None if amount is None else Quote(amount, CURRENCY, estimated=True)


def format_money(amount: float, currency: str = CURRENCY, *, cents: bool = False) -> str:
    """ "$0.14", "$0.012", "$1,234.50", "−$0.14": cents unless a price needs more digits;
    `cents` rounds to cents (for totals), showing a tiny non-zero amount as "<$0.01"."""
    if not math.isfinite(amount):
        return "—"
    sign = "−" if amount < -TOLERANCE else ""
    value = abs(amount)
    if value < TOLERANCE:
        value = 0.0
    if cents and 0 < value < 0.005:
        number = "<0.01"
    elif 0 < value < 0.0001:
        number = "<0.0001"
    elif cents or round(value, 2) == round(value, 6):
        number = f"{value:,.2f}"
    else:
        number = f"{value:,.4f}".rstrip("0")
    if currency.upper() == "USD":
        return f"{sign}${number}"
    return f"{sign}{number} {currency.upper()}"


# -- what was charged -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Charge:
    """One task's cost as this computer knows it."""

    local_id: str
    remote_id: str | None
    model_id: str
    profile: str
    when: float  # epoch seconds: when it was sent
    amount: float
    estimated: bool  # True when the server did not say what it charged


def reported_cost(job: Job) -> float | None:
    """What the server said the task cost (a `cost` field on the task), if it did."""
    if job.task is None:
        return None
    for key in ("cost", "price", "amount"):
        value = job.task.extra.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
            return money_round(float(value))
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                continue
            if math.isfinite(number) and number >= 0:
                return money_round(number)
    return None


def _may_be_charged(job: Job) -> bool:
    """Whether the server may have charged for this job at all."""
    if job.remote_id is not None:
        return True
    return job.state is JobState.UNCERTAIN  # the answer was lost: it may exist and be charged


def job_charge(
    job: Job,
    catalogue: Catalogue | None = None,
    quotes: Mapping[str, Quote] | None = None,
) -> Charge | None:
    """The charge of one job: the server's `cost`, else the quote recorded at submit,
    else the catalogue price (both estimates). None when nothing was sent."""
    if not _may_be_charged(job):
        return None
    amount = reported_cost(job)
    estimated = amount is None
    task = job.task
    if amount is None and task is not None and task.terminal and 5000 <= task.code < 6000:
        amount = 0.0  # platform failures are refunded (API.md section 4)
    if amount is None and quotes is not None and job.local_id in quotes:
        amount = quotes[job.local_id].amount
    if amount is None and catalogue is not None:
        model = catalogue.get(job.model_id)
        if model is not None:
            amount = unit_price(model, job.params)
    if amount is None:
        return None
    return Charge(
        local_id=job.local_id,
        remote_id=job.remote_id,
        model_id=job.model_id,
        profile=job.profile,
        when=job.submitted_at or job.created_at,
        amount=amount,
        estimated=estimated,
    )


class ChargeKind(enum.Enum):
    """What a finished task cost, in words a person reads on its row."""

    CHARGED = "charged"  # the server took the price (kept even if the task was cancelled here)
    REFUNDED = "refunded"  # a platform failure (5xxx): Get3W gives the money back
    FREE = "free"  # the server reported a cost of zero
    NOT_SENT = "not_sent"  # it never reached the server: nothing to pay
    MAYBE = "maybe"  # the submit's answer was lost: it may exist and be charged


def charge_kind(job: Job) -> ChargeKind | None:
    """Charged, refunded or free for a finished job; None while it is still going."""
    if job.state.active:
        return None
    if job.state is JobState.UNCERTAIN:
        return ChargeKind.MAYBE
    if not _may_be_charged(job):
        return ChargeKind.NOT_SENT
    task = job.task
    if task is not None and task.terminal and 5000 <= task.code < 6000:
        return ChargeKind.REFUNDED
    if reported_cost(job) == 0:
        return ChargeKind.FREE
    return ChargeKind.CHARGED


def charges_of(
    jobs: Iterable[Job],
    catalogue: Catalogue | None = None,
    quotes: Mapping[str, Quote] | None = None,
) -> list[Charge]:
    found = (job_charge(job, catalogue, quotes) for job in jobs)
    return [c for c in found if c is not None]


# -- the ledger -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SpendRow:
    """Spend for one day, model and profile."""

    day: dt.date
    model_id: str
    profile: str
    tasks: int
    amount: float
    estimated: bool  # some of it is an estimate


def local_day(when: float, tz: dt.tzinfo | None = None) -> dt.date:
    return dt.datetime.fromtimestamp(when, tz).date()


def ledger(charges: Iterable[Charge], tz: dt.tzinfo | None = None) -> list[SpendRow]:
    """Spend per (day, model, profile), newest day first, then by model and profile."""
    rows: dict[tuple[dt.date, str, str], SpendRow] = {}
    for charge in charges:
        key = (local_day(charge.when, tz), charge.model_id, charge.profile)
        old = rows.get(key)
        if old is None:
            rows[key] = SpendRow(*key, 1, charge.amount, charge.estimated)
        else:
            rows[key] = dataclasses.replace(
                old,
                tasks=old.tasks + 1,
                amount=money_round(old.amount + charge.amount),
                estimated=old.estimated or charge.estimated,
            )
    return sorted(rows.values(), key=lambda r: (-r.day.toordinal(), r.model_id, r.profile))


@dataclasses.dataclass(frozen=True)
class Priced:
    """What a list of tasks cost: each charge, and the spend per day, model and profile."""

    charges: list[Charge]
    rows: list[SpendRow]


def price_history(
    jobs: Iterable[Job],
    catalogue: Catalogue | None = None,
    quotes: Mapping[str, Quote] | None = None,
    pace: Callable[[], None] | None = None,
) -> Priced:
    """Every task's charge and the ledger of them: ~2 s of Python for 100,000 tasks, so
    the spending window has it worked out off the GUI thread (issue 16), calling `pace`
    after each task (core/pacing.py: so that thread hands the interpreter lock over)."""
    charges = charges_of(paced(jobs, pace), catalogue, quotes)
    return Priced(charges, ledger(charges))


def spent_between(charges: Iterable[Charge], start: float, end: float) -> float:
    return money_round(sum(c.amount for c in charges if start <= c.when < end))


def day_bounds(day: dt.date, tz: dt.tzinfo | None = None) -> tuple[float, float]:
    """Epoch seconds of the start of `day` and of the next day, in local time."""
    start = dt.datetime.combine(day, dt.time(), tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return start.timestamp(), end.timestamp()


def month_bounds(day: dt.date, tz: dt.tzinfo | None = None) -> tuple[float, float]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tz)
    return start.timestamp(), dt.datetime.combine(following, dt.time(), tz).timestamp()


def spent_on(charges: Iterable[Charge], day: dt.date, tz: dt.tzinfo | None = None) -> float:
    return spent_between(charges, *day_bounds(day, tz))


def spent_in_month(charges: Iterable[Charge], day: dt.date, tz: dt.tzinfo | None = None) -> float:
    return spent_between(charges, *month_bounds(day, tz))


# -- the server's side ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Billing:
    """One line of the account's bill: a charge (positive) or a refund (negative)."""

    amount: float  # signed
    task_id: str | None = None
    model_id: str = ""
    when: float | None = None  # epoch seconds
    kind: str = "charge"  # "charge", "refund", or the server's own word
    billing_id: str = ""
    currency: str = CURRENCY


@dataclasses.dataclass(frozen=True)
class UsageLine:
    model_id: str
    tasks: int
    cost: float


@dataclasses.dataclass(frozen=True)
class Usage:
    """`/api/v3/usage`: a period's totals as the server counts them."""

    total_tasks: int
    total_cost: float
    period: str = ""
    breakdown: tuple[UsageLine, ...] = ()


@dataclasses.dataclass(frozen=True)
class Difference:
    """A task whose cost here and on the bill disagree (either side may be missing)."""

    task_id: str
    model_id: str
    ours: float | None
    billed: float | None

    @property
    def explanation(self) -> str:
        if self.ours is None:
            return "On the bill, but not in this computer's history (another device or app?)."
        if self.billed is None:
            return "In the history, but not on the bill (yet)."
        gap = self.billed - self.ours
        more = "more" if gap > 0 else "less"
        return f"Billed {format_money(abs(gap))} {more} than recorded."


@dataclasses.dataclass(frozen=True)
class Reconciliation:
    matched: int
    differences: tuple[Difference, ...]
    our_total: float
    billed_total: float

    @property
    def ok(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        noun = "task" if self.matched == 1 else "tasks"
        if self.ok:
            if not self.matched:
                return "Nothing to check yet: no charges here or on the bill."
            return f"All {self.matched} {noun} match the bill ({format_money(self.billed_total)})."
        count = len(self.differences)
        differs = "difference" if count == 1 else "differences"
        return (
            f"{self.matched} {noun} match; {count} {differs}. Recorded here "
            f"{format_money(self.our_total)}, billed {format_money(self.billed_total)}."
        )


def reconcile(charges: Iterable[Charge], billings: Iterable[Billing]) -> Reconciliation:
    """Match charges to bill lines by task id; charges and refunds of a task are netted.

    Give both sides the same period and account. Bill lines without a task id (top-ups,
    adjustments) count in neither total.
    """
    billed: dict[str, float] = {}
    billed_model: dict[str, str] = {}
    for line in billings:
        if line.task_id:
            billed[line.task_id] = money_round(billed.get(line.task_id, 0.0) + line.amount)
            billed_model.setdefault(line.task_id, line.model_id)
    ours: dict[str, Charge] = {}
    for charge in charges:
        if charge.remote_id:
            ours[charge.remote_id] = charge
    matched = 0
    differences: list[Difference] = []
    for task_id, charge in ours.items():
        bill = billed.get(task_id)
        if bill is None:
            if abs(charge.amount) > TOLERANCE:
                differences.append(Difference(task_id, charge.model_id, charge.amount, None))
            else:
                matched += 1  # free here and absent there: nothing to bill
        elif abs(bill - charge.amount) > TOLERANCE:
            differences.append(Difference(task_id, charge.model_id, charge.amount, bill))
        else:
            matched += 1
    for task_id, bill in billed.items():
        if task_id not in ours and abs(bill) > TOLERANCE:
            differences.append(Difference(task_id, billed_model[task_id], None, bill))
    return Reconciliation(
        matched=matched,
        differences=tuple(differences),
        our_total=money_round(sum(c.amount for c in ours.values())),
        billed_total=money_round(sum(billed.values())),
    )


# -- caps -----------------------------------------------------------------------------


def check_caps(
    per_batch_cap: float | None,
    per_day_cap: float | None,
    spent_today: float,
    this_run_cost: float | None,
) -> str | None:
    """None when the run may go; else a sentence saying which limit it breaks and why.

    A run whose price is unknown is refused while a cap is set: a cap is a promise.
    """
    if per_batch_cap is None and per_day_cap is None:
        return None
    where = "Change the limit in Settings › Spending if you mean to."
    if this_run_cost is None:
        return (
            "The cost of this run is not known, so your spending limit cannot be checked. " + where
        )
    cost = format_money(this_run_cost)
    if per_batch_cap is not None and this_run_cost > per_batch_cap + TOLERANCE:
        return (
            f"This run would cost about {cost}, more than your limit of "
            f"{format_money(per_batch_cap)} per run. Send fewer tasks, or c{where[1:]}"
        )
    if per_day_cap is not None and spent_today + this_run_cost > per_day_cap + TOLERANCE:
        if spent_today >= per_day_cap - TOLERANCE:
            return (
                f"You have reached today's spending limit of {format_money(per_day_cap)} "
                f"({format_money(spent_today)} spent). New tasks can run tomorrow. {where}"
            )
        left = format_money(per_day_cap - spent_today)
        return (
            f"This run would cost about {cost}, but only {left} of today's "
            f"{format_money(per_day_cap)} limit is left ({format_money(spent_today)} spent). "
            f"Send fewer tasks, or c{where[1:]}"
        )
    return None
