from __future__ import annotations

import itertools
import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from get3w_desktop.core.schedule import (
    Backoff,
    PollSchedule,
    ScheduleParams,
    clamp_retry_after,
    window_poll_times,
)

NO_JITTER = ScheduleParams(jitter=0.0)


@pytest.mark.parametrize("estimate", [2.0, 10.0, 52.0, 300.0])
def test_window_polls_are_increasing_inside_the_window_and_end_at_its_end(estimate: float) -> None:
    times = window_poll_times(estimate, NO_JITTER)
    assert len(times) >= 2
    assert all(b > a for a, b in itertools.pairwise(times))
    assert times[0] > 0.5 * estimate
    assert times[-1] == pytest.approx(2.0 * estimate)


def test_polls_are_densest_towards_the_end_of_the_window() -> None:
    times = window_poll_times(300.0, NO_JITTER)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[-1] < gaps[0] / 3


def test_after_the_window_gaps_grow_geometrically_then_cap_then_go_slow() -> None:
    params = ScheduleParams(jitter=0.0)
    schedule = PollSchedule(52.0, params)
    times = schedule.planned_times(60 * 52.0)
    after = [t for t in times if t > 2 * 52.0]
    gaps = [b - a for a, b in itertools.pairwise(after)]
    growing = [g for g, t in zip(gaps, after, strict=False) if t < 10 * 52.0]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(growing))
    cap = min(params.max_gap, params.max_gap_fraction * 52.0)  # 10.4 s: a fifth of E
    assert max(growing) <= cap + 1e-9
    assert growing[-1] == pytest.approx(cap)
    late = [g for g, t in zip(gaps, after, strict=False) if t > 10 * 52.0]
    assert late and all(g == pytest.approx(params.slow_gap) for g in late)
    # A long estimate is capped by max_gap instead.
    long_times = PollSchedule(300.0, params).planned_times(10 * 300.0)
    long_gaps = [b - a for a, b in itertools.pairwise(t for t in long_times if t > 600.0)]
    assert max(long_gaps) == pytest.approx(params.max_gap)


def test_delay_points_at_the_next_planned_poll_and_skips_missed_ones() -> None:
    schedule = PollSchedule(52.0, NO_JITTER)
    times = schedule.planned_times(200.0)
    assert schedule.delay(0.0) == pytest.approx(times[0])
    # Woken late (a slow answer, a sleeping laptop): the next poll is the next future point.
    later = times[3] + 0.01
    schedule = PollSchedule(52.0, NO_JITTER)
    assert schedule.delay(later) == pytest.approx(times[4] - later)


def test_jitter_never_makes_extra_polls() -> None:
    """A jittered wait can end just before its planned point: that point is not re-polled."""
    plain = PollSchedule(52.0, NO_JITTER)
    planned = len(plain.planned_times(150.0))
    for seed in range(50):
        schedule = PollSchedule(52.0, ScheduleParams(jitter=0.1), random.Random(seed))
        t, polls = 0.0, 0
        while t < 150.0:
            t += schedule.delay(t)
            polls += 1
        assert polls <= planned + 1


def test_jitter_stays_within_its_bounds() -> None:
    params = ScheduleParams(jitter=0.1)
    plain = PollSchedule(52.0, NO_JITTER).delay(0.0)
    delays = [PollSchedule(52.0, params, random.Random(i)).delay(0.0) for i in range(200)]
    assert min(delays) >= plain * 0.9 - 1e-9
    assert max(delays) <= plain * 1.1 + 1e-9
    assert max(delays) - min(delays) > plain * 0.1  # it really varies


def test_missing_or_silly_estimates_fall_back_to_the_default() -> None:
    for estimate in (None, 0.0, -5.0, math.nan, math.inf):
        assert PollSchedule(estimate, NO_JITTER).estimate == NO_JITTER.default_estimate


def test_scaling_all_durations_scales_the_schedule() -> None:
    base = PollSchedule(52.0, NO_JITTER).planned_times(52.0 * 12)
    fast = PollSchedule(0.52, NO_JITTER.scaled(0.01)).planned_times(0.52 * 12)
    assert len(fast) == len(base)
    for a, b in zip(base, fast, strict=True):
        assert b == pytest.approx(a * 0.01, rel=1e-6)


def test_overdue_after_three_estimates() -> None:
    schedule = PollSchedule(10.0, NO_JITTER)
    assert not schedule.overdue(29.0)
    assert schedule.overdue(31.0)


def _simulate(estimate: float, strategy: str, rng: random.Random) -> tuple[float, float, float]:
    """(mean polls, mean latency, p95 latency) over log-uniform durations in [0.5E, 2E]."""
    polls, latencies = [], []
    for _ in range(3000):
        duration = estimate * math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
        if strategy == "ours":
            schedule, t, n = PollSchedule(estimate, NO_JITTER), 0.0, 0
            while True:
                t += schedule.delay(t)
                n += 1
                if t >= duration:
                    break
        else:  # the seed's tip: wait the estimate, then every 3 s
            t, n = estimate, 1
            while t < duration:
                t, n = t + 3.0, n + 1
        polls.append(n)
        latencies.append(t - duration)
    latencies.sort()
    return statistics.mean(polls), statistics.mean(latencies), latencies[int(0.95 * len(latencies))]


@pytest.mark.parametrize("estimate", [52.0, 300.0])
def test_schedule_beats_the_seed_tip_on_polls_and_latency(estimate: float) -> None:
    ours = _simulate(estimate, "ours", random.Random(7))
    tip = _simulate(estimate, "tip", random.Random(7))
    assert ours[0] <= tip[0]  # no more requests
    assert ours[1] * 2 <= tip[1]  # at least 2x lower mean latency
    assert ours[2] * 3 <= tip[2]  # at least 3x lower p95 latency


def test_schedule_is_near_the_theoretical_floor() -> None:
    # E[L] * E[N] >= K, K ~ 0.28 E for log-uniform durations on [0.5E, 2E].
    polls, latency, _ = _simulate(52.0, "ours", random.Random(3))
    assert polls * latency <= 1.3 * 0.2805 * 52.0


@given(
    estimate=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    elapsed=st.floats(min_value=0, max_value=1e6),
)
def test_delay_is_always_a_finite_positive_wait(estimate: float | None, elapsed: float) -> None:
    delay = PollSchedule(estimate, ScheduleParams(), random.Random(0)).delay(elapsed)
    assert math.isfinite(delay)
    assert delay >= ScheduleParams().min_gap * 0.999


def test_backoff_doubles_with_jitter_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(first=1.0, factor=2.0, cap=8.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_retry_after_is_clamped() -> None:
    assert clamp_retry_after(-3) == 0.0
    assert clamp_retry_after(12.5) == 12.5
    assert clamp_retry_after(10_000) == 300.0
    assert clamp_retry_after(math.inf) == 300.0
