"""JSON that never crashes on what a server may legally send.

Valid JSON can still break naive code: a lone surrogate (`"\\ud800"`, what a JavaScript
server emits when it cuts an emoji in half) cannot be encoded as UTF-8, and a value
nested a thousand levels deep exceeds Python's recursion limit in `json.loads`,
`json.dumps`, `repr` and `copy`. Here:

- `loads` returns values at most `MAX_DEPTH` containers deep. A deeper subtree is kept
  verbatim, as its original text, in a marker object `{"$deep_json": "<text>"}`: nothing
  is lost, and nothing downstream recurses without bound.
- `dumps` writes ASCII only (lone surrogates become `\\udxxx` escapes, lossless) and falls
  back to an iterative encoder when a value built elsewhere is too deep for `json.dumps`.
- `safe_text` makes any string storable as UTF-8 (lone surrogates become visible
  `\\udxxx` escapes instead of an exception).
"""

from __future__ import annotations

import json
from typing import Any

#: Containers deeper than this are kept as text (see the module docstring).
MAX_DEPTH = 64
#: The key of the marker object that holds a too-deep subtree's original text.
DEEP_JSON_KEY = "$deep_json"


def loads(text: str | bytes) -> Any:
    """`json.loads`, with subtrees deeper than MAX_DEPTH kept as text markers.

    Raises json.JSONDecodeError (a ValueError) for text that is not JSON, and
    UnicodeDecodeError for bytes that are not UTF-8.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value = json.loads(text)
    except RecursionError:
        return json.loads(flatten_deep(text))
    # Counting brackets is cheap; only a text with enough of them can be too deep.
    if text.count("[") + text.count("{") > MAX_DEPTH and depth_exceeds(value, MAX_DEPTH):
        return json.loads(flatten_deep(text))
    return value


def depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` has containers nested more than `limit` deep (iteratively)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        if depth > limit:
            return True
        stack.extend((child, depth) for child in children if isinstance(child, dict | list | tuple))
    return False


def flatten_deep(text: str, limit: int = MAX_DEPTH) -> str:
    """`text` (valid JSON) with every container that would be the `limit`-th level replaced
    by a marker object (itself at that level) holding the container's exact text, so the
    result is at most `limit` deep. Linear; no recursion."""
    level = limit - 1  # containers opened at this depth become markers
    out: list[str] = []
    depth = 0
    start = -1  # where the subtree being captured began, or -1
    copied = 0  # text[:copied] is already in `out` (or captured)
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            if depth == level and start < 0:
                out.append(text[copied:index])
                start = index
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == level and start >= 0:
                raw = text[start : index + 1]
                out.append(json.dumps({DEEP_JSON_KEY: raw}))
                start = -1
                copied = index + 1
    out.append(text[copied:])
    return "".join(out)


def dumps(value: Any) -> str:
    """ASCII JSON for `value`, whatever its depth or strings; never raises for the JSON
    types (dict, list, tuple, str, int, float, bool, None)."""
    try:
        return json.dumps(value, ensure_ascii=True)
    except RecursionError:
        return _dumps_iteratively(value)


def _dumps_iteratively(value: Any) -> str:
    out: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, value)]  # (is raw text, item)
    while stack:
        raw, item = stack.pop()
        if raw:
            out.append(item)
        elif isinstance(item, dict):
            out.append("{")
            stack.append((True, "}"))
            entries = list(item.items())
            for i in range(len(entries) - 1, -1, -1):
                key, child = entries[i]
                stack.append((False, child))
                name = json.dumps(key if isinstance(key, str) else json.dumps(key))
                stack.append((True, ("," if i else "") + name + ":"))
        elif isinstance(item, list | tuple):
            out.append("[")
            stack.append((True, "]"))
            for i in range(len(item) - 1, -1, -1):
                stack.append((False, item[i]))
                if i:
                    stack.append((True, ","))
        else:
            out.append(json.dumps(item, ensure_ascii=True))
    return "".join(out)


def safe_text(text: str) -> str:
    """`text`, storable as UTF-8: lone surrogates become `\\udxxx` escapes."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
