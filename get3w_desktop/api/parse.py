"""Server JSON -> core types, tolerant of what the contract leaves open.

Unknown fields are kept, unknown statuses mean "in progress", and anything of the wrong
shape becomes a `BadResponseError` (never a KeyError or TypeError deep in a worker).
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from get3w_desktop.core import jsontext, messages
from get3w_desktop.core.errors import BadResponseError
from get3w_desktop.core.job import TextOutput
from get3w_desktop.core.schedule import clamp_retry_after
from get3w_desktop.core.task import Task

_KNOWN = {"id", "model", "status", "outputs", "timings", "code", "error", "created_at",
          "estimated_duration"}  # fmt: skip


def loads_object(body: bytes, what: str) -> dict[str, Any]:
    """Decode a JSON object, or raise BadResponseError with a short, safe snippet."""
    try:  # never too deep to store or copy: see core/jsontext.py
        data = jsontext.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        said = messages.http_unreadable(what)
        raise messages.coded(
            BadResponseError(said.fallback, detail=f"{exc}; body starts: {snippet(body)}"), said
        ) from None
    if not isinstance(data, dict):
        said = messages.http_not_object(what)
        raise messages.coded(BadResponseError(said.fallback, detail=snippet(body)), said)
    return data


def unwrap_envelope(data: dict[str, Any]) -> dict[str, Any]:
    """Accept `{"code":200,"message":…,"data":{…}}` where a bare object is expected."""
    inner = data.get("data")
    if "id" not in data and "status" not in data and isinstance(inner, dict):
        return inner
    return data


def parse_task(data: Mapping[str, Any], what: str = "the task request") -> Task:
    """A task snapshot from a submit or poll answer."""
    data = unwrap_envelope(dict(data))
    task_id = data.get("id")
    status = data.get("status")
    if not isinstance(task_id, str) or not task_id.strip():
        raise BadResponseError(f"The server's answer to {what} has no task id.", detail=_keys(data))
    if not isinstance(status, str) or not status.strip():
        raise BadResponseError(
            f"The server's answer to {what} has no task status.", detail=_keys(data)
        )
    outputs_raw = data.get("outputs")
    if outputs_raw is None:
        outputs: tuple[str, ...] = ()
    elif isinstance(outputs_raw, list) and all(isinstance(o, str) for o in outputs_raw):
        outputs = tuple(outputs_raw)
    else:
        raise BadResponseError(
            f"The server's answer to {what} has outputs of the wrong type.",
            detail=repr(outputs_raw)[:200],
        )
    timings: dict[str, float] = {}
    timings_raw = data.get("timings")
    if isinstance(timings_raw, Mapping):
        for key, value in timings_raw.items():
            number = _number(value)
            if isinstance(key, str) and number is not None:
                timings[key] = number
    code_number = _number(data.get("code"))
    error = data.get("error")
    created_at = data.get("created_at")
    text = jsontext.safe_text  # the typed fields are shown and sent: no lone surrogates
    return Task(
        id=text(task_id.strip()),
        status=text(status.strip()),
        model=text(data["model"]) if isinstance(data.get("model"), str) else "",
        outputs=outputs,
        timings=timings,
        code=int(code_number) if code_number is not None else 0,
        error=None if error is None or error == "" else text(str(error)),
        created_at=text(created_at) if isinstance(created_at, str) else None,
        estimated_duration=_positive(data.get("estimated_duration")),
        extra={k: v for k, v in data.items() if k not in _KNOWN},
    )


def error_message(body: bytes) -> str | None:
    """The message of a `{"code":…, "error":…}` (or v3 `message`) body, if it is one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:300]
    return None


def snippet(body: bytes, limit: int = 160) -> str:
    """A short, single-line, tag-free excerpt of a body for logs and error details."""
    text = body[:4096].decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]*>", " ", text)
    text = html.unescape(re.sub(r"\s+", " ", text)).strip()
    return text[:limit] + ("…" if len(text) > limit else "")


def parse_retry_after(value: str | None, date_header: str | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    A date is judged against the response's own `Date` header when present, so a skewed
    local clock does not matter. Clamped to 0..300 s.
    """
    if not value:
        return None
    value = value.strip()
    try:
        return clamp_retry_after(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = time.time()
    if date_header:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            now = email.utils.parsedate_to_datetime(date_header).timestamp()
    try:
        return clamp_retry_after(when.timestamp() - now)
    except (OverflowError, ValueError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _positive(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and number > 0 else None


def _keys(data: Mapping[str, Any]) -> str:
    return "keys: " + ", ".join(sorted(str(k) for k in data)[:20])


# -- outputs ----------------------------------------------------------------------------

#: One token with a scheme (`https://…`) or a data URI: an address, checked strictly when
#: downloaded (`core.urls.check_output_url`), never taken for text.
_URL_SHAPE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|data:[^\s,]*,)\S*")


def is_url_output(value: str) -> bool:
    return _URL_SHAPE.fullmatch(value.strip()) is not None


def split_outputs(
    outputs: Sequence[str], *, text_expected: bool
) -> tuple[tuple[tuple[int, str], ...], tuple[TextOutput, ...]]:
    """The task's outputs as (index, URL) pairs to download and text outputs to keep.

    Captioners, LLMs, speech-to-text and moderation models (`text_expected`) answer with
    text: every output is text then, even one that happens to look like an address. For
    other models an output that is not an address is text as well (kept, never fetched).
    """
    urls: list[tuple[int, str]] = []
    texts: list[TextOutput] = []
    for index, value in enumerate(outputs):
        if not text_expected and is_url_output(value):
            urls.append((index, value.strip()))
        else:
            texts.append(TextOutput(index, value))
    return tuple(urls), tuple(texts)
