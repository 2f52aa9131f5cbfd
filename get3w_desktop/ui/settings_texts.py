"""What the window translates for the settings' validation sentences (core/settings_messages)
and a cleaned-up task's error (core/worker_messages.hk_cleaned_up).

Part of `ui/messages.py`'s table (same "Messages" context), kept apart by subject. The English
words are built below the UI; these are the sources the translations are made from.
"""

from __future__ import annotations

from get3w_desktop.core.messages import Code
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

SETTINGS_TEXTS: dict[Code, str] = {
    Code.PROFILE_NAME_EMPTY: QT_TRANSLATE_NOOP("Messages", "Give the profile a name."),
    Code.PROFILE_NAME_SANDBOX: QT_TRANSLATE_NOOP(
        "Messages", "“sandbox” is the built-in offline profile; choose another name."
    ),
    Code.PROFILE_NAME_CHARACTERS: QT_TRANSLATE_NOOP(
        "Messages", "Use up to 40 letters, digits, spaces, dots, dashes or underscores."
    ),
    Code.PROFILE_NAME_TAKEN: QT_TRANSLATE_NOOP(
        "Messages", "There is already a profile called “{name}”."
    ),
    Code.PROFILE_MISSING: QT_TRANSLATE_NOOP("Messages", "There is no profile called “{name}”."),
    Code.PROFILE_PROBLEM: QT_TRANSLATE_NOOP("Messages", "{profile}: {problem}"),
    Code.FOLDER_DOWNLOAD: QT_TRANSLATE_NOOP("Messages", "download folder"),
    Code.FOLDER_AUTOSAVE: QT_TRANSLATE_NOOP("Messages", "auto-save folder"),
    Code.FOLDER_ANY: QT_TRANSLATE_NOOP("Messages", "folder"),
    Code.FOLDER_EMPTY: QT_TRANSLATE_NOOP("Messages", "Choose the {what}."),
    Code.FOLDER_NOT_ABSOLUTE: QT_TRANSLATE_NOOP(
        "Messages", "The {what} must be a full path (e.g. {example})."
    ),
    Code.FOLDER_IS_FILE: QT_TRANSLATE_NOOP("Messages", "{folder} is a file, not a folder."),
    Code.CHANNEL_ONE_WORD: QT_TRANSLATE_NOOP(
        "Messages", "A channel is one word such as {channels}."
    ),
    Code.CONCURRENCY_RANGE: QT_TRANSLATE_NOOP(
        "Messages", "Run between {low} and {high} tasks at once."
    ),
    Code.SETTINGS_NOT_SAVED: QT_TRANSLATE_NOOP(
        "Messages",
        "Your settings could not be saved in {folder}. Check that the disk has space and the "
        "folder is writable.",
    ),
    # notes about the settings file, once at start-up; the sources leave out `reason`
    # (Python's or the system's English words)
    Code.SETTINGS_VALUE_INVALID: QT_TRANSLATE_NOOP(
        "Messages", "Setting “{key}” was not valid; using the default."
    ),
    Code.SETTINGS_ACTIVE_GONE: QT_TRANSLATE_NOOP(
        "Messages", "The active profile “{name}” no longer exists; using the sandbox."
    ),
    Code.SETTINGS_PROFILE_UNNAMED: QT_TRANSLATE_NOOP(
        "Messages", "A profile without a name or address was dropped."
    ),
    Code.SETTINGS_PROFILE_DROPPED: QT_TRANSLATE_NOOP(
        "Messages", "Profile “{name}” was dropped: {problem}"
    ),
    Code.SETTINGS_PROXY_INVALID: QT_TRANSLATE_NOOP(
        "Messages",
        "Profile “{profile}”: the proxy setting was not valid; the system proxy settings are used.",
    ),
    Code.SETTINGS_PROXY_UNUSABLE: QT_TRANSLATE_NOOP(
        "Messages", "Profile “{profile}”: {problem} The system proxy settings are used."
    ),
    Code.SETTINGS_UNREADABLE: QT_TRANSLATE_NOOP(
        "Messages", "Could not read your settings; using the defaults."
    ),
    Code.SETTINGS_CORRUPT: QT_TRANSLATE_NOOP(
        "Messages", "Your settings file could not be read; the defaults are in use."
    ),
    Code.SETTINGS_CORRUPT_KEPT: QT_TRANSLATE_NOOP(
        "Messages",
        "Your settings file could not be read; the defaults are in use. A copy was kept as "
        "{backup}.",
    ),
    Code.SETTINGS_NEWER: QT_TRANSLATE_NOOP(
        "Messages",
        "Your settings were written by a newer version of Get3W Desktop (format {version}); "
        "settings this version does not know are kept as they are.",
    ),
    # the file-name pattern; braces come as arguments, so a translation writes none itself
    Code.PATTERN_EMPTY: QT_TRANSLATE_NOOP("Messages", "Enter a file-name pattern, e.g. {example}."),
    Code.PATTERN_SLASH: QT_TRANSLATE_NOOP(
        "Messages", "A file name cannot contain / or \\; the folder is chosen separately."
    ),
    Code.PATTERN_BRACES: QT_TRANSLATE_NOOP(
        "Messages",
        "Unbalanced braces: write placeholders as {example}, and a literal brace as {brace}.",
    ),
    Code.PATTERN_UNKNOWN: QT_TRANSLATE_NOOP(
        "Messages", "Unknown placeholder {shown}. Use {known}."
    ),
    Code.PATTERN_FORMAT: QT_TRANSLATE_NOOP(
        "Messages", "Write {name} without a format (“:” or “!”)."
    ),
    Code.PATTERN_NO_PLACEHOLDER: QT_TRANSLATE_NOOP(
        "Messages", "Use at least one placeholder, or every file would get the same name."
    ),
    # a task whose local copies were cleaned up: `day` and `until` are dates
    Code.HK_CLEANED_UP: QT_TRANSLATE_NOOP(
        "Messages", "The local copy was cleaned up on {day} to free disk space. {remote}"
    ),
    Code.HK_REMOTE_UNTIL: QT_TRANSLATE_NOOP(
        "Messages",
        "Get3W keeps the output until about {until}: Task › Copy output URL, or re-run the task.",
    ),
    Code.HK_REMOTE_EXPIRED: QT_TRANSLATE_NOOP(
        "Messages", "The copy on Get3W may have expired (outputs are kept about 7 days)."
    ),
}
#: How a date is written (Qt's date format letters), in the person's language.
DATE_FORMAT = QT_TRANSLATE_NOOP("Messages", "d MMM yyyy")
DAY_MONTH_FORMAT = QT_TRANSLATE_NOOP("Messages", "d MMM")
