from __future__ import annotations

import logging

import pytest

from get3w_desktop.core.errors import ConfigError, DownloadError
from get3w_desktop.core.redact import REDACTED, RedactingFilter, Redactor, mask_key
from get3w_desktop.core.urls import check_output_url, is_loopback_host, normalise_base_url, origin


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("LOCALHOST", True), ("api.localhost", True),
     ("10.0.0.1", False), ("api.get3w.com", False), ("127.0.0.1.evil.com", False), ("", False)],
)  # fmt: skip
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_base_urls_need_https_except_on_this_computer() -> None:
    assert normalise_base_url("https://api.get3w.com/") == "https://api.get3w.com"
    assert normalise_base_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert normalise_base_url("http://localhost:9/") == "http://localhost:9"
    for bad in ("http://api.get3w.com", "ftp://x", "api.get3w.com", "https://u:p@h.com",
                "https://h.com/?q=1", "http://192.168.1.5:8765"):  # fmt: skip
        with pytest.raises(ConfigError) as caught:
            normalise_base_url(bad)
        assert caught.value.message


def test_origins_compare_scheme_host_and_default_port() -> None:
    assert origin("https://API.get3w.com/v1/x") == origin("https://api.get3w.com:443/")
    assert origin("http://api.get3w.com") != origin("https://api.get3w.com")
    assert origin("https://api.get3w.com:8443") != origin("https://api.get3w.com")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "data:image/png;base64,AAAA", "/outputs/1.png",
     "../../x.png", "https://user:pw@cdn.example.com/a.png", "http://cdn.example.com/a.png",
     "ftp://cdn.example.com/a.png"],
)  # fmt: skip
def test_output_urls_we_refuse(url: str) -> None:
    with pytest.raises(DownloadError):
        check_output_url(url)


def test_output_urls_we_accept() -> None:
    check_output_url("https://cdn.example.com/a/b.png?sig=1")
    check_output_url("http://127.0.0.1:9000/outputs/x/0.png")


def test_mask_key_shows_only_the_tail() -> None:
    assert mask_key("sk_live_1234567890abcd") == "sk_••••••abcd"
    assert "1234" not in mask_key("sk_1234")
    assert mask_key(None) == "(none)"


def test_redactor_hides_registered_secrets_bearer_values_and_key_shapes() -> None:
    redactor = Redactor()
    redactor.add_secret("custom-secret-value")
    text = redactor.redact(
        "key custom-secret-value; Authorization: Bearer abc.def; also sk_live_ABCdef123456 end"
    )
    assert "custom-secret-value" not in text
    assert "abc.def" not in text
    assert "sk_live_ABCdef123456" not in text
    assert text.count(REDACTED) == 3
    assert text.endswith(" end")


def test_logging_filter_redacts_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.redact"):
            logger.info("using %s", "sk_canary_0123456789")
            try:
                raise RuntimeError("boom sk_canary_0123456789")
            except RuntimeError:
                logger.exception("failed")
    finally:
        logger.filters.clear()
    assert "sk_canary_0123456789" not in caplog.text
    assert REDACTED in caplog.text
