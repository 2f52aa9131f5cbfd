"""A real Secret Service: a private D-Bus session bus and gnome-keyring-daemon, for this module.

`scripts/system-deps.sh test` installs both (Debian packages `dbus` and `gnome-keyring`), so
on Debian/Ubuntu and in CI this runs; a missing binary there is a failure with the fix, and
only on other systems a skip. The bus has no service directories, so nothing is
auto-activated: the only Secret Service on it is the daemon started here, unlocked with a
throwaway password, with its keyrings under a throwaway HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import SecretService
from keyring.testing.backend import BackendBasicTests
from pytestqt.qtbot import QtBot

from get3w_desktop.storage.secrets import KeyringSecretStore, store_info
from get3w_desktop.workers.keys import KeyLookup, KeyService
from tests.dbus_support import start_session_bus

CANARY = "sk_canary_secret_service_9d2e"
TEST_SERVICE = "get3w-desktop-test"


@dataclass(frozen=True)
class SecretServiceSession:
    address: str
    home: Path

    @property
    def keyrings(self) -> Path:
        return self.home / ".local" / "share" / "keyrings"


def _binaries() -> tuple[str, str]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the Secret Service (D-Bus, gnome-keyring) is a Linux desktop service")
    dbus = shutil.which("dbus-daemon")
    gnome_keyring = shutil.which("gnome-keyring-daemon")
    if dbus and gnome_keyring:
        return dbus, gnome_keyring
    missing = [
        n for n, p in (("dbus-daemon", dbus), ("gnome-keyring-daemon", gnome_keyring)) if not p
    ]
    if shutil.which("dpkg-query"):
        pytest.fail(
            f"{', '.join(missing)} not found: run scripts/system-deps.sh test "
            "(installs the Debian packages dbus and gnome-keyring)"
        )
    pytest.skip(f"{', '.join(missing)} not found and this is not a Debian-based system")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _wait_until_served(deadline: float, gnome_keyring: subprocess.Popen[bytes], log: Path) -> None:
    """Until the daemon owns org.freedesktop.secrets (keyring's own availability probe)."""
    problem: Exception | None = None
    while time.monotonic() < deadline:
        if gnome_keyring.poll() is not None:
            raise RuntimeError(
                f"gnome-keyring-daemon exited ({gnome_keyring.returncode}): {log.read_text()}"
            )
        try:
            if SecretService.Keyring.priority > 0:
                return
        except RuntimeError as exc:  # not on the bus yet
            problem = exc
        time.sleep(0.05)
    raise RuntimeError(f"the Secret Service did not come up: {problem}")


@pytest.fixture(scope="module")
def secret_service() -> Iterator[SecretServiceSession]:
    dbus, gnome_keyring = _binaries()
    root = Path(tempfile.mkdtemp(prefix="g3w-ss-"))  # short: a socket path has ~100 bytes
    home, runtime = root / "home", root / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bus, address = start_session_bus(dbus, root, env)
        processes.append(bus)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        log = root / "gnome-keyring.log"
        with open(log, "wb") as keyring_log:
            daemon = subprocess.Popen(
                [gnome_keyring, "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=keyring_log, env=env,
            )  # fmt: skip
        processes.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(b"throwaway-password")  # creates and unlocks the login keyring
        daemon.stdin.close()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
            _wait_until_served(time.monotonic() + 20, daemon, log)
            yield SecretServiceSession(address, home)
    finally:
        for process in reversed(processes):
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(root, ignore_errors=True)
        # keyring computes its list of usable backends once per process; if that happened
        # while this bus was up, it lists a Secret Service that is now gone.
        keyring.backend.get_all_keyring.reset()


@pytest.fixture
def real_keyring(secret_service: SecretServiceSession) -> Iterator[keyring.backend.KeyringBackend]:
    """keyring's real SecretService backend as the process-wide keyring, restored after."""
    backend = SecretService.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_store_read_and_delete_a_key_through_the_real_secret_service(
    secret_service: SecretServiceSession, real_keyring: keyring.backend.KeyringBackend
) -> None:
    store = KeyringSecretStore(service=TEST_SERVICE)
    assert store.backend_name == "keyring.backends.SecretService.Keyring"
    info = store_info(store)
    assert info.secure and not info.session_only and "Secret Service" in info.description

    store.set(CANARY, "work")
    assert store.get("work") == CANARY
    assert store.get("home") is None  # accounts are separate
    # It really is in the daemon's collection, found by its attributes…
    assert real_keyring.get_password(TEST_SERVICE, "work") == CANARY
    # …and the keyring file on disk is encrypted: the key is not in it in plain text.
    files = [p for p in secret_service.keyrings.rglob("*") if p.is_file()]
    assert any(p.name == "login.keyring" for p in files)
    assert all(CANARY.encode() not in p.read_bytes() for p in files)

    store.delete("work")
    assert store.get("work") is None
    store.delete("work")  # deleting what is not there is fine


def test_the_key_service_works_against_the_real_secret_service(
    qtbot: QtBot, real_keyring: keyring.backend.KeyringBackend
) -> None:
    keys = KeyService(KeyringSecretStore(service=TEST_SERVICE), timeout=10.0)
    try:
        with qtbot.waitSignal(keys.saved, timeout=15_000) as saved:
            keys.save("default", CANARY)
        assert saved.args[2].secure and not saved.args[2].session_only
        with qtbot.waitSignal(keys.loaded, timeout=15_000) as loaded:
            keys.load("default")
        lookup = loaded.args[2]
        assert isinstance(lookup, KeyLookup) and lookup.key == CANARY
        with qtbot.waitSignal(keys.removed, timeout=15_000):
            keys.delete("default")
        assert real_keyring.get_password(TEST_SERVICE, "default") is None
    finally:
        assert keys.shutdown()


@pytest.mark.usefixtures("secret_service")
class TestSecretServiceConformance(BackendBasicTests):
    """keyring's own backend conformance suite, against the real daemon."""

    def init_keyring(self) -> keyring.backend.KeyringBackend:
        return SecretService.Keyring()


def test_the_bus_is_private(secret_service: SecretServiceSession) -> None:
    """The session address points into the throwaway folder, never at a desktop's bus."""
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == secret_service.address
    socket = secret_service.home.parent / "bus"
    assert secret_service.address.startswith(f"unix:path={socket},") and socket.exists()
