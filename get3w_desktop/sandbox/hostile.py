"""Hostile and odd servers: answers that are legal (or nearly) but break naive clients.

Each is a `FaultConfig` fraction, decided per request by the dice like every other
fault, and happens at the wire:

- `gzip`: the answer is gzip-compressed when the request's Accept-Encoding allows it
  (what a gateway in front of an API does).
- `surrogate`: a string in the task answer holds a lone surrogate (`"\\ud83d"`, an emoji
  cut in half by a JavaScript server), in an unknown field and in a failed task's error.
- `deep_field`: an unknown field nested `DEEP_DEPTH` levels deep.
- `echo_key`: the request's key quoted back: in a failed task's error, and in an
  unknown field of any task answer.
- `absurd_estimate`: `estimated_duration` in milliseconds by mistake (x 1000).
- `huge_submit`: the task is created, then answered with `HUGE_BYTES` of JSON.
- `bad_redirect`: the task is created, then answered with a 302 whose Location cannot
  be parsed.
- `lengthless_truncation`: an output sent without Content-Length (the end of the body
  is the close of the connection), cut half way.
- `corrupt_image`: an image output that keeps its signature, its length and its
  Content-Length, and is zeros after the signature.
"""

from __future__ import annotations

import contextlib
import json
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from get3w_desktop.sandbox.wire import WireHandler

#: Nesting of the `deep_field` fault: deeper than Python's default recursion limit allows
#: `json.dumps` to write from inside a worker.
DEEP_DEPTH = 1000
#: Size of a `huge_submit` answer.
HUGE_BYTES = 100 * 1024**2
#: A Location no URL parser accepts.
BAD_LOCATION = "http://[get3w-moved/v1/requests"
_CHUNK = 64 * 1024

#: One line per fault, for `get3w-sandbox --help`.
HOSTILE_HELP = {
    "gzip": "API answers gzip-compressed when the client accepts it",
    "surrogate": "task answers with a lone surrogate (a cut emoji) in a string",
    "deep_field": f"task answers with an unknown field {DEEP_DEPTH} levels deep",
    "echo_key": "task answers quoting the request's API key back",
    "absurd_estimate": "estimated_duration sent in milliseconds by mistake",
    "huge_submit": "submits that create the task, then answer 100 MB",
    "bad_redirect": "submits that create the task, then redirect to an unparsable address",
    "lengthless_truncation": "outputs sent without Content-Length and cut half way",
    "corrupt_image": "image outputs: their signature, then zeros",
}


def task_answer(handler: WireHandler, data: dict[str, Any], route: str) -> bytes:
    """The JSON body for a task answer on `route` ("submit" or "poll"), with the
    configured hostile twists applied."""
    sandbox = handler.sandbox
    faults, dice = sandbox.config.faults, sandbox.dice
    data = dict(data)
    failed = data.get("status") == "failed"
    if dice.fault("absurd_estimate", route, faults.absurd_estimate):
        estimate = data.get("estimated_duration")
        if isinstance(estimate, int | float):
            data["estimated_duration"] = round(estimate * 1000)
    if dice.fault("surrogate", route, faults.surrogate):
        data["message"] = "Rendering \ud83d"  # the second half of the emoji was cut off
        if failed:
            data["error"] = f"{data.get('error') or 'Failed'} \ud83d"
    if dice.fault("echo_key", route, faults.echo_key):
        key = _request_key(handler)
        data["request"] = {"authorization": f"Bearer {key}"}
        if failed:
            data["error"] = f"{data.get('error') or 'Failed'} (request signed with key {key})"
    body = json.dumps(data)  # ASCII: a lone surrogate becomes a valid "\ud83d" escape
    if dice.fault("deep_field", route, faults.deep_field):
        nested = "[" * DEEP_DEPTH + "1" + "]" * DEEP_DEPTH
        body = body[:-1] + f', "trace": {nested}}}'
    return body.encode("ascii")


def submit_twist(handler: WireHandler, answer: dict[str, Any]) -> bool:
    """After a task was created: answer its submit in a hostile way. True when done."""
    sandbox = handler.sandbox
    faults, dice = sandbox.config.faults, sandbox.dice
    if dice.fault("bad_redirect", "submit", faults.bad_redirect):
        handler.answer(302, b"", "text/plain", {"Location": BAD_LOCATION})
        return True
    if dice.fault("huge_submit", "submit", faults.huge_submit):
        _huge(handler, answer)
        return True
    return False


def _huge(handler: WireHandler, answer: dict[str, Any]) -> None:
    """`HUGE_BYTES` of valid JSON (the task, padded), written until the client hangs up."""
    head = json.dumps(answer)[:-1].encode() + b', "padding": "'
    tail = b'"}'
    handler.answered = True
    handler.close_connection = True
    handler._log("200 (huge)")
    lines = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {HUGE_BYTES}\r\nConnection: close\r\n\r\n"
    )
    padding = b" " * _CHUNK
    try:
        handler.wfile.write(lines.encode("latin-1") + head)
        left = HUGE_BYTES - len(head) - len(tail)
        while left > 0 and not handler.sandbox.stopping.is_set():
            step = min(left, _CHUNK)
            handler.wfile.write(padding[:step])
            left -= step
        handler.wfile.write(tail)
    except OSError:
        pass  # the client stopped reading: what a careful one does


def lengthless_truncated(
    handler: WireHandler, status: int, body: bytes, content_type: str, headers: dict[str, str]
) -> None:
    """Half of `body` with no Content-Length, then an orderly close: the client sees a
    short body that its framing cannot tell from a complete one."""
    handler.answered = True
    handler.close_connection = True
    reason = handler.responses.get(status, ("Unknown",))[0]
    fields = {"Content-Type": content_type, "Connection": "close", **headers}
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    handler._log(f"{status} (no length, truncated)")
    handler.wfile.write((head + "\r\n").encode("latin-1") + body[: len(body) // 2])
    with contextlib.suppress(OSError):
        handler.connection.shutdown(socket.SHUT_WR)


def corrupted(data: bytes, content_type: str) -> bytes:
    """An image's signature, then zeros: same length, nothing decodable."""
    if not content_type.startswith("image/"):
        return data
    keep = 8 if data.startswith(b"\x89PNG") else 4
    return data[:keep] + b"\x00" * (len(data) - keep)


def _request_key(handler: WireHandler) -> str:
    header = handler.headers.get("Authorization", "")
    return header.partition(" ")[2].strip() or "(none)"
