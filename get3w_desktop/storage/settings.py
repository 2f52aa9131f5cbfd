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

The parts: the types and defaults (settings_model), the value checks (settings_checks),
JSON <-> Settings (settings_json) and older files' migration (settings_migration); this
module reads and writes the file, and every public name of the parts stays importable here.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from get3w_desktop.core import settings_messages as said

# The file-name pattern lives in core (export names files with it); kept importable here.
from get3w_desktop.core.filenames import DEFAULT_PATTERN as DEFAULT_PATTERN
from get3w_desktop.core.filenames import PLACEHOLDERS as PLACEHOLDERS
from get3w_desktop.core.filenames import render_filename as render_filename
from get3w_desktop.core.filenames import validate_pattern as validate_pattern
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.messages import Message
from get3w_desktop.storage.paths import AppPaths, app_paths
from get3w_desktop.storage.settings_checks import Issue as Issue
from get3w_desktop.storage.settings_checks import base_url_problem as base_url_problem
from get3w_desktop.storage.settings_checks import channel_problem as channel_problem
from get3w_desktop.storage.settings_checks import folder_problem as folder_problem
from get3w_desktop.storage.settings_checks import profile_name_problem as profile_name_problem
from get3w_desktop.storage.settings_checks import validate as validate
from get3w_desktop.storage.settings_checks import validate_base_url as validate_base_url
from get3w_desktop.storage.settings_checks import validate_cap as validate_cap
from get3w_desktop.storage.settings_checks import validate_channel as validate_channel
from get3w_desktop.storage.settings_checks import validate_folder as validate_folder
from get3w_desktop.storage.settings_checks import (
    validate_profile_name as validate_profile_name,
)
from get3w_desktop.storage.settings_json import coded_from_json as coded_from_json
from get3w_desktop.storage.settings_json import from_json as from_json
from get3w_desktop.storage.settings_json import to_json as to_json
from get3w_desktop.storage.settings_migration import MIGRATIONS as MIGRATIONS
from get3w_desktop.storage.settings_migration import migrate as migrate
from get3w_desktop.storage.settings_model import CONCURRENCY_RANGE as CONCURRENCY_RANGE
from get3w_desktop.storage.settings_model import DEFAULT_CAP_PER_DAY as DEFAULT_CAP_PER_DAY
from get3w_desktop.storage.settings_model import DEFAULT_CONFIRM_ABOVE as DEFAULT_CONFIRM_ABOVE
from get3w_desktop.storage.settings_model import DEFAULT_GET3W as DEFAULT_GET3W
from get3w_desktop.storage.settings_model import DEFAULT_PROFILE as DEFAULT_PROFILE
from get3w_desktop.storage.settings_model import KNOWN_CHANNELS as KNOWN_CHANNELS
from get3w_desktop.storage.settings_model import MAX_CAP as MAX_CAP
from get3w_desktop.storage.settings_model import SANDBOX as SANDBOX
from get3w_desktop.storage.settings_model import SANDBOX_PROFILE as SANDBOX_PROFILE
from get3w_desktop.storage.settings_model import SCHEMA_VERSION as SCHEMA_VERSION
from get3w_desktop.storage.settings_model import NotifyMode as NotifyMode
from get3w_desktop.storage.settings_model import Profile as Profile
from get3w_desktop.storage.settings_model import Settings as Settings
from get3w_desktop.storage.settings_model import SubmitModeSetting as SubmitModeSetting
from get3w_desktop.storage.settings_model import Theme as Theme
from get3w_desktop.storage.settings_model import (
    default_download_folder as default_download_folder,
)

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
MAX_FILE_BYTES = 1024 * 1024


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
