"""The one file-name cleaner: what every common file system (and Windows) accepts.

Used for saved outputs (the Settings pattern, storage/settings.py `render_filename`) and
for export folders and files (core/housekeeping.py).
"""

from __future__ import annotations

import re
import unicodedata

#: Well under the 255 bytes most file systems allow, leaving room for " (2)".
MAX_NAME_BYTES = 200
#: Control characters and what Windows forbids in a name (path separators included).
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
#: Device names Windows reserves, with any extension ("nul.txt" too).
RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)  # fmt: skip


def clean_text(text: str, limit: int, replacement: str = "_") -> str:
    """`text` with unsafe characters replaced, runs of white space made one space,
    trimmed, and cut to `limit` characters."""
    text = unicodedata.normalize("NFC", text)
    text = UNSAFE.sub(replacement, text)
    return " ".join(text.split())[:limit].strip()


def fit_bytes(text: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """`text` shortened (by whole characters) to at most `max_bytes` UTF-8 bytes."""
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


def is_reserved(name: str) -> bool:
    """A Windows device name ("CON", "nul.txt", "com1.png"…), in any case."""
    return name.split(".")[0].strip().lower() in RESERVED


def safe_name(text: str, *, limit: int = 80, fallback: str = "task") -> str:
    """`text` as a file name every common system accepts: no separators or control
    characters, no reserved device names, no trailing dots or spaces, at most `limit`
    characters and MAX_NAME_BYTES UTF-8 bytes."""
    text = fit_bytes(clean_text(text, limit, " ")).strip(" .")
    if not text:
        return fallback
    return f"_{text}" if is_reserved(text) else text
