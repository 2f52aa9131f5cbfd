"""Settings <-> the file's JSON (current version; older files go through settings_migration).

Reading never fails: a bad value falls back to its default with a warning sentence, a bad
profile is dropped with one. Unknown top-level keys are kept as `extras` unless they look
like a secret.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from get3w_desktop.core import settings_messages as said
from get3w_desktop.core.filenames import validate_pattern
from get3w_desktop.core.messages import Message
from get3w_desktop.core.proxy import (
    PROXY_MODES,
    SYSTEM_PROXY,
    ProxyConfig,
    normalise_proxy_url,
    proxy_problem,
    register_proxy_secrets,
)
from get3w_desktop.core.urls import normalise_base_url
from get3w_desktop.storage.form_memory import is_secret_name, sanitize
from get3w_desktop.storage.settings_checks import (
    base_url_problem,
    profile_name_problem,
    validate_cap,
    validate_channel,
    validate_folder,
)
from get3w_desktop.storage.settings_model import (
    CONCURRENCY_RANGE,
    DEFAULT_CAP_PER_DAY,
    DEFAULT_CONFIRM_ABOVE,
    SANDBOX,
    SANDBOX_PROFILE,
    SCHEMA_VERSION,
    NotifyMode,
    Profile,
    Settings,
    SubmitModeSetting,
    Theme,
)


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
