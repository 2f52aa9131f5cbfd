"""The history stores what a hostile server sends without crashing, without losing it, and
without the key; a damaged file is backed up once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from get3w_desktop.core import jsontext
from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.redact import REDACTED, REDACTOR
from get3w_desktop.core.task import Task
from get3w_desktop.storage.history import HistoryCorruptError, HistoryStore

KEY = "sk_history_canary_93ad17"


def nested(depth: int) -> list[Any]:
    root: list[Any] = []
    current = root
    for _ in range(depth - 1):
        child: list[Any] = []
        current.append(child)
        current = child
    current.append("bottom")
    return root


def chain_text(value: Any) -> str:
    """The JSON text of a one-element-per-level list chain, its marker expanded: what the
    server sent, rebuilt without decoding it (Python could not hold it)."""
    levels = 0
    while isinstance(value, list):
        assert len(value) == 1
        levels += 1
        value = value[0]
    assert isinstance(value, dict) and set(value) == {jsontext.DEEP_JSON_KEY}
    return "[" * levels + str(value[jsontext.DEEP_JSON_KEY]) + "]" * levels


def test_deep_text_is_kept_verbatim_and_shallow() -> None:
    deep = "[" * 2000 + '{"b": "\\ud800"}' + "]" * 2000
    text = '{"a": ' + deep + ', "c": 1}'
    value = jsontext.loads(text)  # json.loads alone raises RecursionError here
    assert not jsontext.depth_exceeds(value, jsontext.MAX_DEPTH)
    assert value["c"] == 1
    assert chain_text(value["a"]) == deep  # nothing lost
    flat = jsontext.dumps(value)  # encodable, ASCII, and loads back to the same
    assert flat.isascii() and jsontext.loads(flat) == value


def test_dumps_takes_any_depth_and_any_string() -> None:
    deep = {"deep": nested(5000), "s": "cut \ud83d emoji", "n": [1, 2.5, None, True]}
    text = jsontext.dumps(deep)
    assert text.isascii() and "\\ud83d" in text
    back = jsontext.loads(text)
    assert back["s"] == "cut \ud83d emoji" and back["n"] == [1, 2.5, None, True]
    assert jsontext.DEEP_JSON_KEY in json.dumps(back)
    assert jsontext.safe_text("a\udcffb") == "a\\udcffb"
    assert jsontext.safe_text("ünïcode ✓") == "ünïcode ✓"


def hostile_job() -> Job:
    task = Task(
        id="t-hostile",
        status="failed",
        model="m/x",
        error=f"bad request for key {KEY} \ud83d",
        extra={"message": "Rendering \ud83d", "trace": nested(3000),
               "request": {"authorization": f"Bearer {KEY}"}},
    )  # fmt: skip
    return Job(
        model_id="m/x",
        params={"prompt": f"a cat \udcff {KEY}", "seed": 7},
        state=JobState.FAILED,
        task=task,
        error=f"The task failed: bad request for key {KEY} \ud83d",
        error_action=Action.FIX_INPUT,
        note="Retrying \ud800",
    )


def test_a_job_full_of_hostile_text_is_saved_losslessly_and_redacted(tmp_path: Path) -> None:
    REDACTOR.add_secret(KEY)
    path = tmp_path / "history.sqlite3"
    job = hostile_job()
    with HistoryStore.open(path) as store:
        store.save(job)  # used to raise UnicodeEncodeError / RecursionError
        stored = store.get(job.local_id)
        assert store.list(query="cat")  # still searchable
    assert stored is not None and stored.state is JobState.FAILED
    assert stored.task is not None
    assert stored.task.extra["message"] == "Rendering \ud83d"  # exactly as sent
    expected = "[" * 3000 + '"bottom"' + "]" * 3000
    assert chain_text(stored.task.extra["trace"]) == expected  # all of it, as text past 64
    assert stored.task.extra["request"] == {"authorization": f"Bearer {REDACTED}"}
    assert stored.error == f"The task failed: bad request for key {REDACTED} \\ud83d"
    assert stored.note == "Retrying \\ud800"
    assert stored.params["prompt"] == f"a cat \udcff {REDACTED}"
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes(), file.name


def test_a_key_shaped_string_is_redacted_even_if_never_registered(tmp_path: Path) -> None:
    job = Job("m/x", {"prompt": "x"}, state=JobState.FAILED, error="echo sk_unregistered_abcd1")
    with HistoryStore.open(tmp_path / "h.sqlite3") as store:
        store.save(job)
        stored = store.get(job.local_id)
    assert stored is not None and stored.error == f"echo {REDACTED}"


def damage(path: Path) -> None:
    with HistoryStore.open(path) as store:
        store.save(Job("m/x", {"prompt": "kept"}))
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_a_damaged_history_is_backed_up_once_however_often_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    damage(path)
    backups = set()
    for _ in range(3):
        with pytest.raises(HistoryCorruptError) as caught:
            HistoryStore.open(path)
        assert caught.value.backup is not None
        backups.add(caught.value.backup)
    assert len(backups) == 1
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*.bak"))) == 1
    changed = bytearray(path.read_bytes())
    changed[-1] ^= 0xFF  # other bytes (whatever the last one was): a new copy
    path.write_bytes(bytes(changed))
    with pytest.raises(HistoryCorruptError) as again:
        HistoryStore.open(path)
    assert again.value.backup not in backups
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*.bak"))) == 2
