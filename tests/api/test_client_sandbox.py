"""The client against the sandbox over real HTTP: modes, errors, outputs, polling economy."""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.waiting import Wake, wait_for_task
from get3w_desktop.core.errors import (
    AuthError,
    InsufficientBalanceError,
    InvalidParametersError,
    NotFoundError,
    RateLimitedError,
    SubmissionUncertainError,
)
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.core.task import Phase, SubmitMode, Task
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer

IMAGE_MODEL = "google/nano-banana-pro/text-to-image"
FAST = ScheduleParams(jitter=0.0).scaled(0.02)


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[Get3WClient]:
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as c:
        yield c


def run(client: Get3WClient, params: Mapping[str, Any], model: str = IMAGE_MODEL) -> Task:
    task = client.submit(model, params)
    return wait_for_task(client, task, cancel=threading.Event(), params=FAST)


def test_async_task_completes_with_a_real_image_in_the_asked_aspect(
    client: Get3WClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    task = client.submit(IMAGE_MODEL, {"prompt": "A sunset over mountains", "aspect_ratio": "16:9"})
    assert task.status == "created" and task.estimated_duration
    final = wait_for_task(client, task, cancel=threading.Event(), params=FAST)
    assert final.phase is Phase.COMPLETED
    assert final.timings.get("total", 0) > 0
    saved = client.download(final.outputs[0], tmp_path, "out_0", expected_kind="image")
    assert saved.path.suffix == ".png"
    assert [saved.sha256] == sandbox.output_checksums(final.id)
    with Image.open(saved.path) as image:
        width, height = image.size
    assert abs(width / height - 16 / 9) < 0.02


def test_sync_mode_returns_a_finished_task(client: Get3WClient) -> None:
    task = client.submit(IMAGE_MODEL, {"prompt": "quick"}, mode=SubmitMode.SYNC)
    assert task.terminal


def test_a_sync_timeout_falls_back_to_polling_the_same_task() -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, sync_timeout=0.001)
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        task = c.submit(IMAGE_MODEL, {"prompt": "slow"}, mode=SubmitMode.SYNC)
        assert not task.terminal  # the gateway stopped holding
        final = wait_for_task(c, task, cancel=threading.Event(), params=FAST)
        assert final.phase is Phase.COMPLETED
        assert server.stats.submits == 1


def test_a_sync_gateway_504_is_uncertain_and_not_resent() -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, sync_timeout=0.001,
                           sync_timeout_mode="504")  # fmt: skip
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        with pytest.raises(SubmissionUncertainError):
            c.submit_with_safe_retries(IMAGE_MODEL, {"prompt": "slow"}, mode=SubmitMode.SYNC)
        assert server.stats.submits == 1


def test_a_failed_task_reports_its_code(client: Get3WClient) -> None:
    final = run(client, {"prompt": "a [fail:1200] cat"})
    assert final.phase is Phase.FAILED
    assert final.code == 1200 and final.error


@pytest.mark.parametrize(
    ("key", "error"),
    [("sk_nobody_123456", AuthError), ("", AuthError)],
)
def test_bad_keys_are_auth_errors(sandbox: SandboxServer, key: str, error: type[Exception]) -> None:
    with Get3WClient(sandbox.base_url, key or None) as c, pytest.raises(error):
        c.submit(IMAGE_MODEL, {"prompt": "x"})


def test_an_empty_balance_is_insufficient_balance() -> None:
    config = SandboxConfig(time_scale=0.02, keys={"sk_broke_000000": 0.0})
    with SandboxServer(config) as server, Get3WClient(server.base_url, "sk_broke_000000") as c:
        with pytest.raises(InsufficientBalanceError) as caught:
            c.submit(IMAGE_MODEL, {"prompt": "x"})
        assert "Top up" in caught.value.message


def test_invalid_parameters_and_unknown_models(client: Get3WClient) -> None:
    with pytest.raises(InvalidParametersError):
        client.submit(IMAGE_MODEL, {"prompt": "x", "aspect_ratio": "7:3"})
    with pytest.raises(NotFoundError):
        client.submit("nobody/no-such-model", {"prompt": "x"})
    with pytest.raises(NotFoundError):
        client.get("00000000-0000-0000-0000-000000000000")


def test_the_concurrency_cap_answers_429_and_a_retry_after() -> None:
    config = SandboxConfig(time_scale=1.0, render_scale=0.25, concurrency_limit=2)
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        c.submit(IMAGE_MODEL, {"prompt": "1"})
        c.submit(IMAGE_MODEL, {"prompt": "2"})
        with pytest.raises(RateLimitedError) as caught:
            c.submit(IMAGE_MODEL, {"prompt": "3"})
        assert caught.value.retry_after is not None
        assert server.task_count() == 2


def test_a_reset_after_the_task_was_created_is_uncertain_and_exactly_one_task_exists() -> None:
    config = SandboxConfig(time_scale=0.02, faults=FaultConfig(reset_after_submit=1.0))
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        with pytest.raises(SubmissionUncertainError):
            c.submit_with_safe_retries(IMAGE_MODEL, {"prompt": "x"}, attempts=5)
        assert server.task_count() == 1


def test_polls_survive_server_faults_and_reach_the_true_state() -> None:
    faults = FaultConfig(server_error=0.3, malformed_json=0.2, reset=0.2, rate_limit=0.1,
                         retry_after=0.01)  # fmt: skip
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, seed=5, faults=faults)
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        task = c.submit_with_safe_retries(IMAGE_MODEL, {"prompt": "x"}, attempts=10)
        final = wait_for_task(c, task, cancel=threading.Event(), params=FAST)
        assert final.phase is Phase.COMPLETED
        assert sum(server.stats.faults_injected.values()) > 0


def test_v3_routes_when_served_and_when_not(client: Get3WClient) -> None:
    assert len(client.list_models()) >= 12
    before = client.balance()
    assert before is not None
    run(client, {"prompt": "spend"})
    after = client.balance()
    assert after is not None and after < before
    with (
        SandboxServer(SandboxConfig(v3_enabled=False)) as bare,
        Get3WClient(bare.base_url, SANDBOX_API_KEY) as c,
    ):
        assert c.balance() is None
        assert c.delete("anything") is False


def test_upload_then_delete(client: Get3WClient, tmp_path: Path) -> None:
    picture = tmp_path / "in.png"
    Image.new("RGB", (8, 8), "red").save(picture)
    url = client.upload(picture)
    assert url.startswith("http")
    task = client.submit(IMAGE_MODEL, {"prompt": "x"})
    assert client.delete(task.id) is True
    with pytest.raises(NotFoundError):
        client.get(task.id)


def test_the_key_never_reaches_the_output_host(
    client: Get3WClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    final = run(client, {"prompt": "x", "num_images": 1})
    client.download(final.outputs[0], tmp_path, "a")
    assert sandbox.stats.output_requests >= 1
    assert sandbox.stats.output_auth_headers == []


# -- polling economy -----------------------------------------------------------------


class VirtualClock:
    """Shared by the sandbox and the wait loop: sleeping advances time instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> Wake:
        with self.lock:
            self.now += seconds
        return Wake.ELAPSED


def seed_tip_poll(client: Get3WClient, task: Task, clock: VirtualClock) -> tuple[Task, float]:
    """The seed's advice: wait estimated_duration, then poll every 3 s."""
    clock.sleep(task.estimated_duration or 0)
    while True:
        task = client.get(task.id)
        if task.terminal:
            return task, clock()
        clock.sleep(3.0)


def test_our_schedule_beats_the_seed_advice_on_requests_and_latency() -> None:
    """Same tasks, same durations, counted by the sandbox: fewer polls, earlier notice."""
    clock = VirtualClock()
    estimate = 52.0
    rng = random.Random(11)
    durations = [estimate * math.exp(rng.uniform(math.log(0.5), math.log(2.0))) for _ in range(40)]
    queue = list(durations) * 2  # each strategy sees the same durations, in order
    config = SandboxConfig(time_scale=1.0, render_scale=0.25, clock=clock,
                           duration_fn=lambda _model, _params: queue.pop(0),
                           concurrency_limit=1000)  # fmt: skip
    results: dict[str, tuple[int, float]] = {}
    with SandboxServer(config) as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as c:
        for strategy in ("ours", "seed"):
            polls_before = sum(server.stats.polls_by_task.values())
            latency = 0.0
            for duration in durations:
                start = clock()
                task = c.submit(IMAGE_MODEL, {"prompt": "bench"})
                task = dataclasses.replace(task, estimated_duration=estimate)
                if strategy == "ours":
                    final = wait_for_task(c, task, cancel=threading.Event(), clock=clock,
                                          sleep=clock.sleep)  # fmt: skip
                    done_at = clock()
                else:
                    final, done_at = seed_tip_poll(c, task, clock)
                assert final.phase is Phase.COMPLETED
                latency += done_at - (start + duration)
            polls = sum(server.stats.polls_by_task.values()) - polls_before
            results[strategy] = (polls, latency / len(durations))
    ours, seed = results["ours"], results["seed"]
    assert ours[0] < seed[0], results  # fewer requests per task
    assert ours[1] < seed[1], results  # and completion noticed sooner on average
