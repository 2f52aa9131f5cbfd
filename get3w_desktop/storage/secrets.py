"""API keys in the operating system's keyring, and nowhere else.

A missing or insecure keyring is reported as exactly that (never as an invalid key);
callers then keep the key for the session only. Nothing here writes a file.
"""

from __future__ import annotations

import threading
from typing import Protocol

SERVICE = "get3w-desktop"
DEFAULT_ACCOUNT = "default"

#: Backends that store nothing, or store it in plain text: not a safe home for a key.
_INSECURE_BACKENDS = ("fail", "null", "keyrings.alt", "PlaintextKeyring", "chainer")


class SecretStoreError(Exception):
    """The keyring could not be used (missing, locked, refused). Not an auth problem."""


class SecretStore(Protocol):
    def get(self, account: str = DEFAULT_ACCOUNT) -> str | None: ...
    def set(self, secret: str, account: str = DEFAULT_ACCOUNT) -> None: ...
    def delete(self, account: str = DEFAULT_ACCOUNT) -> None: ...
    @property
    def backend_name(self) -> str: ...
    @property
    def is_secure(self) -> bool: ...


class MemorySecretStore:
    """Keeps secrets in this process only: for tests, and for sessions without a keyring."""

    def __init__(self, backend_name: str = "memory (this session only)") -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._name = backend_name

    def get(self, account: str = DEFAULT_ACCOUNT) -> str | None:
        with self._lock:
            return self._secrets.get(account)

    def set(self, secret: str, account: str = DEFAULT_ACCOUNT) -> None:
        with self._lock:
            self._secrets[account] = secret

    def delete(self, account: str = DEFAULT_ACCOUNT) -> None:
        with self._lock:
            self._secrets.pop(account, None)

    @property
    def backend_name(self) -> str:
        return self._name

    @property
    def is_secure(self) -> bool:
        return False


class KeyringSecretStore:
    """The OS keyring through `keyring` (Secret Service, macOS Keychain, Windows Vault)."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._lock = threading.Lock()

    @property
    def backend_name(self) -> str:
        import keyring

        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    @property
    def is_secure(self) -> bool:
        import keyring

        backend = keyring.get_keyring()
        name = self.backend_name
        priority = getattr(backend, "priority", 0)
        try:
            usable = float(priority) > 0
        except (TypeError, ValueError):
            usable = False
        return usable and not any(marker in name for marker in _INSECURE_BACKENDS)

    def get(self, account: str = DEFAULT_ACCOUNT) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        with self._lock:
            try:
                return keyring.get_password(self._service, account)
            except KeyringError as exc:
                raise SecretStoreError(_explain(exc)) from None

    def set(self, secret: str, account: str = DEFAULT_ACCOUNT) -> None:
        import keyring
        from keyring.errors import KeyringError

        if not self.is_secure:
            raise SecretStoreError(
                f"No secure keyring is available (backend: {self.backend_name}). "
                "Install and unlock a Secret Service (e.g. GNOME Keyring or KWallet); "
                "the key can be kept for this session only."
            )
        with self._lock:
            try:
                keyring.set_password(self._service, account, secret)
            except KeyringError as exc:
                raise SecretStoreError(_explain(exc)) from None

    def delete(self, account: str = DEFAULT_ACCOUNT) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        with self._lock:
            try:
                keyring.delete_password(self._service, account)
            except PasswordDeleteError:
                return  # nothing stored: already the state we want
            except KeyringError as exc:
                raise SecretStoreError(_explain(exc)) from None


def _explain(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "No recommended backend" in text or "NoKeyring" in type(exc).__name__:
        return (
            "No keyring is available on this system. Install and unlock a Secret Service "
            "(GNOME Keyring or KWallet) to remember the key between sessions."
        )
    if "dismissed" in text.lower() or "locked" in text.lower():
        return f"The keyring is locked or the unlock prompt was dismissed ({text})."
    return f"The keyring refused the request: {text}"
