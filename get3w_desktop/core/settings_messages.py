"""The settings' validation sentences (storage/settings.py) as `core.messages.Message`s.

Each keeps the English words the settings always said (the `get3w` command, the load
warnings and `Issue.message` see them unchanged); `ui/messages.py` holds the texts the window
translates. Which folder a sentence is about is a message of its own, so a translation puts
it where its grammar wants it.
"""

from __future__ import annotations

from get3w_desktop.core.messages import Code, Message
from get3w_desktop.core.messages import build as _m

# -- profiles -------------------------------------------------------------------------------

PROFILE_NAME_EMPTY = _m(Code.PROFILE_NAME_EMPTY, "Give the profile a name.")
PROFILE_NAME_SANDBOX = _m(
    Code.PROFILE_NAME_SANDBOX, "“sandbox” is the built-in offline profile; choose another name."
)
PROFILE_NAME_CHARACTERS = _m(
    Code.PROFILE_NAME_CHARACTERS,
    "Use up to 40 letters, digits, spaces, dots, dashes or underscores.",
)


def profile_name_taken(name: str) -> Message:
    return _m(Code.PROFILE_NAME_TAKEN, f"There is already a profile called “{name}”.", name=name)


def profile_missing(name: str) -> Message:
    return _m(Code.PROFILE_MISSING, f"There is no profile called “{name}”.", name=name)


def profile_problem(profile: str, problem: Message) -> Message:
    """ "Work: <problem>": a problem with one profile's address or proxy."""
    return _m(Code.PROFILE_PROBLEM, f"{profile}: {problem}", profile=profile, problem=problem)


# -- folders --------------------------------------------------------------------------------

DOWNLOAD_FOLDER = _m(Code.FOLDER_DOWNLOAD, "download folder")
AUTOSAVE_FOLDER = _m(Code.FOLDER_AUTOSAVE, "auto-save folder")
ANY_FOLDER = _m(Code.FOLDER_ANY, "folder")


def folder_empty(what: Message) -> Message:
    return _m(Code.FOLDER_EMPTY, f"Choose the {what}.", what=what)


def folder_not_absolute(what: Message, example: str) -> Message:
    return _m(Code.FOLDER_NOT_ABSOLUTE, f"The {what} must be a full path (e.g. {example}).",
              what=what, example=example)  # fmt: skip


def folder_is_file(folder: str) -> Message:
    return _m(Code.FOLDER_IS_FILE, f"{folder} is a file, not a folder.", folder=folder)


# -- the rest of the settings ---------------------------------------------------------------


def channel_one_word(channels: str) -> Message:
    return _m(Code.CHANNEL_ONE_WORD, f"A channel is one word such as {channels}.",
              channels=channels)  # fmt: skip


def concurrency_range(low: int, high: int) -> Message:
    return _m(Code.CONCURRENCY_RANGE, f"Run between {low} and {high} tasks at once.",
              low=low, high=high)  # fmt: skip


def settings_not_saved(folder: str, reason: str) -> Message:
    """`reason` is the system's English words (the window leaves them out)."""
    return _m(Code.SETTINGS_NOT_SAVED,
              f"Your settings could not be saved in {folder} ({reason}). Check that the disk "
              "has space and the folder is writable.", folder=folder, reason=reason)  # fmt: skip


# -- the file as loaded: notes shown once at start-up -----------------------------------------


def value_invalid(key: str, reason: str) -> Message:
    return _m(Code.SETTINGS_VALUE_INVALID,
              f"Setting “{key}” was not valid ({reason}); using the default.",
              key=key, reason=reason)  # fmt: skip


def active_gone(name: str) -> Message:
    return _m(Code.SETTINGS_ACTIVE_GONE,
              f"The active profile “{name}” no longer exists; using the sandbox.",
              name=name)  # fmt: skip


PROFILE_UNNAMED = _m(
    Code.SETTINGS_PROFILE_UNNAMED, "A profile without a name or address was dropped."
)


def profile_dropped(name: str, problem: Message) -> Message:
    return _m(Code.SETTINGS_PROFILE_DROPPED, f"Profile “{name}” was dropped: {problem}",
              name=name, problem=problem)  # fmt: skip


def proxy_invalid(profile: str) -> Message:
    return _m(Code.SETTINGS_PROXY_INVALID,
              f"Profile “{profile}”: the proxy setting was not valid; the system proxy "
              "settings are used.", profile=profile)  # fmt: skip


def proxy_unusable(profile: str, problem: Message) -> Message:
    return _m(Code.SETTINGS_PROXY_UNUSABLE,
              f"Profile “{profile}”: {problem} The system proxy settings are used.",
              profile=profile, problem=problem)  # fmt: skip


def settings_unreadable(reason: str) -> Message:
    return _m(
        Code.SETTINGS_UNREADABLE,
        f"Could not read your settings ({reason}); using the defaults.",
        reason=reason,
    )


def settings_corrupt(reason: str, backup: str | None) -> Message:
    """The file is not settings; `backup` is the name of the copy set aside (if any)."""
    words = f"Your settings file could not be read ({reason}); the defaults are in use."
    if backup is None:
        return _m(Code.SETTINGS_CORRUPT, words, reason=reason)
    return _m(Code.SETTINGS_CORRUPT_KEPT, f"{words} A copy was kept as {backup}.",
              reason=reason, backup=backup)  # fmt: skip


def settings_newer(version: int) -> Message:
    return _m(Code.SETTINGS_NEWER,
              f"Your settings were written by a newer version of Get3W Desktop (format "
              f"{version}); settings this version does not know are kept as they are.",
              version=version)  # fmt: skip
