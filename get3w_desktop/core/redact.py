"""Keep API keys out of logs, reports and anything else a person may share."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

#: Anything shaped like a Get3W key, even one we were never told about.
_KEY_SHAPE = re.compile(r"\b(sk|whsec)_[A-Za-z0-9_\-]{4,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
REDACTED = "«redacted»"


def mask_key(key: str | None) -> str:
    """`sk_••••••1a2b`: enough to recognise a key, not enough to use it."""
    if not key:
        return "(none)"
    tail = key[-4:] if len(key) >= 12 else ""
    head = "sk_" if key.startswith("sk_") else ""
    return f"{head}••••••{tail}"


class Redactor:
    """Replaces registered secrets and key-shaped strings. Thread-safe; one per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def add_secret(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def redact(self, text: str, extra: Iterable[str] = ()) -> str:
        with self._lock:
            secrets = sorted(self._secrets | {s for s in extra if s}, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
        return _KEY_SHAPE.sub(REDACTED, text)

    def redact_value(self, value: Any) -> Any:
        """A copy of a JSON-like `value` with every string (keys too) redacted.

        Iterative, so a value nested deeper than the recursion limit is fine; values
        that are not strings or containers are kept as they are.
        """
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)

        def clean(text: str) -> str:
            if "_" not in text and not secrets and "earer" not in text:
                return text  # nothing key-shaped can be in it
            for secret in secrets:
                text = text.replace(secret, REDACTED)
            text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
            return _KEY_SHAPE.sub(REDACTED, text)

        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]  # (source, target, slot)
        while stack:
            item, target, slot = stack.pop()
            if isinstance(item, str):
                target[slot] = clean(item)
            elif isinstance(item, dict):
                copy: dict[Any, Any] = {}
                target[slot] = copy
                for key, child in item.items():
                    name = clean(key) if isinstance(key, str) else key
                    copy[name] = None
                    stack.append((child, copy, name))
            elif isinstance(item, list | tuple):
                items: list[Any] = [None] * len(item)
                target[slot] = items
                stack.extend((child, items, i) for i, child in enumerate(item))
            else:
                target[slot] = item
        return root[0]


REDACTOR = Redactor()


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's message through the redactor."""

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._redactor.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        record.msg, record.args = clean, None
        return True
