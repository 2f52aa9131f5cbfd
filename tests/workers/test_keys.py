"""The key service: keyring calls and key checks off the GUI thread, honest about the keyring."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from get3w_desktop.api.keycheck import KeyCheck, Verdict
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.secrets import (
    SERVICE,
    KeyringSecretStore,
    Problem,
    SecretStoreError,
    StoreInfo,
)
from get3w_desktop.workers.keys import KeyLookup, KeyringGuard, KeyService

CANARY = "sk_canary_workers_7f3a9c21"


@pytest.fixture
def service(qtbot: QtBot) -> Iterator[KeyService]:
    keys = KeyService(KeyringSecretStore(), timeout=5.0)
    yield keys
    assert keys.shutdown()


def wait(qtbot: QtBot, signal: Any, ticket: int) -> list[Any]:
    """The arguments of `signal` for `ticket`, after waiting for it."""
    seen: list[list[Any]] = []

    def record(*args: Any) -> None:
        if args[0] == ticket:
            seen.append(list(args))

    signal.connect(record)
    try:
        qtbot.waitUntil(lambda: bool(seen), timeout=15_000)
    finally:
        signal.disconnect(record)
    return seen[0]


def files_containing(root: Path, needle: str) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_save_load_delete_per_profile_in_a_secure_keyring(
    qtbot: QtBot, service: KeyService
) -> None:
    _, profile, info = wait(qtbot, service.saved, service.save("work", CANARY))
    assert profile == "work"
    assert isinstance(info, StoreInfo) and info.secure and not info.session_only
    assert keyring.get_password(SERVICE, "work") == CANARY
    wait(qtbot, service.saved, service.save("home", CANARY + "_other"))

    _, _, lookup = wait(qtbot, service.loaded, service.load("work"))
    assert isinstance(lookup, KeyLookup) and lookup.key == CANARY
    assert CANARY not in repr(lookup)
    _, _, other = wait(qtbot, service.loaded, service.load("home"))
    assert other.key == CANARY + "_other"

    wait(qtbot, service.removed, service.delete("work"))
    assert keyring.get_password(SERVICE, "work") is None
    _, _, gone = wait(qtbot, service.loaded, service.load("work"))
    assert gone.key is None
    assert keyring.get_password(SERVICE, "home") == CANARY + "_other"  # untouched


def test_no_keyring_keeps_the_key_for_the_session_only_and_says_so(
    qtbot: QtBot, service: KeyService, isolated_home: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    _, _, info = wait(qtbot, service.saved, service.save("default", CANARY))
    assert not info.secure and info.session_only
    assert "No secure keyring" in info.description and "session only" in info.description
    assert "invalid" not in info.description.lower()
    assert service.session_key("default") == CANARY

    _, _, lookup = wait(qtbot, service.loaded, service.load("default"))
    assert lookup.key == CANARY and lookup.info.session_only

    wait(qtbot, service.removed, service.delete("default"))  # nothing in a missing keyring
    assert service.session_key("default") is None
    assert files_containing(isolated_home, CANARY) == []


def test_answers_arrive_on_the_gui_thread(qtbot: QtBot, service: KeyService) -> None:
    threads: list[QThread] = []
    service.loaded.connect(lambda *_: threads.append(QThread.currentThread()))
    wait(qtbot, service.loaded, service.load("default"))
    assert threads == [QThread.currentThread()]


class BlockingStore:
    """A keyring whose reads hang until released: an unlock prompt nobody can see."""

    backend_name = "tests.BlockingStore"
    is_secure = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def get(self, account: str = "default") -> str | None:
        self.calls += 1
        self.release.wait(20)
        return None

    def set(self, secret: str, account: str = "default") -> None:
        self.release.wait(20)

    def delete(self, account: str = "default") -> None:
        self.release.wait(20)


def test_a_hanging_keyring_times_out_and_keeps_the_key_for_the_session(qtbot: QtBot) -> None:
    store = BlockingStore()
    keys = KeyService(store, timeout=0.2)
    try:
        _, _, info = wait(qtbot, keys.saved, keys.save("default", CANARY))
        assert info.session_only and "did not answer" in info.description
        assert keys.session_key("default") == CANARY
        _, _, lookup = wait(qtbot, keys.loaded, keys.load("default"))
        assert lookup.key == CANARY  # still usable this session
    finally:
        store.release.set()
        assert keys.shutdown()


class LockedStore:
    backend_name = "keyring.backends.SecretService.Keyring"
    is_secure = True

    def get(self, account: str = "default") -> str | None:
        raise SecretStoreError("The keyring is locked.", Problem.LOCKED)

    def set(self, secret: str, account: str = "default") -> None:
        raise SecretStoreError("The keyring is locked.", Problem.LOCKED)

    def delete(self, account: str = "default") -> None:
        raise SecretStoreError("The keyring is locked.", Problem.LOCKED)


def test_a_locked_keyring_is_not_an_invalid_key_and_removal_reports_it(qtbot: QtBot) -> None:
    keys = KeyService(LockedStore())
    try:
        _, _, info = wait(qtbot, keys.saved, keys.save("default", CANARY))
        assert info.session_only and "locked" in info.description
        _, profile, message = wait(qtbot, keys.failed, keys.delete("default"))
        assert profile == "default" and "could not be removed" in str(message)
        assert keys.session_key("default") is None  # the session copy is gone regardless
    finally:
        assert keys.shutdown()


def test_the_guard_runs_one_keyring_call_at_a_time() -> None:
    guard = KeyringGuard(timeout=5.0)
    active = 0
    peak = 0
    lock = threading.Lock()

    def work() -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        threading.Event().wait(0.02)
        with lock:
            active -= 1
        return 7

    results: list[int] = []
    callers = [threading.Thread(target=lambda: results.append(guard.call(work))) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert results == [7, 7, 7, 7] and peak == 1


def test_the_guard_passes_errors_through() -> None:
    guard = KeyringGuard(timeout=5.0)

    def broken() -> None:
        raise SecretStoreError("no", Problem.REFUSED)

    with pytest.raises(SecretStoreError) as caught:
        guard.call(broken)
    assert caught.value.problem is Problem.REFUSED


def test_check_against_the_sandbox(
    qtbot: QtBot, service: KeyService, sandbox: SandboxServer, sandbox_key: str
) -> None:
    _, good = wait(qtbot, service.checked, service.check(sandbox.base_url, sandbox_key))
    assert isinstance(good, KeyCheck) and good.verdict is Verdict.ACCEPTED
    assert good.balance is not None and good.balance > 0
    _, bad = wait(qtbot, service.checked, service.check(sandbox.base_url, "sk_wrong_key_0000"))
    assert bad.verdict is Verdict.REFUSED and "refused" in bad.message
    assert "sk_wrong_key_0000" not in bad.message


def test_an_unreachable_server_is_not_an_invalid_key(qtbot: QtBot, service: KeyService) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, result = wait(qtbot, service.checked, service.check(f"http://127.0.0.1:{port}", CANARY))
    assert result.verdict is Verdict.UNCHECKED
    assert "could not be checked" in result.message


def test_requests_after_shutdown_are_refused(qtbot: QtBot) -> None:
    keys = KeyService(KeyringSecretStore())
    assert keys.shutdown()
    with pytest.raises(RuntimeError):
        keys.load("default")
