"""Which tasks belong together in the gallery: the variations of one Generate.

A Generate with ×N sends N tasks with the same model and values but their own seeds
(core/batch.py `variations`), one after the other. They carry no shared id, so they are
recognised by what they share: profile, model, every value but the seed, and a start within
`GAP` seconds of the previous one. A batch of many prompts is shown by selecting its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from get3w_desktop.core.job import Job

#: The most seconds between two variations of one Generate (they are sent together).
GAP = 30.0
#: The widest span a group is looked for in, either side of a task (seconds).
LOOK_AROUND = 3600.0
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
