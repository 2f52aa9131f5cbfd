"""Every fault of FaultConfig, observed the way a client meets it, and its determinism."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.client import HTTPConnection, IncompleteRead
from typing import Any

import pytest
import requests

from get3w_desktop.sandbox import FaultConfig, SandboxConfig, SandboxServer
from tests.sandbox.support import AUTH, IMAGE, ManualClock


def serve(clock: ManualClock, **faults: Any) -> SandboxServer:
    config = SandboxConfig(
        clock=clock,
        duration_fn=lambda _m, _p: 1.0,
        render_scale=0.1,
        concurrency_limit=1000,
        faults=FaultConfig(**faults),
    )
    return SandboxServer(config).start()


def completed_task(server: SandboxServer, clock: ManualClock, http: requests.Session) -> str:
    """A completed task's id, created with fault-free requests."""
    task_id = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10).json()[
        "id"
    ]
    clock.advance(1.0)
    return str(task_id)


def get_raw(host_url: str, path: str, headers: dict[str, str] | None = None) -> socket.socket:
    """A raw loopback socket with a GET sent on it (for faults below HTTP)."""
    host, port = host_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def test_reset_on_polls_is_a_connection_error(clock: ManualClock, http: requests.Session) -> None:
    with serve(clock, reset=1.0) as server:
        task_id = completed_task(server, clock, http)
        with pytest.raises(requests.ConnectionError):
            http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5)
        assert server.stats.faults_injected == {"reset": 1}
        assert server.stats.polls_by_task == {task_id: 1}


def test_reset_after_submit_creates_the_task_and_loses_the_answer(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, reset_after_submit=1.0) as server:
        with pytest.raises(requests.ConnectionError):
            http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=5)
        assert server.task_count() == 1
        assert server.stats.submits == 1
        (task_id,) = server.state.tasks
        assert http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5).status_code == 200


def test_malformed_json_is_a_200_that_does_not_parse(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, malformed_json=1.0) as server:
        task_id = completed_task(server, clock, http)
        reply = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5)
        assert reply.status_code == 200
        assert int(reply.headers["Content-Length"]) == len(reply.content)
        assert reply.content.startswith(b'{"id": ')
        with pytest.raises(json.JSONDecodeError):
            json.loads(reply.content)


def test_server_errors_are_html_gateway_pages_and_503_has_retry_after(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, server_error=1.0, retry_after=7) as server:
        replies = [http.get(f"{server.base_url}/api/v3/balance", timeout=5) for _ in range(12)]
        assert {r.status_code for r in replies} == {502, 503, 504}
        for reply in replies:
            assert reply.headers["Content-Type"] == "text/html"
            assert str(reply.status_code) in reply.text and "<html>" in reply.text
            assert ("Retry-After" in reply.headers) == (reply.status_code == 503)
            if reply.status_code == 503:
                assert reply.headers["Retry-After"] == "7"
        assert server.stats.faults_injected == {"server_error": 12}
        assert server.task_count() == 0


def test_rate_limit_fault_is_a_429_with_retry_after(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, rate_limit=1.0, retry_after=2.5) as server:
        reply = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=5)
        assert reply.status_code == 429
        assert reply.json() == {"code": 429, "error": "Rate limit exceeded"}
        assert reply.headers["Retry-After"] == "2.5"
        assert server.task_count() == 0
        v3 = http.get(f"{server.base_url}/api/v3/balance", timeout=5)
        assert v3.json() == {"code": 429, "message": "Rate limit exceeded", "data": None}


def test_truncated_download_sends_fewer_bytes_than_content_length(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, truncated_download=1.0) as server:
        task_id = completed_task(server, clock, http)
        port = int(server.output_base_url.rsplit(":", 1)[1])
        connection = HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", f"/outputs/{task_id}/0.png")
            reply = connection.getresponse()
            assert reply.status == 200
            length = int(reply.headers["Content-Length"])
            with pytest.raises(IncompleteRead) as cut:
                reply.read()
        finally:
            connection.close()
        assert 0 < len(cut.value.partial) < length
        assert cut.value.expected == length - len(cut.value.partial)
        assert server.stats.faults_injected == {"truncated_download": 1}


def test_hang_never_answers_until_stop_releases_it(
    clock: ManualClock, http: requests.Session
) -> None:
    server = serve(clock, hang=1.0)
    try:
        with pytest.raises(requests.ReadTimeout):
            http.get(f"{server.base_url}/api/v3/balance", timeout=(5, 0.3))
        outcome: list[BaseException] = []

        def waiting_client() -> None:
            try:
                requests.get(f"{server.output_base_url}/outputs/x/0.png", timeout=30)
            except requests.RequestException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=waiting_client)
        thread.start()
        deadline = time.monotonic() + 5
        while server.stats.output_requests == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.stats.output_requests == 1
    finally:
        server.stop()  # must return promptly although two answers are hanging
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], requests.ConnectionError)
    assert server.stats.faults_injected == {"hang": 2}


def test_drip_sends_one_byte_at_a_time_and_stop_cuts_it(
    clock: ManualClock, http: requests.Session
) -> None:
    server = serve(clock, drip=1.0)
    sock = get_raw(server.base_url, "/api/v3/balance", AUTH)
    try:
        received = sock.recv(1024)  # one byte; the next comes a second later
        assert received.startswith(b"H") and len(received) <= 2
        server.stop()
        try:
            while chunk := sock.recv(1024):
                received += chunk
        except ConnectionResetError:
            pass
        # The connection ended long before a whole answer (a hundred bytes or so).
        assert b"HTTP/1.1 200".startswith(received[:12]) and len(received) < 20
    finally:
        sock.close()
        server.stop()
    assert server.stats.faults_injected == {"drip": 1}


def test_latency_delays_answers(clock: ManualClock, http: requests.Session) -> None:
    with serve(clock, latency=(5.0, 5.0)) as server, pytest.raises(requests.ReadTimeout):
        http.get(f"{server.base_url}/api/v3/balance", timeout=(5, 0.2))


def test_stuck_created_and_forget_after(clock: ManualClock, http: requests.Session) -> None:
    with serve(clock, stuck_created=1.0, forget_after=60.0) as server:
        task_id = http.post(
            f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=5
        ).json()["id"]
        clock.advance(59.0)  # long after its 1 s duration
        assert (
            http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5).json()["status"]
            == "created"
        )
        clock.advance(2.0)
        forgotten = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5)
        assert forgotten.status_code == 404
        assert forgotten.json() == {"code": 404, "error": "Not found"}


def observe(seed: int, faults: FaultConfig) -> tuple[list[str], dict[str, int]]:
    """What a fixed sequence of requests meets on a fresh sandbox."""
    clock = ManualClock()
    config = SandboxConfig(
        clock=clock,
        seed=seed,
        duration_fn=lambda _m, _p: 1.0,
        render_scale=0.1,
        concurrency_limit=1000,
        faults=faults,
    )
    seen: list[str] = []
    with SandboxServer(config) as server, requests.Session() as http:
        http.headers.update(AUTH)
        for i in range(12):
            try:
                reply = http.post(
                    f"{server.base_url}/v1/{IMAGE}", json={"prompt": str(i)}, timeout=5
                )
                seen.append(f"submit {reply.status_code}")
            except requests.ConnectionError:
                seen.append("submit reset")
        clock.advance(1.0)
        for task_id in list(server.state.tasks):
            for _ in range(3):
                try:
                    reply = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5)
                    json.loads(reply.content)
                    seen.append(f"poll {reply.status_code}")
                except requests.ConnectionError:
                    seen.append("poll reset")
                except json.JSONDecodeError:
                    seen.append(f"poll {reply.status_code} malformed")
        return seen, server.stats.faults_injected


def test_same_seed_same_requests_same_faults() -> None:
    faults = FaultConfig(
        rate_limit=0.15, server_error=0.15, malformed_json=0.2, reset=0.2, reset_after_submit=0.2
    )
    first, injected = observe(3, faults)
    again, injected_again = observe(3, faults)
    other, _ = observe(4, faults)
    assert first == again
    assert injected == injected_again
    assert set(injected) == {
        "rate_limit",
        "server_error",
        "malformed_json",
        "reset",
        "reset_after_submit",
    }
    assert first != other
    assert any(s.startswith("submit 200") for s in first)


# -- hostile and odd servers (sandbox/hostile.py) -------------------------------------------


def test_gzip_compresses_api_answers_only_for_clients_that_accept_it(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, gzip=1.0) as server:
        task_id = completed_task(server, clock, http)  # requests accepts gzip: compressed
        url = f"{server.base_url}/v1/requests/{task_id}"
        reply = http.get(url, timeout=5, stream=True)
        assert reply.headers["Content-Encoding"] == "gzip"
        assert reply.raw.read(2, decode_content=False) == b"\x1f\x8b"
        reply.close()
        plain = http.get(url, timeout=5, headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers and plain.json()["id"] == task_id
        assert server.stats.faults_injected["gzip"] == 2


def test_surrogates_deep_fields_echoed_keys_and_absurd_estimates_shape_task_answers(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, surrogate=1.0, deep_field=1.0, echo_key=1.0, absurd_estimate=1.0) as server:
        submitted = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "[fail:1200] x"},
                              timeout=10)  # fmt: skip
        text = submitted.text
        assert '"message": "Rendering \\ud83d"' in text  # valid JSON, a lone surrogate
        assert "[" * 1000 + "1" + "]" * 1000 in text
        task_id = text.split('"id": "', 1)[1].split('"', 1)[0]
        estimate = server.state.find(task_id).estimate  # type: ignore[union-attr]
        assert f'"estimated_duration": {round(estimate * 1000)}' in text
        clock.advance(5.0)
        polled = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5).text
        key = AUTH["Authorization"].split()[1]
        assert f"(request signed with key {key})" in polled and "\\ud83d" in polled
        assert f'"authorization": "Bearer {key}"' in polled


def test_a_huge_or_redirected_submit_answer_still_creates_the_task(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock, bad_redirect=1.0) as server:
        with pytest.raises(ValueError, match="IPv6"):  # what requests makes of it
            http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10,
                      allow_redirects=False)  # fmt: skip
        host, port = server.base_url.removeprefix("http://").split(":")
        connection = HTTPConnection(host, int(port), timeout=10)
        connection.request("POST", f"/v1/{IMAGE}", body=b'{"prompt": "y"}',
                           headers={**AUTH, "Content-Type": "application/json"})  # fmt: skip
        answer = connection.getresponse()
        assert answer.status == 302 and answer.getheader("Location", "").startswith("http://[")
        connection.close()
        assert server.task_count() == 2
    with serve(clock, huge_submit=1.0) as server:
        reply = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10,
                          stream=True)  # fmt: skip
        assert int(reply.headers["Content-Length"]) == 100 * 1024**2
        assert reply.raw.read(8) == b'{"id": "'
        reply.close()  # a careful client stops reading; the server notices and stops
        assert server.task_count() == 1


def test_outputs_cut_without_a_length_or_corrupt_behind_their_signature(
    clock: ManualClock, http: requests.Session
) -> None:
    with serve(clock) as good:
        task_id = completed_task(good, clock, http)
        [url] = http.get(f"{good.base_url}/v1/requests/{task_id}", timeout=5).json()["outputs"]
        whole = requests.get(url, timeout=5).content
    for fault in ("lengthless_truncation", "corrupt_image"):
        options: dict[str, Any] = {fault: 1.0}
        with serve(clock, **options) as server:
            task_id = completed_task(server, clock, http)
            [url] = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=5).json()[
                "outputs"
            ]
            reply = requests.get(url, timeout=5)
            assert reply.status_code == 200
            if fault == "lengthless_truncation":
                assert "Content-Length" not in reply.headers
                assert len(reply.content) == len(whole) // 2  # and requests saw no error
            else:
                assert reply.headers["Content-Length"] == str(len(whole))
                assert reply.content[:8] == whole[:8] and set(reply.content[8:]) == {0}
            assert server.stats.faults_injected == {fault: 1}
