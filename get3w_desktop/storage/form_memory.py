"""The last form values per model, so reopening a model brings back what the person typed.

One small JSON file under the config folder. It is a convenience, never a source of truth:
a missing or corrupt file means "start empty" (a corrupt one is kept as `.bak` for a bug
report), a failed write is logged and forgotten, and nothing that looks like a secret is
ever written (the API key lives in the keyring, see storage/secrets.py).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from get3w_desktop.core.files import write_atomically
from get3w_desktop.storage.paths import app_paths

log = logging.getLogger(__name__)

FILE_NAME = "form_values.json"
FORMAT_VERSION = 1
MAX_STRING = 20_000
MAX_FILE_BYTES = 8 * 1024 * 1024  # far beyond any real form; bigger means something went wrong
_MAX_DEPTH = 8
_SECRET_WORDS = frozenset(
    {"key", "apikey", "token", "authorization", "auth", "password", "passwd", "secret",
     "credential", "credentials", "bearer", "cookie"}
)  # fmt: skip
_ALWAYS_SECRET = ("password", "secret", "authorization", "apikey")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_KEY_VALUE = re.compile(r"^\s*(bearer\s+)?sk_[A-Za-z0-9_\-]{8,}\s*$", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """True for keys such as `api_key`, `apiKey`, `token`, `Authorization`, `db_password`.

    Judged by words, so `max_tokens`, `monkey` or `keyframes` are kept.
    """
    words = [w.lower() for w in _WORD.findall(name)]
    if not words:
        return False
    joined = "".join(words)
    return words[-1] in _SECRET_WORDS or any(s in joined for s in _ALWAYS_SECRET)


def _looks_like_key(value: str) -> bool:
    return bool(_KEY_VALUE.match(value))


def sanitize(value: Any, depth: int = 0) -> tuple[bool, Any]:
    """(keep, cleaned): JSON-only data, secrets dropped, strings capped at MAX_STRING.

    An over-long data: URI is dropped rather than cut, since a cut one is just broken.
    """
    if depth > _MAX_DEPTH:
        return False, None
    if value is None or isinstance(value, bool | int):
        return True, value
    if isinstance(value, float):
        return math.isfinite(value), value
    if isinstance(value, str):
        if _looks_like_key(value):
            return False, None
        if len(value) > MAX_STRING:
            if value[:5].lower() == "data:":
                return False, None
            return True, value[:MAX_STRING]
        return True, value
    if isinstance(value, list | tuple):
        items = [sanitize(v, depth + 1) for v in value]
        return True, [v for keep, v in items if keep]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or is_secret_name(key):
                continue
            keep, cleaned = sanitize(item, depth + 1)
            if keep:
                out[key] = cleaned
        return True, out
    return False, None


class FormMemory:
    """Remembers the last values per model id, and which model was used last."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path if path is not None else app_paths().config / FILE_NAME
        self._models: dict[str, dict[str, Any]] = {}
        self._last_model: str | None = None
        self._load()

    @property
    def path(self) -> Path:
        return self._path

    def get(self, model_id: str) -> dict[str, Any]:
        """A copy of the remembered values ({} when there are none)."""
        return copy.deepcopy(self._models.get(model_id, {}))

    def put(self, model_id: str, values: Mapping[str, Any]) -> None:
        _keep, cleaned = sanitize(dict(values))
        if self._models.get(model_id) == cleaned:
            return
        self._models[model_id] = cleaned
        self._save()

    def last_model(self) -> str | None:
        return self._last_model

    def set_last_model(self, model_id: str) -> None:
        if model_id == self._last_model:
            return
        self._last_model = model_id
        self._save()

    # -- the file ------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            if self._path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError("the file is implausibly large")
            data = json.loads(self._path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("models", {}), dict):
                raise ValueError("unexpected structure")
        except FileNotFoundError:
            return
        except (OSError, ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeError
            self._set_aside(exc)
            return
        for model_id, values in data.get("models", {}).items():
            if isinstance(values, dict):
                self._models[str(model_id)] = sanitize(values)[1]
        last = data.get("last_model")
        self._last_model = last if isinstance(last, str) and last else None

    def _set_aside(self, reason: BaseException) -> None:
        backup = self._path.with_name(self._path.name + ".bak")
        log.warning("Form memory %s is unreadable (%s); starting empty", self._path, reason)
        try:
            os.replace(self._path, backup)
        except OSError as exc:
            log.warning("Could not keep a copy of %s: %s", self._path, exc)

    def _save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous file whole."""
        data = {"version": FORMAT_VERSION, "last_model": self._last_model, "models": self._models}
        try:
            text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._path, text.encode("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("Could not save form memory to %s: %s", self._path, exc)
