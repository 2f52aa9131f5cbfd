"""With a proxy configured, the key still reaches only the API, and only inside TLS.

- HTTPS API behind a custom proxy: the proxy sees `CONNECT host:port` lines and encrypted
  bytes, never the key, an Authorization header or a request path.
- The loopback sandbox over plain HTTP never goes through a proxy, whatever the profile
  or the environment says (a proxy would see a plain request's headers).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import wait_for_task
from get3w_desktop.core.proxy import SYSTEM_PROXY, ProxyConfig
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from tests.api.proxy_support import ConnectProxy, TLSRelay, issue
from tests.faults.support import IMAGE

CANARY = "sk_canary_proxy_5a4b3c2d1e0f"
SCALE = 0.02


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, keys={CANARY: 100.0},
                           record_requests=True)  # fmt: skip
    with SandboxServer(config) as server:
        yield server


def run_one_task(client: Get3WClient, folder: Path) -> None:
    task = client.submit(IMAGE, {"prompt": "through the proxy"})
    done = wait_for_task(client, task, cancel=threading.Event(),
                         params=ScheduleParams().scaled(SCALE), timeout=20)  # fmt: skip
    assert done.outputs
    client.download(done.outputs[0], folder, "out")
    assert client.balance() is not None


def test_over_https_a_custom_proxy_only_ever_sees_a_tunnel(
    api: SandboxServer, tmp_path: Path
) -> None:
    ca = issue(["Test Authority"], is_ca=True)
    ca_path = ca.write(tmp_path, "ca")[0]
    cert, key = issue(["api.get3w.test"], ca=ca).write(tmp_path, "leaf")
    port = int(api.base_url.rsplit(":", 1)[1])
    with (
        TLSRelay(cert, key, port) as relay,
        ConnectProxy({"api.get3w.test": relay.port}) as proxy,
        Get3WClient(
            "https://api.get3w.test",
            CANARY,
            proxy=ProxyConfig("custom", proxy.url),
            ca_bundle=str(ca_path),
        ) as client,  # fmt: skip
    ):
        run_one_task(client, tmp_path / "out")
    assert proxy.request_lines  # the API calls did go through it
    assert all(line.startswith("CONNECT api.get3w.test:443 ") for line in proxy.request_lines)
    seen = bytes(proxy.received)
    assert CANARY.encode() not in seen
    assert b"Authorization" not in seen and b"/api/v3/" not in seen and b"/v1/" not in seen
    # The API itself got the key (through the tunnel), as a Bearer token.
    api_seen = [text for host, text in api.stats.requests_seen if host == "api"]
    assert api_seen and all(f"Bearer {CANARY}" in text for text in api_seen)


@pytest.mark.parametrize("mode", ["custom", "system"])
def test_the_loopback_sandbox_never_goes_through_a_proxy(
    mode: str, api: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy.url)
        config = ProxyConfig("custom", proxy.url) if mode == "custom" else SYSTEM_PROXY
        with Get3WClient(api.base_url, CANARY, proxy=config) as client:
            run_one_task(client, tmp_path / "out")
        assert proxy.connections == 0 and proxy.received == bytearray()
    assert any(host == "api" for host, _text in api.stats.requests_seen)
