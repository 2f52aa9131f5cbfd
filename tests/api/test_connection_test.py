"""Proxies over real loopback sockets, and "test connection" naming the stage that failed.

A tiny CONNECT proxy (tests/api/proxy_support.py) maps `api.get3w.test` to a TLS relay in
front of the sandbox, so HTTPS through a proxy is exercised end to end without DNS.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from get3w_desktop.api import connection_test as ct
from get3w_desktop.api import http as api_http
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.connection_test import Outcome, Stage
from get3w_desktop.core.errors import NetworkError
from get3w_desktop.core.proxy import NO_PROXY, SYSTEM_PROXY, ProxyConfig
from get3w_desktop.sandbox import SandboxServer
from tests.api.proxy_support import ConnectProxy, TLSRelay, issue

API = "https://api.get3w.test"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@dataclass
class Https:
    """`api.get3w.test` behind a proxy: the sandbox, served over TLS by a test authority."""

    proxy: ConnectProxy
    relay: TLSRelay
    ca: str


def port_of(server: SandboxServer) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


@pytest.fixture
def certs(tmp_path: Path) -> dict[str, Path]:
    ca = issue(["Get3W Test Authority"], is_ca=True)
    out = {"ca": ca.write(tmp_path, "ca")[0]}
    out["leaf"], out["leaf_key"] = issue(["api.get3w.test", "localhost"], ca=ca).write(
        tmp_path, "leaf"
    )
    out["old"], out["old_key"] = issue(["localhost"], ca=ca, expired=True).write(tmp_path, "old")
    out["self"], out["self_key"] = issue(["localhost"]).write(tmp_path, "self")
    return out


@pytest.fixture
def https(sandbox: SandboxServer, certs: dict[str, Path]) -> Iterator[Https]:
    with (
        TLSRelay(certs["leaf"], certs["leaf_key"], port_of(sandbox)) as relay,
        ConnectProxy({"api.get3w.test": relay.port}) as proxy,
    ):
        yield Https(proxy, relay, str(certs["ca"]))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stages(report: ct.ConnectionReport) -> dict[Stage, ct.StageResult]:
    return {s.stage: s for s in report.stages}


# -- the whole path works ----------------------------------------------------------------


def test_the_sandbox_passes_every_stage_and_skips_the_proxy_even_when_one_is_set(
    sandbox: SandboxServer, sandbox_key: str, env: pytest.MonkeyPatch
) -> None:
    with ConnectProxy() as proxy:
        env.setenv("HTTP_PROXY", proxy.url)  # the system names a proxy: loopback bypasses it
        heard: list[ct.StageResult] = []
        report = ct.check_connection(sandbox.base_url, sandbox_key, SYSTEM_PROXY,
                                     on_stage=heard.append)  # fmt: skip
        assert proxy.connections == 0
    assert report.ok and report.first_failure is None and "Everything works" in report.summary
    order = [s.stage for s in report.stages]
    assert order == [Stage.ADDRESS, Stage.DNS, Stage.TCP, Stage.TLS, Stage.HTTP, Stage.AUTH]
    assert heard == list(report.stages)  # progress arrived stage by stage
    found = stages(report)
    assert found[Stage.TLS].outcome is Outcome.SKIPPED  # plain HTTP on this computer
    assert found[Stage.AUTH].outcome is Outcome.OK and "balance" in found[Stage.AUTH].message
    assert all(s.elapsed_ms >= 0 for s in report.stages)
    assert sandbox_key not in "\n".join(report.lines())


def test_https_through_a_custom_proxy_passes_every_stage(https: Https, sandbox_key: str) -> None:
    config = ProxyConfig("custom", https.proxy.url)
    report = ct.check_connection(API, sandbox_key, config, cafile=https.ca)
    assert report.ok, report.lines()
    found = stages(report)
    assert [s.stage for s in report.stages] == list(Stage)
    assert all(s.outcome is Outcome.OK for s in report.stages)
    assert "proxy" in found[Stage.DNS].message.lower()  # the proxy's name is looked up
    assert "TLSv1" in found[Stage.TLS].message
    assert "through the proxy" in report.route
    # Tunnel stage, web request and key check: each one CONNECT, nothing else.
    assert len(https.proxy.request_lines) == 3
    assert all(line.startswith("CONNECT api.get3w.test:443 ") for line in https.proxy.request_lines)
    assert sandbox_key.encode() not in bytes(https.proxy.received)


def test_no_key_leaves_the_auth_stage_unchecked(sandbox: SandboxServer) -> None:
    report = ct.check_connection(sandbox.base_url, "", NO_PROXY)
    auth = stages(report)[Stage.AUTH]
    assert report.ok and auth.outcome is Outcome.SKIPPED and "No API key was given" in auth.message


# -- each stage, failing -----------------------------------------------------------------


def failed(report: ct.ConnectionReport, stage: Stage) -> ct.StageResult:
    first = report.first_failure
    assert first is not None and first.stage is stage, report.lines()
    assert report.summary == first.message and not report.ok
    later = report.stages[report.stages.index(first) + 1 :]
    assert all(s.outcome is Outcome.SKIPPED for s in later)
    assert later or stage is Stage.AUTH  # the key is the last check
    return first


def test_a_refused_address_is_named() -> None:
    report = ct.check_connection("http://api.example.com", "sk_x_12345678", NO_PROXY)
    assert "plain HTTP" in failed(report, Stage.ADDRESS).message
    report = ct.check_connection(API, None, ProxyConfig("custom", "proxy.example:3128"))
    assert "proxy setting is not usable" in failed(report, Stage.ADDRESS).message


def test_an_unknown_name_is_a_dns_failure() -> None:
    report = ct.check_connection("https://nonexistent.invalid", "sk_x_12345678", NO_PROXY)
    message = failed(report, Stage.DNS).message
    assert message.startswith("The name nonexistent.invalid could not be found (DNS).")


def test_an_unknown_proxy_name_is_a_dns_failure_of_the_proxy() -> None:
    proxy = ProxyConfig("custom", "http://nonexistent.invalid:3128")
    message = failed(ct.check_connection(API, None, proxy), Stage.DNS).message
    assert "proxy's name nonexistent.invalid" in message and "proxy address" in message


def test_a_closed_port_is_a_tcp_failure() -> None:
    port = closed_port()
    report = ct.check_connection(f"http://127.0.0.1:{port}", None, SYSTEM_PROXY)
    message = failed(report, Stage.TCP).message
    assert f"refused the connection on port {port} (TCP)" in message
    proxy = ProxyConfig("custom", f"http://127.0.0.1:{port}")
    message = failed(ct.check_connection(API, None, proxy), Stage.TCP).message
    assert message.startswith("The proxy 127.0.0.1 refused")


def test_a_self_signed_certificate_is_a_tls_failure(certs: dict[str, Path],
                                                    sandbox: SandboxServer) -> None:  # fmt: skip
    with TLSRelay(certs["self"], certs["self_key"], port_of(sandbox)) as relay:
        report = ct.check_connection(f"https://localhost:{relay.port}", "sk_x_12345678", NO_PROXY)
    message = failed(report, Stage.TLS).message
    assert "(TLS)" in message and "self-signed" in message


def test_an_expired_certificate_is_a_tls_failure(certs: dict[str, Path],
                                                 sandbox: SandboxServer) -> None:  # fmt: skip
    with TLSRelay(certs["old"], certs["old_key"], port_of(sandbox)) as relay:
        url = f"https://localhost:{relay.port}"
        report = ct.check_connection(url, None, NO_PROXY, cafile=str(certs["ca"]))
        # The same authority with a valid certificate passes, so the date is what failed.
        with TLSRelay(certs["leaf"], certs["leaf_key"], port_of(sandbox)) as good:
            fine = ct.check_connection(f"https://localhost:{good.port}", None, NO_PROXY,
                                       cafile=str(certs["ca"]))  # fmt: skip
    assert "expired" in failed(report, Stage.TLS).message
    assert fine.ok, fine.lines()


def test_plain_http_on_a_tls_port_is_explained(sandbox: SandboxServer) -> None:
    url = f"https://localhost:{port_of(sandbox)}"
    message = failed(ct.check_connection(url, None, NO_PROXY), Stage.TLS).message
    assert "did not answer in TLS" in message


def test_a_proxy_that_wants_a_password_is_named(https: Https, sandbox: SandboxServer) -> None:
    with ConnectProxy({"api.get3w.test": https.relay.port}, ("ann", "pr0xy-pass")) as strict:
        bare = ct.check_connection(API, None, ProxyConfig("custom", strict.url), cafile=https.ca)
        wrong = ProxyConfig("custom", strict.url.replace("//", "//ann:nope@"))
        refused = ct.check_connection(API, None, wrong, cafile=https.ca)
        right = ProxyConfig("custom", strict.url.replace("//", "//ann:pr0xy-pass@"))
        good = ct.check_connection(API, None, right, cafile=https.ca)
    assert "asks for a user name and password (HTTP 407)" in failed(bare, Stage.PROXY).message
    assert "refused the user name or password" in failed(refused, Stage.PROXY).message
    assert good.ok, good.lines()
    assert "pr0xy-pass" not in "\n".join(good.lines()) + good.route


def test_a_proxy_that_blocks_the_host_is_named(sandbox: SandboxServer) -> None:
    with ConnectProxy() as proxy:  # knows no route to api.get3w.test: 403
        report = ct.check_connection(API, None, ProxyConfig("custom", proxy.url))
    assert (
        "would not connect to api.get3w.test:443 (HTTP 403" in failed(report, Stage.PROXY).message
    )


def test_a_wrong_key_is_an_auth_failure(sandbox: SandboxServer) -> None:
    wrong = "sk_wrong_0123456789abcdef"
    report = ct.check_connection(sandbox.base_url, wrong, NO_PROXY)
    message = failed(report, Stage.AUTH).message
    assert "refused the API key (auth" in message
    assert wrong not in "\n".join(report.lines())


def test_a_cancelled_test_stops_before_the_next_stage(sandbox: SandboxServer) -> None:
    stop = threading.Event()
    stop.set()
    report = ct.check_connection(sandbox.base_url, None, NO_PROXY, cancel=stop)
    assert all(s.outcome is Outcome.SKIPPED and "Stopped" in s.message for s in report.stages)


# -- the client itself through a proxy -------------------------------------------------


def test_the_client_goes_through_a_custom_proxy(https: Https, sandbox_key: str) -> None:
    config = ProxyConfig("custom", https.proxy.url)
    with Get3WClient(API, sandbox_key, proxy=config, ca_bundle=https.ca) as client:
        assert client.balance() == pytest.approx(100.0)
        assert client.balance() == pytest.approx(100.0)
        adapter = client._api.get_adapter(API)
        managers = list(adapter.proxy_manager.values())  # type: ignore[attr-defined]
    assert https.proxy.connections == 1  # one tunnel, kept alive for both calls
    # Proxied connections still obey the whole-exchange deadline.
    assert managers and managers[0].pool_classes_by_scheme["https"] is api_http._HTTPSPool


def test_system_mode_uses_the_environment_proxy_and_honours_no_proxy(
    https: Https, sandbox_key: str, env: pytest.MonkeyPatch
) -> None:
    env.setenv("HTTPS_PROXY", https.proxy.url)
    with Get3WClient(API, sandbox_key, proxy=SYSTEM_PROXY, ca_bundle=https.ca) as client:
        assert client.balance() == pytest.approx(100.0)
    assert https.proxy.connections == 1
    env.setenv("NO_PROXY", "get3w.test")
    for config in (SYSTEM_PROXY, NO_PROXY):  # direct: the name does not exist without the proxy
        with (
            Get3WClient(API, sandbox_key, proxy=config, ca_bundle=https.ca) as client,
            pytest.raises(NetworkError),
        ):
            client.balance()
    assert https.proxy.connections == 1
