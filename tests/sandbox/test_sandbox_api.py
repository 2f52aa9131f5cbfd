"""The sandbox's API host over real HTTP: auth, the task lifecycle, and errors."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from get3w_desktop.core.catalogue import load_bundled, validate_params
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.sandbox.support import AUTH, IMAGE, ManualClock, catalogue_model, poll, start, submit

MODEL = catalogue_model(IMAGE)
PRICE, ESTIMATE = MODEL.base_price or 0.0, MODEL.estimated_duration


# -- authentication ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Missing Authorization header"),
        ("", "Missing Authorization header"),
        (SANDBOX_API_KEY, "Invalid Authorization format, expected: Bearer <api_key>"),
        (f"Token {SANDBOX_API_KEY}", "Invalid Authorization format, expected: Bearer <api_key>"),
        ("Bearer", "Invalid Authorization format, expected: Bearer <api_key>"),
        ("Bearer sk_revoked_1234", "Invalid or revoked API key"),
    ],
)
def test_auth_errors_have_the_contract_bodies(
    manual: SandboxServer, header: str | None, message: str
) -> None:
    headers = {} if header is None else {"Authorization": header}
    for method, path in (("POST", f"/v1/{IMAGE}"), ("GET", "/v1/requests/abc")):
        reply = requests.request(
            method, manual.base_url + path, headers=headers, json={"prompt": "x"}, timeout=10
        )
        assert reply.status_code == 401
        assert reply.json() == {"code": 401, "error": message}
    v3 = requests.get(f"{manual.base_url}/api/v3/balance", headers=headers, timeout=10)
    assert v3.status_code == 401
    assert v3.json() == {"code": 401, "message": message, "data": None}
    assert manual.task_count() == 0


# -- the task lifecycle ------------------------------------------------------------


def test_async_task_goes_created_processing_completed_on_the_clock(
    manual: SandboxServer, clock: ManualClock, http: requests.Session
) -> None:
    reply = submit(http, manual)
    assert reply.status_code == 200
    answer = reply.json()
    assert set(answer) == {"id", "status", "estimated_duration"}
    assert answer["status"] == "created"
    assert answer["estimated_duration"] == ESTIMATE  # the catalogue's estimate, time_scale 1
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", answer["id"]
    )
    task_id = answer["id"]

    first = poll(http, manual, task_id)
    assert first["status"] == "created"
    assert first["outputs"] == [] and first["code"] == 0 and first["error"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first["created_at"])
    assert first["model"] == IMAGE

    clock.advance(1.0)  # the queue wait is 2-8 % of the duration
    assert poll(http, manual, task_id)["status"] == "processing"
    clock.advance(8.9)
    assert poll(http, manual, task_id)["status"] == "processing"
    assert manual.output_checksums(task_id) == []

    clock.advance(0.2)
    done = poll(http, manual, task_id)
    assert done["status"] == "completed"
    assert done["code"] == 0 and done["error"] is None
    assert len(done["outputs"]) == 1
    assert done["outputs"][0].startswith(manual.output_base_url + f"/outputs/{task_id}/")
    timings = done["timings"]
    assert set(timings) == {
        "queue_wait",
        "celery_init",
        "api_call",
        "save",
        "run_overhead",
        "total",
    }
    assert timings["total"] == 10_000
    assert sum(v for k, v in timings.items() if k != "total") == timings["total"]
    assert all(v >= 0 for v in timings.values())
    assert 200 <= timings["queue_wait"] <= 800
    assert manual.stats.polls_by_task[task_id] == 4
    assert manual.stats.submits == 1 and manual.stats.submits_by_model == {IMAGE: 1}


def test_time_scale_scales_the_estimate_and_the_duration(
    clock: ManualClock, http: requests.Session
) -> None:
    server = start(clock=clock, time_scale=0.05, duration_fn=lambda _m, _p: 10.0)
    try:
        answer = submit(http, server).json()
        assert answer["estimated_duration"] == pytest.approx(1.0)  # 20 s * 0.05
        clock.advance(0.49)
        assert poll(http, server, answer["id"])["status"] == "processing"
        clock.advance(0.02)
        assert poll(http, server, answer["id"])["status"] == "completed"
    finally:
        server.stop()


def test_durations_follow_the_spread_and_the_seed(clock: ManualClock) -> None:
    """Log-uniform on [0.5E, 2E], and the same for the same seed."""

    def end_times(seed: int) -> list[float]:
        with SandboxServer(SandboxConfig(clock=clock, seed=seed, concurrency_limit=100)) as s:
            with requests.Session() as http:
                http.headers.update(AUTH)
                ids = [submit(http, s, f"p{i}").json()["id"] for i in range(12)]
            return [s.state.tasks[i].duration for i in ids]

    first, again, other = end_times(1), end_times(1), end_times(2)
    assert first == again
    assert first != other
    assert all(10.0 <= d <= 40.0 for d in first + other)  # E = 20 s
    assert max(first) / min(first) > 1.3  # spread, not a constant


def test_failed_task_answers_200_with_code_and_error(
    manual: SandboxServer, clock: ManualClock, http: requests.Session
) -> None:
    task_id = submit(http, manual, "a beach [fail:1200]").json()["id"]
    clock.advance(10.0)
    data = poll(http, manual, task_id)
    assert data["status"] == "failed"
    assert data["code"] == 1200
    assert "moderation" in data["error"]
    assert data["outputs"] == []


def test_failure_rate_fails_tasks_with_contract_codes(clock: ManualClock) -> None:
    server = start(
        clock=clock, failure_rate=1.0, concurrency_limit=50, duration_fn=lambda _m, _p: 1.0
    )
    try:
        with requests.Session() as http:
            http.headers.update(AUTH)
            ids = [submit(http, server, f"p{i}").json()["id"] for i in range(10)]
            clock.advance(1.0)
            codes = {poll(http, server, i)["code"] for i in ids}
        assert codes <= {1200, 1402, 5000, 5003, 5004}
        assert len(codes) >= 2
    finally:
        server.stop()


# -- errors ------------------------------------------------------------------------


def test_bad_requests_answer_400(manual: SandboxServer, http: requests.Session) -> None:
    url = f"{manual.base_url}/v1/{IMAGE}"
    not_json = http.post(url, data=b"{nope", timeout=10)
    assert not_json.status_code == 400
    assert not_json.json()["code"] == 400
    assert not_json.json()["error"].startswith("Invalid parameters")
    array = http.post(url, json=["prompt"], timeout=10)
    assert array.status_code == 400
    missing = http.post(url, json={"aspect_ratio": "16:9"}, timeout=10)
    problem = validate_params(MODEL, {"aspect_ratio": "16:9"})[0]
    assert "prompt" in problem
    assert missing.json() == {"code": 400, "error": f"Invalid parameters: {problem}"}
    wrong = http.post(url, json={"prompt": "x", "resolution": "8k"}, timeout=10)
    assert wrong.status_code == 400
    assert wrong.json()["error"].startswith("Invalid parameters: resolution")
    hook = http.post(url + "?webhook=ftp://example.com/x", json={"prompt": "x"}, timeout=10)
    assert hook.status_code == 400
    assert manual.task_count() == 0


def test_unknown_model_route_and_task_answer_404(
    manual: SandboxServer, http: requests.Session
) -> None:
    not_found = {"code": 404, "error": "Not found"}
    model = http.post(f"{manual.base_url}/v1/acme/no-such-model", json={"prompt": "x"}, timeout=10)
    assert (model.status_code, model.json()) == (404, not_found)
    task = http.get(
        f"{manual.base_url}/v1/requests/00000000-0000-4000-8000-000000000000", timeout=10
    )
    assert (task.status_code, task.json()) == (404, not_found)
    route = http.get(f"{manual.base_url}/v2/whatever", timeout=10)
    assert (route.status_code, route.json()) == (404, not_found)
    v3 = http.get(f"{manual.base_url}/api/v3/nothing", timeout=10)
    assert v3.json() == {"code": 404, "message": "Not found", "data": None}


def test_insufficient_balance_answers_403(http: requests.Session) -> None:
    simple = [m for m in load_bundled() if m.base_price and set(m.required_names) <= {"prompt"}]
    cheapest = min(simple, key=lambda m: m.base_price or 0.0)
    assert cheapest.base_price is not None and cheapest.base_price < PRICE
    server = start(keys={SANDBOX_API_KEY: PRICE - 0.001, "sk_sandbox_broke": 0.0})
    try:
        reply = submit(http, server)  # costs PRICE
        assert reply.status_code == 403
        assert reply.json() == {"code": 403, "error": "Insufficient balance"}
        broke = requests.post(
            f"{server.base_url}/v1/{IMAGE}",
            json={"prompt": "x"},
            timeout=10,
            headers={"Authorization": "Bearer sk_sandbox_broke"},
        )
        assert broke.status_code == 403
        cheap = submit(http, server, model=cheapest.model_id)
        assert cheap.status_code == 200
        assert server.task_count() == 1
    finally:
        server.stop()


def test_concurrency_cap_answers_429_until_a_task_ends(
    clock: ManualClock, http: requests.Session
) -> None:
    server = start(clock=clock, concurrency_limit=2, duration_fn=lambda _m, _p: 10.0)
    try:
        assert submit(http, server).status_code == 200
        clock.advance(4.0)
        assert submit(http, server).status_code == 200
        third = submit(http, server)
        assert third.status_code == 429
        assert third.json() == {"code": 429, "error": "Rate limit exceeded"}
        assert int(third.headers["Retry-After"]) == 6  # the first task ends in 6 s
        assert server.task_count() == 2
        other = requests.post(
            f"{server.base_url}/v1/{IMAGE}",
            json={"prompt": "x"},
            timeout=10,
            headers={"Authorization": "Bearer sk_other"},
        )
        assert other.status_code == 401  # unknown keys are not counted against anyone
        clock.advance(6.0)
        assert submit(http, server).status_code == 200
    finally:
        server.stop()


def test_a_handler_bug_answers_500_and_is_logged(
    http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_model: str, _params: object) -> float:
        raise RuntimeError("duration model exploded")

    server = start(duration_fn=broken)
    try:
        with caplog.at_level(logging.INFO, logger="get3w_desktop.sandbox"):
            reply = submit(http, server)
            assert reply.status_code == 500
            assert reply.json() == {"code": 500, "error": "Server error"}
            assert http.get(f"{server.base_url}/api/v3/balance", timeout=10).status_code == 200
    finally:
        server.stop()
    assert any(r.exc_info and "exploded" in str(r.exc_info[1]) for r in caplog.records)
    lines = [r.getMessage() for r in caplog.records]
    assert any(f"api POST /v1/{IMAGE} -> 500" in line for line in lines)
    assert any("api GET /api/v3/balance -> 200" in line for line in lines)
    assert not any(SANDBOX_API_KEY in line for line in lines)
