"""Favourite and recently used models: one small JSON file under the config folder.

A convenience like form memory: a missing or unreadable file means "none yet" (an
unreadable one is kept as `.bak`), a failed write is logged and forgotten.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from get3w_desktop.core.files import write_atomically
from get3w_desktop.storage.paths import app_paths

log = logging.getLogger(__name__)

FILE_NAME = "model_prefs.json"
FORMAT_VERSION = 1
MAX_RECENT = 12
MAX_FAVOURITES = 500
MAX_FILE_BYTES = 1024 * 1024


def _ids(value: object, limit: int) -> list[str]:
    if not isinstance(value, list):
        return []
    found = [v.strip() for v in value if isinstance(v, str) and v.strip() and len(v) <= 200]
    return list(dict.fromkeys(found))[:limit]


class ModelPrefs:
    """Which models a person starred, and which they used last (newest first)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path if path is not None else app_paths().config / FILE_NAME
        self._favourites: list[str] = []
        self._recent: list[str] = []
        self._load()

    @property
    def path(self) -> Path:
        return self._path

    def favourites(self) -> tuple[str, ...]:
        return tuple(self._favourites)

    def is_favourite(self, model_id: str) -> bool:
        return model_id in self._favourites

    def set_favourite(self, model_id: str, on: bool) -> None:
        if on == self.is_favourite(model_id):
            return
        if on:
            self._favourites = [*self._favourites, model_id][-MAX_FAVOURITES:]
        else:
            self._favourites.remove(model_id)
        self._save()

    def recent(self) -> tuple[str, ...]:
        return tuple(self._recent)

    def note_used(self, model_id: str) -> None:
        """`model_id` was just used: it moves to the front of the recent list."""
        if self._recent[:1] == [model_id]:
            return
        self._recent = [model_id, *(m for m in self._recent if m != model_id)][:MAX_RECENT]
        self._save()

    def _load(self) -> None:
        try:
            if self._path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError("the file is implausibly large")
            data = json.loads(self._path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("unexpected structure")
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("Model preferences %s are unreadable (%s); starting empty", self._path, exc)
            try:
                os.replace(self._path, self._path.with_name(self._path.name + ".bak"))
            except OSError as err:
                log.warning("Could not keep a copy of %s: %s", self._path, err)
            return
        self._favourites = _ids(data.get("favourites"), MAX_FAVOURITES)
        self._recent = _ids(data.get("recent"), MAX_RECENT)

    def _save(self) -> None:
        data = {"version": FORMAT_VERSION, "favourites": self._favourites, "recent": self._recent}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._path, json.dumps(data, indent=1).encode("utf-8"))
        except OSError as exc:
            log.warning("Could not save model preferences to %s: %s", self._path, exc)
