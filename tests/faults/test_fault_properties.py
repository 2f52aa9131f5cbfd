"""Property tests for what the existing ones leave out: whole HTTP answers, v3 envelopes,
URLs and file heads from a server, the wait loop under any sequence of faults, backoff,
and the redactor. Thousands of generated inputs; never an unexpected exception.

(parse_task, loads_object, Retry-After, the catalogue and the poll schedule's delays are
covered in tests/api/test_parse.py, tests/core/test_catalogue.py, tests/core/test_schedule.py.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.api.client import _MISSING, _envelope_data
from get3w_desktop.api.download import check_download_url, sniff
from get3w_desktop.api.http import Reply, raise_for_status
from get3w_desktop.api.parse import error_message, snippet
from get3w_desktop.api.waiting import Wake, wait_for_task
from get3w_desktop.core.catalogue import parse_size
from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    DownloadError,
    Get3WError,
    InsufficientBalanceError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from get3w_desktop.core.redact import REDACTED, Redactor
from get3w_desktop.core.schedule import MAX_ESTIMATE, Backoff, PollSchedule, ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.core.urls import origin

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
BODIES = st.binary(max_size=300) | JSON.map(lambda v: repr(v).encode()) | st.sampled_from([
    b"<html><body><h1>502 Bad Gateway</h1></body></html>", b'{"code": 500, "error": "x"}',
    b'{"code": 200, "message": "success", "data": null}', b'{"id": "t", "status":', b"",
])  # fmt: skip
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(100, 999),
    BODIES,
    st.dictionaries(st.sampled_from(["Retry-After", "Date", "Location", "Content-Type"]),
                    HEADER_TEXT),
)  # fmt: skip
def test_any_http_answer_becomes_a_typed_error_or_passes(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    reply = Reply(status, body, requests.structures.CaseInsensitiveDict(headers),
                  "http://127.0.0.1:1/v1/requests/t")  # fmt: skip
    error = raised(lambda: raise_for_status(reply, "task t"))
    if 200 <= status < 300:
        assert error is None
        return
    assert error is not None and error.message and "\n" not in error.message
    expected = {401: AuthError, 403: InsufficientBalanceError, 404: NotFoundError,
                429: RateLimitedError}.get(status)  # fmt: skip
    if expected is not None:
        assert isinstance(error, expected)
    elif status >= 500:
        assert isinstance(error, ServerError) and error.status == status
    retry_after = getattr(error, "retry_after", None)
    assert retry_after is None or 0.0 <= retry_after <= 300.0


def raised(call: Callable[[], object]) -> Get3WError | None:
    """The typed error `call` raised, or None (anything else propagates and fails)."""
    try:
        call()
    except Get3WError as exc:
        return exc
    return None


@settings(max_examples=1000, deadline=None)
@given(BODIES)
def test_error_bodies_snippets_and_envelopes_never_raise(body: bytes) -> None:
    message = error_message(body)
    assert message is None or 0 < len(message) <= 300
    short = snippet(body)
    assert len(short) <= 161 and "\n" not in short
    data = _envelope_data(Reply(200, body, requests.structures.CaseInsensitiveDict(), "u"))
    assert data is _MISSING or body.lstrip().startswith(b"{")


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[a-z]{0,6}:(//)?[^\s]{0,30}", fullmatch=True))
def test_output_urls_from_a_server_are_accepted_or_refused_with_a_message(url: str) -> None:
    error = raised(lambda: check_download_url(url))
    if error is not None:
        assert isinstance(error, DownloadError) and error.message.startswith("Refusing")
    else:
        scheme, host, port = origin(url)
        assert scheme in ("http", "https") and host and 0 <= port <= 65535


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=80))
def test_file_heads_are_sniffed_to_a_known_type_or_none(head: bytes) -> None:
    kind = sniff(head)
    assert kind is None or (kind[0].startswith(".") and "/" in kind[1])


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_sizes_parse_to_positive_pairs_or_none(text: str) -> None:
    size = parse_size(text)
    assert size is None or (size[0] > 0 and size[1] > 0)


FAULTS = st.sampled_from(["ok", "processing", "network", "server", "bad", "rate", "notfound",
                          "weird-status"])  # fmt: skip


class ScriptedPoller:
    """Answers polls from a generated script of outcomes, then completes."""

    def __init__(self, script: list[str], retry_after: float | None) -> None:
        self.script = list(script)
        self.retry_after = retry_after
        self.calls = 0

    def get(self, task_id: str) -> Task:
        self.calls += 1
        step = self.script.pop(0) if self.script else "done"
        if step == "network":
            raise NetworkError("gone", maybe_sent=True)
        if step == "server":
            raise ServerError("502", status=502, retry_after=self.retry_after)
        if step == "bad":
            raise BadResponseError("half a JSON object")
        if step == "rate":
            raise RateLimitedError("slow down", retry_after=self.retry_after)
        if step == "notfound":
            raise NotFoundError("not yet")
        if step == "done":
            return Task(task_id, "completed", outputs=("https://cdn.example/x.png",))
        return Task(task_id, {"ok": "created", "weird-status": "queued-ish"}.get(step, step))


@settings(max_examples=300, deadline=None)
@given(st.lists(FAULTS, max_size=25), st.none() | st.floats(0, 300),
       st.none() | st.floats(allow_nan=True, allow_infinity=True))  # fmt: skip
def test_the_wait_loop_survives_any_sequence_of_transient_faults(
    script: list[str], retry_after: float | None, estimate: float | None
) -> None:
    """Transient faults never end a wait; waits stay finite, positive and bounded, and a
    server's Retry-After (already clamped by the parser) is always honoured."""
    poller = ScriptedPoller(script, retry_after)
    waits: list[float] = []

    def sleep(seconds: float) -> Wake:
        waits.append(seconds)
        return Wake.ELAPSED

    clock = iter(range(10**6))
    final = wait_for_task(
        poller, Task("t", "created", estimated_duration=estimate), cancel=threading.Event(),
        sleep=sleep, clock=lambda: float(next(clock)), not_found_grace=math.inf,
    )  # fmt: skip
    assert final.status == "completed" and final.outputs
    assert poller.calls == len(script) + 1 == len(waits)
    ceiling = max(2.0 * MAX_ESTIMATE, 300.0) * 1.1
    assert all(math.isfinite(w) and 0 < w <= ceiling for w in waits)
    for index, step in enumerate(script):
        if step in ("rate", "server") and retry_after is not None:
            assert waits[index + 1] >= retry_after


@settings(max_examples=300, deadline=None)
@given(st.floats(0.001, 100), st.floats(1.01, 4), st.floats(0.01, 1000), st.floats(0, 0.5),
       st.integers(1, 60))  # fmt: skip
def test_backoff_stays_within_its_cap_and_jitter(
    first: float, factor: float, cap: float, jitter: float, attempts: int
) -> None:
    backoff = Backoff(first, factor, cap, jitter)
    delays = [backoff.next_delay() for _ in range(attempts)]
    assert all(0 < d <= cap * (1 + jitter) + 1e-9 for d in delays)
    backoff.reset()
    assert backoff.next_delay() <= min(first, cap) * (1 + jitter) + 1e-9


@settings(max_examples=300, deadline=None)
@given(st.floats(0.01, 1e5), st.floats(0.001, 10), st.floats(0.0, 0.3), st.floats(0, 1e6),
       st.lists(st.floats(0, 1e3), min_size=1, max_size=30))  # fmt: skip
def test_schedules_with_any_sane_tuning_give_finite_positive_waits(
    estimate: float, lam: float, jitter: float, start: float, latencies: list[float]
) -> None:
    """Followed as the wait loop follows it (sleep, then a request that takes a while)."""
    params = ScheduleParams(lam=lam, jitter=jitter)
    schedule = PollSchedule(estimate, params)
    # At most two planned gaps ahead: jitter may wake us early, and a point already aimed
    # at is skipped.
    longest = 2 * max(params.slow_gap, params.window[1] * min(estimate, MAX_ESTIMATE))
    now = start
    for latency in latencies:
        wait = schedule.delay(now)
        assert math.isfinite(wait) and params.min_gap <= wait <= longest * (1 + jitter) + 1e-6
        now += wait + latency


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40),
       st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8,
               max_size=40))  # fmt: skip
def test_a_registered_key_never_survives_redaction(before: str, after: str, tail: str) -> None:
    redactor = Redactor()
    key = f"sk_{tail}"
    redactor.add_secret(key)
    text = redactor.redact(f"{before}{key}{after}")
    assert key not in text
    assert REDACTED in text
