"""Where a key is kept, in the person's language: keyring kinds and keyring problems.

The storage layer names a backend by its class path (`keyring.backends.fail.Keyring`) and
says what went wrong in English for the `get3w` command. The window shows words instead;
the class path stays in a tooltip and in Diagnostics, for whoever needs it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from get3w_desktop.storage.secrets import BackendKind, Problem, StoreInfo, backend_kind
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

CONTEXT = "KeyringWords"

_KINDS = {
    BackendKind.SECRET_SERVICE: QT_TRANSLATE_NOOP(
        "KeyringWords", "Secret Service (GNOME Keyring or KWallet)"
    ),
    BackendKind.LIBSECRET: QT_TRANSLATE_NOOP("KeyringWords", "Secret Service (GNOME Keyring)"),
    BackendKind.KWALLET: QT_TRANSLATE_NOOP("KeyringWords", "KWallet"),
    BackendKind.MACOS: QT_TRANSLATE_NOOP("KeyringWords", "macOS Keychain"),
    BackendKind.WINDOWS: QT_TRANSLATE_NOOP("KeyringWords", "Windows Credential Manager"),
    BackendKind.CHAINER: QT_TRANSLATE_NOOP("KeyringWords", "the system keyring"),
    BackendKind.NONE: QT_TRANSLATE_NOOP("KeyringWords", "no keyring available"),
    BackendKind.PLAINTEXT: QT_TRANSLATE_NOOP("KeyringWords", "a plain-text file (not secure)"),
    BackendKind.MEMORY: QT_TRANSLATE_NOOP("KeyringWords", "memory, for this session only"),
    BackendKind.OTHER: QT_TRANSLATE_NOOP("KeyringWords", "an unrecognised keyring"),
}
_MISSING = QT_TRANSLATE_NOOP(
    "KeyringWords",
    "No secure keyring ({keyring}): install or unlock GNOME Keyring or KWallet (on Linux) so "
    "the key can be remembered. The key is kept for this session only.",
)
_MISSING_PLAIN = QT_TRANSLATE_NOOP(
    "KeyringWords",
    "No secure keyring: install or unlock GNOME Keyring or KWallet (on Linux) so the key can "
    "be remembered. The key is kept for this session only.",
)
_PROBLEMS = {
    Problem.LOCKED: QT_TRANSLATE_NOOP(
        "KeyringWords",
        "The keyring is locked, or its unlock prompt was dismissed. Unlock it (for example, "
        "log in to your desktop session) and try again; until then the key is kept for this "
        "session only.",
    ),
    Problem.TIMEOUT: QT_TRANSLATE_NOOP(
        "KeyringWords",
        "The keyring did not answer (an unlock prompt may be waiting). The key is kept for "
        "this session only; try again later.",
    ),
    Problem.REFUSED: QT_TRANSLATE_NOOP(
        "KeyringWords",
        "The keyring refused to store the key. The key is kept for this session only.",
    ),
}
_SESSION = QT_TRANSLATE_NOOP("KeyringWords", "The key is kept for this session only.")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def keyring_name(backend_name: str) -> str:
    """A keyring backend's class path as a person would call it."""
    return _tr(_KINDS[backend_kind(backend_name)])


def store_warning(info: StoreInfo) -> str:
    """Why the key is not in a secure keyring, in words ("" when it is)."""
    if info.secure:
        return ""
    if info.problem is Problem.MISSING:
        if info.keyring_backend:
            return _tr(_MISSING).format(keyring=keyring_name(info.keyring_backend))
        return _tr(_MISSING_PLAIN)
    if info.problem is not None:
        return _tr(_PROBLEMS[info.problem])
    return _tr(_SESSION)


def expert_detail(info: StoreInfo) -> str:
    """The class paths behind `info`, for a tooltip (untranslated: they are names)."""
    names = [info.backend_name]
    if info.keyring_backend and info.keyring_backend != info.backend_name:
        names.append(info.keyring_backend)
    return "\n".join(names)
