"""Parsing quotes, bill lines and usage: the shapes seen in the wild, and anything else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from get3w_desktop.api.money import (
    parse_billing,
    parse_billings,
    parse_quote,
    parse_time,
    parse_usage,
)
from get3w_desktop.core.errors import BadResponseError
from get3w_desktop.core.money import Billing, Quote, Usage, UsageLine

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def test_wavespeed_quote_shapes() -> None:
    data = {"model_id": "m", "unit_price": 0.14, "currency": "USD"}
    assert parse_quote(data) == Quote(0.14, "USD", estimated=False)
    discounted = {"unit_price": 0.2, "discounted_price": 0.15, "currency": "usd"}
    assert parse_quote(discounted) == Quote(0.15)  # what the account pays
    assert parse_quote({"price": "0.5"}) == Quote(0.5)
    assert parse_quote(0.25) == Quote(0.25)
    assert parse_quote({"unit_price": None, "price": 1}) == Quote(1.0)


@pytest.mark.parametrize(
    "data",
    [
        {"unit_price": "free"},
        {"unit_price": -1},
        {"unit_price": float("nan")},
        {},
        [],
        None,
        {"unit_price": True},
    ],
)
def test_an_unreadable_quote_is_a_protocol_error(data: Any) -> None:
    with pytest.raises(BadResponseError):
        parse_quote(data)


def test_bill_lines_in_every_known_shape() -> None:
    sandbox = {
        "id": "bill_1", "billing_type": "deduct", "amount": 0.14, "currency": "USD",
        "task_id": "t1", "model_id": "m/x", "created_at": "2026-03-28T07:51:34Z",
    }  # fmt: skip
    when = dt.datetime(2026, 3, 28, 7, 51, 34, tzinfo=dt.UTC).timestamp()
    assert parse_billing(sandbox) == Billing(0.14, "t1", "m/x", when, "charge", "bill_1", "USD")
    wavespeed = {
        "uuid": "b2", "billing_type": "refund", "price": 0.06,
        "prediction": {"uuid": "p1", "model_uuid": "m/y"}, "created_at": 1774684294,
    }  # fmt: skip
    line = parse_billing(wavespeed)
    assert line is not None
    assert (line.amount, line.task_id, line.model_id, line.kind) == (-0.06, "p1", "m/y", "refund")
    assert line.when == 1774684294.0
    signed = parse_billing({"amount": -0.5, "prediction_id": "p2", "created_at": 1774684294000})
    assert signed is not None and (signed.amount, signed.kind, signed.when) == (
        -0.5, "refund", 1774684294.0
    )  # fmt: skip
    assert parse_billing({"amount": "x"}) is None and parse_billing("junk") is None


def test_bill_pages_count_what_they_skip() -> None:
    page = parse_billings(
        {"items": [{"amount": 0.1, "task_id": "a"}, {"nothing": 1}, 7], "total": 12, "page": 1}
    )
    assert [b.task_id for b in page.items] == ["a"] and page.skipped == 2 and page.total == 12
    bare = parse_billings([{"amount": 0.1}, {"amount": 0.2, "type": "charge"}])
    assert [b.amount for b in bare.items] == [0.1, 0.2] and bare.total is None
    with pytest.raises(BadResponseError):
        parse_billings({"total": 3})
    with pytest.raises(BadResponseError):
        parse_billings("nope")


def test_usage_in_list_and_mapping_shapes() -> None:
    usage = parse_usage({
        "total_tasks": 3, "total_cost": 0.28, "period": "2026-03",
        "breakdown": [{"model_id": "m", "tasks": 3, "cost": 0.28}, "junk"],
    })  # fmt: skip
    assert usage == Usage(3, 0.28, "2026-03", (UsageLine("m", 3, 0.28),))
    mapped = parse_usage({"breakdown": {"m": {"tasks": 2, "cost": 0.2}, "n": 0.1}})
    assert mapped.total_cost == pytest.approx(0.3) and len(mapped.breakdown) == 2
    with pytest.raises(BadResponseError):
        parse_usage([1, 2])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-28T07:51:34", dt.datetime(2026, 3, 28, 7, 51, 34, tzinfo=dt.UTC)),
        ("2026-03-28T08:51:34+01:00", dt.datetime(2026, 3, 28, 7, 51, 34, tzinfo=dt.UTC)),
        ("2026-03-28 07:51:34Z", dt.datetime(2026, 3, 28, 7, 51, 34, tzinfo=dt.UTC)),
    ],
)
def test_times(value: str, expected: dt.datetime) -> None:
    assert parse_time(value) == expected.timestamp()


@pytest.mark.parametrize("value", ["yesterday", "", None, [], {}, True, float("inf")])
def test_unreadable_times_are_none(value: Any) -> None:
    assert parse_time(value) is None


@given(json_values)
def test_any_json_either_parses_or_is_a_protocol_error(data: Any) -> None:
    for parse in (parse_quote, parse_billings, parse_usage):
        problem = ""
        try:
            result = parse(data)
        except BadResponseError as exc:
            problem = exc.message
            result = None
        assert (result is None) == bool(problem)


@given(st.lists(json_values, max_size=6))
def test_a_list_of_anything_is_read_line_by_line(items: list[Any]) -> None:
    page = parse_billings({"items": items})
    assert len(page.items) + page.skipped == len(items)
    for line in page.items:
        assert isinstance(line.amount, float) and line.amount == line.amount  # never NaN
        json.dumps(line.__dict__)  # plain values only


@given(
    st.floats(min_value=0, max_value=1e4, allow_nan=False),
    st.sampled_from(["deduct", "refund", "charge", "credit", ""]),
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s),
)
def test_amount_sign_follows_the_line_type(amount: float, kind: str, task_id: str) -> None:
    line = parse_billing({"amount": amount, "billing_type": kind, "task_id": task_id})
    assert line is not None and line.task_id == task_id
    refund = kind in ("refund", "credit")
    assert line.amount == pytest.approx(-amount if refund else amount, abs=1e-6)
