"""When to poll a task, and how to back off when the network fails.

The seed's advice (wait `estimated_duration`, then poll every 3 s) notices early finishers
late and polls a lot for slow ones. We place polls where a finish is most likely instead:
real durations spread around the estimate E (we assume log-uniform on a window [0.5E, 2E]),
and the density of checks that minimises latency x requests is proportional to the square
root of the hazard rate (Keller's continuous checking schedule). For a log-uniform window
[a, b] the hazard is h(t) = 1 / (t ln(b/t)); with w = sqrt(ln(b/t)) the cumulative density
of sqrt(h) becomes erf(w / sqrt 2), so the poll times have a closed form up to one
bisection. Past the window we back off geometrically; `Retry-After` always wins (the
caller takes the larger of the two waits).
"""

from __future__ import annotations

import dataclasses
import math
import random


@dataclasses.dataclass(frozen=True)
class ScheduleParams:
    """Tunables; every duration is in seconds, so scaling them all scales the schedule."""

    #: Seconds of detection delay one extra request is worth (higher = fewer polls).
    lam: float = 0.6
    #: The window, as multiples of the estimate, where finishes are expected.
    window: tuple[float, float] = (0.5, 2.0)
    #: Gap growth factor past the window, and its cap: `max_gap` seconds, and never more
    #: than `max_gap_fraction` x E, so a task running 2-10x over its estimate is still
    #: noticed within a fifth of an estimate (bench/polling.py, "tail" spread).
    backoff: float = 1.25
    max_gap: float = 30.0
    max_gap_fraction: float = 0.2
    #: Past `slow_after` x E, poll every `slow_gap` seconds.
    slow_after: float = 10.0
    slow_gap: float = 60.0
    #: A task past `overdue_after` x E is "slower than usual".
    overdue_after: float = 3.0
    #: +- fraction of random jitter on every wait, so many tasks do not poll in lockstep.
    jitter: float = 0.1
    #: Never poll more often than this.
    min_gap: float = 0.5
    #: Assumed when the server gives no estimate (or a nonsensical one).
    default_estimate: float = 20.0
    #: An estimate above this is not believed as seconds (see `sane_estimate`).
    max_plausible_estimate: float = 2 * 3600.0
    #: The first poll comes at most this long after submit, whatever the estimate.
    first_poll_cap: float = 300.0

    def scaled(self, factor: float) -> ScheduleParams:
        """The same schedule on a clock running `1/factor` times faster (tests, benchmarks)."""
        return dataclasses.replace(
            self,
            lam=self.lam * factor,
            max_gap=self.max_gap * factor,
            slow_gap=self.slow_gap * factor,
            min_gap=self.min_gap * factor,
            default_estimate=self.default_estimate * factor,
            max_plausible_estimate=self.max_plausible_estimate * factor,
            first_poll_cap=self.first_poll_cap * factor,
        )


#: Estimates are clamped to this (seconds): a server claiming a week must not make us plan
#: millions of polls.
MAX_ESTIMATE = 6 * 3600.0


def sane_estimate(value: float | None, max_plausible: float) -> float | None:
    """A server's `estimated_duration` as seconds we can plan with, or None (unknown).

    Non-numbers, zero, negatives and infinities are unknown. A value above
    `max_plausible` is not believed as seconds: 52000 for a 52 s model is milliseconds
    sent by mistake, so value / 1000 is used when that is plausible, else unknown.
    """
    if value is None or not math.isfinite(value) or value <= 0:
        return None
    if value <= max_plausible:
        return value
    as_ms = value / 1000.0
    return as_ms if as_ms <= max_plausible else None


#: Most polls ever spent inside one window.
MAX_WINDOW_POLLS = 200


def window_poll_count(estimate: float, lam: float) -> int:
    """How many polls to spend inside the window: ~sqrt(2.7 E / lambda), 2 to 200."""
    return min(MAX_WINDOW_POLLS, max(2, round(math.sqrt(2.7 * estimate / max(lam, 1e-9)))))


def _w_for_mass(fraction: float, w_max: float) -> float:
    """Solve erf(w / sqrt 2) = fraction * erf(w_max / sqrt 2) for w in [0, w_max]."""
    target = fraction * math.erf(w_max / math.sqrt(2.0))
    lo, hi = 0.0, w_max
    for _ in range(60):
        mid = (lo + hi) / 2.0
        if math.erf(mid / math.sqrt(2.0)) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def window_poll_times(estimate: float, params: ScheduleParams) -> tuple[float, ...]:
    """Poll times (seconds after submit) inside the window; the last one is its end."""
    start, end = (estimate * params.window[0], estimate * params.window[1])
    if end <= start:
        return (max(start, params.min_gap),)
    count = window_poll_count(estimate, params.lam)
    w_max = math.sqrt(math.log(end / start))
    times: list[float] = []
    for i in range(1, count + 1):
        remaining = (count - i) / count  # share of the check density still ahead of poll i
        w = _w_for_mass(remaining, w_max)
        times.append(end * math.exp(-w * w))
    return tuple(times)


class PollSchedule:
    """The planned poll times for one task, queried by elapsed time since submit.

    Stateless in time: `delay(elapsed)` answers "how long from now until the next planned
    poll", so a slow answer, a retry or a sleeping laptop simply skips planned points.
    """

    def __init__(
        self,
        estimate: float | None,
        params: ScheduleParams | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.params = params or ScheduleParams()
        sane = sane_estimate(estimate, self.params.max_plausible_estimate)
        if sane is None:
            sane = self.params.default_estimate
        self.estimate = min(max(sane, self.params.min_gap), MAX_ESTIMATE)
        self._rng = rng or random.Random()
        self._times = list(window_poll_times(self.estimate, self.params))
        # An estimate can be wrong by far more than its window allows: never wait blind
        # for longer than the cap before the first look.
        if self._times[0] > self.params.first_poll_cap:
            self._times.insert(0, max(self.params.first_poll_cap, self.params.min_gap))
        #: The planned point the last delay aimed at: jitter may wake us just before it,
        #: and it must not be aimed at twice.
        self._last_target = -math.inf

    def planned_times(self, until: float) -> list[float]:
        """Every planned poll time up to `until` seconds (without jitter): for tests and plots."""
        self._extend_to(until)
        return [t for t in self._times if t <= until]

    def delay(self, elapsed: float) -> float:
        """Seconds to wait, from `elapsed` seconds after submit, before the next poll.

        Each planned point is aimed at once; points already in the past are skipped.
        """
        p = self.params
        floor = max(elapsed, self._last_target)
        self._extend_to(floor + p.min_gap)
        next_time = next(t for t in self._times if t > floor + 1e-9)
        self._last_target = next_time
        wait = next_time - elapsed
        if p.jitter:
            wait *= self._rng.uniform(1.0 - p.jitter, 1.0 + p.jitter)
        return max(wait, p.min_gap)

    def overdue(self, elapsed: float) -> bool:
        """True when the task runs much longer than estimated ("slower than usual")."""
        return elapsed > self.params.overdue_after * self.estimate

    def _extend_to(self, until: float) -> None:
        p = self.params
        times = self._times
        if len(times) >= 2:
            gap = max(times[-1] - times[-2], p.min_gap)
        else:
            gap = max(p.min_gap, times[-1] * 0.1)
        while times[-1] <= until:
            last = times[-1]
            if last >= p.slow_after * self.estimate:
                gap = max(p.slow_gap, p.min_gap)
            else:
                cap = max(min(p.max_gap, p.max_gap_fraction * self.estimate), p.min_gap)
                gap = min(max(gap * p.backoff, p.min_gap), cap)
            times.append(last + gap)


class Backoff:
    """Exponential backoff with jitter for transient failures (network down, 5xx, bad JSON)."""

    def __init__(
        self,
        first: float = 1.0,
        factor: float = 2.0,
        cap: float = 30.0,
        jitter: float = 0.1,
        rng: random.Random | None = None,
    ) -> None:
        self.first, self.factor, self.cap, self.jitter = first, factor, cap, jitter
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        base = min(self.cap, self.first * self.factor**self.attempt)
        self.attempt += 1
        return base * self._rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)

    def reset(self) -> None:
        self.attempt = 0


def clamp_retry_after(seconds: float, ceiling: float = 300.0) -> float:
    """Keep a server's Retry-After within 0..ceiling seconds."""
    if not math.isfinite(seconds):
        return ceiling
    return min(max(seconds, 0.0), ceiling)
