"""The one file-name cleaner: what every common file system (and Windows) accepts, and
the Settings file-name pattern ("{model}_{prompt}_{seed}") that names saved outputs.

Used for saved outputs (`render_filename`, through core/export.py `file_name`) and for
export folders and files (core/housekeeping.py).
"""

from __future__ import annotations

import datetime as _dt
import re
import string
import unicodedata

from get3w_desktop.core.messages import ArgValue, Code, Message

#: Well under the 255 bytes most file systems allow, leaving room for " (2)".
MAX_NAME_BYTES = 200
#: What a file-name pattern may use, each written as {name}.
PLACEHOLDERS = ("model", "prompt", "seed", "date", "time", "index", "task")
DEFAULT_PATTERN = "{model}_{prompt}_{seed}"
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,8}$")
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


def validate_pattern(pattern: str) -> str | None:
    """None when `pattern` is a usable file-name pattern, else what is wrong."""
    problem = pattern_problem(pattern)
    return problem.fallback if problem is not None else None


def pattern_problem(pattern: str) -> Message | None:
    """`validate_pattern` as a coded message, for the window (braces travel as arguments,
    so a translation needs no escaping)."""
    if not pattern.strip():
        return _m(Code.PATTERN_EMPTY, f"Enter a file-name pattern, e.g. {DEFAULT_PATTERN}.",
                  example=DEFAULT_PATTERN)  # fmt: skip
    if "/" in pattern or "\\" in pattern:
        return _m(
            Code.PATTERN_SLASH,
            "A file name cannot contain / or \\; the folder is chosen separately.",
        )
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return _m(Code.PATTERN_BRACES,
                  "Unbalanced braces: write placeholders as {model}, and a literal brace as {{.",
                  example="{model}", brace="{{")  # fmt: skip
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    used: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            return _m(Code.PATTERN_UNKNOWN, f"Unknown placeholder {shown}. Use {known}.",
                      shown=shown, known=known)  # fmt: skip
        if spec or conversion:
            return _m(Code.PATTERN_FORMAT, f"Write {{{name}}} without a format (“:” or “!”).",
                      name="{" + name + "}")  # fmt: skip
        used.append(name)
    if not used:
        return _m(
            Code.PATTERN_NO_PLACEHOLDER,
            "Use at least one placeholder, or every file would get the same name.",
        )
    return None


def _m(code: Code, fallback: str, **args: ArgValue) -> Message:
    return Message(code, args, fallback)


def render_filename(
    pattern: str,
    *,
    model: str,
    prompt: str = "",
    seed: int | None = None,
    index: int = 1,
    task: str = "",
    when: _dt.datetime | None = None,
    extension: str = "",
) -> str:
    """A safe file name (no folder part) from `pattern`; never empty, never hidden.

    Raises ValueError for a pattern that `validate_pattern` rejects.
    """
    problem = validate_pattern(pattern)
    if problem:
        raise ValueError(problem)
    moment = when or _dt.datetime.now()
    values = {
        "model": clean_text(model.replace("/", "-"), 60),
        "prompt": clean_text(prompt, 40),
        "seed": "" if seed is None or seed < 0 else str(seed),
        "date": moment.strftime("%Y-%m-%d"),
        "time": moment.strftime("%H%M%S"),
        "index": str(index),
        "task": clean_text(task, 40),
    }
    stem = clean_text(pattern.format(**values), 1000)
    stem = re.sub(r"([_\- ])\1+", r"\1", stem).strip(" ._-")
    stem = fit_bytes(stem, MAX_NAME_BYTES).rstrip(" .") or "output"
    if is_reserved(stem):
        stem = "_" + stem
    ext = extension.lstrip(".")
    return f"{stem}.{ext}" if ext and _EXTENSION.match(ext) else stem
