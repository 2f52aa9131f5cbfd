"""API keys in the operating system's keyring, and nowhere else.

One keyring entry per profile: service `get3w-desktop`, account = the profile's name
(`default` is the first Get3W profile, the one `get3w key set` uses without `--profile`).

A missing or insecure keyring is reported as exactly that (never as an invalid key);
callers then keep the key for the session only. Nothing here writes a file.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import threading
from dataclasses import dataclass
from typing import Any, Protocol

SERVICE = "get3w-desktop"
DEFAULT_ACCOUNT = "default"

#: Backends that store nothing, or store it in plain text: not a safe home for a key.
_INSECURE_BACKENDS = ("fail", "null", "keyrings.alt", "PlaintextKeyring")

#: Said whenever no secure keyring can hold the key (the words the issue asks for).
NO_SECURE_KEYRING = (
    "No secure keyring: install or unlock gnome-keyring or KWallet (on Linux), "
    "so the key can be remembered. The key is kept for this session only."
)


def account_for(profile: str) -> str:
    """The keyring account that holds a profile's key: the profile's own name."""
    name = profile.strip()
    if not name:
        raise ValueError("a profile needs a name")
    return name


class Problem(enum.Enum):
    """Why the keyring could not be used; none of these means the key is wrong."""

    MISSING = "missing"  # no keyring at all, or only an insecure one
    LOCKED = "locked"  # the collection is locked or the unlock prompt was dismissed
    REFUSED = "refused"  # anything else the keyring said no to
    TIMEOUT = "timeout"  # no answer (an unlock prompt nobody can see)


class SecretStoreError(Exception):
    """The keyring could not be used (missing, locked, refused). Not an auth problem."""

    def __init__(
        self, message: str, problem: Problem = Problem.REFUSED, *, backend: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem
        self.backend = backend  # the keyring backend's class path, when known


class SecretStore(Protocol):
    def get(self, account: str = DEFAULT_ACCOUNT) -> str | None: ...
    def set(self, secret: str, account: str = DEFAULT_ACCOUNT) -> None: ...
    def delete(self, account: str = DEFAULT_ACCOUNT) -> None: ...
    @property
    def backend_name(self) -> str: ...
    @property
    def is_secure(self) -> bool: ...


@dataclass(frozen=True)
class StoreInfo:
    """Where a key is (or would be) kept, in words a person understands."""

    backend_name: str  # e.g. keyring.backends.SecretService.Keyring
    secure: bool  # kept encrypted by the OS and remembered across sessions
    session_only: bool  # held in this process's memory, forgotten on quit
    description: str  # one sentence for people (English: the window uses `problem`)
    #: Why the key is not in a secure keyring (None when it is).
    problem: Problem | None = None
    #: The OS keyring backend's class path when it could not be used (for experts only).
    keyring_backend: str = ""

    @property
    def short_name(self) -> str:
        return describe_backend(self.backend_name)

    @property
    def kind(self) -> BackendKind:
        return backend_kind(self.backend_name)


class BackendKind(enum.Enum):
    """Which kind of keyring a backend class is; the window names each in its own words."""

    SECRET_SERVICE = "secret_service"  # noqa: S105  (GNOME Keyring, KWallet: not a password)
    LIBSECRET = "libsecret"
    KWALLET = "kwallet"
    MACOS = "macos"
    WINDOWS = "windows"
    CHAINER = "chainer"  # the system keyring, whichever it is
    NONE = "none"  # keyring's fail/null backends: no keyring at all
    PLAINTEXT = "plaintext"  # keyrings.alt
    MEMORY = "memory"  # this session only
    OTHER = "other"


_KINDS = (
    ("SecretService", BackendKind.SECRET_SERVICE),
    ("kwallet", BackendKind.KWALLET),
    ("macOS", BackendKind.MACOS),
    ("Windows", BackendKind.WINDOWS),
    ("libsecret", BackendKind.LIBSECRET),
    ("chainer", BackendKind.CHAINER),
    ("fail", BackendKind.NONE),
    ("null", BackendKind.NONE),
    ("keyrings.alt", BackendKind.PLAINTEXT),
    ("memory", BackendKind.MEMORY),
)
_WORDS = {
    BackendKind.SECRET_SERVICE: "the Secret Service (GNOME Keyring or KWallet)",
    BackendKind.KWALLET: "KWallet",
    BackendKind.MACOS: "the macOS Keychain",
    BackendKind.WINDOWS: "Windows Credential Manager",
    BackendKind.LIBSECRET: "the Secret Service (libsecret)",
    BackendKind.CHAINER: "the system keyring",
    BackendKind.NONE: "no keyring",
    BackendKind.PLAINTEXT: "a plain-text file (keyrings.alt)",
    BackendKind.MEMORY: "memory (this session only)",
}


def backend_kind(backend_name: str) -> BackendKind:
    """Which kind of keyring a backend's class path names."""
    for marker, kind in _KINDS:
        if marker in backend_name:
            return kind
    return BackendKind.OTHER


def describe_backend(backend_name: str) -> str:
    """A backend's class path in plain (English) words."""
    words = _WORDS.get(backend_kind(backend_name))
    if words is not None:
        return words
    return backend_name.rsplit(".", 1)[-1] if "." in backend_name else backend_name


def store_info(store: SecretStore) -> StoreInfo:
    """Describe `store`. May touch the keyring (backend detection): call it off the GUI thread."""
    name = store.backend_name
    secure = store.is_secure
    if secure:
        words = f"The key is kept in {describe_backend(name)}, encrypted by your system."
        return StoreInfo(name, True, False, words)
    # Not secure: the key service keeps keys in memory for the session instead.
    return StoreInfo(name, False, True, NO_SECURE_KEYRING, Problem.MISSING, name)


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


def _is_secure_backend(backend: Any) -> bool:
    from keyring.backends.chainer import ChainerBackend

    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, ChainerBackend):
        # The chainer stores with the first of its backends (highest priority first).
        chained = list(getattr(backend, "backends", ()) or ())
        return bool(chained) and _is_secure_backend(chained[0])
    try:
        usable = float(getattr(backend, "priority", 0)) > 0
    except (TypeError, ValueError, RuntimeError):
        usable = False
    return usable and not any(marker in name for marker in _INSECURE_BACKENDS)


def _environment_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "the keyring is unusable", not a bug of ours.

    SecretStorage and jeepney (D-Bus) sometimes let their own errors through keyring.
    """
    from keyring.errors import KeyringError

    kinds: list[type[BaseException]] = [KeyringError, OSError]
    try:
        from secretstorage.exceptions import SecretStorageException

        kinds.append(SecretStorageException)
    except ImportError:  # not on this platform
        pass
    # jeepney ships no type information, hence the indirect import.
    with contextlib.suppress(ImportError, AttributeError):
        kinds.append(importlib.import_module("jeepney.wrappers").DBusErrorResponse)
    return tuple(kinds)


class KeyringSecretStore:
    """The OS keyring through `keyring` (Secret Service, macOS Keychain, Windows Vault).

    Calls may block (an unlock prompt); callers on the GUI thread go through
    workers/keys.py, which runs them elsewhere with a timeout.
    """

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

        return _is_secure_backend(keyring.get_keyring())

    def get(self, account: str = DEFAULT_ACCOUNT) -> str | None:
        import keyring

        with self._lock:
            try:
                return keyring.get_password(self._service, account)
            except _environment_errors() as exc:
                raise _translate(exc, self.backend_name) from None

    def set(self, secret: str, account: str = DEFAULT_ACCOUNT) -> None:
        import keyring

        if not self.is_secure:
            name = self.backend_name
            raise SecretStoreError(
                f"{NO_SECURE_KEYRING} (keyring backend: {name})", Problem.MISSING, backend=name
            )
        with self._lock:
            try:
                keyring.set_password(self._service, account, secret)
            except _environment_errors() as exc:
                raise _translate(exc, self.backend_name) from None

    def delete(self, account: str = DEFAULT_ACCOUNT) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        with self._lock:
            try:
                keyring.delete_password(self._service, account)
            except PasswordDeleteError:
                return  # nothing stored: already the state we want
            except _environment_errors() as exc:
                raise _translate(exc, self.backend_name) from None


def _translate(exc: BaseException, backend: str = "") -> SecretStoreError:
    """A keyring failure in plain words, classified; the secret is never part of it.
    `backend` (the backend's class path) is kept on the error for experts."""
    text = str(exc) or type(exc).__name__
    kind = type(exc).__name__
    lowered = text.lower()
    if "No recommended backend" in text or "NoKeyring" in kind:
        return SecretStoreError(NO_SECURE_KEYRING, Problem.MISSING, backend=backend)
    if "Locked" in kind or "dismissed" in lowered or "locked" in lowered:
        return SecretStoreError(
            "The keyring is locked, or its unlock prompt was dismissed. Unlock it "
            "(e.g. log in to your desktop session) and try again; until then the key is "
            "kept for this session only.",
            Problem.LOCKED,
            backend=backend,
        )
    if isinstance(exc, OSError) or "not available" in lowered or "activatable" in lowered:
        return SecretStoreError(NO_SECURE_KEYRING, Problem.MISSING, backend=backend)
    return SecretStoreError(
        f"The keyring refused the request: {text}", Problem.REFUSED, backend=backend
    )
