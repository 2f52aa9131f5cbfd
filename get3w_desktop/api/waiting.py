"""Wait for a task to finish: poll on the schedule, survive the network, stop at once.

The loop never marks a task failed because of the network: a failed GET is always safe
to repeat, so it backs off (1 -> 2 -> 4 … 30 s) and tells the caller what it is doing.

With a time limit, the loop always polls once more just before giving up (an estimate
can be far off: a task estimated at 100 s may be done in one), and every poll ends by
the limit however slowly the server answers.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import time
from collections.abc import Callable
from typing import Protocol

from get3w_desktop.api.deadline import overall_deadline
from get3w_desktop.core.errors import (
    AuthError,
    BadResponseError,
    CancelledError,
    InsufficientBalanceError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    WaitTimeoutError,
)
from get3w_desktop.core.schedule import Backoff, PollSchedule, ScheduleParams
from get3w_desktop.core.task import Task

#: A 404 this soon after submit is eventual consistency, not a lost task.
NOT_FOUND_GRACE = 30.0
#: The last poll before a time limit starts this long before it (at most a tenth of the
#: limit), so its answer can arrive in time.
FINAL_POLL_MARGIN = 2.0


class Poller(Protocol):
    def get(self, task_id: str) -> Task: ...


class WaitState(enum.Enum):
    POLLED = "polled"  # a fresh snapshot arrived
    RETRYING = "retrying"  # the server answered badly (5xx, malformed); trying again
    WAITING_FOR_NETWORK = "waiting_for_network"
    RATE_LIMITED = "rate_limited"


@dataclasses.dataclass(frozen=True)
class WaitEvent:
    """What the wait loop is doing, for progress displays."""

    state: WaitState
    task: Task
    elapsed: float
    overdue: bool = False  # running much longer than estimated
    retry_in: float | None = None
    message: str = ""


class Wake(enum.Enum):
    ELAPSED = "elapsed"
    CANCELLED = "cancelled"
    CLOCK_JUMP = "clock_jump"  # the machine slept: poll now


class Sleeper(Protocol):
    def __call__(self, seconds: float) -> Wake: ...


class EventSleeper:
    """Waits on a cancel event in slices, noticing when the wall clock jumps ahead.

    Monotonic time stops while a laptop sleeps; the wall clock does not. A jump of the
    wall clock beyond the monotonic one means we slept, and every task should be polled
    at once instead of finishing a wait that started before the sleep.
    """

    def __init__(
        self,
        cancel: threading.Event,
        slice_seconds: float = 5.0,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cancel = cancel
        self.slice = slice_seconds
        self._wall = wall
        self._mono = monotonic

    def __call__(self, seconds: float) -> Wake:
        end = self._mono() + seconds
        while True:
            remaining = end - self._mono()
            if remaining <= 0:
                return Wake.ELAPSED
            step = min(remaining, self.slice)
            wall, mono = self._wall(), self._mono()
            if self.cancel.wait(step):
                return Wake.CANCELLED
            if (self._wall() - wall) - (self._mono() - mono) > 2.0:
                return Wake.CLOCK_JUMP


def wait_for_task(
    client: Poller,
    task: Task,
    *,
    cancel: threading.Event,
    on_event: Callable[[WaitEvent], None] | None = None,
    params: ScheduleParams | None = None,
    timeout: float | None = None,
    elapsed_at_start: float = 0.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Sleeper | None = None,
    not_found_grace: float = NOT_FOUND_GRACE,
) -> Task:
    """Poll until `task` is terminal and return the final snapshot (completed or failed).

    `elapsed_at_start` is how long ago the task was submitted (resuming after a restart).
    Raises CancelledError (cancel set), WaitTimeoutError (`timeout` seconds passed),
    NotFoundError (the server forgot the task), AuthError / InsufficientBalanceError.
    """
    if task.terminal:
        return task
    params = params or ScheduleParams()
    schedule = PollSchedule(task.estimated_duration, params)
    sleeper = sleep or EventSleeper(cancel)
    backoff = Backoff(first=params.min_gap * 2, cap=params.max_gap)
    started = clock() - elapsed_at_start

    def elapsed() -> float:
        return clock() - started

    def emit(state: WaitState, retry_in: float | None = None, message: str = "") -> None:
        if on_event is not None:
            now = elapsed()
            on_event(WaitEvent(state, task, now, schedule.overdue(now), retry_in, message))

    def give_up() -> WaitTimeoutError:
        return WaitTimeoutError(
            f"Still running after {timeout:.0f} s; the task continues on the server.",
            task_id=task.id,
        )

    margin = min(FINAL_POLL_MARGIN, 0.1 * timeout) if timeout is not None else 0.0
    delay = schedule.delay(elapsed())
    while True:
        final = False
        if timeout is not None and elapsed() + delay >= timeout - margin:
            delay = max(0.0, timeout - margin - elapsed())
            final = True  # the last look before giving up: never skipped
        if sleeper(delay) is Wake.CANCELLED:
            raise CancelledError("Stopped waiting.")
        if cancel.is_set():
            raise CancelledError("Stopped waiting.")
        try:
            if timeout is None:
                snapshot = client.get(task.id)
            else:  # however slowly the answer drips, it ends by the limit
                with overall_deadline(time.monotonic() + max(0.0, timeout - elapsed())):
                    snapshot = client.get(task.id)
        except (AuthError, InsufficientBalanceError):
            raise
        except NotFoundError as exc:
            if elapsed() > not_found_grace:
                raise NotFoundError(
                    "The server no longer knows this task: it may have expired or been "
                    "deleted. Stopped checking; the local record is kept.",
                    detail=exc.detail,
                ) from None
            if final:
                raise give_up() from None
            delay = backoff.next_delay()
            emit(WaitState.RETRYING, delay, "The server does not know the task yet.")
            continue
        except RateLimitedError as exc:
            if final:
                raise give_up() from None
            delay = max(backoff.next_delay(), exc.retry_after or 0.0, schedule.delay(elapsed()))
            emit(WaitState.RATE_LIMITED, delay, exc.message)
            continue
        except NetworkError as exc:
            if final:
                raise give_up() from None
            delay = backoff.next_delay()
            emit(WaitState.WAITING_FOR_NETWORK, delay, exc.message)
            continue
        except (ServerError, BadResponseError) as exc:
            if final:
                raise give_up() from None
            delay = max(backoff.next_delay(), getattr(exc, "retry_after", None) or 0.0)
            emit(WaitState.RETRYING, delay, exc.message)
            continue
        backoff.reset()
        task = task.merged_with(snapshot)
        emit(WaitState.POLLED)
        if task.terminal:
            return task
        if final:
            raise give_up()
        delay = schedule.delay(elapsed())
