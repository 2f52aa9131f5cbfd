"""The batch tracker against a real runner, a real client and the loopback sandbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.batch import BatchCounts
from get3w_desktop.core.errors import Action, RateLimitedError
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.workers.batch import MAX_RESENDS, BatchTracker, never_created
from get3w_desktop.workers.runner import TaskRunner
from tests.faults.support import Recorder, server_view
from tests.workers.test_runner import FAST, FakeClient

FLUX = "wavespeed-ai/flux-dev"  # an 8 s estimate: ~0.16 s at the sandbox's 0.02 scale
SCALE = 0.02


class Harness:
    """A client, a runner and a tracker over one sandbox, torn down together."""

    def __init__(self, server: SandboxServer, outputs: Path, concurrency: int) -> None:
        self.client = Get3WClient(server.base_url, SANDBOX_API_KEY, timeout=(2.0, 5.0))
        self.runner = TaskRunner(self.client, outputs, max_concurrency=concurrency,
                                 expected_kind=lambda _m: "image",
                                 schedule=ScheduleParams(jitter=0.0).scaled(SCALE))  # fmt: skip
        self.recorder = Recorder(self.runner)
        self.tracker = BatchTracker(self.runner)
        self.finished: list[BatchCounts] = []
        self.tracker.finished.connect(self.finished.append)

    def close(self) -> None:
        assert self.runner.shutdown(timeout_ms=10_000)
        self.client.close()


Make = Callable[..., Harness]


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    made: list[Harness] = []

    def build(server: SandboxServer, concurrency: int = 4) -> Harness:
        made.append(Harness(server, tmp_path / f"out{len(made)}", concurrency))
        return made[-1]

    yield build
    for harness in made:
        harness.close()


def prompts(n: int, word: str = "item") -> list[dict[str, object]]:
    return [{"prompt": f"{word} {i}", "seed": i} for i in range(n)]


def test_a_batch_larger_than_the_server_limit_loses_nothing_and_sends_nothing_twice(
    qtbot: QtBot, make: Make, tmp_path: Path
) -> None:
    """Four local slots against a server that accepts two: 429s, each item still once."""
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, concurrency_limit=2, seed=3)
    with SandboxServer(config) as server:
        h = make(server, concurrency=4)
        jobs = h.tracker.start(FLUX, prompts(10), "sandbox")
        assert h.tracker.counts().total == 10
        qtbot.waitUntil(lambda: bool(h.finished), timeout=25_000)
        truth = server_view(server)
        submits = server.stats.submits
    finals = h.recorder.finals(jobs)
    assert [job.state for job in finals] == [JobState.COMPLETED] * 10
    assert all(job.files and Path(job.files[0]).stat().st_size > 0 for job in finals)
    # The server saw 429s (the runner's notes say so) ...
    assert any("Retrying" in note or "free slot" in note for note in h.recorder.notes())
    # ... yet created exactly one task per item: none lost, none twice.
    assert submits == 10
    assert Counter(task.prompt for task in truth) == Counter(f"item {i}" for i in range(10))
    assert [job.remote_id for job in finals] == [j.remote_id for j in h.tracker.jobs()]
    summary = h.finished[-1]
    assert (summary.total, summary.done, summary.failed) == (10, 10, 0)
    assert h.tracker.progress == 1.0 and len(h.finished) == 1


def test_progress_rises_to_one_and_changed_fires_along_the_way(
    qtbot: QtBot, make: Make, sandbox: SandboxServer
) -> None:
    h = make(sandbox, concurrency=2)
    seen: list[float] = []
    h.tracker.changed.connect(lambda: seen.append(h.tracker.progress))
    h.tracker.start(FLUX, prompts(5), "sandbox")
    qtbot.waitUntil(lambda: bool(h.finished), timeout=20_000)
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)  # never goes backwards
    assert {0.2, 0.4, 0.6, 0.8} <= set(seen)
    assert h.tracker.counts().text() == "Batch: 5 of 5 done"


def test_retry_failed_resends_only_the_failed_ones_with_their_parameters(
    qtbot: QtBot, make: Make
) -> None:
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, failure_rate=0.5, seed=11)
    with SandboxServer(config) as server:
        h = make(server)
        h.tracker.start(FLUX, prompts(8), "sandbox")
        qtbot.waitUntil(lambda: bool(h.finished), timeout=20_000)
        failed = h.tracker.failed_jobs()
        done_before = h.tracker.counts().done
        assert failed and done_before  # the seed gives some of each
        submits_before = server.stats.submits
        new = h.tracker.retry_failed()
        assert h.tracker.is_active()
        qtbot.waitUntil(lambda: len(h.finished) == 2, timeout=20_000)
        assert server.stats.submits == submits_before + len(failed)
    assert [dict(job.params) for job in new] == [dict(job.params) for job in failed]
    assert {job.local_id for job in new}.isdisjoint(job.local_id for job in failed)
    counts = h.tracker.counts()
    assert counts.total == 8  # the retried ones replace the failed ones
    assert counts.done + counts.failed == 8 and counts.done > done_before


def test_uncertain_tasks_are_exposed_and_never_resent_without_asking(
    qtbot: QtBot, make: Make
) -> None:
    faults = FaultConfig(reset_after_submit=1.0)  # created, then the answer is lost
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, faults=faults)
    with SandboxServer(config) as server:
        h = make(server)
        h.tracker.start(FLUX, prompts(3), "sandbox")
        qtbot.waitUntil(lambda: bool(h.finished), timeout=20_000)
        assert server.stats.submits == 3
        assert len(h.tracker.uncertain_jobs()) == 3
        assert h.tracker.retry_failed() == []  # "Retry failed" leaves them alone
        qtbot.wait(400)  # longer than the resend delay: nothing goes out by itself
        assert server.stats.submits == 3
        assert h.finished[-1].uncertain == 3
        again = h.tracker.retry_uncertain()  # the person said yes
        qtbot.waitUntil(lambda: server.stats.submits == 6, timeout=10_000)
        qtbot.waitUntil(lambda: len(h.finished) == 2, timeout=20_000)
    assert len(again) == 3


def test_cancel_all_stops_what_has_not_run_and_reports_the_batch_once(
    qtbot: QtBot, make: Make, sandbox: SandboxServer
) -> None:
    h = make(sandbox, concurrency=1)
    jobs = h.tracker.start(FLUX, prompts(6), "sandbox")
    qtbot.waitUntil(lambda: h.tracker.counts().running >= 1, timeout=10_000)
    stopped = h.tracker.cancel_all()
    qtbot.waitUntil(lambda: bool(h.finished), timeout=10_000)
    counts = h.finished[-1]
    assert stopped >= 5 and counts.stopped >= 5
    assert counts.done + counts.stopped == 6
    assert sandbox.stats.submits == counts.done + sum(
        1 for job in h.recorder.finals(jobs) if job.state is JobState.CANCELLED and job.remote_id
    )
    assert len(h.finished) == 1


def job_at(state: JobState, **changes: object) -> Job:
    return Job(model_id=FLUX, params={"prompt": "x"}, state=state).evolve(**changes)


def test_only_failures_that_never_reached_the_server_count_as_never_created() -> None:
    task = Task(id="t1", status="failed")
    assert never_created(job_at(JobState.FAILED, error_action=Action.RETRY))
    assert never_created(job_at(JobState.FAILED, error_action=Action.CHECK_NETWORK))
    assert not never_created(job_at(JobState.FAILED, error_action=Action.RETRY, task=task))
    assert not never_created(job_at(JobState.FAILED, error_action=Action.TOP_UP))
    assert not never_created(job_at(JobState.FAILED))  # a history write failure: no action
    assert not never_created(job_at(JobState.UNCERTAIN, error_action=Action.CHOOSE))


def test_snapshots_of_other_jobs_do_not_count(
    qtbot: QtBot, make: Make, sandbox: SandboxServer
) -> None:
    h = make(sandbox, concurrency=2)
    outside = h.runner.submit(FLUX, {"prompt": "not in the batch"})
    h.tracker.start(FLUX, prompts(2), "sandbox")
    qtbot.waitUntil(lambda: bool(h.finished), timeout=20_000)
    qtbot.waitUntil(lambda: not h.recorder.final(outside).state.active, timeout=20_000)
    assert h.tracker.counts().total == 2
    assert outside.local_id not in h.tracker.local_ids


def test_a_storm_of_429s_on_every_route_still_creates_each_item_exactly_once(
    qtbot: QtBot, make: Make
) -> None:
    faults = FaultConfig(rate_limit=0.3, retry_after=0.05)  # submits, polls, everything
    config = SandboxConfig(time_scale=SCALE, render_scale=0.1, seed=5, faults=faults)
    with SandboxServer(config) as server:
        h = make(server, concurrency=6)
        jobs = h.tracker.start(FLUX, prompts(6, "storm"), "sandbox")
        qtbot.waitUntil(lambda: bool(h.finished), timeout=28_000)
        truth = server_view(server)
        submits = server.stats.submits
        rate_limited = server.stats.faults_injected.get("rate_limit", 0)
    assert rate_limited > 0
    assert [job.state for job in h.recorder.finals(jobs)] == [JobState.COMPLETED] * 6
    assert submits == 6
    assert sorted(task.prompt for task in truth) == sorted(f"storm {i}" for i in range(6))
    assert len(h.tracker.jobs()) == 6 and len(h.finished) == 1


class RefusingClient(FakeClient):
    """Answers the first `refusals` submits with 429 after the client's own retries."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.created: list[str] = []
        self.refused = 0

    def submit_with_safe_retries(self, model_id: str, params: object, **kw: Any) -> Task:
        with self._lock:
            refuse = self.refusals > 0
            self.refusals -= refuse
            self.refused += refuse
        if refuse:
            raise RateLimitedError("Too many tasks are running.", retry_after=0.01)
        task = super().submit_with_safe_retries(model_id, params, **kw)
        assert isinstance(params, Mapping)
        with self._lock:
            self.created.append(str(params["prompt"]))
        return task


def test_items_the_client_gave_up_on_after_429s_are_sent_again_as_the_same_jobs(
    qtbot: QtBot, tmp_path: Path
) -> None:
    client = RefusingClient(refusals=5)
    runner = TaskRunner(client, tmp_path, max_concurrency=3, schedule=FAST)
    recorder = Recorder(runner)
    tracker = BatchTracker(runner, resend_delay_ms=5)
    finished: list[BatchCounts] = []
    tracker.finished.connect(finished.append)
    try:
        jobs = tracker.start("m", prompts(8, "again"), "sandbox")
        qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    finally:
        assert runner.shutdown()
    gave_up = [job for job in jobs
               if any(never_created(s) for s in recorder.snapshots[job.local_id])]  # fmt: skip
    assert len(gave_up) >= 1 and (client.refused, client.submits) == (5, 8)
    assert [job.state for job in recorder.finals(jobs)] == [JobState.COMPLETED] * 8
    assert sorted(client.created) == sorted(f"again {i}" for i in range(8))  # each once
    assert any("free slot" in note for note in recorder.notes())
    assert (finished[0].done, finished[0].failed, len(finished)) == (8, 0, 1)


def test_an_item_refused_too_often_ends_failed_and_retry_failed_brings_it_back(
    qtbot: QtBot, tmp_path: Path
) -> None:
    client = RefusingClient(refusals=MAX_RESENDS + 1)
    runner = TaskRunner(client, tmp_path, max_concurrency=1, schedule=FAST)
    tracker = BatchTracker(runner, resend_delay_ms=5)
    finished: list[BatchCounts] = []
    tracker.finished.connect(finished.append)
    try:
        tracker.start("m", prompts(1), "sandbox")
        qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
        assert (finished[0].failed, client.refused, client.submits) == (1, MAX_RESENDS + 1, 0)
        [again] = tracker.retry_failed()
        qtbot.waitUntil(lambda: len(finished) == 2, timeout=10_000)
    finally:
        assert runner.shutdown()
    assert finished[1].done == 1 and client.created == ["item 0"]
    assert again.params == {"prompt": "item 0", "seed": 0}
