from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from get3w_desktop.api.parse import (
    error_message,
    loads_object,
    parse_retry_after,
    parse_task,
    snippet,
)
from get3w_desktop.core.errors import BadResponseError
from get3w_desktop.core.task import Phase

DOC_EXAMPLE = {
    "id": "0d9a3e5e-3c4e-4bd7-9d9c-6c5f1b0d2a11",
    "model": "google/nano-banana-pro/text-to-image",
    "status": "completed",
    "code": 0,
    "outputs": ["https://storage.example.com/output.png"],
    "timings": {"queue_wait": 427, "celery_init": 2429, "api_call": 21392, "save": 1781,
                "run_overhead": 679, "total": 26709},
    "error": None,
    "created_at": "2026-03-28T07:51:34",
}  # fmt: skip


def test_the_documented_answer_parses_completely() -> None:
    task = parse_task(DOC_EXAMPLE)
    assert task.id == DOC_EXAMPLE["id"]
    assert task.phase is Phase.COMPLETED and task.terminal
    assert task.outputs == ("https://storage.example.com/output.png",)
    assert task.timings["total"] == 26709
    assert task.error is None and task.code == 0
    assert task.created_at == "2026-03-28T07:51:34"
    assert task.extra == {}


@pytest.mark.parametrize("status", ["queued", "pending", "PROCESSING ", "starting", "weird"])
def test_unknown_statuses_mean_in_progress(status: str) -> None:
    task = parse_task({"id": "x", "status": status})
    assert not task.terminal
    assert task.status == status.strip()


def test_unknown_fields_are_kept_and_odd_optional_fields_are_tolerated() -> None:
    task = parse_task({
        "id": "x", "status": "failed", "code": "1200", "error": "blocked",
        "timings": {"total": "1500", "bogus": "n/a", "api_call": None},
        "estimated_duration": "52", "cost": 0.14, "nested": {"a": 1},
    })  # fmt: skip
    assert task.phase is Phase.FAILED
    assert task.code == 1200
    assert task.timings == {"total": 1500.0}
    assert task.estimated_duration == 52.0
    assert task.extra == {"cost": 0.14, "nested": {"a": 1}}
    assert task.as_json()["cost"] == 0.14


def test_a_v3_style_envelope_is_unwrapped() -> None:
    task = parse_task({"code": 200, "message": "success", "data": {"id": "y", "status": "created"}})
    assert task.id == "y"


@pytest.mark.parametrize(
    "data",
    [
        {"status": "completed"},
        {"id": "", "status": "completed"},
        {"id": 5, "status": "completed"},
        {"id": "x"},
        {"id": "x", "status": None},
        {"id": "x", "status": "completed", "outputs": "https://one.png"},
        {"id": "x", "status": "completed", "outputs": [1, 2]},
    ],
)
def test_wrong_shapes_are_typed_protocol_errors(data: dict[str, Any]) -> None:
    with pytest.raises(BadResponseError) as caught:
        parse_task(data)
    assert caught.value.message  # a sentence for a person


@pytest.mark.parametrize("body", [b"", b"{", b"<html>502</html>", b"[1,2]", b"\xff\xfe", b"null"])
def test_loads_object_refuses_non_objects_with_a_short_safe_detail(body: bytes) -> None:
    with pytest.raises(BadResponseError) as caught:
        loads_object(body, "the poll")
    assert "the poll" in caught.value.message
    assert len(caught.value.detail) < 400


def test_error_bodies_of_both_families_are_read() -> None:
    assert error_message(b'{"code": 401, "error": "Invalid or revoked API key"}') == (
        "Invalid or revoked API key"
    )
    assert error_message(b'{"code": 404, "message": "model not found", "data": null}') == (
        "model not found"
    )
    assert error_message(b"<html><body>Bad gateway</body></html>") is None


def test_snippets_strip_markup_and_stay_short() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 1000 + b"</body>"
    text = snippet(page)
    assert "<" not in text
    assert text.startswith("502 Bad Gateway")
    assert len(text) <= 161


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("7", None, 7.0),
        ("0.5", None, 0.5),
        ("-4", None, 0.0),
        ("99999", None, 300.0),
        ("Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:30 GMT", 0.0),
        ("soon", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_retry_after_seconds_and_dates(
    value: str | None, date: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value, date) == expected


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)
TASKISH = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        ("id", "status", "outputs", "timings", "code", "error", "created_at",
         "estimated_duration", "model", "data"),
        JSON,
    ),
)  # fmt: skip


@given(st.one_of(TASKISH, st.dictionaries(st.text(max_size=10), JSON, max_size=8)))
def test_parse_task_only_ever_raises_the_typed_protocol_error(data: dict[str, Any]) -> None:
    try:
        task = parse_task(data)
    except BadResponseError:
        return
    assert task.id and task.status
    json.dumps(task.as_json(), default=str)


@given(st.binary(max_size=200))
def test_loads_object_never_raises_anything_unexpected(body: bytes) -> None:
    with contextlib.suppress(BadResponseError):
        assert isinstance(loads_object(body, "x"), dict)


@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=40)))
def test_retry_after_never_raises_and_stays_clamped(value: str, date: str | None) -> None:
    result = parse_retry_after(value, date)
    assert result is None or 0.0 <= result <= 300.0
