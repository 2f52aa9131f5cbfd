"""Test harness: offscreen Qt, a private home per test, no real keyring, no leaked threads."""

from __future__ import annotations

import os

# Must happen before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import gc
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


def _live_qt(kind: type) -> list[object]:
    import shiboken6

    return [o for o in gc.get_objects() if isinstance(o, kind) and shiboken6.isValid(o)]


@pytest.fixture(autouse=True)
def no_leaked_pools_or_timers() -> Iterator[None]:
    """Fail a test that leaves a thread pool working or a timer running.

    Checked after the test's other fixtures (qtbot closes its widgets first). Retired
    pool owners (workers/base.py) get the same grace as threads: they end on their own.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer

    if QCoreApplication.instance() is None:
        return  # a Qt-free test: no pools or timers can exist
    shared = QThreadPool.globalInstance()
    deadline = time.monotonic() + 3.0
    while True:
        QCoreApplication.processEvents()  # retired owners delete themselves from here
        busy = [
            p for p in _live_qt(QThreadPool)
            if isinstance(p, QThreadPool) and p is not shared and p.activeThreadCount()
        ]  # fmt: skip
        if not busy or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not busy, f"thread pools still working: {[type(p.parent()).__name__ for p in busy]}"
    running = [t for t in _live_qt(QTimer) if isinstance(t, QTimer) and t.isActive()]
    names = [f"{type(t.parent()).__name__}.{t.objectName() or 'timer'}" for t in running]
    for timer in running:
        timer.stop()  # one leak must not fail the tests after it
    assert not running, f"timers left running: {names}"
