"""The client against a scripted loopback server: exact statuses, bodies and counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import HostBoundBearer
from get3w_desktop.api.waiting import EventSleeper, WaitEvent, WaitState, Wake, wait_for_task
from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    ConfigError,
    InsufficientBalanceError,
    InvalidParametersError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SubmissionUncertainError,
    UnsupportedError,
    WaitTimeoutError,
)
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import SubmitMode, Task
from tests.scripted_server import Answer, ScriptedServer

KEY = "sk_test_canary_7f3a9c"
MODEL = "google/nano-banana-pro/text-to-image"
FAST = ScheduleParams(jitter=0.0).scaled(0.002)
CREATED = Answer(200, {"id": "t-1", "status": "created", "estimated_duration": 0.05})
HTML_502 = Answer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>",
                  {"Content-Type": "text/html"})  # fmt: skip


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[Get3WClient]:
    with Get3WClient(server.url, KEY) as c:
        yield c


def task_answer(status: str, **extra: object) -> Answer:
    return Answer(200, {"id": "t-1", "status": status, **extra})


def test_submit_sends_json_with_the_key_and_returns_the_created_task(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("POST", f"/v1/{MODEL}", CREATED)
    task = client.submit(MODEL, {"prompt": "A sunset", "channel": "stable"})
    assert (task.id, task.status, task.estimated_duration) == ("t-1", "created", 0.05)
    assert task.model == MODEL
    [seen] = server.requests_to("POST", f"/v1/{MODEL}")
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    assert seen.headers["Content-Type"] == "application/json"
    assert b'"prompt": "A sunset"' in seen.body


def test_sync_and_webhook_modes_use_the_query_string(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("POST", f"/v1/{MODEL}", CREATED)
    client.submit(MODEL, {"prompt": "x"}, mode=SubmitMode.SYNC)
    client.submit(MODEL, {"prompt": "x"}, mode=SubmitMode.WEBHOOK,
                  webhook_url="https://hooks.example.com/a?b=c")  # fmt: skip
    sync, hook = server.requests_to("POST", f"/v1/{MODEL}")
    assert sync.path.endswith("?sync=true")
    assert hook.path.endswith("?webhook=https%3A%2F%2Fhooks.example.com%2Fa%3Fb%3Dc")
    with pytest.raises(InvalidParametersError):
        client.submit(MODEL, {}, mode=SubmitMode.WEBHOOK)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (Answer(401, {"code": 401, "error": "Invalid or revoked API key"}), AuthError),
        (Answer(403, {"code": 403, "error": "Insufficient balance"}), InsufficientBalanceError),
        (Answer(400, {"code": 400, "error": "Invalid parameters"}), InvalidParametersError),
        (Answer(404, {"code": 404, "error": "Not found"}), NotFoundError),
        (Answer(429, {"code": 429, "error": "Rate limit exceeded"}, {"Retry-After": "3"}),
         RateLimitedError),
        (Answer(503, "<html>down</html>", {"Content-Type": "text/html"}), ServerError),
    ],
)  # fmt: skip
def test_definite_refusals_are_typed_and_never_uncertain(
    server: ScriptedServer, client: Get3WClient, answer: Answer, error: type[Exception]
) -> None:
    server.on("POST", f"/v1/{MODEL}", answer)
    with pytest.raises(error) as caught:
        client.submit(MODEL, {"prompt": "x"})
    assert str(caught.value)
    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 3.0
    assert "Invalid or revoked" in str(caught.value) or error is not AuthError


@pytest.mark.parametrize(
    "answer",
    [
        Answer(500, {"code": 500, "error": "Server error"}),
        HTML_502,
        Answer(504, "<html>gateway timeout</html>", {"Content-Type": "text/html"}),
        Answer(200, "<html>oops</html>", {"Content-Type": "text/html"}),
        Answer(200, {"status": "created"}),  # no id
        Answer(reset=True),
        Answer(302, b"", {"Location": "https://elsewhere.example.com/"}),
    ],
)
def test_a_lost_submit_answer_is_uncertain_and_never_resent(
    server: ScriptedServer, client: Get3WClient, answer: Answer
) -> None:
    server.on("POST", f"/v1/{MODEL}", answer)
    with pytest.raises(SubmissionUncertainError) as caught:
        client.submit_with_safe_retries(MODEL, {"prompt": "x"}, attempts=5)
    assert "not sent again" in caught.value.message
    assert len(server.requests_to("POST", f"/v1/{MODEL}")) == 1


def test_submits_are_repeated_only_when_the_task_was_surely_not_created(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on(
        "POST", f"/v1/{MODEL}",
        Answer(503, "busy", {"Retry-After": "0"}),
        Answer(429, {"code": 429, "error": "Rate limit exceeded"}, {"Retry-After": "0"}),
        CREATED,
    )  # fmt: skip
    retries: list[float] = []
    task = client.submit_with_safe_retries(
        MODEL, {"prompt": "x"}, attempts=3, on_retry=lambda exc, d: retries.append(d)
    )
    assert task.id == "t-1"
    assert len(server.requests_to("POST", f"/v1/{MODEL}")) == 3
    assert len(retries) == 2


def test_connection_refused_is_known_unsent() -> None:
    with ScriptedServer() as srv:
        url = srv.url
    with Get3WClient(url, KEY) as client, pytest.raises(NetworkError) as caught:
        client.submit(MODEL, {"prompt": "x"})
    assert caught.value.maybe_sent is False


def test_get_reads_unknown_statuses_and_fields(server: ScriptedServer, client: Get3WClient) -> None:
    server.on("GET", "/v1/requests/t-1", task_answer("queued", gpu="a100", progress=0.4))
    task = client.get("t-1")
    assert not task.terminal
    assert task.extra == {"gpu": "a100", "progress": 0.4}


def test_get_refuses_an_answer_about_another_task(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("GET", "/v1/requests/t-1", Answer(200, {"id": "t-2", "status": "completed"}))
    with pytest.raises(BadResponseError):
        client.get("t-1")


def test_api_redirects_are_not_followed(server: ScriptedServer) -> None:
    with ScriptedServer() as other, Get3WClient(server.url, KEY) as client:
        server.on("GET", "/v1/requests/t-1",
                  Answer(302, b"", {"Location": f"{other.url}/v1/requests/t-1"}))  # fmt: skip
        with pytest.raises(BadResponseError):
            client.get("t-1")
        assert other.seen == []


def test_the_key_is_bound_to_the_api_origin() -> None:
    import requests

    auth = HostBoundBearer(KEY, "https://api.get3w.com")
    ours = auth(requests.Request("GET", "https://api.get3w.com/v1/x").prepare())
    theirs = auth(requests.Request("GET", "https://cdn.get3w.com/x.png",
                                   headers={"Authorization": "x"}).prepare())  # fmt: skip
    downgraded = auth(requests.Request("GET", "http://api.get3w.com/v1/x").prepare())
    assert ours.headers["Authorization"] == f"Bearer {KEY}"
    assert "Authorization" not in theirs.headers
    assert "Authorization" not in downgraded.headers
    assert KEY not in repr(auth)


def test_a_netrc_entry_cannot_replace_the_key(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    server.on("GET", "/v1/requests/t-1", task_answer("completed"))
    with Get3WClient(server.url, KEY) as client:
        client.get("t-1")
    assert server.seen[-1].headers["Authorization"] == f"Bearer {KEY}"


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(ConfigError):
        Get3WClient("http://api.get3w.com", KEY)


def test_missing_v3_routes_degrade_and_are_probed_once(
    server: ScriptedServer, client: Get3WClient
) -> None:
    assert client.balance() is None
    assert client.v3_available() is False
    with pytest.raises(UnsupportedError):
        client.list_models()
    assert client.delete("t-1") is False
    assert len(server.seen) == 1  # the probe settled it


def test_served_v3_routes_unwrap_their_envelope(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("GET", "/api/v3/balance", Answer(200, {"code": 200, "message": "success",
                                                     "data": {"balance": 12.5}}))  # fmt: skip
    server.on(
        "DELETE",
        "/api/v3/predictions/t-1",
        Answer(200, {"code": 200, "message": "success", "data": {"id": "t-1"}}),
    )
    assert client.balance() == 12.5
    assert client.v3_available() is True
    assert client.delete("t-1") is True


def test_a_served_v3_route_still_reports_auth_errors(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on(
        "GET",
        "/api/v3/balance",
        Answer(401, {"code": 401, "message": "Invalid or revoked API key", "data": None}),
    )
    with pytest.raises(AuthError):
        client.balance()


# -- the wait loop -------------------------------------------------------------------


def test_waiting_survives_every_transient_fault_and_says_so(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on(
        "GET", "/v1/requests/t-1",
        Answer(reset=True),
        HTML_502,
        Answer(200, b'{"id": "t-1", "status": "proc'),
        Answer(429, {"code": 429, "error": "Rate limit exceeded"}, {"Retry-After": "0"}),
        task_answer("queued"),
        task_answer("processing"),
        task_answer("completed", outputs=["https://cdn.example.com/a.png"]),
    )  # fmt: skip
    events: list[WaitEvent] = []
    task = Task(id="t-1", status="created", model=MODEL, estimated_duration=0.05)
    final = wait_for_task(client, task, cancel=threading.Event(), on_event=events.append,
                          params=FAST)  # fmt: skip
    assert final.status == "completed"
    assert final.model == MODEL and final.estimated_duration == 0.05  # kept from the submit
    states = [e.state for e in events]
    assert states[:4] == [WaitState.WAITING_FOR_NETWORK, WaitState.RETRYING,
                          WaitState.RETRYING, WaitState.RATE_LIMITED]  # fmt: skip
    assert states[4:] == [WaitState.POLLED] * 3
    assert len(server.requests_to("GET", "/v1/requests/t-1")) == 7


def test_a_failed_task_is_a_result_not_an_exception(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("GET", "/v1/requests/t-1", task_answer("failed", code=1200, error="Blocked"))
    final = wait_for_task(client, Task("t-1", "created"), cancel=threading.Event(), params=FAST)
    assert (final.status, final.code, final.error) == ("failed", 1200, "Blocked")


def test_auth_errors_stop_the_wait(server: ScriptedServer, client: Get3WClient) -> None:
    server.on("GET", "/v1/requests/t-1", Answer(401, {"code": 401, "error": "revoked"}))
    with pytest.raises(AuthError):
        wait_for_task(client, Task("t-1", "created"), cancel=threading.Event(), params=FAST)


def test_not_found_is_retried_briefly_then_reported(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("GET", "/v1/requests/t-1", Answer(404, {"code": 404, "error": "Not found"}),
              task_answer("completed"))  # fmt: skip
    final = wait_for_task(client, Task("t-1", "created"), cancel=threading.Event(), params=FAST)
    assert final.terminal
    server.on("GET", "/v1/requests/t-1", Answer(404, {"code": 404, "error": "Not found"}))
    with pytest.raises(NotFoundError):
        wait_for_task(client, Task("t-1", "created"), cancel=threading.Event(), params=FAST,
                      elapsed_at_start=3600.0)  # fmt: skip


def test_cancel_stops_a_long_wait_at_once(server: ScriptedServer, client: Get3WClient) -> None:
    server.on("GET", "/v1/requests/t-1", task_answer("processing"))
    cancel = threading.Event()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            wait_for_task(client, Task("t-1", "created", estimated_duration=3600.0), cancel=cancel)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    cancel.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], CancelledError)
    assert server.requests_to("GET", "/v1/requests/t-1") == []  # first poll is ~30 min away


def test_the_local_timeout_leaves_the_task_running(
    server: ScriptedServer, client: Get3WClient
) -> None:
    server.on("GET", "/v1/requests/t-1", task_answer("processing"))
    with pytest.raises(WaitTimeoutError) as caught:
        wait_for_task(client, Task("t-1", "created", estimated_duration=0.01),
                      cancel=threading.Event(), params=FAST, timeout=0.2)  # fmt: skip
    assert caught.value.task_id == "t-1"


def test_a_sleeping_laptop_is_noticed_by_the_wall_clock_jump() -> None:
    wall = iter([1000.0, 5000.0])  # the wall clock leaps while monotonic barely moves
    sleeper = EventSleeper(threading.Event(), slice_seconds=0.01, wall=lambda: next(wall))
    assert sleeper(60.0) is Wake.CLOCK_JUMP
    steady = EventSleeper(threading.Event(), slice_seconds=0.01)
    assert steady(0.02) is Wake.ELAPSED
    cancelled = threading.Event()
    cancelled.set()
    assert EventSleeper(cancelled)(60.0) is Wake.CANCELLED
