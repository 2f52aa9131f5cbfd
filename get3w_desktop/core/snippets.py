"""Copy as curl and Copy as Python: a task as code a person can run elsewhere.

The key is never in a snippet: it is read from the `GET3W_API_KEY` environment variable
where the snippet runs, and any key-shaped text in the parameters is replaced. Values
are quoted for their language (shlex for the shell, `repr` for Python) and characters
a terminal would not show plainly are escaped, so a prompt can never run a command or
hide part of the snippet. Local files cannot travel in a snippet: they become a note
saying to upload them first.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import unquote, urlsplit

from get3w_desktop.core.redact import REDACTED
from get3w_desktop.core.urls import normalise_base_url

#: The environment variable both snippets read the key from.
KEY_ENV = "GET3W_API_KEY"
CURL_KEY = f"${KEY_ENV}"
PYTHON_KEY = f'os.environ["{KEY_ENV}"]'
#: Same shape rule as the log redactor: anything that looks like a Get3W key or secret.
KEY_SHAPE = re.compile(r"\b(?:sk|whsec)_[A-Za-z0-9_\-]{4,}")
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.:]*")
#: Parameter names whose values are media: a bare path there is a local file.
_MEDIA_NAME = re.compile(r"(?:.*_)?(?:image|images|video|videos|audio|audios|urls?)")
_REMOTE = re.compile(r"(?i)(?:https?|data):")
_UPLOAD_ROUTE = "/api/v3/files/upload"


def scrub_params(params: Mapping[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of `params` with `secrets` and key-shaped text replaced, at any depth."""
    known = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for secret in known:
                value = value.replace(secret, REDACTED)
            return KEY_SHAPE.sub(REDACTED, value)
        if isinstance(value, Mapping):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    return {str(k): clean(v) for k, v in params.items()}


def as_curl(
    base_url: str, model_id: str, params: Mapping[str, Any], *, secrets: Iterable[str] = ()
) -> str:
    """A POSIX shell snippet that submits the task with curl (and says how to fetch it).

    `secrets` (e.g. the current key) are removed from the parameters if they appear there.
    Raises ValueError for a model id or parameters that cannot be sent.
    """
    base, model, body, notes = _prepare(base_url, model_id, params, secrets)
    submit_url = shlex.quote(f"{base}/v1/{model}")
    poll_url = shlex.quote(f"{base}/v1/requests/TASK_ID")
    lines = [
        f"# Get3W: submit one task to {_one_line(model)}.",
        f"# Set {KEY_ENV} to your key first; this snippet never contains a key.",
        *(f"# {note}" for note in notes),
        "curl -sS -X POST \\",
        f"  {submit_url} \\",
        f'  -H "Authorization: Bearer {CURL_KEY}" \\',
        "  -H 'Content-Type: application/json' \\",
        f"  -d {shlex.quote(_json_text(body))}",
        '# The answer has the task "id". Fetch the task until its "status" is "completed"',
        '# or "failed" (the "outputs" are links, kept for 7 days):',
        f'# curl -sS -H "Authorization: Bearer {CURL_KEY}" {poll_url}',
    ]
    return "\n".join(lines) + "\n"


def as_python(
    base_url: str, model_id: str, params: Mapping[str, Any], *, secrets: Iterable[str] = ()
) -> str:
    """A Python script (needs `requests`) that submits the task, waits, and prints it as JSON.

    Exits with status 1 when the task failed. Polling follows the advice of the API:
    wait for part of the estimate, then ask less and less often; a failed or rate-limited
    poll is simply asked again.
    """
    base, model, body, notes = _prepare(base_url, model_id, params, secrets)
    literal = _python_dict(body)
    note_lines = "".join(f"# {note}\n" for note in notes)
    return _PYTHON_TEMPLATE.format(
        model_doc=_one_line(model),
        key_env=KEY_ENV,
        python_key=PYTHON_KEY,
        base=repr(base),
        model=repr(model),
        notes=note_lines,
        params=literal,
    )


_PYTHON_TEMPLATE = '''\
"""Get3W: submit one task to {model_doc} and wait for it.

Needs the requests package (pip install requests) and your key in the {key_env}
environment variable; this script never contains a key.
"""

import json
import os
import sys
import time

import requests

BASE_URL = {base}
MODEL = {model}
if "{key_env}" not in os.environ:
    sys.exit("Set the {key_env} environment variable to your Get3W key first.")
HEADERS = {{"Authorization": "Bearer " + {python_key}}}

{notes}params = {params}

reply = requests.post(f"{{BASE_URL}}/v1/{{MODEL}}", json=params, headers=HEADERS, timeout=60)
reply.raise_for_status()
task = reply.json()
print("Submitted task", task["id"], file=sys.stderr)

# Wait for half the estimate, then ask again, less and less often.
time.sleep(min(float(task.get("estimated_duration") or 4) / 2, 60))
delay, give_up = 1.0, time.monotonic() + 3600
while True:
    try:
        reply = requests.get(
            f"{{BASE_URL}}/v1/requests/{{task['id']}}", headers=HEADERS, timeout=30
        )
        if reply.status_code != 429 and reply.status_code < 500:
            reply.raise_for_status()
            task = reply.json()
            if task["status"] in ("completed", "failed"):
                break
    except (requests.ConnectionError, requests.Timeout, ValueError):
        pass  # a failed poll is always safe to repeat
    if time.monotonic() > give_up:
        sys.exit(f"Task {{task['id']}} is still running after an hour; ask again later.")
    time.sleep(delay)
    delay = min(delay * 1.5, 15.0)

print(json.dumps(task, indent=2))
if task["status"] == "failed":
    sys.exit(1)
'''


def _prepare(
    base_url: str, model_id: str, params: Mapping[str, Any], secrets: Iterable[str]
) -> tuple[str, str, dict[str, Any], list[str]]:
    base = normalise_base_url(base_url)
    if any(ch.isspace() or not ch.isprintable() for ch in base):
        raise ValueError("The API address contains spaces or invisible characters.")
    model = model_id.strip().strip("/")
    if not _MODEL_ID.fullmatch(model) or any(p in ("", ".", "..") for p in model.split("/")):
        raise ValueError(f"“{_one_line(model_id)}” is not a model id (like owner/model/task).")
    body = scrub_params(params, secrets)
    try:  # only JSON values can be sent; this also turns tuples into lists
        body = json.loads(json.dumps(body, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The parameters cannot be sent as JSON: {exc}.") from None
    notes: list[str] = []
    for name, value in body.items():
        body[name] = _replace_local_files(name, value, notes, base)
    return base, model, body, notes


def _replace_local_files(name: str, value: Any, notes: list[str], base: str) -> Any:
    if isinstance(value, list):
        return [_replace_local_files(name, item, notes, base) for item in value]
    if not isinstance(value, str):
        return value
    file_name = _local_file_name(name, value)
    if file_name is None:
        return value
    notes.append(
        f"{_one_line(name)}: {_one_line(file_name)} is a file on your computer. Upload it "
        f'first (POST {_one_line(base)}{_UPLOAD_ROUTE}, form field "file") and put the URL it '
        "returns here."
    )
    return f"<URL of {file_name}>"


def _local_file_name(name: str, value: str) -> str | None:
    """The file name of a local input (a file:// URL, or a path in a media field), else None."""
    text = value.strip()
    if text.lower().startswith("file:"):
        path = unquote(urlsplit(text).path)
    elif _MEDIA_NAME.fullmatch(name.lower()) and text and not _REMOTE.match(text):
        path = text
    else:
        return None
    windows = PureWindowsPath(path).name
    posix = PurePosixPath(path).name
    return (windows if len(windows) < len(posix) else posix) or "a local file"


def _python_dict(body: Mapping[str, Any]) -> str:
    """`body` as a Python literal, one parameter a line (`repr` quotes and escapes)."""
    if not body:
        return "{}"
    items = "".join(f"    {name!r}: {value!r},\n" for name, value in body.items())
    return "{\n" + items + "}"


def _json_text(value: Any) -> str:
    """Compact JSON that shows every character plainly: the rest are \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _one_line(text: str) -> str:
    """`text` safe inside a one-line comment: no line breaks or invisible characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]
