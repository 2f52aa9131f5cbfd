"""Older settings files, brought to the current version one step at a time.

`MIGRATIONS[n]` turns a version-n document into a version-(n+1) one; a step only renames,
moves or adds keys, so the values themselves are still checked when read (settings_json).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.storage.settings_model import (
    DEFAULT_CONFIRM_ABOVE,
    DEFAULT_PROFILE,
    SANDBOX_PROFILE,
    SCHEMA_VERSION,
)


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
