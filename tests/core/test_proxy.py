"""Proxy choice: validation in plain words, masking, and which proxy each target gets."""

from __future__ import annotations

import logging

import pytest

from get3w_desktop.core.diagnostics import build_report
from get3w_desktop.core.proxy import (
    MASK,
    NO_PROXY,
    SYSTEM_PROXY,
    ProxyConfig,
    describe_route,
    mask_proxy_url,
    proxies_for,
    proxy_credentials,
    register_proxy_secrets,
    socks_available,
    validate_proxy,
    validate_proxy_url,
)
from get3w_desktop.core.redact import REDACTED, RedactingFilter, Redactor

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variable from the machine running the tests leaks into a test."""
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the proxy address"),
        ("proxy.example.com:3128", "Start the proxy address with its kind, e.g. http://proxy"),
        ("ftp://proxy.example.com", "“ftp://” is not supported"),
        ("http://", "no host name"),
        ("http://proxy.example.com:99999", "is not a proxy address"),
        ("http://proxy.example.com:3128/path", "without a path"),
        ("http://proxy.example.com:3128?x=1", "without a path"),
    ],
)
def test_bad_proxy_addresses_are_explained(url: str, words: str) -> None:
    problem = validate_proxy_url(url)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "url",
    ["http://proxy.example.com:3128", "https://proxy.example.com", "http://u:p@10.0.0.1:8080/"],
)
def test_good_proxy_addresses_pass(url: str) -> None:
    assert validate_proxy_url(url) is None


def test_socks_needs_pysocks() -> None:
    problem = validate_proxy_url("socks5://127.0.0.1:1080")
    if socks_available():
        assert problem is None
    else:
        assert problem is not None and "PySocks" in problem


def test_only_a_custom_proxy_is_validated() -> None:
    assert validate_proxy(ProxyConfig("system", "nonsense")) is None
    assert validate_proxy(ProxyConfig("none", "")) is None
    assert validate_proxy(ProxyConfig("custom", "")) is not None
    with pytest.raises(ValueError, match="unknown proxy mode"):
        ProxyConfig("sometimes", "")  # type: ignore[arg-type]


def test_the_password_is_masked_wherever_an_address_is_shown() -> None:
    url = "http://alice:s3cr%40t-pw@proxy.example.com:3128"
    assert mask_proxy_url(url) == f"http://alice:{MASK}@proxy.example.com:3128"
    config = ProxyConfig("custom", url)
    for shown in (repr(config), config.describe(), describe_route(config, "https://a.example")):
        assert "s3cr" not in shown and "alice" in shown
    assert mask_proxy_url("http://proxy.example.com:3128") == "http://proxy.example.com:3128"
    assert proxy_credentials(url) == ("alice", "s3cr@t-pw")
    assert proxy_credentials("http://proxy.example.com") is None


def test_a_proxy_password_is_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    redactor = Redactor()
    register_proxy_secrets("http://bob:hunter2-pass@proxy.example.com:3128", redactor)
    record = logging.LogRecord("t", logging.INFO, __file__, 1,
                               "dialling with hunter2-pass and Ym9iOmh1bnRlcjItcGFzcw==",
                               None, None)  # fmt: skip
    RedactingFilter(redactor).filter(record)
    assert "hunter2" not in record.getMessage()
    assert "Ym9iOmh1bnRlcjItcGFzcw==" not in record.getMessage()  # base64("bob:hunter2-pass")
    assert record.getMessage().count(REDACTED) == 2


def test_none_is_direct_and_custom_is_used_for_remote_hosts(env: pytest.MonkeyPatch) -> None:
    env.setenv("HTTPS_PROXY", "http://from-env.example:3128")
    assert proxies_for(NO_PROXY, "https://api.get3w.com/api/v3/balance") == {}
    assert proxies_for(None, "https://api.get3w.com") == {}
    custom = ProxyConfig("custom", "http://corp.example:8080/")
    assert proxies_for(custom, "https://api.get3w.com/x") == {"https": "http://corp.example:8080"}
    assert proxies_for(custom, "http://cdn.example/x.png") == {"http": "http://corp.example:8080"}


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:8000/v1/x", "http://localhost:1/", "https://[::1]:9/"]
)
def test_loopback_never_goes_through_a_proxy(target: str, env: pytest.MonkeyPatch) -> None:
    env.setenv("HTTP_PROXY", "http://from-env.example:3128")
    env.setenv("HTTPS_PROXY", "http://from-env.example:3128")
    assert proxies_for(ProxyConfig("custom", "http://corp.example:8080"), target) == {}
    assert proxies_for(SYSTEM_PROXY, target) == {}


def test_system_mode_follows_the_environment_and_no_proxy(env: pytest.MonkeyPatch) -> None:
    assert proxies_for(SYSTEM_PROXY, "https://api.get3w.com") == {}  # nothing set
    env.setenv("https_proxy", "corp.example:3128")  # no scheme: an HTTP proxy
    assert proxies_for(SYSTEM_PROXY, "https://api.get3w.com") == {
        "https": "http://corp.example:3128"
    }
    assert proxies_for(SYSTEM_PROXY, "http://cdn.example") == {}  # only https is set
    env.setenv("all_proxy", "http://all.example:1")
    assert proxies_for(SYSTEM_PROXY, "http://cdn.example") == {"http": "http://all.example:1"}
    env.setenv("no_proxy", "get3w.com,.internal")
    assert proxies_for(SYSTEM_PROXY, "https://api.get3w.com") == {}
    assert proxies_for(SYSTEM_PROXY, "https://x.internal") == {}
    assert proxies_for(SYSTEM_PROXY, "https://other.example") == {
        "https": "http://corp.example:3128"
    }
    assert "through the proxy http://corp.example:3128" in describe_route(
        SYSTEM_PROXY, "https://other.example"
    )
    assert "direct" in describe_route(SYSTEM_PROXY, "https://api.get3w.com")


def test_a_diagnostics_bundle_never_holds_a_proxy_password() -> None:
    proxy = {"mode": "custom", "url": "http://carol:Pa55-w0rd-x@proxy.example:3128"}
    settings = {"profiles": [{"name": "work", "base_url": "https://x.example", "proxy": proxy}]}
    report = build_report(settings=settings, environ={})
    assert "Pa55-w0rd-x" not in repr(report)
    assert "profiles" in repr(report)  # dropped as secret-looking, and said so
