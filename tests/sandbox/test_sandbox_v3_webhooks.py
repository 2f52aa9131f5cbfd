"""The sandbox's /api/v3 extras (uploads, delete, degradation) and webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from PIL import Image

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.sandbox.support import IMAGE, ManualClock


@pytest.fixture
def server(clock: ManualClock) -> Iterator[SandboxServer]:
    config = SandboxConfig(clock=clock, duration_fn=lambda _m, _p: 10.0, render_scale=0.1)
    with SandboxServer(config) as sandbox:
        yield sandbox


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


# -- v3 routes ---------------------------------------------------------------------


def test_upload_round_trip_through_the_output_host(
    server: SandboxServer, http: requests.Session
) -> None:
    data = png_bytes()
    reply = http.post(
        f"{server.base_url}/api/v3/files/upload",
        files={"file": ("red dot.png", data, "image/png")},
        timeout=10,
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["code"] == 200 and body["message"] == "success"
    url = body["data"]["url"]
    assert url.startswith(server.output_base_url + "/uploads/")
    assert url.endswith("/red_dot.png")
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["Content-Type"] == "image/png"
    assert int(fetched.headers["Content-Length"]) == len(data)
    assert server.stats.output_auth_headers == []


def test_upload_guesses_the_kind_from_name_or_content(
    server: SandboxServer, http: requests.Session
) -> None:
    url = f"{server.base_url}/api/v3/files/upload"
    by_magic = http.post(
        url, files={"file": ("blob", png_bytes(), "application/octet-stream")}, timeout=10
    )
    assert by_magic.status_code == 200
    assert requests.get(by_magic.json()["data"]["url"], timeout=10).headers["Content-Type"] == (
        "image/png"
    )
    unlabelled: Any = {"file": ("take.wav", b"not really a wav", None)}
    by_name = http.post(url, files=unlabelled, timeout=10)
    assert by_name.status_code == 200


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"other": ("a.png", b"\x89PNG\r\n\x1a\nxx", "image/png")}, "'file' is required"),
        ({"file": ("notes.txt", b"hello", "text/plain")}, "only image, video and audio"),
        ({"file": ("empty.png", b"", "image/png")}, "empty"),
        ({"file": ("huge.png", b"\0" * (20 * 1024**2 + 1), "image/png")}, "limited to 20 MB"),
    ],
)
def test_bad_uploads_answer_400_in_the_envelope(
    server: SandboxServer, http: requests.Session, files: dict[str, Any], problem: str
) -> None:
    reply = http.post(f"{server.base_url}/api/v3/files/upload", files=files, timeout=30)
    assert reply.status_code == 400
    body = reply.json()
    assert body["code"] == 400 and body["data"] is None
    assert body["message"].startswith("Invalid parameters")
    assert problem in body["message"]


def test_delete_cancels_refunds_and_then_404s(
    server: SandboxServer, http: requests.Session
) -> None:
    task_id = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10).json()[
        "id"
    ]
    before = http.get(f"{server.base_url}/api/v3/balance", timeout=10).json()["data"]["balance"]
    reply = http.delete(f"{server.base_url}/api/v3/predictions/{task_id}", timeout=10)
    assert reply.status_code == 200
    assert reply.json() == {
        "code": 200,
        "message": "success",
        "data": {"id": task_id, "status": "deleted"},
    }
    gone = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=10)
    assert (gone.status_code, gone.json()) == (404, {"code": 404, "error": "Not found"})
    again = http.delete(f"{server.base_url}/api/v3/predictions/{task_id}", timeout=10)
    assert again.status_code == 404
    assert again.json() == {"code": 404, "message": "Not found", "data": None}
    after = http.get(f"{server.base_url}/api/v3/balance", timeout=10).json()["data"]["balance"]
    price = load_bundled().get(IMAGE).base_price  # type: ignore[union-attr]
    assert after == pytest.approx(before + price)  # cancelled before it ran: not charged


def test_another_key_cannot_delete_my_task(http: requests.Session) -> None:
    config = SandboxConfig(keys={SANDBOX_API_KEY: 10.0, "sk_sandbox_other": 10.0})
    with SandboxServer(config) as server:
        task_id = http.post(
            f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10
        ).json()["id"]
        reply = requests.delete(
            f"{server.base_url}/api/v3/predictions/{task_id}",
            timeout=10,
            headers={"Authorization": "Bearer sk_sandbox_other"},
        )
        assert reply.status_code == 404
        assert http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=10).status_code == 200


def test_without_v3_every_v3_route_is_404_and_v1_still_works(http: requests.Session) -> None:
    with SandboxServer(SandboxConfig(v3_enabled=False, time_scale=0.01)) as server:
        for method, route in (
            ("GET", "models"),
            ("GET", "balance"),
            ("GET", "usage"),
            ("POST", "files/upload"),
            ("DELETE", "predictions/x"),
        ):
            reply = http.request(method, f"{server.base_url}/api/v3/{route}", timeout=10)
            assert reply.status_code == 404, route
            assert reply.json() == {"code": 404, "error": "Not found"}
        anonymous = requests.get(f"{server.base_url}/api/v3/models", timeout=10)
        assert anonymous.status_code == 404
        submitted = http.post(f"{server.base_url}/v1/{IMAGE}", json={"prompt": "x"}, timeout=10)
        assert submitted.status_code == 200


# -- webhooks ----------------------------------------------------------------------


Delivery = tuple[bytes, dict[str, str], str]  # body, headers, path


class Receiver:
    """A loopback webhook receiver that fails its first `fail_first` deliveries."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[Delivery] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append((body, dict(self.headers), self.path))
                    failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/get3w?source=sandbox"

    def wait_for(
        self, count: int, seconds: float = 10.0
    ) -> list[tuple[bytes, dict[str, str], str]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"{len(self.received)} deliveries, expected {count}")

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def wait_for_deliveries(server: SandboxServer, count: int) -> list[dict[str, Any]]:
    """The server's delivery records once there are `count` (it records after the answer)."""
    deadline = time.monotonic() + 10
    while len(server.stats.webhook_deliveries) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return server.stats.webhook_deliveries


def test_webhook_delivers_the_final_task_signed_and_retries(
    server: SandboxServer, clock: ManualClock, http: requests.Session
) -> None:
    with Receiver(fail_first=1) as receiver:
        reply = http.post(
            f"{server.base_url}/v1/{IMAGE}",
            params={"webhook": receiver.url},
            json={"prompt": "a hook"},
            timeout=10,
        )
        assert reply.status_code == 200
        answer = reply.json()
        assert answer["status"] == "created"
        time.sleep(0.1)
        assert receiver.received == []  # nothing before the task ends
        clock.advance(10.0)
        failed, delivered = receiver.wait_for(2)
    body, headers, path = delivered
    assert failed[0] == body  # the retry sends the same bytes
    assert path == "/hooks/get3w?source=sandbox"
    expected = hmac.new(b"whsec_sandbox", body, hashlib.sha256).hexdigest()
    assert headers["X-Get3W-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert "Authorization" not in headers
    task = json.loads(body)
    assert task["id"] == answer["id"]
    assert task["status"] == "completed"
    assert task["outputs"] and task["outputs"][0].startswith(server.output_base_url)
    deliveries = wait_for_deliveries(server, 2)
    assert [(d["attempt"], d["status"], d["ok"]) for d in deliveries] == [
        (1, 500, False),
        (2, 204, True),
    ]


def test_webhook_to_a_dead_receiver_gives_up_after_a_few_attempts(
    server: SandboxServer, clock: ManualClock, http: requests.Session
) -> None:
    with Receiver() as receiver:
        dead_url = receiver.url
    reply = http.post(
        f"{server.base_url}/v1/{IMAGE}",
        params={"webhook": dead_url},
        json={"prompt": "nobody home"},
        timeout=10,
    )
    assert reply.status_code == 200
    clock.advance(10.0)
    deliveries = wait_for_deliveries(server, 4)
    assert [d["attempt"] for d in deliveries] == [1, 2, 3, 4]
    assert not any(d["ok"] for d in deliveries)
    assert all(d["status"] == 0 and d["error"] for d in deliveries)
