"""Reachability learnt from the balance calls, over real HTTP on loopback.

A closed port gives connection failures (cannot reach, retried further apart); a server
that answers, even with a refusal, ends the outage; without an outage nothing is retried.
"""

from __future__ import annotations

import socket

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core import messages
from get3w_desktop.core.messages import Code
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.reachability import Reach, Reachability


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def watch(client: Get3WClient, backoff: tuple[float, ...]) -> tuple[BalanceWatcher, Reachability]:
    balance = BalanceWatcher(client.balance)
    reach = Reachability(balance.refresh, backoff=backoff)
    balance.answered.connect(reach.request_answered)
    balance.unreachable.connect(reach.request_failed)
    return balance, reach


def test_a_closed_port_is_unreachable_and_retried_further_apart(qtbot: QtBot) -> None:
    port = closed_port()
    seen: list[Reach] = []
    with Get3WClient(f"http://127.0.0.1:{port}", SANDBOX_API_KEY) as client:
        balance, reach = watch(client, (0.1, 0.2, 0.4))
        reach.changed.connect(seen.append)
        try:
            balance.refresh()
            qtbot.waitUntil(lambda: reach.state.tries >= 3, timeout=10_000)
        finally:
            reach.stop()
            assert balance.shutdown()
    assert not reach.reachable
    reason = seen[-1].reason
    assert reason is not None and reason.code is Code.HTTP_REFUSED
    assert [r.tries for r in seen[:3]] == [1, 2, 3]
    assert all(r.retry_at is not None for r in seen)  # each says when it tries again
    assert balance.fetches == reach.state.tries  # every try was one balance call


def test_an_answer_ends_the_outage_even_a_refusal(qtbot: QtBot) -> None:
    port = closed_port()
    with (
        Get3WClient(f"http://127.0.0.1:{port}", "sk_wrong_key_0000") as client,
        SandboxServer(SandboxConfig(time_scale=0.02), port=port),
    ):
        balance, reach = watch(client, (0.2,))
        try:
            reach.assume_unreachable(messages.http_refused("127.0.0.1"))
            assert not reach.reachable and reach.state.tries == 1
            with qtbot.waitSignal(reach.changed, timeout=10_000) as back:
                pass  # the scheduled try asks the balance: 401, an answer all the same
            assert back.args == [Reach(True)]
            fetches = balance.fetches
            qtbot.wait(600)
            assert balance.fetches == fetches == 1  # reachable: nothing more is tried
        finally:
            reach.stop()
            assert balance.shutdown()


def test_an_empty_backoff_is_refused() -> None:
    with pytest.raises(ValueError, match="backoff"):
        Reachability(lambda: None, backoff=())
