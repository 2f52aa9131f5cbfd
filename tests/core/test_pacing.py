"""core.pacing: a worker's loop pauses once per `work_s` of its own time, never more."""

from __future__ import annotations

from get3w_desktop.core.pacing import PAUSE_S, WORK_S, Pacer, paced


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_loop_pauses_once_per_budget_of_work() -> None:
    clock = FakeClock()
    pace = Pacer(0.002, 0.0003, clock=clock, sleep=clock.sleep)
    for _ in range(100):  # 100 items of 0.1 ms each: 10 ms of work
        clock.now += 0.0001
        pace()
    # A pause after each 2 ms of work (20 items), and the pause itself is not work.
    assert pace.pauses == 100 // 20 == len(clock.slept)
    assert clock.slept == [0.0003] * 5


def test_quick_loops_never_pause() -> None:
    clock = FakeClock()
    pace = Pacer(0.002, 0.0003, clock=clock, sleep=clock.sleep)
    for _ in range(19):
        clock.now += 0.0001
        pace()
    assert pace.pauses == 0 and clock.slept == []


def test_one_long_item_pauses_once_after_it() -> None:
    clock = FakeClock()
    pace = Pacer(0.002, 0.0003, clock=clock, sleep=clock.sleep)
    clock.now += 0.050
    pace()
    pace()  # the clock restarted after the pause: nothing more to hand over
    assert pace.pauses == 1


def test_the_defaults_hold_the_lock_less_than_the_switch_interval() -> None:
    import sys

    assert 0 < WORK_S < sys.getswitchinterval()
    assert 0 < PAUSE_S < WORK_S


def test_paced_calls_pace_after_each_item_and_none_means_no_pauses() -> None:
    seen: list[str] = []
    items = iter(["a", "b", "c"])
    for item in paced(items, lambda: seen.append("pause")):
        seen.append(item)
    assert seen == ["a", "pause", "b", "pause", "c", "pause"]
    assert list(paced([1, 2], None)) == [1, 2]
