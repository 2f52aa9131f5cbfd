"""The diagnostics bundle: useful for a bug report, and never holding the key."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop import __version__
from get3w_desktop.core.diagnostics import (
    build_report,
    is_secret_name,
    mask_url,
    recent_log_lines,
    strip_secrets,
    summarise_settings,
    write_bundle,
)

#: A realistic key: the API's `sk_` prefix and a long random tail.
KEY = "sk_live_Q3m9ZtR7vK2pW8xN4bY6cF1hJ5dL0sGe"
#: A secret that looks like nothing in particular (only the caller knows it is one).
ODD_SECRET = "correct horse battery"
TASK_ID = "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60"


def windows(secret: str, size: int = 10) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def assert_no_key(data: bytes) -> None:
    assert KEY.encode() not in data
    tail = KEY.removeprefix("sk_live_")
    leaked = [w for w in windows(tail) if w.encode() in data]
    assert not leaked, f"pieces of the key leaked: {leaked}"


def _log_lines() -> list[str]:
    basic = base64.b64encode(f"me:{KEY}".encode()).decode()
    return [
        f"2026-11-23 10:00:00 INFO get3w_desktop: submitted task {TASK_ID}",
        f"2026-11-23 10:00:01 WARNING urllib3: Authorization: Bearer {KEY}",
        f"2026-11-23 10:00:02 ERROR x: GET https://api.get3w.com/v1/x?api_key={KEY}&a=1",
        f'2026-11-23 10:00:03 ERROR x: body {{"api_key": "{KEY}", "prompt": "a red fox"}}',
        f"2026-11-23 10:00:04 ERROR x: HostBoundBearer(key='{KEY}') failed",
        f"2026-11-23 10:00:05 ERROR x: proxy http://me:{KEY}@proxy.lan:3128 refused",
        f"2026-11-23 10:00:06 ERROR x: Proxy-Authorization: Basic {basic}",
        f"2026-11-23 10:00:07 ERROR x: encoded sk%5Flive%5F{KEY[8:]} in a query",
        f"2026-11-23 10:00:08 ERROR x: glued{KEY}glued and {ODD_SECRET}",
        '  File "/work/main/get3w_desktop/api/http.py", line 231, in send',
        "2026-11-23 10:00:09 INFO get3w_desktop: saved fox-42.png",
    ]


def _settings() -> dict[str, Any]:
    return {
        "theme": "dark",
        "concurrency": 4,
        "api_key": KEY,
        "apiKey": "anything",
        "profiles": {"work": {"token": KEY, "base_url": "https://api.get3w.com", "name": "Work"}},
        "note": f"my key is {KEY}",
        "proxy": {"mode": "custom", "url": f"http://me:{KEY}@proxy.lan:3128"},
        "recent": ["google/nano-banana-pro/text-to-image", KEY],
        "keyring_backend_preference": "SecretService",
    }


def _environ() -> dict[str, str]:
    return {
        "GET3W_API_KEY": KEY,
        "GET3W_BASE_URL": "https://api.get3w.com",
        "HTTPS_PROXY": f"http://me:{KEY}@proxy.lan:3128",
        "no_proxy": "localhost,127.0.0.1",
        "QT_QPA_PLATFORM": "offscreen",
        "DISPLAY": ":99",
        "SOMETHING_ELSE": KEY,
        "HOME": "/home/me",
    }


def _report() -> dict[str, Any]:
    return build_report(
        qt_version="6.11.3", pyside_version="6.11.3", qt_platform="offscreen",
        keyring_backend="keyring.backends.SecretService.Keyring", settings=_settings(),
        environ=_environ(), extra={"last_error": f"HTTP 401 for {KEY}"},
        secrets=[KEY, ODD_SECRET],
    )  # fmt: skip


def test_the_bundle_holds_what_helps_and_never_the_key(tmp_path: Path) -> None:
    log = tmp_path / "get3w-desktop.log"
    log.write_text("\n".join(_log_lines()) + "\n", encoding="utf-8")
    target = write_bundle(tmp_path / "diag.zip", _report(), log_path=log,
                          secrets=[KEY, ODD_SECRET])  # fmt: skip
    data = target.read_bytes()
    assert_no_key(data)
    assert ODD_SECRET.encode() not in data
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert sorted(bundle.namelist()) == ["README.txt", "log.txt", "report.json"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in bundle.infolist())
        report = json.loads(bundle.read("report.json"))
        log_text = bundle.read("log.txt").decode("utf-8")
    assert report["app"]["version"] == __version__
    assert report["qt"] == {"qt": "6.11.3", "pyside6": "6.11.3", "platform_plugin": "offscreen"}
    assert report["keyring_backend"] == "keyring.backends.SecretService.Keyring"
    assert report["python"]["version"].startswith("3.")
    proxies = {"HTTPS_PROXY": "http://«redacted»@proxy.lan:3128", "no_proxy": "localhost,127.0.0.1"}
    assert report["proxy"] == {"mode": "environment", "variables": proxies}
    assert report["environment"] == {"DISPLAY": "(set)", "GET3W_API_KEY": "(set)",
                                     "GET3W_BASE_URL": "https://api.get3w.com",
                                     "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    settings = report["settings"]
    assert settings["theme"] == "dark" and settings["concurrency"] == 4
    assert settings["profiles"]["work"] == {"base_url": "https://api.get3w.com", "name": "Work"}
    assert settings["proxy"] == {"mode": "custom"}
    assert settings["keyring_backend_preference"] == "SecretService"
    assert set(report["settings_dropped_as_secret"]) == {
        "api_key", "apiKey", "profiles.work.token", "note", "proxy.url", "recent"}  # fmt: skip
    assert "HTTP 401 for" in report["extra"]["last_error"]
    # The log keeps its story: times, task ids, file names, traceback lines.
    assert len(log_text.splitlines()) == len(_log_lines())
    assert TASK_ID in log_text and "saved fox-42.png" in log_text
    assert "get3w_desktop/api/http.py" in log_text and "a red fox" in log_text
    assert "proxy.lan:3128" in log_text


def test_the_key_is_caught_even_when_nobody_said_it_was_one(tmp_path: Path) -> None:
    """No `secrets` passed: only the shape rules stand between the log and the bundle."""
    log = tmp_path / "app.log"
    log.write_text("\n".join(_log_lines()), encoding="utf-8")
    report = build_report(settings=_settings(), environ=_environ())
    assert_no_key(write_bundle(tmp_path / "d.zip", report, log_path=log).read_bytes())


WRAPS = ["{}", "'{}'", '"{}"', "key={}", "Bearer {}", "<{}>", "/{}/", "%22{}%22"]


@settings(deadline=None)
@given(before=st.text(max_size=40), after=st.text(max_size=40), wrap=st.sampled_from(WRAPS))
def test_strip_secrets_removes_the_key_wherever_it_sits(before: str, after: str, wrap: str) -> None:
    text = before + wrap.format(KEY) + after
    assert KEY not in strip_secrets(text)
    assert KEY[8:] not in strip_secrets(text)


@pytest.mark.parametrize(
    "text",
    [
        "submitted task 3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60 to google/nano-banana-pro/edit",
        "/usr/lib/python3.11/site-packages/get3w_desktop/core/diagnostics.py",
        "test_the_key_is_caught_even_when_nobody_said_it_was_one failed",
        "estimated_duration=52 timings total=26709",
    ],
)
def test_strip_secrets_keeps_ordinary_text(text: str) -> None:
    assert strip_secrets(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
        "password=hunter2hunter2",
        "X-Get3W-Signature: 5d41402abc4b2a76b9719d911017c592",
        "ghp_R8fK2mQ9vX4tL7wN1pB6cZ3hJ0sD5gY8aE2u",
    ],
)
def test_strip_secrets_removes_other_credentials(text: str) -> None:
    cleaned = strip_secrets(text)
    assert "«redacted»" in cleaned
    secret = text.split()[-1].split("=")[-1]
    assert secret not in cleaned


def test_secret_setting_names() -> None:
    for name in ("api_key", "apiKey", "API_KEY", "proxyPassword", "auth", "session_cookie",
                 "webhook_secret", "refresh-token"):  # fmt: skip
        assert is_secret_name(name), name
    for name in ("theme", "keyring_backend", "concurrency", "hotkeys", "base_url", "monkey"):
        assert not is_secret_name(name), name


def test_settings_summary_drops_secret_values_under_innocent_names() -> None:
    kept, dropped = summarise_settings({"a": 1, "b": f"x {KEY}", "c": {"d": [1, "two"]}})
    assert kept == {"a": 1, "c": {"d": [1, "two"]}} and dropped == ["b"]


def test_mask_url() -> None:
    assert mask_url("http://u:p@proxy:8080/path?token=x") == "http://«redacted»@proxy:8080"
    assert mask_url("proxy.lan:3128") == "http://proxy.lan:3128"
    assert mask_url("socks5://[::1]:1080") == "socks5://[::1]:1080"
    assert mask_url("http://proxy:notaport") == "(set, not a valid address)"


def test_recent_log_lines_reach_into_rotated_files(tmp_path: Path) -> None:
    log = tmp_path / "get3w-desktop.log"
    (tmp_path / "get3w-desktop.log.2").write_text("a1\na2\n", encoding="utf-8")
    (tmp_path / "get3w-desktop.log.1").write_text("b1\nb2\nb3\n", encoding="utf-8")
    log.write_text("c1\nc2\n", encoding="utf-8")
    assert recent_log_lines(log, 4) == ["b2", "b3", "c1", "c2"]
    assert recent_log_lines(log, 100) == ["a1", "a2", "b1", "b2", "b3", "c1", "c2"]
    assert recent_log_lines(tmp_path / "missing.log", 10) == []
    assert recent_log_lines(None, 10) == []


def test_a_bundle_without_a_log_and_overlong_lines(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("z" * 10_000 + "\n", encoding="utf-8")
    with zipfile.ZipFile(write_bundle(tmp_path / "b.zip", {}, log_path=log)) as bundle:
        assert len(bundle.read("log.txt")) < 2100
    with zipfile.ZipFile(write_bundle(tmp_path / "c.zip", {"a": 1})) as bundle:
        assert bundle.read("log.txt") == b"" and json.loads(bundle.read("report.json")) == {"a": 1}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
