"""The sandbox's API host over real HTTP: money, sync mode, and the admin and model routes."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import requests

from get3w_desktop.core.catalogue import Catalogue, load_bundled, parse_catalogue
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.sandbox.support import IMAGE, ManualClock, catalogue_model, poll, start, submit

MODEL = catalogue_model(IMAGE)
PRICE, ESTIMATE = MODEL.base_price or 0.0, MODEL.estimated_duration


# -- money -------------------------------------------------------------------------


def test_balance_is_charged_at_submit_and_platform_failures_refunded(
    clock: ManualClock, http: requests.Session
) -> None:
    server = start(clock=clock, keys={SANDBOX_API_KEY: 10.0}, duration_fn=lambda _m, _p: 5.0)
    balance_url = f"{server.base_url}/api/v3/balance"

    def balance() -> float:
        reply = http.get(balance_url, timeout=10).json()
        assert reply["code"] == 200 and reply["message"] == "success"
        value: float = reply["data"]["balance"]
        return value

    try:
        assert balance() == 10.0
        ok = submit(http, server, "fine").json()["id"]
        platform = submit(http, server, "flaky [fail:5003]").json()["id"]
        moderated = submit(http, server, "nope [fail:1200]").json()["id"]
        assert balance() == pytest.approx(10.0 - 3 * PRICE)
        clock.advance(5.0)
        assert [poll(http, server, i)["status"] for i in (ok, platform, moderated)] == [
            "completed",
            "failed",
            "failed",
        ]
        assert balance() == pytest.approx(10.0 - 2 * PRICE)  # only the 5003 is refunded
        assert balance() == pytest.approx(10.0 - 2 * PRICE)  # and only once
        usage = http.get(f"{server.base_url}/api/v3/usage", timeout=10).json()["data"]
        assert usage["total_tasks"] == 3
        assert usage["total_cost"] == pytest.approx(2 * PRICE)
        assert re.fullmatch(r"\d{4}-\d\d", usage["period"])
        assert usage["breakdown"] == [
            {"model_id": IMAGE, "tasks": 3, "cost": pytest.approx(2 * PRICE)}
        ]
    finally:
        server.stop()


# -- sync mode ---------------------------------------------------------------------


def test_sync_returns_the_terminal_task(http: requests.Session) -> None:
    server = start(time_scale=0.01)
    try:
        reply = http.post(
            f"{server.base_url}/v1/{IMAGE}?sync=true", json={"prompt": "x"}, timeout=30
        )
        assert reply.status_code == 200
        data = reply.json()
        assert data["status"] == "completed"
        assert len(data["outputs"]) == 1
        assert server.stats.submits == 1
    finally:
        server.stop()


def test_sync_timeout_status_mode_answers_the_running_task(http: requests.Session) -> None:
    server = start(time_scale=0.01, sync_timeout=1.0, duration_fn=lambda _m, _p: 3600.0)
    try:
        reply = http.post(
            f"{server.base_url}/v1/{IMAGE}?sync=true", json={"prompt": "x"}, timeout=30
        )
        assert reply.status_code == 200
        data = reply.json()
        assert data["status"] in ("created", "processing")
        assert data["id"] in server.state.tasks
    finally:
        server.stop()


def test_sync_timeout_504_mode_answers_a_gateway_page_without_id(
    http: requests.Session,
) -> None:
    server = start(
        time_scale=0.01,
        sync_timeout=1.0,
        sync_timeout_mode="504",
        duration_fn=lambda _m, _p: 3600.0,
    )
    try:
        reply = http.post(
            f"{server.base_url}/v1/{IMAGE}?sync=true", json={"prompt": "x"}, timeout=30
        )
        assert reply.status_code == 504
        assert reply.headers["Content-Type"].startswith("text/html")
        assert "504" in reply.text
        with pytest.raises(json.JSONDecodeError):
            json.loads(reply.text)
        assert server.task_count() == 1  # the task exists and keeps running
        (task_id,) = server.state.tasks
        assert task_id not in reply.text
        assert poll(http, server, task_id)["status"] in ("created", "processing")
    finally:
        server.stop()


# -- the admin route ---------------------------------------------------------------


def test_stats_route_reports_counts_and_checksums(
    manual: SandboxServer, clock: ManualClock, http: requests.Session
) -> None:
    task_id = submit(http, manual).json()["id"]
    clock.advance(10.0)
    poll(http, manual, task_id)
    stats = requests.get(f"{manual.base_url}/_sandbox/stats", timeout=10).json()
    assert stats["submits"] == 1
    assert stats["polls_by_task"] == {task_id: 1}
    assert stats["requests"] == 2  # the stats route does not count itself
    assert stats["checksums"] == {task_id: manual.output_checksums(task_id)}
    assert len(stats["checksums"][task_id][0]) == 64


def test_bundled_catalogue_is_served_model_for_model(
    manual: SandboxServer, http: requests.Session
) -> None:
    from get3w_desktop.core.resources import resource_path

    raw = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    reply = http.get(f"{manual.base_url}/api/v3/models", timeout=10).json()
    assert reply["code"] == 200 and reply["message"] == "success"
    assert reply["data"] == raw["models"]
    assert {m["model_id"] for m in reply["data"]} == {m.model_id for m in load_bundled()}


def test_a_custom_catalogue_is_served_and_enforced(http: requests.Session) -> None:
    only = Catalogue([MODEL])
    with SandboxServer(SandboxConfig(time_scale=0.01), catalogue=only) as server:
        data = http.get(f"{server.base_url}/api/v3/models", timeout=10).json()["data"]
        parsed, problems = parse_catalogue(data, source="test")
        assert problems == []
        assert [m.model_id for m in parsed] == [IMAGE]
        assert parsed.get(IMAGE) == dataclasses.replace(MODEL, source="test")
        other = http.post(
            f"{server.base_url}/v1/wavespeed-ai/flux-dev", json={"prompt": "x"}, timeout=10
        )
        assert other.status_code == 404
