"""Money end to end against the sandbox: quotes match charges, the bill matches the
history, usage matches the bill, and a spending cap stops a run before it is sent."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import (
    charges_of,
    check_caps,
    ledger,
    reconcile,
    spent_on,
    unit_price,
)
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from tests.sandbox.support import IMAGE, ManualClock, poll, start, submit

CATALOGUE = load_bundled()
VEO = "google/veo3.1-fast/text-to-video"
FLUX = "wavespeed-ai/flux-dev"


def price(http: requests.Session, server: SandboxServer, model_id: str, **inputs: Any) -> Any:
    return http.post(
        f"{server.base_url}/api/v3/model/pricing",
        json={"model_id": model_id, "inputs": inputs},
        timeout=10,
    )


def balance(http: requests.Session, server: SandboxServer) -> float:
    value: float = http.get(f"{server.base_url}/api/v3/balance", timeout=10).json()["data"][
        "balance"
    ]
    return value


def bill(http: requests.Session, server: SandboxServer, **query: str) -> dict[str, Any]:
    reply = http.get(f"{server.base_url}/api/v3/billings", params=query, timeout=10)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()["data"]
    return data


# -- the pricing route -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "inputs"),
    [
        (IMAGE, {"prompt": "x"}),
        (IMAGE, {"prompt": "x", "resolution": "4k"}),
        (VEO, {"prompt": "x", "duration": 4, "resolution": "720p"}),
        (FLUX, {"prompt": "x", "num_images": 3}),
    ],
)
def test_a_quote_is_what_the_submit_charges(
    manual: SandboxServer, http: requests.Session, model_id: str, inputs: dict[str, Any]
) -> None:
    reply = price(http, manual, model_id, **inputs)
    assert reply.status_code == 200
    envelope = reply.json()
    assert envelope["code"] == 200 and envelope["data"]["currency"] == "USD"
    quoted = envelope["data"]["unit_price"]
    model = CATALOGUE.get(model_id)
    assert model is not None and quoted == unit_price(model, inputs)
    before = balance(http, manual)
    assert manual.stats.submits == 0  # quoting is free and creates nothing
    task_id = submit(http, manual, model=model_id, **inputs).json()["id"]
    assert balance(http, manual) == pytest.approx(before - quoted)
    assert poll(http, manual, task_id)["cost"] == quoted


def test_prices_follow_the_parameters(manual: SandboxServer, http: requests.Session) -> None:
    def quote(**inputs: Any) -> float:
        value: float = price(http, manual, VEO, **inputs).json()["data"]["unit_price"]
        return value

    assert quote(duration=4) == pytest.approx(quote(duration=8) / 2)
    assert quote(resolution="4k") == pytest.approx(2 * quote())
    assert quote() == CATALOGUE.get(VEO).base_price  # type: ignore[union-attr]


def test_pricing_errors(manual: SandboxServer, http: requests.Session) -> None:
    unknown = price(http, manual, "nobody/nothing", prompt="x")
    assert unknown.status_code == 404 and unknown.json() == {
        "code": 404, "message": "Not found", "data": None
    }  # fmt: skip
    bad = http.post(f"{manual.base_url}/api/v3/model/pricing", data=b"{oops", timeout=10)
    assert bad.status_code == 400 and bad.json()["data"] is None
    shapeless = http.post(
        f"{manual.base_url}/api/v3/model/pricing", json={"inputs": {}}, timeout=10
    )
    assert shapeless.status_code == 400


def test_a_server_without_v3_has_no_pricing(http: requests.Session) -> None:
    server = start(v3_enabled=False)
    try:
        reply = price(http, server, IMAGE, prompt="x")
        assert reply.status_code == 404 and "message" not in reply.json()
        with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
            assert client.price(IMAGE, {"prompt": "x"}) is None
            assert client.billings() is None and client.usage() is None
    finally:
        server.stop()


# -- billings and usage -------------------------------------------------------------


def test_the_bill_lists_charges_and_refunds_and_usage_agrees(
    clock: ManualClock, http: requests.Session
) -> None:
    server = start(clock=clock, keys={SANDBOX_API_KEY: 50.0}, duration_fn=lambda _m, _p: 10.0)
    try:
        ok = submit(http, server, "fine", resolution="2k").json()["id"]
        flaky = submit(http, server, "flaky [fail:5003]").json()["id"]
        moderated = submit(http, server, "nope [fail:1200]").json()["id"]
        clock.advance(3)
        cancelled = submit(http, server, "later").json()["id"]
        deleted = http.delete(f"{server.base_url}/api/v3/predictions/{cancelled}", timeout=10)
        assert deleted.status_code == 200
        clock.advance(10)
        lines = bill(http, server)["items"]
        kinds = [(line["task_id"], line["billing_type"]) for line in lines]
        assert kinds == [
            (ok, "deduct"), (flaky, "deduct"), (moderated, "deduct"),
            (cancelled, "deduct"), (cancelled, "refund"),  # deleted before it finished
            (flaky, "refund"),  # refunded when it failed, 10 s after submit
        ]  # fmt: skip
        assert all(line["model_id"] == IMAGE and line["amount"] > 0 for line in lines)
        assert all(line["created_at"].endswith("Z") for line in lines)
        net = sum(-x["amount"] if x["billing_type"] == "refund" else x["amount"] for x in lines)
        base = unit_price(CATALOGUE.get(IMAGE), {})  # type: ignore[arg-type]
        assert base is not None
        assert net == pytest.approx(1.5 * base + base)  # the 2k task and the moderated one
        assert balance(http, server) == pytest.approx(50.0 - net)
        usage = http.get(f"{server.base_url}/api/v3/usage", timeout=10).json()["data"]
        assert usage["total_tasks"] == 4 and usage["total_cost"] == pytest.approx(net)
        assert usage["breakdown"] == [{"model_id": IMAGE, "tasks": 4, "cost": pytest.approx(net)}]
        assert poll(http, server, flaky)["cost"] == 0.0
        assert poll(http, server, moderated)["cost"] == base
        other = http.get(
            f"{server.base_url}/api/v3/usage", params={"period": "1999-01"}, timeout=10
        ).json()["data"]
        assert other["total_tasks"] == 0 and other["total_cost"] == 0
        bad = http.get(f"{server.base_url}/api/v3/usage", params={"period": "soon"}, timeout=10)
        assert bad.status_code == 400
    finally:
        server.stop()


def test_billings_filter_by_time_and_page(clock: ManualClock, http: requests.Session) -> None:
    server = start(clock=clock, duration_fn=lambda _m, _p: 1.0)
    try:
        first = submit(http, server, "one").json()["id"]
        clock.advance(120)
        later = [submit(http, server, f"n{i}").json()["id"] for i in range(5)]
        everything = bill(http, server)["items"]
        assert [x["task_id"] for x in everything] == [first, *later]
        cut = everything[1]["created_at"]
        assert [x["task_id"] for x in bill(http, server, since=cut)["items"]] == later
        page2 = bill(http, server, page="2", page_size="2")
        assert page2["total"] == 6 and [x["task_id"] for x in page2["items"]] == later[1:3]
        for query in ({"since": "whenever"}, {"page": "0"}, {"page_size": "100000"}):
            reply = http.get(f"{server.base_url}/api/v3/billings", params=query, timeout=10)
            assert reply.status_code == 400, query
    finally:
        server.stop()


# -- the client, the ledger and the bill ----------------------------------------------


def run_tasks(client: Get3WClient, runs: list[tuple[str, dict[str, Any]]]) -> list[Job]:
    """Submit every task, wait for each, and keep them as the app's history would."""
    jobs: list[Job] = []
    for model_id, params in runs:
        sent = dt.datetime.now().timestamp()
        task = client.submit(model_id, params)
        final = wait_for_task(client, task, cancel=threading.Event(), timeout=60)
        state = JobState.COMPLETED if final.phase.value == "completed" else JobState.FAILED
        jobs.append(Job(model_id=model_id, params=params, profile="default", state=state,
                        task=final, submitted_at=sent, created_at=sent))  # fmt: skip
    return jobs


def test_the_ledger_of_a_run_reconciles_with_the_bill_exactly(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        start_balance = client.balance()
        since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        runs: list[tuple[str, dict[str, Any]]] = [
            (IMAGE, {"prompt": "a fox"}),
            (IMAGE, {"prompt": "a fox", "resolution": "4k"}),
            (FLUX, {"prompt": "two foxes", "num_images": 2}),
            (IMAGE, {"prompt": "refunded [fail:5000]"}),
            (IMAGE, {"prompt": "kept [fail:1200]"}),
        ]
        quotes = [client.price(model_id, params) for model_id, params in runs]
        jobs = run_tasks(client, runs)
        billings = client.billings(since)
        usage = client.usage()
        end_balance = client.balance()
    assert billings is not None and usage is not None
    assert start_balance is not None and end_balance is not None
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:  # what the window reloads
        store.save_many(jobs)
        stored = {e.job.local_id: e.job for e in store.list()}
    jobs = [stored[job.local_id] for job in jobs]
    charges = charges_of(jobs, CATALOGUE)
    assert all(not c.estimated for c in charges)  # every task reported its cost
    for job, quote, charge in zip(jobs, quotes, charges, strict=True):
        assert quote is not None
        refunded = job.task is not None and 5000 <= job.task.code < 6000
        assert charge.amount == (0.0 if refunded else quote.amount)
    result = reconcile(charges, billings)
    assert result.ok and result.matched == len(runs), result.differences
    assert result.our_total == result.billed_total == usage.total_cost
    assert start_balance - end_balance == pytest.approx(result.billed_total, abs=1e-9)
    rows = ledger(charges)
    assert sum(r.tasks for r in rows) == len(runs)
    assert {r.model_id for r in rows} == {IMAGE, FLUX}
    # Tampering with one side shows up as exactly that difference.
    wrong = charges_of([jobs[0].evolve(task=None, state=JobState.UNCERTAIN)], CATALOGUE)
    assert not reconcile(wrong + charges[1:], billings).ok


def test_a_spending_cap_blocks_the_run_before_anything_is_sent(sandbox: SandboxServer) -> None:
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        jobs = run_tasks(client, [(VEO, {"prompt": "a river", "duration": 4})])
        today = spent_on(charges_of(jobs, CATALOGUE), dt.date.today())
        quote = client.price(VEO, {"prompt": "the sea", "duration": 8})
        assert quote is not None
        batch = quote.times(3)  # three variations
        per_run = check_caps(2.0, None, today, batch.amount)
        per_day = check_caps(None, today + quote.amount / 2, today, quote.amount)
        allowed = check_caps(10.0, 10.0, today, quote.amount)
    assert today == pytest.approx(0.6)  # the sandbox charged half of Veo's 8 s price
    assert per_run is not None and "$3.60" in per_run and "$2.00 per run" in per_run
    assert per_day is not None and "today" in per_day
    assert allowed is None
