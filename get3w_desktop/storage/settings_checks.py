"""The settings' value checks: each field's problem in plain words, and `validate`.

Each check comes twice: `validate_x` gives the English sentence (for the file's warnings
and the tests), `x_problem` the same as a coded `Message` the window shows in the person's
language.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from get3w_desktop.core import settings_messages as said
from get3w_desktop.core.connection_messages import url_empty
from get3w_desktop.core.errors import ConfigError
from get3w_desktop.core.filenames import pattern_problem
from get3w_desktop.core.messages import Message, for_error
from get3w_desktop.core.messages import text as words
from get3w_desktop.core.proxy import proxy_problem
from get3w_desktop.core.urls import normalise_base_url
from get3w_desktop.storage.settings_model import (
    CONCURRENCY_RANGE,
    KNOWN_CHANNELS,
    MAX_CAP,
    SANDBOX_PROFILE,
    Settings,
)

_PROFILE_NAME = re.compile(r"^[\w][\w .\-]{0,39}$")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")


@dataclass(frozen=True)
class Issue:
    """One validation problem: which field (a dotted path) and what to do, in plain words
    (`message`, English), and the same coded for the window (`said`)."""

    field: str
    message: str
    said: Message | None = dataclasses.field(default=None, compare=False)


def _issue(field: str, said: Message) -> Issue:
    return Issue(field, said.fallback, said)


def validate_profile_name(name: str, taken: tuple[str, ...] = ()) -> str | None:
    problem = profile_name_problem(name, taken)
    return problem.fallback if problem is not None else None


def profile_name_problem(name: str, taken: tuple[str, ...] = ()) -> Message | None:
    """`validate_profile_name` as a coded message, for the window."""
    text = name.strip()
    if not text:
        return said.PROFILE_NAME_EMPTY
    if text.lower() == SANDBOX_PROFILE:
        return said.PROFILE_NAME_SANDBOX
    if not _PROFILE_NAME.match(text):
        return said.PROFILE_NAME_CHARACTERS
    if text.lower() in (t.lower() for t in taken):
        return said.profile_name_taken(text)
    return None


def validate_base_url(url: str) -> str | None:
    problem = base_url_problem(url)
    return problem.fallback if problem is not None else None


def base_url_problem(url: str) -> Message | None:
    """`validate_base_url` as a coded message, for the window to show in the person's language."""
    if not url.strip():
        return url_empty("https://api.get3w.com")
    try:
        normalise_base_url(url)
    except ConfigError as exc:
        return for_error(exc)
    return None


def validate_folder(path: str, *, what: str | Message) -> str | None:
    problem = folder_problem(path, what=what)
    return problem.fallback if problem is not None else None


def folder_problem(path: str, *, what: str | Message) -> Message | None:
    """`validate_folder` as a coded message; `what` names the folder ("download folder")."""
    named = what if isinstance(what, Message) else words(what)
    entered = path.strip()
    if not entered:
        return said.folder_empty(named)
    folder = Path(entered).expanduser()
    if not folder.is_absolute():
        return said.folder_not_absolute(named, str(Path.home() / "Pictures"))
    if folder.exists() and not folder.is_dir():
        return said.folder_is_file(str(folder))
    return None


def validate_channel(channel: str | None) -> str | None:
    problem = channel_problem(channel)
    return problem.fallback if problem is not None else None


def channel_problem(channel: str | None) -> Message | None:
    if channel is None or _CHANNEL.match(channel):
        return None
    return said.channel_one_word(", ".join(KNOWN_CHANNELS))


def validate_cap(value: float | None, *, what: str) -> str | None:
    """None when `value` is a usable spending limit (None means no limit)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return f"The {what} must be an amount in dollars."
    if value < 0:
        return f"The {what} cannot be negative."
    if value > MAX_CAP:
        return f"The {what} can be at most ${MAX_CAP:,.0f}; leave it off for no limit."
    return None


def validate(settings: Settings) -> tuple[Issue, ...]:
    """Every problem with `settings`, each for one field. Empty when it can be saved."""
    issues: list[Issue] = []
    names: list[str] = [SANDBOX_PROFILE]
    for index, profile in enumerate(settings.profiles):
        if profile.is_sandbox:
            continue
        named = profile_name_problem(profile.name, tuple(names))
        if named:
            issues.append(_issue(f"profiles.{index}.name", named))
        names.append(profile.name)
        coded = base_url_problem(profile.base_url)
        if coded:
            issues.append(
                _issue(f"profiles.{index}.base_url", said.profile_problem(profile.name, coded))
            )
        coded = proxy_problem(profile.proxy)
        if coded:
            issues.append(
                _issue(f"profiles.{index}.proxy", said.profile_problem(profile.name, coded))
            )
    if settings.profile(settings.active_profile) is None:
        issues.append(_issue("active_profile", said.profile_missing(settings.active_profile)))
    coded = channel_problem(settings.default_channel)
    if coded:
        issues.append(_issue("default_channel", coded))
    low, high = CONCURRENCY_RANGE
    if not low <= settings.concurrency <= high:
        issues.append(_issue("concurrency", said.concurrency_range(low, high)))
    coded = folder_problem(settings.download_folder, what=said.DOWNLOAD_FOLDER)
    if coded:
        issues.append(_issue("download_folder", coded))
    if settings.autosave_folder is not None:
        coded = folder_problem(settings.autosave_folder, what=said.AUTOSAVE_FOLDER)
        if coded:
            issues.append(_issue("autosave_folder", coded))
    coded = pattern_problem(settings.filename_pattern)
    if coded:
        issues.append(_issue("filename_pattern", coded))
    for name, what in (
        ("cap_per_batch", "limit per run"),
        ("cap_per_day", "daily limit"),
        ("confirm_above", "amount that asks first"),
    ):
        problem = validate_cap(getattr(settings, name), what=what)
        if problem:
            issues.append(Issue(name, problem))
    return tuple(issues)
