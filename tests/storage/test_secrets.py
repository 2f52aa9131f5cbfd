"""The secret stores: per-profile accounts, honest security flags, keyring errors in plain words."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.errors import InitError, KeyringLocked, PasswordSetError
from keyring.testing.backend import BackendBasicTests

from get3w_desktop.storage.secrets import (
    NO_SECURE_KEYRING,
    SERVICE,
    KeyringSecretStore,
    MemorySecretStore,
    Problem,
    SecretStoreError,
    account_for,
    describe_backend,
    store_info,
)

CANARY = "sk_canary_secrets_41c7"


class RaisingKeyring(keyring.backend.KeyringBackend):
    """A keyring that fails every call with a given error."""

    priority = 1

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands in for keyrings.alt's plain-text file backend (by name)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("must not be asked to store a key")

    def delete_password(self, service: str, username: str) -> None:
        return None


def test_each_profile_has_its_own_account() -> None:
    store = KeyringSecretStore()
    store.set(CANARY, account_for("work"))
    store.set(CANARY + "_2", account_for(" home "))
    assert keyring.get_password(SERVICE, "work") == CANARY
    assert keyring.get_password(SERVICE, "home") == CANARY + "_2"
    store.delete("work")
    assert store.get("work") is None and store.get("home") == CANARY + "_2"
    with pytest.raises(ValueError, match="name"):
        account_for("  ")


def test_memory_store_is_never_called_secure() -> None:
    store = MemorySecretStore()
    store.set(CANARY, "work")
    assert store.get("work") == CANARY and store.get("other") is None
    store.delete("work")
    store.delete("work")
    assert store.get("work") is None
    info = store_info(store)
    assert not info.secure and info.session_only and info.description == NO_SECURE_KEYRING


def test_the_fail_backend_is_missing_not_an_invalid_key() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    store = KeyringSecretStore()
    assert not store.is_secure
    with pytest.raises(SecretStoreError) as caught:
        store.get()
    assert caught.value.problem is Problem.MISSING
    assert "gnome-keyring or KWallet" in caught.value.message
    assert "session only" in caught.value.message
    with pytest.raises(SecretStoreError) as on_set:
        store.set(CANARY)
    assert on_set.value.problem is Problem.MISSING and CANARY not in on_set.value.message
    with pytest.raises(SecretStoreError) as on_delete:
        store.delete()
    assert on_delete.value.problem is Problem.MISSING


def test_insecure_backends_never_receive_a_key() -> None:
    keyring.set_keyring(PlaintextKeyring())
    store = KeyringSecretStore()
    assert not store.is_secure
    with pytest.raises(SecretStoreError) as caught:
        store.set(CANARY)
    assert caught.value.problem is Problem.MISSING
    keyring.set_keyring(keyring.backends.null.Keyring())
    assert not KeyringSecretStore().is_secure


@pytest.mark.parametrize(
    ("error", "problem", "words"),
    [
        (KeyringLocked("Failed to unlock the collection!"), Problem.LOCKED, "locked"),
        (InitError("Failed to create the collection: Prompt dismissed."), Problem.LOCKED, "lock"),
        (ConnectionRefusedError(111, "Connection refused"), Problem.MISSING, "No secure keyring"),
        (PasswordSetError("quota exceeded"), Problem.REFUSED, "quota exceeded"),
    ],
)
def test_keyring_errors_are_classified(error: Exception, problem: Problem, words: str) -> None:
    keyring.set_keyring(RaisingKeyring(error))
    store = KeyringSecretStore()
    for call in (store.get, lambda: store.set(CANARY), store.delete):
        with pytest.raises(SecretStoreError) as caught:
            call()
        assert caught.value.problem is problem and words in caught.value.message
        assert "invalid" not in caught.value.message.lower()


class SecureKeyring(PlaintextKeyring):
    """A stand-in for a real keyring (the name carries no insecure marker)."""


def chain_of(*parts: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
    """keyring's chainer over fixed backends (the real list depends on this machine)."""

    class Chain(keyring.backends.chainer.ChainerBackend):
        backends = parts

    return Chain()


def test_the_chainer_is_as_secure_as_the_backend_it_stores_with() -> None:
    keyring.set_keyring(chain_of(SecureKeyring(), PlaintextKeyring()))
    assert KeyringSecretStore().is_secure  # stores with the first: the secure one
    keyring.set_keyring(chain_of(PlaintextKeyring(), SecureKeyring()))
    assert not KeyringSecretStore().is_secure
    keyring.set_keyring(chain_of())
    assert not KeyringSecretStore().is_secure


def test_backend_names_in_plain_words() -> None:
    assert "GNOME Keyring" in describe_backend("keyring.backends.SecretService.Keyring")
    assert describe_backend("keyring.backends.macOS.Keyring") == "the macOS Keychain"
    assert describe_backend("keyring.backends.Windows.WinVaultKeyring").startswith("Windows")
    assert describe_backend("keyring.backends.fail.Keyring") == "no keyring"
    assert "plain-text" in describe_backend("keyrings.alt.file.PlaintextKeyring")
    assert describe_backend("some.other.Backend") == "Backend"


def test_store_info_for_a_secure_keyring() -> None:
    info = store_info(KeyringSecretStore())  # the test suite's in-memory keyring, priority 1
    assert info.secure and not info.session_only and "encrypted" in info.description


class TestMemoryKeyringConformance(BackendBasicTests):
    """keyring's conformance suite against the suite's in-memory backend (tests/conftest.py):
    the fake every other test trusts behaves like a real keyring."""

    def init_keyring(self) -> keyring.backend.KeyringBackend:
        backend = keyring.get_keyring()
        assert type(backend).__name__ == "MemoryKeyring"
        return backend
