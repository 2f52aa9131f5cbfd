"""Which tasks belong together in the gallery: the variations of one Generate.

A Generate with ×N sends N tasks with the same model and values but their own seeds
(core/batch.py `variations`), one after the other. They carry no shared id, so they are
recognised by what they share: profile, model, every value but the seed, and a start within
`GAP` seconds of the previous one. A batch of many prompts is shown by selecting its rows.

`group_of` looks through any list; `group_around` walks out from the task's row in the
task list (newest first) and stops at the first gap wider than `GAP`, so selecting a task
in a 100,000-task history looks at its neighbours, not at every task (issue 16).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from get3w_desktop.core.job import Job

#: The most seconds between two variations of one Generate (they are sent together).
GAP = 30.0
#: The widest span a group is looked for in, either side of a task (seconds).
LOOK_AROUND = 3600.0
#: The most rows `group_around` looks at on either side (a bound for a dense list).
MAX_WALK = 10_000
#: Values that differ between variations of one Generate.
VARYING = frozenset({"seed"})


#: Fingerprints already worked out, by the job's identity (the job is kept with it, so the
#: id cannot be reused while the entry lives): showing a task groups it against every
#: task near it, again on each selection, and `_canonical` is the costly part.
_KNOWN: dict[int, tuple[Job, tuple[str, str, str]]] = {}
_KNOWN_MAX = 20_000


def _fingerprint(job: Job) -> tuple[str, str, str]:
    known = _KNOWN.get(id(job))
    if known is not None and known[0] is job:
        return known[1]
    values = {k: v for k, v in job.params.items() if k not in VARYING}
    key = job.profile, job.model_id, _canonical(values)
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[id(job)] = (job, key)
    return key


def _canonical(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ",".join(f"{k!r}:{_canonical(v)}" for k, v in sorted(value.items(), key=str))
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


def group_of(job: Job, jobs: Iterable[Job]) -> list[Job]:
    """`job` and its fellow variations, oldest first (just `job` when it stands alone)."""
    key = _fingerprint(job)
    near = (j for j in jobs  # cheap tests first: the list may hold 100,000 tasks
            if j.model_id == job.model_id and j.profile == job.profile
            and abs(j.created_at - job.created_at) <= LOOK_AROUND)  # fmt: skip
    same = sorted((j for j in near if _fingerprint(j) == key), key=lambda j: j.created_at)
    if not any(j.local_id == job.local_id for j in same):
        return [job]
    # Split the matches into runs with gaps <= GAP; keep the run holding `job`.
    run: list[Job] = []
    for candidate in same:
        if run and candidate.created_at - run[-1].created_at > GAP:
            if any(j.local_id == job.local_id for j in run):
                return run
            run = []
        run.append(candidate)
    return run


def group_around(job: Job, newer: Iterable[Job], older: Iterable[Job]) -> list[Job]:
    """`group_of(job, list)` for a list ordered newest first, from `job`'s row outwards:
    `newer` are the rows above it (nearest first), `older` the rows below (nearest
    first). Each side is read only until a row is more than `GAP` seconds past the last
    variation found (or `LOOK_AROUND` from `job`, or `MAX_WALK` rows)."""
    key = _fingerprint(job)
    later = _walk(job, key, iter(newer), +1.0)
    earlier = _walk(job, key, iter(older), -1.0)
    return [*reversed(earlier), job, *later]


def _walk(job: Job, key: tuple[str, str, str], rows: Iterator[Job], sign: float) -> list[Job]:
    """The variations of `job` on one side, nearest first (`sign` +1: later, -1: earlier)."""
    found: list[Job] = []
    edge = job.created_at  # the farthest variation so far
    for looked, row in enumerate(rows):
        gone = sign * (row.created_at - edge)
        if gone > GAP or abs(row.created_at - job.created_at) > LOOK_AROUND or looked >= MAX_WALK:
            break
        if (row.model_id == job.model_id and row.profile == job.profile
                and row.local_id != job.local_id and _fingerprint(row) == key):  # fmt: skip
            found.append(row)
            if gone > 0:
                edge = row.created_at
    return sorted(found, key=lambda j: sign * j.created_at)
