"""Money in the core: prices, formatting, the ledger, reconciliation and caps."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from get3w_desktop.core.catalogue import ModelInfo, load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import (
    Billing,
    Charge,
    ChargeKind,
    Quote,
    charge_kind,
    charges_of,
    check_caps,
    estimate_cost,
    format_money,
    job_charge,
    ledger,
    price_factor,
    price_history,
    reconcile,
    reported_cost,
    spent_in_month,
    spent_on,
    unit_price,
)
from get3w_desktop.core.task import Task

CATALOGUE = load_bundled()
IMAGE = "google/nano-banana-pro/text-to-image"
VEO = "google/veo3.1-fast/text-to-video"
WAN = "alibaba/wan-2.6/text-to-video"
FLUX = "wavespeed-ai/flux-dev"
SEEDREAM = "bytedance/seedream-v4.5"


def model(model_id: str) -> ModelInfo:
    found = CATALOGUE.get(model_id)
    assert found is not None and found.base_price is not None
    return found


# -- prices ---------------------------------------------------------------------------


def test_the_defaults_cost_the_base_price() -> None:
    for info in CATALOGUE:
        if info.base_price is not None:
            assert unit_price(info, info.defaults()) == pytest.approx(info.base_price)
            assert unit_price(info, {}) == pytest.approx(info.base_price)


@pytest.mark.parametrize(
    ("model_id", "params", "factor"),
    [
        (IMAGE, {"resolution": "2k"}, 1.5),
        (IMAGE, {"resolution": "4k"}, 2.0),
        (VEO, {"duration": 4}, 0.5),
        (VEO, {"duration": 4, "resolution": "720p"}, 0.5 / 1.5),
        (VEO, {"resolution": "4k"}, 2.0),
        (WAN, {"duration": 15, "size": "1920*1080"}, 3 * 1.5),
        (WAN, {"size": "720*1280"}, 1.0),  # portrait 720p is still 720p
        (FLUX, {"num_images": 3}, 3.0),
        (SEEDREAM, {"size": "4096*4096"}, 1.0),  # image sizes are priced per image
        (IMAGE, {"resolution": "16k"}, 1.0),  # unreadable: priced as the default
        (VEO, {"duration": "8s"}, 1.0),
    ],
)
def test_parameters_scale_the_price_like_real_models(
    model_id: str, params: dict[str, object], factor: float
) -> None:
    info = model(model_id)
    assert price_factor(info, params) == pytest.approx(factor)
    quote = estimate_cost(info, {"prompt": "x", **params})
    assert quote is not None and quote.estimated
    assert quote.amount == pytest.approx(round((info.base_price or 0) * factor, 6))


def test_a_model_without_a_price_has_no_estimate() -> None:
    unpriced = dataclasses.replace(model(IMAGE), base_price=None)
    assert unit_price(unpriced, {}) is None and estimate_cost(unpriced, {}) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0.14, "$0.14"),
        (1.2, "$1.20"),
        (0.012, "$0.012"),
        (0.0125, "$0.0125"),
        (1234.5, "$1,234.50"),
        (-0.14, "−$0.14"),
        (0.0, "$0.00"),
        (-1e-9, "$0.00"),
        (0.00001, "$<0.0001"),
    ],
)
def test_format_money(amount: float, text: str) -> None:
    assert format_money(amount) == text


def test_format_money_in_cents_and_other_currencies() -> None:
    assert format_money(1.632, cents=True) == "$1.63"
    assert format_money(0.001, cents=True) == "$<0.01"
    assert format_money(2.5, "eur") == "2.50 EUR"
    assert Quote(0.3, estimated=True).text() == "about $0.30"
    assert Quote(0.3).times(3) == Quote(0.9)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_format_money_never_fails_and_keeps_the_sign(amount: float) -> None:
    text = format_money(amount)
    assert "$" in text
    assert text.startswith("−") == (amount < -5e-7)


# -- charges and the ledger ------------------------------------------------------------

T0 = dt.datetime(2026, 3, 28, 12, 0).timestamp()


def job(
    model_id: str = IMAGE,
    *,
    cost: float | None = None,
    remote: str | None = "t1",
    state: JobState = JobState.COMPLETED,
    code: int = 0,
    when: float = T0,
    profile: str = "default",
    params: dict[str, object] | None = None,
) -> Job:
    task = None
    if remote is not None:
        extra = {} if cost is None else {"cost": cost}
        status = "failed" if code else "completed"
        task = Task(id=remote, status=status, model=model_id, code=code, extra=extra)
    return Job(model_id=model_id, params=params or {"prompt": "x"}, profile=profile,
               state=state, task=task, submitted_at=when, created_at=when)  # fmt: skip


def test_the_servers_cost_wins_and_is_exact() -> None:
    charge = job_charge(job(cost=0.28), CATALOGUE)
    assert charge is not None and (charge.amount, charge.estimated) == (0.28, False)
    assert reported_cost(job(cost=0.28)) == 0.28
    assert reported_cost(job(remote="t", cost=None)) is None


def test_without_a_cost_the_quote_then_the_catalogue_is_used_as_an_estimate() -> None:
    plain = job(params={"prompt": "x", "resolution": "4k"})
    quoted = job_charge(plain, CATALOGUE, {plain.local_id: Quote(0.5)})
    assert quoted is not None and (quoted.amount, quoted.estimated) == (0.5, True)
    listed = job_charge(plain, CATALOGUE)
    assert listed is not None and listed.estimated
    assert listed.amount == pytest.approx(2 * (model(IMAGE).base_price or 0))
    assert job_charge(plain) is None  # nothing to go on


def test_what_was_never_sent_costs_nothing_and_platform_failures_are_refunded() -> None:
    assert job_charge(job(remote=None, state=JobState.QUEUED), CATALOGUE) is None
    assert job_charge(job(remote=None, state=JobState.FAILED), CATALOGUE) is None
    lost = job_charge(job(remote=None, state=JobState.UNCERTAIN), CATALOGUE)
    assert lost is not None and lost.estimated and lost.amount > 0  # it may have been charged
    refunded = job_charge(job(code=5003, state=JobState.FAILED), CATALOGUE)
    assert refunded is not None and refunded.amount == 0.0
    moderated = job_charge(job(code=1200, state=JobState.FAILED), CATALOGUE)
    assert moderated is not None and moderated.amount == model(IMAGE).base_price


def test_every_finished_task_is_charged_refunded_free_or_not_sent() -> None:
    assert charge_kind(job(state=JobState.RUNNING)) is None  # still going: not yet known
    assert charge_kind(job()) is ChargeKind.CHARGED
    assert charge_kind(job(cost=0.28)) is ChargeKind.CHARGED
    assert charge_kind(job(cost=0)) is ChargeKind.FREE
    assert charge_kind(job(code=5003, state=JobState.FAILED)) is ChargeKind.REFUNDED
    assert charge_kind(job(code=1200, state=JobState.FAILED)) is ChargeKind.CHARGED  # moderation
    assert charge_kind(job(remote=None, state=JobState.FAILED)) is ChargeKind.NOT_SENT
    assert charge_kind(job(remote=None, state=JobState.UNCERTAIN)) is ChargeKind.MAYBE
    assert charge_kind(job(state=JobState.CANCELLED)) is ChargeKind.CHARGED  # still runs there


def test_ledger_groups_by_local_day_model_and_profile() -> None:
    day = 86400.0
    jobs = [
        job(cost=0.14, remote="a"),
        job(cost=0.28, remote="b", when=T0 + 60),
        job(VEO, cost=1.2, remote="c"),
        job(cost=0.14, remote="d", profile="team"),
        job(cost=0.14, remote="e", when=T0 - day),
        job(remote="f", when=T0 - 2 * day),  # estimated
    ]
    rows = ledger(charges_of(jobs, CATALOGUE))
    summary = [(r.day.isoformat(), r.model_id, r.profile, r.tasks, r.amount, r.estimated)
               for r in rows]  # fmt: skip
    assert summary == [
        ("2026-03-28", IMAGE, "default", 2, pytest.approx(0.42), False),
        ("2026-03-28", IMAGE, "team", 1, 0.14, False),
        ("2026-03-28", VEO, "default", 1, 1.2, False),
        ("2026-03-27", IMAGE, "default", 1, 0.14, False),
        ("2026-03-26", IMAGE, "default", 1, 0.14, True),
    ]
    charges = charges_of(jobs, CATALOGUE)
    assert spent_on(charges, dt.date(2026, 3, 28)) == pytest.approx(1.76)
    assert spent_in_month(charges, dt.date(2026, 3, 1)) == pytest.approx(2.04)
    assert spent_in_month(charges, dt.date(2026, 4, 1)) == 0.0


# -- reconciliation ---------------------------------------------------------------------


def charge(remote: str, amount: float) -> Charge:
    return Charge("l-" + remote, remote, IMAGE, "default", T0, amount, False)


def test_reconcile_nets_refunds_and_names_every_difference() -> None:
    ours = [charge("a", 0.14), charge("b", 0.0), charge("c", 0.28), charge("d", 0.14)]
    bill = [
        Billing(0.14, "a", IMAGE),
        Billing(0.14, "b", IMAGE), Billing(-0.14, "b", IMAGE, kind="refund"),
        Billing(0.30, "c", IMAGE),
        Billing(0.14, "x", "other/model"),
        Billing(25.0, None, kind="top-up"),  # not a task: counted nowhere
    ]  # fmt: skip
    result = reconcile(ours, bill)
    assert result.matched == 2 and not result.ok
    found = {(d.task_id, d.ours, d.billed) for d in result.differences}
    assert found == {("c", 0.28, 0.3), ("d", 0.14, None), ("x", None, 0.14)}
    assert result.our_total == pytest.approx(0.56) and result.billed_total == pytest.approx(0.58)
    texts = {d.task_id: d.explanation for d in result.differences}
    assert "more than recorded" in texts["c"] and "not on the bill" in texts["d"]
    assert "not in this computer" in texts["x"]
    assert "2 tasks match; 3 differences" in result.summary()


def test_reconcile_agrees_when_everything_matches() -> None:
    ours = [charge("a", 0.14), charge("b", 0.1 + 0.2)]
    result = reconcile(ours, [Billing(0.14, "a"), Billing(0.3, "b")])  # float noise is fine
    assert result.ok and result.matched == 2
    assert result.summary() == "All 2 tasks match the bill ($0.44)."


# -- caps --------------------------------------------------------------------------------


def test_no_caps_never_block() -> None:
    assert check_caps(None, None, 1e6, 1e6) is None
    assert check_caps(None, None, 0.0, None) is None


def test_a_run_over_the_batch_cap_is_refused_with_the_numbers() -> None:
    message = check_caps(5.0, None, 0.0, 5.6)
    assert message is not None
    assert "$5.60" in message and "$5.00 per run" in message and "Settings › Spending" in message
    assert check_caps(5.0, None, 0.0, 5.0) is None  # at the cap is allowed


def test_the_daily_cap_counts_what_was_spent_today() -> None:
    assert check_caps(None, 10.0, 6.0, 4.0) is None
    message = check_caps(None, 10.0, 6.0, 4.5)
    assert message is not None and "$4.00 of today's $10.00 limit is left" in message
    reached = check_caps(None, 10.0, 10.0, 0.14)
    assert reached is not None and "reached today's spending limit" in reached


def test_an_unknown_price_is_refused_while_a_cap_is_set() -> None:
    message = check_caps(None, 10.0, 0.0, None)
    assert message is not None and "not known" in message


@given(
    st.one_of(st.none(), st.floats(0, 100)),
    st.one_of(st.none(), st.floats(0, 100)),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_caps_block_exactly_when_a_limit_would_be_passed(
    batch: float | None, day: float | None, spent: float, cost: float
) -> None:
    over = (batch is not None and cost > batch + 5e-7) or (
        day is not None and spent + cost > day + 5e-7
    )
    assert (check_caps(batch, day, spent, cost) is not None) == over


def test_pricing_a_history_hands_the_lock_over_after_each_task() -> None:
    """The spending window's pricing runs on a worker for seconds at 100,000 tasks: its
    `pace` is called after every task, and pacing changes nothing in the answer."""
    jobs = [job(cost=0.1 * i, remote=f"t{i}", when=T0 + i) for i in range(1, 6)]
    jobs.append(job(remote=None))  # never sent: priced as nothing
    paces: list[int] = []
    paced = price_history(iter(jobs), CATALOGUE, pace=lambda: paces.append(1))
    plain = price_history(jobs, CATALOGUE)
    assert len(paces) == len(jobs)
    assert paced == plain and [c.remote_id for c in plain.charges] == [f"t{i}" for i in range(1, 6)]
    assert plain.rows == ledger(plain.charges)
