"""Test harness: offscreen Qt, a private home per test, no real keyring, no leaked threads."""

from __future__ import annotations

import os

# Must happen before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring so no test can touch (or depend on) the machine's keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh config/data/cache/log folders and a fresh keyring for every test."""
    home = tmp_path / "get3w-home"
    monkeypatch.setenv("GET3W_HOME", str(home))
    for name in ("GET3W_API_KEY", "GET3W_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves threads running (workers, servers, timers)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        leaked = [
            t for t in threading.enumerate()
            # Qt's pool threads show up as dummies once they log; runners own and join them.
            if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]  # fmt: skip
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fast sandbox: 1/50 of real time, small images."""
    with SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.25)) as server:
        yield server


@pytest.fixture
def sandbox_key() -> str:
    return SANDBOX_API_KEY
