"""The settings' validation sentences (storage/settings.py) as `core.messages.Message`s.

Each keeps the English words the settings always said (the `get3w` command, the load
warnings and `Issue.message` see them unchanged); `ui/messages.py` holds the texts the window
translates. Which folder a sentence is about is a message of its own, so a translation puts
it where its grammar wants it.
"""

from __future__ import annotations

from get3w_desktop.core.messages import ArgValue, Code, Message


def _m(code: Code, fallback: str, **args: ArgValue) -> Message:
    return Message(code, args, fallback)


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
