"""Every folder the app writes to, in one place, overridable for tests and portable use.

`GET3W_HOME=/some/dir` puts config, data, cache and logs under that one folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Get3W Desktop"
APP_AUTHOR = "Get3W"
#: The sandbox's fake account (balance and bill), in the data folder beside the history.
SANDBOX_ACCOUNT_FILE = "sandbox-account.json"


@dataclass(frozen=True)
class AppPaths:
    config: Path
    data: Path
    cache: Path
    logs: Path

    @property
    def outputs(self) -> Path:
        """Downloaded outputs the app keeps, independent of copies the person saves."""
        return self.data / "outputs"

    @property
    def history_db(self) -> Path:
        """The task history (SQLite), shared by the window and the `get3w` command."""
        return self.data / "history.sqlite3"

    @property
    def sandbox_account(self) -> Path:
        return self.data / SANDBOX_ACCOUNT_FILE

    def all(self) -> tuple[Path, ...]:
        return (self.config, self.data, self.cache, self.logs)

    def ensure(self) -> AppPaths:
        for folder in self.all():
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths(home: str | os.PathLike[str] | None = None) -> AppPaths:
    root = home if home is not None else os.environ.get("GET3W_HOME")
    if root:
        base = Path(root)
        return AppPaths(base / "config", base / "data", base / "cache", base / "logs")
    return AppPaths(
        Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)),
        Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )
