"""The price quoter: debounced, cached, off the GUI thread, estimates when the route is missing."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.errors import NetworkError
from get3w_desktop.core.money import Quote, estimate_cost
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.workers.pricing import PriceQuoter, price_key

CATALOGUE = load_bundled()
IMAGE = "google/nano-banana-pro/text-to-image"
VIDEO = "google/veo3.1-fast/text-to-video"


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[Get3WClient]:
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as c:
        yield c


def make(qtbot: QtBot, fetch: Any, delay_ms: int = 30) -> PriceQuoter:
    return PriceQuoter(fetch, CATALOGUE.get, delay_ms=delay_ms)


def test_key_ignores_parameter_order() -> None:
    assert price_key(IMAGE, {"a": 1, "b": 2}) == price_key(IMAGE, {"b": 2, "a": 1})
    assert price_key(IMAGE, {"a": 1}) != price_key(IMAGE, {"a": 2})


def test_a_burst_of_changes_asks_once_for_the_last(qtbot: QtBot, client: Get3WClient) -> None:
    quoter = make(qtbot, client.price, delay_ms=150)
    quotes: list[Quote] = []
    quoter.quoted.connect(quotes.append)
    try:
        with qtbot.waitSignal(quoter.quoted, timeout=5000):
            for resolution in ("1k", "2k", "4k", "2k", "4k"):  # typed faster than the delay
                quoter.request(IMAGE, {"prompt": "x", "resolution": resolution})
        assert quoter.fetches == 1
        [quote] = quotes
        model = CATALOGUE.get(IMAGE)
        assert model is not None and model.base_price is not None
        assert quote == Quote(round(model.base_price * 2.0, 6), "USD", estimated=False)
    finally:
        quoter.shutdown()


def test_a_repeated_form_is_answered_from_the_cache(qtbot: QtBot, client: Get3WClient) -> None:
    quoter = make(qtbot, client.price)
    quotes: list[Quote] = []
    quoter.quoted.connect(quotes.append)
    try:
        for duration in (4, 8, 4):
            with qtbot.waitSignal(quoter.quoted, timeout=5000):
                quoter.request(VIDEO, {"prompt": "x", "duration": duration})
        assert quoter.fetches == 2
        assert quotes[0] == quotes[2] and quotes[1].amount == pytest.approx(2 * quotes[0].amount)
        assert quoter.cached(VIDEO, {"duration": 4, "prompt": "x"}) == quotes[0]
    finally:
        quoter.shutdown()


def test_no_pricing_route_gives_marked_estimates_and_stops_asking(qtbot: QtBot) -> None:
    with (
        SandboxServer(SandboxConfig(time_scale=0.02, v3_enabled=False)) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
    ):
        quoter = make(qtbot, client.price)
        try:
            params = {"prompt": "x", "duration": 4, "resolution": "720p"}
            with qtbot.waitSignal(quoter.quoted, timeout=5000) as first:
                quoter.request(VIDEO, params)
            model = CATALOGUE.get(VIDEO)
            assert model is not None
            assert first.args == [estimate_cost(model, params)]
            assert first.args[0].estimated and quoter.route_absent
            with qtbot.waitSignal(quoter.quoted, timeout=5000) as second:
                quoter.request(VIDEO, {**params, "duration": 8})
            assert second.args[0].estimated and quoter.fetches == 1  # not asked again
        finally:
            quoter.shutdown()


def test_a_failure_falls_back_to_an_estimate_and_is_not_cached(qtbot: QtBot) -> None:
    calls: list[str] = []
    fail = threading.Event()
    fail.set()

    def fetch(model_id: str, params: Mapping[str, Any]) -> Quote | None:
        calls.append(model_id)
        if fail.is_set():
            raise NetworkError("The network is down.", maybe_sent=False)
        return Quote(9.99)

    quoter = make(qtbot, fetch)
    try:
        with qtbot.waitSignal(quoter.quoted, timeout=5000) as got:
            quoter.request(IMAGE, {"prompt": "x"})
        assert got.args[0].estimated and got.args[0].amount == CATALOGUE.get(IMAGE).base_price  # type: ignore[union-attr]
        fail.clear()
        with qtbot.waitSignal(quoter.quoted, timeout=5000) as again:
            quoter.request(IMAGE, {"prompt": "x"})
        assert again.args == [Quote(9.99)] and len(calls) == 2
    finally:
        quoter.shutdown()


def test_an_unpriced_model_says_so(qtbot: QtBot) -> None:
    quoter = make(qtbot, None)
    try:
        with qtbot.waitSignal(quoter.unavailable, timeout=5000) as said:
            quoter.request("someone/unknown-model", {"prompt": "x"})
        assert "price" in str(said.args[0])
        assert quoter.fetches == 0
    finally:
        quoter.shutdown()


def test_only_the_newest_form_is_answered(qtbot: QtBot) -> None:
    """An answer for a form that has since changed is cached but not shown."""
    gate = threading.Event()

    def fetch(model_id: str, params: Mapping[str, Any]) -> Quote | None:
        if params.get("resolution") == "1k":
            gate.wait(5)
        return Quote(1.0 if params.get("resolution") == "1k" else 2.0)

    quoter = make(qtbot, fetch)
    quotes: list[Quote] = []
    quoter.quoted.connect(quotes.append)
    try:
        quoter.request(IMAGE, {"resolution": "1k"})
        qtbot.waitUntil(lambda: quoter.fetches == 1, timeout=5000)
        quoter.request(IMAGE, {"resolution": "4k"})
        qtbot.wait(80)  # the debounce fires while the first answer is still out
        gate.set()
        qtbot.waitUntil(lambda: bool(quotes), timeout=5000)
        qtbot.wait(50)
        assert quotes == [Quote(2.0)] and quoter.fetches == 2
        assert quoter.cached(IMAGE, {"resolution": "1k"}) == Quote(1.0)
    finally:
        gate.set()
        quoter.shutdown()
