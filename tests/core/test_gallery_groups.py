from __future__ import annotations

import dataclasses

import pytest

from get3w_desktop.core import gallery
from get3w_desktop.core.gallery import GAP, group_of
from get3w_desktop.core.job import Job


def make(prompt: str, seed: int, at: float, model: str = "m", **extra: object) -> Job:
    return Job(model, {"prompt": prompt, "seed": seed, **extra}, created_at=at)


def test_variations_of_one_generate_share_a_group() -> None:
    a, b, c = make("fox", 1, 100.0), make("fox", 2, 100.2), make("fox", 3, 100.4)
    other_prompt = make("owl", 4, 100.1)
    other_model = make("fox", 5, 100.3, model="n")
    other_size = make("fox", 6, 100.3, size="512*512")
    everything = [c, other_prompt, a, other_model, b, other_size]
    assert group_of(b, everything) == [a, b, c]  # oldest first, whatever the list order
    assert group_of(other_prompt, everything) == [other_prompt]
    assert group_of(other_size, everything) == [other_size]


def test_the_same_prompt_later_is_another_group() -> None:
    first = [make("fox", i, 100.0 + i) for i in range(3)]
    later = [make("fox", 10 + i, 100.0 + 3 + GAP + i) for i in range(2)]
    assert group_of(later[1], first + later) == later
    assert group_of(first[0], first + later) == first


def test_a_job_not_in_the_list_stands_alone() -> None:
    lone = make("fox", 1, 100.0)
    assert group_of(lone, [make("fox", 2, 100.5)]) == [lone]


def test_grouping_again_does_not_work_out_each_tasks_values_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Selecting task after task groups each against all its neighbours: a task's values
    are put in canonical form once, not on every selection."""
    calls: list[object] = []
    canonical = gallery._canonical

    def counting(value: object) -> str:
        calls.append(value)
        return canonical(value)

    monkeypatch.setattr(gallery, "_canonical", counting)
    jobs = [make("fox", i, 100.0 + i, size="512*512") for i in range(20)]
    assert group_of(jobs[3], jobs) == jobs
    first = len(calls)
    assert first > 0
    for job in jobs:
        assert group_of(job, jobs) == jobs
    assert len(calls) == first
    changed = dataclasses.replace(jobs[0], params={"prompt": "owl", "seed": 0})
    assert group_of(changed, [changed, *jobs[1:]]) == [changed]  # a new job: worked out
    assert len(calls) > first
