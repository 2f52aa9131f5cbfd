from __future__ import annotations

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
