"""The app's settings: a typed, frozen tree in `settings.json` under the config folder.

- The file carries `schema_version`; older files are migrated step by step on load
  (v1 was the single-service layout: one `base_url`, no profiles).
- Loading never crashes: a corrupt file is copied aside (`settings.json.corrupt-<time>`) and
  defaults are used; a bad value falls back to its default. Each such event becomes a
  warning sentence the app can show.
- Unknown top-level keys (written by a newer version) are kept and written back unchanged,
  unless their name or value looks like a secret; unknown keys inside a profile are dropped.
- Writes are atomic (temporary file, fsync, rename).
- The API key is never part of settings: it lives in the keyring (storage/secrets.py).
- A profile's proxy address may carry a user name and password (`http://user:pw@host`).
  They stay in the address, in this file, on purpose: the file is written readable by
  its owner only (mkstemp's 0600), a proxy password cannot spend money, a second keyring
  entry would add a keyring wait (up to its timeout) to every profile switch, and tools
  people already use (pip, git, curl) keep proxy passwords the same way. The dialog says
  so when a password is typed; the password is masked wherever an address is shown and
  redacted from logs and diagnostics.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from get3w_desktop.core import settings_messages as said
from get3w_desktop.core.connection_messages import url_empty
from get3w_desktop.core.errors import ConfigError

# The file-name pattern lives in core (export names files with it); kept importable here.
from get3w_desktop.core.filenames import DEFAULT_PATTERN as DEFAULT_PATTERN
from get3w_desktop.core.filenames import PLACEHOLDERS as PLACEHOLDERS
from get3w_desktop.core.filenames import pattern_problem
from get3w_desktop.core.filenames import render_filename as render_filename
from get3w_desktop.core.filenames import validate_pattern as validate_pattern
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.messages import Message, for_error
from get3w_desktop.core.messages import text as words
from get3w_desktop.core.proxy import (
    PROXY_MODES,
    SYSTEM_PROXY,
    ProxyConfig,
    normalise_proxy_url,
    proxy_problem,
    register_proxy_secrets,
)
from get3w_desktop.core.urls import DEFAULT_BASE_URL, normalise_base_url
from get3w_desktop.storage.form_memory import is_secret_name, sanitize
from get3w_desktop.storage.paths import AppPaths, app_paths

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
SCHEMA_VERSION = 5
MAX_FILE_BYTES = 1024 * 1024

SANDBOX_PROFILE = "sandbox"
DEFAULT_PROFILE = "default"  # the first Get3W profile; its key is the keyring's `default`
CONCURRENCY_RANGE = (1, 32)
#: The largest spending limit accepted, in USD: anything above is surely a typo.
MAX_CAP = 100_000.0
#: A run costing more than this asks first (Send / Cancel); None never asks.
DEFAULT_CONFIRM_ABOVE = 1.0
#: A fresh install's daily limit. It counts every profile, the sandbox too: the sandbox is
#: where people rehearse, and a limit that only appears once real money is at stake would
#: be a surprise. $10 is a few dozen images or eight Veo clips; raise it in Settings.
DEFAULT_CAP_PER_DAY = 10.0
KNOWN_CHANNELS = ("economy", "stable", "official")

_PROFILE_NAME = re.compile(r"^[\w][\w .\-]{0,39}$")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")


class SubmitModeSetting(enum.Enum):
    ASYNC = "async"
    SYNC = "sync"


class NotifyMode(enum.Enum):
    TASK = "task"  # a message per finished task (those finishing together share one)
    QUEUE = "queue"  # one message once nothing is running any more


class Theme(enum.Enum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


def default_download_folder() -> str:
    return str(Path(platformdirs.user_pictures_dir()) / "Get3W")


@dataclass(frozen=True)
class Profile:
    """Where tasks go. The key for a Get3W profile is in the keyring under its name."""

    name: str
    base_url: str  # empty for the built-in sandbox (its address changes every session)
    proxy: ProxyConfig = SYSTEM_PROXY  # the sandbox is on this computer: never proxied

    @property
    def is_sandbox(self) -> bool:
        return self.name == SANDBOX_PROFILE


SANDBOX = Profile(SANDBOX_PROFILE, "")
DEFAULT_GET3W = Profile(DEFAULT_PROFILE, DEFAULT_BASE_URL)


@dataclass(frozen=True)
class Settings:
    """Everything a person can set. Build changed copies with `dataclasses.replace`."""

    profiles: tuple[Profile, ...] = (SANDBOX, DEFAULT_GET3W)
    active_profile: str = SANDBOX_PROFILE
    default_channel: str | None = None
    submit_mode: SubmitModeSetting = SubmitModeSetting.ASYNC
    concurrency: int = 4
    download_folder: str = field(default_factory=default_download_folder)
    autosave_folder: str | None = None
    filename_pattern: str = DEFAULT_PATTERN
    theme: Theme = Theme.SYSTEM
    notifications: bool = True
    notify_mode: NotifyMode = NotifyMode.TASK
    #: Spending limits in USD (None: no limit): the cost of one run (a batch or a single
    #: task), and of everything sent in one local day.
    cap_per_batch: float | None = None
    cap_per_day: float | None = DEFAULT_CAP_PER_DAY
    #: A run above this total asks for confirmation first (None: never asks).
    confirm_above: float | None = DEFAULT_CONFIRM_ABOVE
    #: Write a JSON recipe (model, parameters, seed, task id, cost) beside saved outputs.
    sidecars: bool = False
    #: The interface language ("zh_CN"); None follows the system's.
    language: str | None = None
    #: Top-level keys this version does not know, as (name, JSON text), written back as-is.
    extras: tuple[tuple[str, str], ...] = ()
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # The sandbox is always there, first, and has no address of its own.
        others = tuple(p for p in self.profiles if not p.is_sandbox)
        object.__setattr__(self, "profiles", (SANDBOX, *others))

    def profile(self, name: str) -> Profile | None:
        return next((p for p in self.profiles if p.name == name), None)

    @property
    def active(self) -> Profile:
        """The active profile; the sandbox when the name is unknown."""
        return self.profile(self.active_profile) or SANDBOX


@dataclass(frozen=True)
class Issue:
    """One validation problem: which field (a dotted path) and what to do, in plain words
    (`message`, English), and the same coded for the window (`said`)."""

    field: str
    message: str
    said: Message | None = dataclasses.field(default=None, compare=False)


def _issue(field: str, said: Message) -> Issue:
    return Issue(field, said.fallback, said)


# -- validation ---------------------------------------------------------------------------


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


# -- JSON <-> Settings --------------------------------------------------------------------


def to_json(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "profiles": [_profile_json(p) for p in settings.profiles if not p.is_sandbox],
        "active_profile": settings.active_profile,
        "default_channel": settings.default_channel,
        "submit_mode": settings.submit_mode.value,
        "concurrency": settings.concurrency,
        "download_folder": settings.download_folder,
        "autosave_folder": settings.autosave_folder,
        "filename_pattern": settings.filename_pattern,
        "theme": settings.theme.value,
        "notifications": settings.notifications,
        "notify_mode": settings.notify_mode.value,
        "cap_per_batch": settings.cap_per_batch,
        "cap_per_day": settings.cap_per_day,
        "confirm_above": settings.confirm_above,
        "sidecars": settings.sidecars,
        "language": settings.language,
    }
    for name, text in settings.extras:
        keep, clean = sanitize(json.loads(text))
        if keep and not is_secret_name(name):  # the key never lands in this file
            data.setdefault(name, clean)
    return data


def _profile_json(profile: Profile) -> dict[str, Any]:
    proxy = {"mode": profile.proxy.mode, "url": profile.proxy.url}
    return {"name": profile.name, "base_url": profile.base_url, "proxy": proxy}


_KNOWN_KEYS = frozenset(to_json(Settings(download_folder="/")).keys())


def from_json(data: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from current-version JSON; bad values fall back to defaults, with a warning."""
    settings, warnings = coded_from_json(data)
    return settings, [warning.fallback for warning in warnings]


def coded_from_json(data: Mapping[str, Any]) -> tuple[Settings, list[Message]]:
    """`from_json` with its warnings coded, for the window."""
    warnings: list[Message] = []
    defaults = Settings()

    def take(key: str, parse: Callable[[Any], Any], fallback: Any) -> Any:
        if key not in data:
            return fallback
        try:
            return parse(data[key])
        except (TypeError, ValueError) as exc:
            warnings.append(said.value_invalid(key, str(exc)))
            return fallback

    profiles = take("profiles", _parse_profiles(warnings), defaults.profiles)
    settings = Settings(
        profiles=profiles,
        active_profile=take("active_profile", _parse_str, defaults.active_profile),
        default_channel=take("default_channel", _parse_channel, defaults.default_channel),
        submit_mode=take("submit_mode", _choice(SubmitModeSetting), defaults.submit_mode),
        concurrency=take("concurrency", _parse_concurrency, defaults.concurrency),
        download_folder=take("download_folder", _parse_folder, defaults.download_folder),
        autosave_folder=take("autosave_folder", _parse_optional_folder, None),
        filename_pattern=take("filename_pattern", _parse_pattern, defaults.filename_pattern),
        theme=take("theme", _choice(Theme), defaults.theme),
        notifications=take("notifications", _parse_bool, defaults.notifications),
        notify_mode=take("notify_mode", _choice(NotifyMode), defaults.notify_mode),
        cap_per_batch=take("cap_per_batch", _parse_cap, None),
        cap_per_day=take("cap_per_day", _parse_cap, DEFAULT_CAP_PER_DAY),
        confirm_above=take("confirm_above", _parse_cap, DEFAULT_CONFIRM_ABOVE),
        sidecars=take("sidecars", _parse_bool, defaults.sidecars),
        language=take("language", _parse_language, None),
        extras=_extras(data),
    )
    if settings.profile(settings.active_profile) is None:
        warnings.append(said.active_gone(settings.active_profile))
        settings = dataclasses.replace(settings, active_profile=SANDBOX_PROFILE)
    return settings, warnings


def _parse_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


E = TypeVar("E", bound=enum.Enum)


def _choice(kind: type[E]) -> Callable[[Any], E]:
    def parse(value: Any) -> E:
        for member in kind:
            if member.value == value:
                return member
        options = ", ".join(str(m.value) for m in kind)
        raise ValueError(f"{value!r} is not one of {options}")

    return parse


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {value!r}")
    return value


def _parse_cap(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected an amount or null, found {value!r}")
    problem = validate_cap(float(value), what="limit")
    if problem:
        raise ValueError(problem)
    return float(value)


def _parse_concurrency(value: Any) -> int:
    low, high = CONCURRENCY_RANGE
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, found {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}–{high}")
    return value


def _checked(validator: Callable[[str], str | None]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _parse_str(value)
        problem = validator(text)
        if problem:
            raise ValueError(problem)
        return text

    return parse


_parse_folder = _checked(lambda path: validate_folder(path, what=said.ANY_FOLDER))
_parse_pattern = _checked(validate_pattern)


def _parse_optional_folder(value: Any) -> str | None:
    return None if value is None or value == "" else _parse_folder(value)


_LANGUAGE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")


def _parse_language(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise ValueError(f"“{value}” is not a language code such as zh_CN")
    return value


def _parse_channel(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _checked(validate_channel)(value)


def _parse_profiles(warnings: list[Message]) -> Callable[[Any], tuple[Profile, ...]]:
    def parse(value: Any) -> tuple[Profile, ...]:
        if not isinstance(value, list):
            raise TypeError("expected a list of profiles")
        kept: list[Profile] = []
        for item in value:
            name = item.get("name") if isinstance(item, dict) else None
            url = item.get("base_url") if isinstance(item, dict) else None
            if not isinstance(name, str) or not isinstance(url, str):
                warnings.append(said.PROFILE_UNNAMED)
                continue
            if name.strip().lower() == SANDBOX_PROFILE:
                continue  # built in
            problem = profile_name_problem(name, tuple(p.name for p in kept))
            problem = problem or base_url_problem(url)
            if problem:
                warnings.append(said.profile_dropped(name, problem))
                continue
            proxy = _parse_proxy(item.get("proxy"), name.strip(), warnings)
            kept.append(Profile(name.strip(), normalise_base_url(url), proxy))
        return (SANDBOX, *kept)

    return parse


def _parse_proxy(value: Any, profile: str, warnings: list[Message]) -> ProxyConfig:
    """A profile's proxy; anything unusable becomes the system settings, with a warning."""
    if value is None:
        return SYSTEM_PROXY
    mode = value.get("mode") if isinstance(value, dict) else None
    url = value.get("url", "") if isinstance(value, dict) else None
    if mode not in PROXY_MODES or not isinstance(url, str):
        warnings.append(said.proxy_invalid(profile))
        return SYSTEM_PROXY
    config = ProxyConfig(mode, normalise_proxy_url(url) if url.strip() else "")
    problem = proxy_problem(config)
    if problem:
        warnings.append(said.proxy_unusable(profile, problem))
        return dataclasses.replace(config, mode="system")
    register_proxy_secrets(config.url)
    return config


def _extras(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    kept: list[tuple[str, str]] = []
    for name in sorted(data):
        if name in _KNOWN_KEYS or is_secret_name(name):
            continue
        keep, clean = sanitize(data[name])
        if keep:
            kept.append((name, json.dumps(clean, ensure_ascii=False, sort_keys=True)))
    return tuple(kept)


# -- migrations ---------------------------------------------------------------------------


def _v1_to_v2(old: Mapping[str, Any]) -> dict[str, Any]:
    """v1 had one service: `base_url`, `use_sandbox`, `channel`, `sync`, `max_concurrent`,
    `output_dir`, `theme`, `notify`. v2 has named profiles and clearer names."""
    new: dict[str, Any] = {
        k: v
        for k, v in old.items()
        if k not in ("base_url", "use_sandbox", "channel", "sync", "max_concurrent",
                     "output_dir", "notify", "schema_version")
    }  # fmt: skip
    url = old.get("base_url")
    new["profiles"] = [{"name": DEFAULT_PROFILE, "base_url": url or DEFAULT_BASE_URL}]
    new["active_profile"] = SANDBOX_PROFILE if old.get("use_sandbox", True) else DEFAULT_PROFILE
    if "channel" in old:
        new["default_channel"] = old["channel"]
    if "sync" in old:
        new["submit_mode"] = "sync" if old["sync"] is True else "async"
    if "max_concurrent" in old:
        new["concurrency"] = old["max_concurrent"]
    if "output_dir" in old:
        new["download_folder"] = old["output_dir"]
    if "notify" in old:
        new["notifications"] = old["notify"]
    new["schema_version"] = 2
    return new


def _v2_to_v3(old: Mapping[str, Any]) -> dict[str, Any]:
    """v3 adds spending limits and JSON sidecars: a v2 file starts with no limits and no
    sidecars (values already there, kept as unknown keys by a v2 build, are taken)."""
    new = dict(old)
    for name, value in (("cap_per_batch", None), ("cap_per_day", None), ("sidecars", False)):
        new.setdefault(name, value)
    new["schema_version"] = 3
    return new


def _v3_to_v4(old: Mapping[str, Any]) -> dict[str, Any]:
    """v4 gives each profile a `proxy` choice. A profile written without one (every v3
    profile) follows the system's proxy settings: before v4 the app always connected
    directly, which is what the system settings mean on a machine that names no proxy.
    A `proxy` a v3 build dropped cannot exist, so only the version changes."""
    new = dict(old)
    new["schema_version"] = 4
    return new


def _v4_to_v5(old: Mapping[str, Any]) -> dict[str, Any]:
    """v5 asks before a run above `confirm_above` (default $1). A v4 file keeps its daily
    limit as it was, off included: v4 showed that choice, so it is the person's. The
    confirmation is new, so every v4 file gets it at the default."""
    new = dict(old)
    new.setdefault("confirm_above", DEFAULT_CONFIRM_ABOVE)
    new.setdefault("cap_per_day", None)
    new["schema_version"] = 5
    return new


#: MIGRATIONS[n] turns a version-n document into a version-(n+1) document.
MIGRATIONS: dict[int, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
}


def migrate(data: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """(current-version document, the version it started at). A missing version means 1."""
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version {version!r} is not a version number")
    start = version
    doc = dict(data)
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    return doc, start


# -- the file ----------------------------------------------------------------------------


class SettingsError(Exception):
    """The settings could not be written; `message` says why, for people (`said`: the same,
    coded for the window)."""

    def __init__(self, message: str, said: Message | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.said = said


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    warnings: tuple[str, ...] = ()
    #: The version the file had (0 when there was no usable file).
    found_version: int = 0
    #: `warnings`, coded for the window (same order).
    said: tuple[Message, ...] = ()


def _loaded(settings: Settings, warnings: list[Message], version: int = 0) -> LoadedSettings:
    return LoadedSettings(settings, tuple(w.fallback for w in warnings), version, tuple(warnings))


def settings_path(paths: AppPaths | None = None) -> Path:
    return (paths or app_paths()).config / FILE_NAME


def load_settings(paths: AppPaths | None = None) -> LoadedSettings:
    """Read, migrate and validate the settings file. Never raises for the file's content."""
    path = settings_path(paths)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 1024} KB")
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("the file does not hold a settings object")
        doc, version = migrate(raw)
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        return _loaded(Settings(), [said.settings_unreadable(exc.strerror or str(exc))])
    except (ValueError, UnicodeDecodeError) as exc:
        backup = _set_aside(path)
        log.warning("settings file unreadable: %s", exc)
        corrupt = said.settings_corrupt(str(exc), backup.name if backup else None)
        return _loaded(Settings(), [corrupt])
    warnings: list[Message] = []
    if version > SCHEMA_VERSION:
        warnings.append(said.settings_newer(version))
    settings, problems = coded_from_json(doc)
    warnings.extend(problems)
    return _loaded(settings, warnings, version)


def save_settings(settings: Settings, paths: AppPaths | None = None) -> Path:
    """Write `settings` atomically; raises SettingsError with a sentence for people."""
    path = settings_path(paths)
    text = json.dumps(to_json(settings), indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _keep_newer_copy(path)
        write_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        problem = said.settings_not_saved(str(path.parent), str(exc.strerror or exc))
        raise SettingsError(problem.fallback, problem) from exc
    return path


def _keep_newer_copy(path: Path) -> None:
    """Before replacing a file from a newer version, keep it whole for that version."""
    try:
        version = json.loads(path.read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError, AttributeError):
        return
    if isinstance(version, int) and version > SCHEMA_VERSION:
        backup = path.with_name(f"{path.name}.v{version}")
        if not backup.exists():
            backup.write_bytes(path.read_bytes())


def _set_aside(path: Path) -> Path | None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.replace(path, backup)
    except OSError:
        return None
    return backup
