"""The history database's schema, its migrations, and the job <-> row converter.

`PRAGMA user_version` is the schema version. Migrations are applied in order, each in
its own transaction together with the version bump, so a crash mid-migration leaves the
file at the previous version, intact. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from get3w_desktop.core import jsontext
from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState, TextOutput
from get3w_desktop.core.messages import Message
from get3w_desktop.core.task import Task
from get3w_desktop.storage import ledger

log = logging.getLogger(__name__)


def _v1(conn: sqlite3.Connection) -> None:
    """The first schema: one row per job, the task as the server's own JSON."""
    conn.execute(
        """CREATE TABLE jobs (
            local_id     TEXT PRIMARY KEY NOT NULL,
            profile      TEXT NOT NULL,
            model_id     TEXT NOT NULL,
            params       TEXT NOT NULL,
            prompt       TEXT NOT NULL DEFAULT '',
            state        TEXT NOT NULL,
            remote_id    TEXT,
            task         TEXT,
            files        TEXT NOT NULL DEFAULT '[]',
            error        TEXT,
            error_action TEXT NOT NULL DEFAULT 'none',
            note         TEXT NOT NULL DEFAULT '',
            overdue      INTEGER NOT NULL DEFAULT 0,
            created_at   REAL NOT NULL,
            submitted_at REAL,
            finished_at  REAL,
            updated_at   REAL NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX jobs_remote_id ON jobs(remote_id)")
    conn.execute("CREATE INDEX jobs_created_at ON jobs(created_at)")


def _v2(conn: sqlite3.Connection) -> None:
    """What resume, expiry and search need: where a task lives, who owns it, folded prompts."""
    for column in (
        "base_url TEXT",  # the API the task was sent to: only that server can answer for it
        "out_dir TEXT",  # where the person asked for outputs (`get3w run --out`)
        "owner TEXT",  # "<boot id>:<pid>" of the process that last wrote it
        "remote_expired INTEGER NOT NULL DEFAULT 0",  # the server's outputs are past retention
        "prompt_fold TEXT NOT NULL DEFAULT ''",  # casefolded prompt, for searching
    ):
        conn.execute(f"ALTER TABLE jobs ADD COLUMN {column}")
    conn.execute("UPDATE jobs SET prompt_fold = casefold(prompt)")
    conn.execute("CREATE INDEX jobs_state ON jobs(state)")
    conn.execute("CREATE INDEX jobs_model_id ON jobs(model_id, created_at)")
    conn.execute("CREATE INDEX jobs_profile ON jobs(profile, base_url)")


def _v3(conn: sqlite3.Connection) -> None:
    """Text outputs (captioners, LLMs…), and error/note as codes the window translates."""
    for column in (
        "texts TEXT NOT NULL DEFAULT '[]'",  # [{"index": n, "text": "…"}], as the server sent
        "error_message TEXT",  # core.messages.Message.as_json() of `error`
        "note_message TEXT",  # … of `note`
    ):
        conn.execute(f"ALTER TABLE jobs ADD COLUMN {column}")


def _v4(conn: sqlite3.Connection) -> None:
    """What money needs (storage/ledger.py): each task's quote and charge, kept apart from
    the task's row so removing a task never lowers what was spent."""
    ledger.create_table(conn)


@dataclasses.dataclass(frozen=True)
class Migration:
    version: int
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, _v1),
    Migration(2, _v2),
    Migration(3, _v3),
    Migration(4, _v4),
)
LATEST = MIGRATIONS[-1].version


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the migrations use (SQLite's own lower() folds ASCII only)."""
    conn.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value: object) -> str:
    return value.casefold() if isinstance(value, str) else ""


# -- rows -------------------------------------------------------------------------------

#: Columns written from a Job (the rest belong to the store: base_url, owner, …).
JOB_COLUMNS = (
    "local_id", "profile", "model_id", "params", "prompt", "prompt_fold", "state", "remote_id",
    "task", "files", "error", "error_action", "note", "overdue", "created_at", "submitted_at",
    "finished_at", "texts", "error_message", "note_message",
)  # fmt: skip
ENTRY_COLUMNS = (*JOB_COLUMNS, "base_url", "out_dir", "owner", "remote_expired", "updated_at")

_TASK_FIELDS = frozenset(
    {"id", "status", "model", "outputs", "timings", "code", "error", "created_at",
     "estimated_duration"}
)  # fmt: skip


def job_to_row(job: Job, clean: Callable[[Any], Any] = lambda value: value) -> dict[str, Any]:
    """The row for `job`. Never raises for what a server may send: JSON is written as
    ASCII (a lone surrogate becomes an escape) by an encoder that takes any depth, and
    free text gets its lone surrogates escaped. `clean` (the redactor) is applied to
    every value a server or a person wrote, before it is stored."""
    prompt = _text(clean(job.prompt))
    return {
        "local_id": job.local_id,
        "profile": _text(job.profile),
        "model_id": _text(job.model_id),
        "params": jsontext.dumps(clean(dict(job.params))),
        "prompt": prompt,
        "prompt_fold": prompt.casefold(),
        "state": job.state.value,
        "remote_id": _text(job.remote_id) if job.remote_id is not None else None,
        "task": jsontext.dumps(clean(job.task.as_json())) if job.task else None,
        "files": jsontext.dumps(list(job.files)),
        "error": _text(clean(job.error)) if job.error is not None else None,
        "error_action": job.error_action.value,
        "note": _text(clean(job.note)),
        "overdue": int(job.overdue),
        "created_at": job.created_at,
        "submitted_at": job.submitted_at,
        "finished_at": job.finished_at,
        "texts": jsontext.dumps(clean([{"index": t.index, "text": t.text} for t in job.texts])),
        "error_message": _message_json(job.error_message, clean),
        "note_message": _message_json(job.note_message, clean),
    }


def _message_json(message: Message | None, clean: Callable[[Any], Any]) -> str | None:
    """A message's code and arguments (arguments may quote the server: cleaned)."""
    return jsontext.dumps(clean(message.as_json())) if message else None


def _message(text: object, local_id: str, what: str) -> Message | None:
    return None if text is None else Message.from_json(_loads(text, local_id, what))


def _texts(text: object, local_id: str) -> tuple[TextOutput, ...]:
    items = _loads(text, local_id, "texts")
    return tuple(
        TextOutput(int(item["index"]), item["text"])
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, dict) and isinstance(item.get("index"), int)
        and isinstance(item.get("text"), str)
    )  # fmt: skip


def _text(value: Any) -> str:
    return jsontext.safe_text(str(value))


#: Texts that repeat from row to row are kept once (`sys.intern`): model ids, profiles,
#: statuses, parameter names, and parameter values up to this long (choices like "16:9").
#: At 100,000 loaded tasks each copy per row costs ~5 MB (issue 16).
SHARED_TEXT = 32

#: The `extra` of every task that has none: one empty mapping, not one dict per task.
_NO_EXTRA: Mapping[str, Any] = types.MappingProxyType({})


def _shared(value: Any) -> Any:
    """`value`, the one shared copy of it when it is a short string."""
    if type(value) is str and len(value) <= SHARED_TEXT:
        return sys.intern(value)
    return value


def _shared_keys(data: dict[str, Any]) -> dict[str, Any]:
    """A decoded JSON object with its names and short text values shared."""
    return {sys.intern(key): _shared(value) for key, value in data.items()}


def row_to_job(row: Mapping[str, Any]) -> Job:
    """The Job a row holds. Values this version does not know become safe ones, logged."""
    local_id = str(row["local_id"])
    return Job(
        model_id=sys.intern(str(row["model_id"])),
        params=_shared_keys(_json_object(row["params"], local_id, "params")),
        profile=sys.intern(str(row["profile"])),
        local_id=local_id,
        state=_state(row["state"], local_id),
        task=_task(row["task"], local_id),
        files=tuple(str(f) for f in _json_list(row["files"], local_id)),
        error=row["error"],
        error_action=_action(row["error_action"]),
        note=str(row["note"] or ""),
        overdue=bool(row["overdue"]),
        created_at=float(row["created_at"]),
        submitted_at=row["submitted_at"],
        finished_at=row["finished_at"],
        texts=_texts(row["texts"], local_id),
        error_message=_message(row["error_message"], local_id, "error_message"),
        note_message=_message(row["note_message"], local_id, "note_message"),
    )


def task_from_json(data: Mapping[str, Any]) -> Task:
    """Inverse of Task.as_json: known fields typed, everything else kept in `extra`."""
    estimate = data.get("estimated_duration")
    return Task(
        id=str(data["id"]),
        status=sys.intern(str(data.get("status") or "")),
        model=sys.intern(str(data.get("model") or "")),
        outputs=tuple(str(u) for u in data.get("outputs") or ()),
        timings=_shared_keys(dict(data.get("timings") or {})),
        code=int(data.get("code") or 0),
        error=data.get("error"),
        created_at=data.get("created_at"),
        estimated_duration=float(estimate) if isinstance(estimate, int | float) else None,
        extra={k: v for k, v in data.items() if k not in _TASK_FIELDS} or _NO_EXTRA,
    )


def _state(value: object, local_id: str) -> JobState:
    try:
        return JobState(value)
    except ValueError:
        # Never guess "safe to send again": an unknown state is treated as uncertain.
        log.warning("history entry %s has an unknown state %r", local_id, value)
        return JobState.UNCERTAIN


def _action(value: object) -> Action:
    try:
        return Action(value)
    except ValueError:
        return Action.NONE


def _task(text: object, local_id: str) -> Task | None:
    if text is None:
        return None
    data = _json_object(text, local_id, "task")
    return task_from_json(data) if "id" in data else None


def _json_object(text: object, local_id: str, what: str) -> dict[str, Any]:
    value = _loads(text, local_id, what)
    return value if isinstance(value, dict) else {}


def _json_list(text: object, local_id: str) -> list[Any]:
    value = _loads(text, local_id, "files")
    return value if isinstance(value, list) else []


def _loads(text: object, local_id: str, what: str) -> object:
    try:
        return jsontext.loads(str(text))  # too-deep values come back as text markers
    except json.JSONDecodeError:
        log.warning("history entry %s: unreadable %s", local_id, what)
        return None


# -- queries ----------------------------------------------------------------------------

StateFilter = JobState | str | Iterable[JobState | str]

_ORDER_COLUMNS = {
    "created": "created_at",
    "submitted": "submitted_at",
    "finished": "finished_at",
    "updated": "updated_at",
    "model": "model_id",
    "state": "state",
    "profile": "profile",
    "prompt": "prompt_fold",
}


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a history view asks for; None means "any". Times are epoch seconds.

    `query` matches prompts: every word must appear (case-insensitive, `%` and `_` are
    plain characters). `state` is one state or several; `since`/`until` bound created_at.
    """

    query: str | None = None
    model: str | None = None
    state: StateFilter | None = None
    profile: str | None = None
    base_url: str | None = None
    since: float | None = None
    until: float | None = None


def where_sql(filters: Filters) -> tuple[str, list[Any]]:
    """A WHERE clause (or "") and its arguments; only fixed SQL text, values bound."""
    clauses: list[str] = []
    args: list[Any] = []
    for word in (filters.query or "").casefold().split():
        clauses.append("prompt_fold LIKE ? ESCAPE '\\'")
        args.append("%" + like_escape(word) + "%")
    for column, value in (
        ("model_id", filters.model),
        ("profile", filters.profile),
        ("base_url", filters.base_url),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if filters.state is not None:
        states = _states(filters.state)
        clauses.append(f"state IN ({', '.join('?' * len(states))})")
        args.extend(states)
    if filters.since is not None:
        clauses.append("created_at >= ?")
        args.append(filters.since)
    if filters.until is not None:
        clauses.append("created_at < ?")
        args.append(filters.until)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args


def order_sql(order: str) -> str:
    """ "created" oldest first, "-created" newest first, and so on; ties keep insert order."""
    descending = order.startswith("-")
    column = _ORDER_COLUMNS.get(order.removeprefix("-"))
    if column is None:
        raise ValueError(f"unknown order {order!r}; expected one of {sorted(_ORDER_COLUMNS)}")
    direction = "DESC" if descending else "ASC"
    return f"ORDER BY {column} {direction}, rowid {direction}"


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _states(value: StateFilter) -> list[str]:
    items: Iterable[JobState | str] = [value] if isinstance(value, JobState | str) else value
    states = [JobState(item).value for item in items]  # ValueError on unknown states
    if not states:
        raise ValueError("state filter with no states")
    return states
