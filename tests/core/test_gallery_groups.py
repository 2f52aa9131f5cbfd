from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from get3w_desktop.core import gallery
from get3w_desktop.core.gallery import GAP, group_around, group_of
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


def newest_first_around(job: Job, jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """`job`'s neighbours in a newest-first list, as the task list hands them out."""
    rows = sorted(jobs, key=lambda j: -j.created_at)
    at = rows.index(job)
    return rows[:at][::-1], rows[at + 1 :]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["fox", "owl"]),
            st.sampled_from(["m", "n"]),
            st.floats(min_value=0, max_value=4 * GAP, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    ),
    st.data(),
)
def test_walking_out_from_the_row_finds_what_a_look_at_every_task_finds(
    specs: list[tuple[str, str, float]], data: st.DataObject
) -> None:
    at = 1000.0
    jobs = []
    for seed, (prompt, model, step) in enumerate(specs):
        at += step + 0.001  # distinct start times, as tasks sent one after the other
        jobs.append(make(prompt, seed, at, model=model))
    job = data.draw(st.sampled_from(jobs))
    assert group_around(job, *newest_first_around(job, jobs)) == group_of(job, jobs)


def test_walking_stops_at_the_first_gap_wider_than_gap() -> None:
    """Selecting a task in a long history reads its neighbours, not every task."""
    batch = [make("fox", i, 50_000.0 + i) for i in range(4)]
    unrelated_older = [make("owl", i, 50_000.0 - GAP - 1 - i) for i in range(5_000)]
    unrelated_newer = [make("owl", i, 50_004.0 + GAP + 1 + i) for i in range(5_000)]
    read: list[Job] = []

    def counted(rows: list[Job]) -> Iterator[Job]:
        for row in rows:
            read.append(row)
            yield row

    newer, older = newest_first_around(batch[1], batch + unrelated_older + unrelated_newer)
    assert group_around(batch[1], counted(newer), counted(older)) == batch
    assert len(read) == 5  # the three other variations, and one row past the gap each side


def test_a_dense_list_is_read_no_further_than_max_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gallery, "MAX_WALK", 50)
    jobs = [make("fox", i, 100.0 + i / 1000) for i in range(200)]  # one long Generate
    group = group_around(jobs[100], *newest_first_around(jobs[100], jobs))
    assert group == jobs[50:151]
