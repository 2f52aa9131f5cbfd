"""The app's sandbox keeps its fake account across restarts, as a real account would:
the balance does not jump back and the bill still lists what was charged before."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.sandbox import SANDBOX_API_KEY
from tests.sandbox.support import AUTH, IMAGE, catalogue_model, start, submit

PRICE = catalogue_model(IMAGE).base_price or 0.0


def _http() -> requests.Session:
    session = requests.Session()
    session.headers.update(AUTH)
    return session


def _balance_and_bill(base_url: str) -> tuple[float, list[tuple[str | None, float]]]:
    with Get3WClient(base_url, SANDBOX_API_KEY) as client:
        balance = client.balance()
        bill = client.billings()
    assert balance is not None and bill is not None
    return balance, [(line.task_id, line.amount) for line in bill]


def test_balance_and_bill_survive_a_restart(tmp_path: Path) -> None:
    account = tmp_path / "sandbox-account.json"
    first = start(seed=1, account_file=account, time_scale=0.01)
    try:
        with _http() as http:
            ids = [submit(http, first, f"fox {n}").json()["id"] for n in range(2)]
        before = _balance_and_bill(first.base_url)
        charged_at = time.time()
    finally:
        first.stop()
    assert before[0] == pytest.approx(100.0 - 2 * PRICE)
    assert {task for task, _amount in before[1]} == set(ids)

    second = start(seed=2, account_file=account, time_scale=0.01)  # a new session
    try:
        after = _balance_and_bill(second.base_url)
        with Get3WClient(second.base_url, SANDBOX_API_KEY) as client:
            lines = client.billings()
        with _http() as http:
            third = submit(http, second, "fox 3").json()["id"]
        later = _balance_and_bill(second.base_url)
    finally:
        second.stop()
    assert after == before
    assert lines is not None
    for line in lines:  # times are kept as the wall clock saw them, not reset to "now"
        assert line.when is not None and abs(line.when - charged_at) < 60
    assert later[0] == pytest.approx(100.0 - 3 * PRICE)
    assert [task for task, _amount in later[1]] == [*[t for t, _a in before[1]], third]


def test_the_file_holds_no_key_and_a_damaged_one_is_set_aside(tmp_path: Path) -> None:
    account = tmp_path / "sandbox-account.json"
    server = start(account_file=account, time_scale=0.01)
    try:
        with _http() as http:
            submit(http, server, "fox")
    finally:
        server.stop()
    text = account.read_text(encoding="utf-8")
    assert SANDBOX_API_KEY not in text and json.loads(text)["bill"]

    account.write_text("{not json", encoding="utf-8")
    fresh = start(account_file=account, time_scale=0.01)
    try:
        balance, bill = _balance_and_bill(fresh.base_url)
    finally:
        fresh.stop()
    assert balance == pytest.approx(100.0) and bill == []
    assert (tmp_path / "sandbox-account.json.damaged").read_text() == "{not json"


def test_without_a_file_every_sandbox_starts_afresh(tmp_path: Path) -> None:
    for _ in range(2):
        server = start(time_scale=0.01)
        try:
            with _http() as http:
                submit(http, server, "fox")
            balance, bill = _balance_and_bill(server.base_url)
        finally:
            server.stop()
        assert balance == pytest.approx(100.0 - PRICE) and len(bill) == 1
    assert list(tmp_path.iterdir()) == []
