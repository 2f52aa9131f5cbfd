"""Messages for failures of the app's own work below the UI (saving, the history, the key
service, the bill and the price, housekeeping, showing an image), as `core.messages.Message`s.

Each keeps the English words the app always said (the `get3w` command and the logs see them
unchanged); `ui/messages.py` holds the texts the window translates for each code.
"""

from __future__ import annotations

from get3w_desktop.core.messages import Code, Message, data_size, date, day_month
from get3w_desktop.core.messages import build as _m

# -- saving files and the history -----------------------------------------------------------


def disk_full(folder: str) -> Message:
    return _m(Code.DISK_FULL,
              f"The disk is full: could not save into {folder}. Free some space, then retry.",
              folder=folder)  # fmt: skip


def disk_read_only(folder: str) -> Message:
    return _m(Code.DISK_READ_ONLY,
              f"Cannot write into {folder} (read-only or no permission). Choose another folder.",
              folder=folder)  # fmt: skip


def disk_path_too_long(folder: str) -> Message:
    return _m(Code.DISK_PATH_TOO_LONG, f"The path {folder} is too long for this file system.",
              folder=folder)  # fmt: skip


def disk_other(folder: str, reason: str) -> Message:
    return _m(Code.DISK_OTHER, f"Could not save into {folder}: {reason}.",
              folder=folder, reason=reason)  # fmt: skip


def save_unexpected(kind: str) -> Message:
    return _m(Code.SAVE_UNEXPECTED, f"Not saved: an unexpected error ({kind}).", kind=kind)


def history_read_failed(reason: str) -> Message:
    """The history could not be read; the English words are the storage error's own."""
    return _m(Code.HISTORY_READ_FAILED, reason, reason=reason)


def history_write_failed(reason: str) -> Message:
    return _m(Code.HISTORY_WRITE_FAILED, f"The task history could not be saved: {reason}",
              reason=reason)  # fmt: skip


# -- the key service ------------------------------------------------------------------------

_KEYRING_PROBLEMS = {"locked": Code.KEYRING_LOCKED, "timeout": Code.KEYRING_TIMEOUT}


def key_not_removed(problem: str, words: str) -> Message:
    """The keyring refused to remove a key: `problem` is a storage.secrets.Problem value,
    `words` the keyring error's own English sentence."""
    why = Message(_KEYRING_PROBLEMS.get(problem, Code.KEYRING_REFUSED), {}, words)
    return _m(Code.KEY_NOT_REMOVED, f"The key could not be removed from the keyring. {words}",
              problem=why)  # fmt: skip


KEY_SERVICE_FAILED = Message(
    Code.KEY_SERVICE_FAILED, {}, "Something went wrong handling the key (see the log)."
)


# -- the bill and the price -----------------------------------------------------------------


def bill_unreadable(reason: Message) -> Message:
    return _m(Code.BILL_UNREADABLE, f"The bill could not be read: {reason.fallback}",
              reason=reason)  # fmt: skip


BILL_CRASHED = Message(Code.BILL_CRASHED, {}, "The bill could not be read (see the log).")
PRICE_UNREADABLE = Message(Code.PRICE_UNREADABLE, {}, "The price could not be read.")
PRICE_NONE = Message(Code.PRICE_NONE, {}, "This model has no published price.")
CANCEL_CRASHED = Message(Code.CANCEL_CRASHED, {}, "an unexpected error (see the log)")


# -- housekeeping -----------------------------------------------------------------------------

HK_STOPPED_BEFORE_START = Message(
    Code.HK_STOPPED_BEFORE_START, {}, "Stopped before it started; nothing was changed."
)
HK_STOPPED = Message(Code.HK_STOPPED, {}, "Stopped before it finished; nothing was changed.")


def hk_crashed(reason: str) -> Message:
    return _m(Code.HK_CRASHED, f"Housekeeping failed unexpectedly: {reason}", reason=reason)


def hk_no_folder(folder: str) -> Message:
    return _m(Code.HK_NO_FOLDER, f"The folder {folder} does not exist (or is not a folder).",
              folder=folder)  # fmt: skip


def hk_no_space(folder: str, needed: int, free: int) -> Message:
    """`needed` and `free` in bytes: the window writes them in the person's locale."""
    need, have = data_size(needed), data_size(free)
    return _m(Code.HK_NO_SPACE,
              f"Not enough space in {folder}: the export needs {need} and {have} is free. "
              "Free some space or choose another folder.",
              folder=folder, needed=need, free=have)  # fmt: skip


def hk_no_free_name(folder: str) -> Message:
    return _m(Code.HK_NO_FREE_NAME, f"Could not find a free name for the export in {folder}.",
              folder=folder)  # fmt: skip


def hk_not_deleted(reason: Message) -> Message:
    return _m(Code.HK_NOT_DELETED, f"Nothing was deleted locally: {reason.fallback}",
              reason=reason)  # fmt: skip


def hk_not_cleaned(reason: Message) -> Message:
    return _m(Code.HK_NOT_CLEANED, f"Nothing was cleaned up: {reason.fallback}",
              reason=reason)  # fmt: skip


def export_disk_full(folder: str) -> Message:
    return _m(Code.EXPORT_DISK_FULL,
              f"The disk is full: the export into {folder} was not saved (nothing was left "
              "behind). Free some space or choose another folder.", folder=folder)  # fmt: skip


def export_not_a_folder(folder: str) -> Message:
    return _m(Code.EXPORT_NOT_A_FOLDER,
              f"{folder} is not a folder that can be written to. Choose another folder.",
              folder=folder)  # fmt: skip


def export_other(folder: str, reason: str) -> Message:
    return _m(Code.EXPORT_OTHER, f"Could not export into {folder}: {reason}.",
              folder=folder, reason=reason)  # fmt: skip


# -- showing a saved image --------------------------------------------------------------------

IMAGE_MISSING = Message(
    Code.IMAGE_MISSING, {}, "The file is missing: it may have been moved or deleted."
)
IMAGE_UNSUPPORTED = Message(
    Code.IMAGE_UNSUPPORTED, {}, "This file is not an image this app can show."
)
IMAGE_DAMAGED = Message(
    Code.IMAGE_DAMAGED, {}, "The image is damaged or incomplete and cannot be shown."
)


def image_too_large(width: int, height: int) -> Message:
    return _m(Code.IMAGE_TOO_LARGE,
              f"This image is too large to preview ({width} × {height} pixels). "
              "Open it in another app.", width=width, height=height)  # fmt: skip


def image_unshowable(reason: str) -> Message:
    return _m(Code.IMAGE_UNSHOWABLE, f"Cannot show this file: {reason}", reason=reason)


def hk_file_not_deleted(name: str, reason: str) -> Message:
    return _m(Code.HK_FILE_NOT_DELETED, f"{name} could not be deleted: {reason}.",
              name=name, reason=reason)  # fmt: skip


def _kept(count: int, why: str) -> str:
    noun = "task was" if count == 1 else "tasks were"
    return f"{count} {noun} kept because {why}."


def hk_kept_server_failed(count: int, reason: Message) -> Message:
    why = f"the server could not delete them: {reason.fallback.rstrip('.')}"
    return _m(Code.HK_KEPT_SERVER_FAILED, _kept(count, why), count=count, reason=reason)


def hk_kept_stopped(count: int) -> Message:
    why = "it was stopped before they were deleted on the server"
    return _m(Code.HK_KEPT_STOPPED, _kept(count, why), count=count)


def hk_kept_other_profile(count: int, names: str) -> Message:
    why = f"they belong to {names}: switch to it to delete them on the server"
    return _m(Code.HK_KEPT_OTHER_PROFILE, _kept(count, why), count=count, names=names)


HK_NO_REMOTE_DELETE = Message(
    Code.HK_NO_REMOTE_DELETE, {}, "This server does not offer deleting tasks."
)


# -- a cleaned-up task ------------------------------------------------------------------------

#: Start of the message a cleaned-up job carries in `error` (the history's plain column).
CLEANED_PREFIX = "The local copy was cleaned up"


def hk_cleaned_up(when: float, finished: float, retention: float) -> Message:
    """The error a task carries once its local copies were cleaned up at `when`; whether
    Get3W may still have the output depends on when it `finished` (kept `retention` s)."""
    expires = finished + retention
    remote = (
        _m(Code.HK_REMOTE_UNTIL,
           f"Get3W keeps the output until about {day_month(expires)}: Task › Copy output URL, "
           "or re-run the task.", until=day_month(expires))
        if expires > when
        else Message(Code.HK_REMOTE_EXPIRED, {},
                     "The copy on Get3W may have expired (outputs are kept about 7 days).")
    )  # fmt: skip
    day = date(when)
    return _m(Code.HK_CLEANED_UP,
              f"{CLEANED_PREFIX} on {day} to free disk space. {remote}",
              day=day, remote=remote)  # fmt: skip
