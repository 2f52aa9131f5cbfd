"""The sandbox's memory: accounts, tasks and their timelines, outputs, statistics.

A task's whole future is decided when it is created (duration, outcome, fault fate),
from the config's seed and the task's number, so a run is reproducible; its status at
any moment is computed from the clock. All access goes through one lock.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.sandbox.config import SandboxConfig

#: Task codes from the contract, with the message the sandbox gives for each.
TASK_ERRORS: dict[int, str] = {
    1200: "The content was flagged by moderation.",
    1400: "A required parameter is missing.",
    1401: "A parameter is invalid.",
    1402: "A media URL could not be reached.",
    1403: "The task failed.",
    5000: "Internal error while generating.",
    5003: "The model is temporarily unavailable.",
    5004: "The generation timed out.",
}
_RANDOM_FAILURES = (1200, 1402, 5000, 5003, 5004)


@dataclasses.dataclass
class Output:
    data: bytes
    content_type: str
    ext: str
    sha256: str


@dataclasses.dataclass
class SandboxTask:
    id: str
    number: int
    key: str
    model: ModelInfo
    params: dict[str, Any]
    created: float  # on the sandbox clock
    created_at: str  # wall-clock ISO time for the task object
    estimate: float  # reported estimated_duration (scaled seconds)
    duration: float  # real duration (scaled seconds)
    price: float
    fails_with: int  # 0 = completes
    stuck: bool = False
    webhook: str | None = None
    deleted: bool = False
    settled: bool = False
    outputs: list[Output] | None = None
    output_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def status(self, now: float) -> str:
        elapsed = now - self.created
        if self.stuck or elapsed < 0.05 * self.duration:
            return "created"
        if elapsed < self.duration:
            return "processing"
        return "failed" if self.fails_with else "completed"

    def output_count(self) -> int:
        number = self.params.get("num_images")
        if isinstance(number, int) and not isinstance(number, bool):
            return max(1, min(number, 4))
        return 1

    def timings(self) -> dict[str, int]:
        total = self.duration * 1000.0
        split = {"queue_wait": 0.05, "celery_init": 0.08, "api_call": 0.75, "save": 0.07}
        timings = {key: round(total * share) for key, share in split.items()}
        timings["run_overhead"] = max(0, round(total) - sum(timings.values()))
        timings["total"] = round(total)
        return timings


@dataclasses.dataclass
class Stats:
    submits: int = 0
    submits_by_model: dict[str, int] = dataclasses.field(default_factory=dict)
    polls_by_task: dict[str, int] = dataclasses.field(default_factory=dict)
    requests: int = 0
    output_requests: int = 0
    output_auth_headers: list[str] = dataclasses.field(default_factory=list)
    webhook_deliveries: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    faults_injected: dict[str, int] = dataclasses.field(default_factory=dict)

    def snapshot(self) -> Stats:
        return Stats(
            self.submits, dict(self.submits_by_model), dict(self.polls_by_task), self.requests,
            self.output_requests, list(self.output_auth_headers),
            [dict(d) for d in self.webhook_deliveries], dict(self.faults_injected),
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SandboxState:
    def __init__(self, config: SandboxConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.balances: dict[str, float] = dict(config.keys)
        self.tasks: dict[str, SandboxTask] = {}
        self.uploads: dict[str, tuple[bytes, str]] = {}
        self.stats = Stats()
        self._counters: dict[str, int] = {}
        self._numbers = 0

    # -- deterministic decisions -----------------------------------------------------

    def rng(self, purpose: str, number: int) -> random.Random:
        return random.Random(f"{self.config.seed}:{purpose}:{number}")

    def decide(self, fault: str, fraction: float) -> bool:
        """Whether the next request of this kind gets `fault`; counted when it does."""
        if fraction <= 0:
            return False
        with self.lock:
            count = self._counters.get(fault, 0)
            self._counters[fault] = count + 1
            hit = self.rng(fault, count).random() < fraction
            if hit:
                self.stats.faults_injected[fault] = self.stats.faults_injected.get(fault, 0) + 1
        return hit

    def pick(self, purpose: str, options: tuple[Any, ...]) -> Any:
        with self.lock:
            count = self._counters.get(purpose, 0)
            self._counters[purpose] = count + 1
        return self.rng(purpose, count).choice(options)

    # -- tasks -----------------------------------------------------------------------

    def active_count(self, key: str) -> int:
        now = self.clock()
        return sum(
            1 for t in self.tasks.values()
            if t.key == key and not t.deleted and t.status(now) in ("created", "processing")
        )  # fmt: skip

    def create(
        self, key: str, model: ModelInfo, params: dict[str, Any], webhook: str | None
    ) -> SandboxTask:
        config = self.config
        with self.lock:
            self._numbers += 1
            number = self._numbers
            rng = self.rng("task", number)
            base = model.estimated_duration or 10.0
            if config.duration_fn is not None:
                real = config.duration_fn(model.model_id, params)
            else:
                low, high = config.duration_spread
                real = base * math.exp(rng.uniform(math.log(low), math.log(high)))
            scale = config.time_scale
            estimate = round(base * scale, 3) if scale != 1.0 else float(round(base))
            fails_with = _requested_failure(params)
            if fails_with is None:
                failing = rng.random() < config.failure_rate
                fails_with = rng.choice(_RANDOM_FAILURES) if failing else 0
            price = model.base_price or 0.0
            task = SandboxTask(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                number=number, key=key, model=model, params=params,
                created=self.clock(),
                created_at=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                estimate=estimate, duration=max(real * scale, 0.0), price=price,
                fails_with=fails_with, webhook=webhook,
                stuck=rng.random() < config.faults.stuck_created,
            )  # fmt: skip
            self.tasks[task.id] = task
            self.balances[key] = self.balances.get(key, 0.0) - price
            self.stats.submits += 1
            by_model = self.stats.submits_by_model
            by_model[model.model_id] = by_model.get(model.model_id, 0) + 1
        return task

    def find(self, task_id: str) -> SandboxTask | None:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or task.deleted:
                return None
            forget = self.config.faults.forget_after
            if forget is not None and self.clock() - task.created > forget * self.config.time_scale:
                return None
            return task

    def settle(self) -> None:
        """Refund tasks that failed for a platform reason (5xxx), once each."""
        now = self.clock()
        with self.lock:
            for task in self.tasks.values():
                if not task.settled and task.status(now) in ("completed", "failed"):
                    task.settled = True
                    if 5000 <= task.fails_with < 6000:
                        self.balances[task.key] = self.balances.get(task.key, 0.0) + task.price

    def balance(self, key: str) -> float:
        self.settle()
        with self.lock:
            return round(self.balances.get(key, 0.0), 6)

    def task_json(self, task: SandboxTask, output_base: str) -> dict[str, Any]:
        status = task.status(self.clock())
        data: dict[str, Any] = {
            "id": task.id,
            "model": task.model.model_id,
            "status": status,
            "code": 0,
            "outputs": [],
            "timings": {},
            "error": None,
            "created_at": task.created_at,
            "estimated_duration": task.estimate,
        }
        if status == "completed":
            ext = output_extension(task)
            data["outputs"] = [
                f"{output_base}/outputs/{task.id}/{i}.{ext}" for i in range(task.output_count())
            ]
            data["timings"] = task.timings()
        elif status == "failed":
            data["code"] = task.fails_with
            data["error"] = TASK_ERRORS.get(task.fails_with, "The task failed.")
            data["timings"] = {"queue_wait": task.timings()["queue_wait"]}
        return data

    def usage(self, key: str) -> dict[str, Any]:
        with self.lock:
            mine = [t for t in self.tasks.values() if t.key == key]
            breakdown: dict[str, dict[str, float]] = {}
            for task in mine:
                entry = breakdown.setdefault(task.model.model_id, {"tasks": 0, "cost": 0.0})
                entry["tasks"] += 1
                entry["cost"] = round(entry["cost"] + task.price, 6)
        period = datetime.datetime.now(datetime.UTC).strftime("%Y-%m")
        return {
            "total_tasks": len(mine),
            "total_cost": round(sum(t.price for t in mine), 6),
            "period": period,
            "breakdown": breakdown,
        }


def output_extension(task: SandboxTask) -> str:
    kind = task.model.output_kind
    if kind == "video":
        return "mp4"
    if kind == "audio":
        return "wav"
    fmt = str(task.params.get("output_format", "png")).lower()
    return {"jpeg": "jpg", "jpg": "jpg", "webp": "webp"}.get(fmt, "png")


def _requested_failure(params: Mapping[str, Any]) -> int | None:
    """A prompt containing "[fail:1200]" fails with that code (demos and tests)."""
    for key in ("prompt", "text"):
        value = params.get(key)
        if isinstance(value, str) and "[fail:" in value:
            tail = value.split("[fail:", 1)[1].split("]", 1)[0]
            if tail.isdigit():
                return int(tail)
    return None
