"""The settings' types and defaults: profiles, the choices, and the frozen `Settings` tree.

Plain values with no file behind them (storage/settings.py reads and writes the file); the
sandbox profile is built in and always first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from get3w_desktop.core.filenames import DEFAULT_PATTERN
from get3w_desktop.core.proxy import SYSTEM_PROXY, ProxyConfig
from get3w_desktop.core.urls import DEFAULT_BASE_URL

SCHEMA_VERSION = 5

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
