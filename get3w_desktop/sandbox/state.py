"""The sandbox's memory: accounts, tasks and their timelines, uploads, statistics.

A task's whole future (duration, outcome, image seed) is decided when it is created,
from the config's seed and the task's number, so a run is reproducible; its status at
any moment is computed from the clock, never stored. All access goes through one lock.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.core.money import money_round, unit_price
from get3w_desktop.sandbox.account import (
    SavedAccount,
    SavedLine,
    key_tag,
    load_account,
    save_account,
)
from get3w_desktop.sandbox.config import SandboxConfig
from get3w_desktop.sandbox.kinds import EXTENSIONS, text_output, typical_seconds

#: Task codes from the contract (API.md section 3), with the sandbox's message for each.
TASK_ERRORS: dict[int, str] = {
    1200: "The content was flagged by moderation.",
    1400: "A required parameter is missing.",
    1401: "A parameter is invalid.",
    1402: "A media URL could not be reached.",
    1403: "The task failed.",
    1405: "The task failed.",
    5000: "Internal error while generating.",
    5003: "The model is temporarily unavailable.",
    5004: "The generation timed out.",
}
RANDOM_FAILURES = (1200, 1402, 5000, 5003, 5004)
ACTIVE = ("created", "processing")


@dataclasses.dataclass
class Output:
    data: bytes
    content_type: str
    sha256: str


@dataclasses.dataclass
class SandboxTask:
    id: str
    number: int
    key: str
    model: ModelInfo
    params: dict[str, Any]
    created: float  # on the sandbox clock
    created_at: str  # "YYYY-MM-DDTHH:MM:SS" UTC, for the task object
    estimate: float  # reported estimated_duration (scaled seconds)
    queue: float  # seconds (scaled) spent "created"
    duration: float  # seconds (scaled) from submit to the terminal status
    shares: tuple[float, float, float]  # celery_init, save, run_overhead parts of the run
    price: float
    fails_with: int  # 0 = completes
    image_seed: int  # used when the request's seed is absent or -1
    stuck: bool = False
    webhook: str | None = None
    deleted: bool = False
    refunded: bool = False
    outputs: list[Output] | None = None
    output_lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def status(self, now: float) -> str:
        elapsed = now - self.created
        if self.stuck or elapsed < self.queue:
            return "created"
        if elapsed < self.duration:
            return "processing"
        return "failed" if self.fails_with else "completed"

    def remaining(self, now: float) -> float:
        return math.inf if self.stuck else max(0.0, self.created + self.duration - now)

    def output_count(self) -> int:
        number = self.params.get("num_images")
        if isinstance(number, int) and not isinstance(number, bool):
            return max(1, min(number, 4))
        return 1

    def timings(self) -> dict[str, int]:
        """Milliseconds, a realistic split of the whole duration that sums to `total`."""
        total = round(self.duration * 1000)
        queue = round(self.queue * 1000)
        run = total - queue
        init, save, overhead = (round(run * share) for share in self.shares)
        return {
            "queue_wait": queue,
            "celery_init": init,
            "api_call": run - init - save - overhead,
            "save": save,
            "run_overhead": overhead,
            "total": total,
        }


@dataclasses.dataclass(frozen=True)
class BillingLine:
    """One line of an account's bill: a deduction at submit or a refund."""

    number: int
    key: str
    kind: str  # "deduct" or "refund"
    task_id: str
    model_id: str
    amount: float  # positive; `kind` says which way it goes
    at: float  # on the sandbox clock

    @property
    def signed(self) -> float:
        return -self.amount if self.kind == "refund" else self.amount


@dataclasses.dataclass
class Stats:
    """What the sandbox saw; `SandboxServer.stats` hands out copies."""

    submits: int = 0
    submits_by_model: dict[str, int] = dataclasses.field(default_factory=dict)
    polls_by_task: dict[str, int] = dataclasses.field(default_factory=dict)
    requests: int = 0
    output_requests: int = 0
    output_auth_headers: list[str] = dataclasses.field(default_factory=list)
    webhook_deliveries: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    faults_injected: dict[str, int] = dataclasses.field(default_factory=dict)
    #: (host, request line and headers) when `SandboxConfig.record_requests` is on.
    requests_seen: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def copy(self) -> Stats:
        return Stats(
            self.submits,
            dict(self.submits_by_model),
            dict(self.polls_by_task),
            self.requests,
            self.output_requests,
            list(self.output_auth_headers),
            [dict(d) for d in self.webhook_deliveries],
            dict(self.faults_injected),
            list(self.requests_seen),
        )

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
        self.bill: list[BillingLine] = []
        self.stats = Stats()
        self._numbers = 0
        # created_at follows the sandbox clock, so a virtual clock moves it too.
        self._wall_anchor = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        self._clock_anchor = clock()
        # The account's times are wall-clock epochs: one precise reading beside the clock's
        # (the anchor above is cut to whole seconds for created_at, too coarse to order by).
        self._epoch_anchor = time.time()
        self._other_accounts = SavedAccount({}, ())  # kept as found, for keys not in config
        if config.account_file is not None:
            self._restore(load_account(config.account_file))

    # -- tasks -----------------------------------------------------------------------

    def active(self, key: str) -> list[SandboxTask]:
        """The key's tasks that still hold a concurrency slot."""
        now = self.clock()
        with self.lock:
            return [
                t
                for t in self.tasks.values()
                if t.key == key
                and not t.deleted
                and not self._forgotten(t, now)
                and t.status(now) in ACTIVE
            ]

    def create(
        self, key: str, model: ModelInfo, params: dict[str, Any], webhook: str | None
    ) -> SandboxTask:
        """A new task, charged to `key` now (a 5xxx failure is refunded when it ends)."""
        config = self.config
        scale = config.time_scale
        with self.lock:
            self._numbers += 1
            number = self._numbers
            rng = random.Random(f"{config.seed}:task:{number}")
            base = typical_seconds(model)
            if config.duration_fn is not None:
                real = float(config.duration_fn(model.model_id, params))
            else:
                low, high = config.duration_spread
                real = base * math.exp(rng.uniform(math.log(low), math.log(high)))
            duration = max(real * scale, 0.0)
            fails_with = requested_failure(params)
            if fails_with is None:
                failing = rng.random() < config.failure_rate
                fails_with = rng.choice(RANDOM_FAILURES) if failing else 0
            now = self.clock()
            task = SandboxTask(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                number=number,
                key=key,
                model=model,
                params=params,
                created=now,
                created_at=self._timestamp(now),
                estimate=round(base * scale, 3),
                queue=duration * rng.uniform(0.02, 0.08),
                duration=duration,
                shares=(rng.uniform(0.04, 0.1), rng.uniform(0.03, 0.08), rng.uniform(0.01, 0.03)),
                price=price_of(model, params),
                fails_with=fails_with,
                image_seed=rng.randrange(2**31),
                webhook=webhook,
                stuck=rng.random() < config.faults.stuck_created,
            )
            self.tasks[task.id] = task
            self.balances[key] = self.balances.get(key, 0.0) - task.price
            self._bill(task, "deduct", now)
            self.stats.submits += 1
            by_model = self.stats.submits_by_model
            by_model[model.model_id] = by_model.get(model.model_id, 0) + 1
        return task

    def find(self, task_id: str) -> SandboxTask | None:
        """A task the API still knows (not deleted, not forgotten)."""
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None or task.deleted or self._forgotten(task, self.clock()):
                return None
            return task

    def delete(self, task: SandboxTask) -> None:
        """Delete (or cancel): a task deleted before it finished costs nothing."""
        with self.lock:
            now = self.clock()
            if task.status(now) in ACTIVE and not task.refunded:
                self._refund(task, now)
            task.deleted = True

    def _forgotten(self, task: SandboxTask, now: float) -> bool:
        forget = self.config.faults.forget_after
        return forget is not None and now - task.created > forget * self.config.time_scale

    def _timestamp(self, now: float) -> str:
        moment = self._wall_anchor + datetime.timedelta(seconds=now - self._clock_anchor)
        return moment.strftime("%Y-%m-%dT%H:%M:%S")

    # -- money -----------------------------------------------------------------------

    def _bill(self, task: SandboxTask, kind: str, at: float) -> None:
        line = BillingLine(len(self.bill) + 1, task.key, kind, task.id, task.model.model_id,
                           task.price, at)  # fmt: skip
        self.bill.append(line)
        if self.config.account_file is not None:
            save_account(self.config.account_file, self._saved())

    # -- an account that outlives the sandbox (the app's) ---------------------------------

    def _epoch(self, at: float) -> float:
        return self._epoch_anchor + (at - self._clock_anchor)

    def _restore(self, saved: SavedAccount) -> None:
        keys = {key_tag(key): key for key in self.config.keys}
        for tag, amount in saved.balances.items():
            if tag in keys:
                self.balances[keys[tag]] = amount
        for line in saved.bill:
            if line.key_tag in keys:
                at = self._clock_anchor + (line.when - self._epoch_anchor)
                number = len(self.bill) + 1
                self.bill.append(BillingLine(number, keys[line.key_tag], line.kind, line.task_id,
                                             line.model_id, line.amount, at))  # fmt: skip
        self._other_accounts = SavedAccount(
            {t: a for t, a in saved.balances.items() if t not in keys},
            tuple(line for line in saved.bill if line.key_tag not in keys),
        )

    def _saved(self) -> SavedAccount:
        mine = tuple(
            SavedLine(key_tag(b.key), b.kind, b.task_id, b.model_id, b.amount, self._epoch(b.at))
            for b in self.bill
        )
        balances = {key_tag(k): v for k, v in self.balances.items()}
        return SavedAccount(
            {**self._other_accounts.balances, **balances}, self._other_accounts.bill + mine
        )

    def _refund(self, task: SandboxTask, at: float) -> None:
        task.refunded = True
        self.balances[task.key] = self.balances.get(task.key, 0.0) + task.price
        if task.price:
            self._bill(task, "refund", at)

    def _settle_task(self, task: SandboxTask, now: float) -> None:
        if not task.refunded and 5000 <= task.fails_with < 6000 and task.status(now) == "failed":
            self._refund(task, task.created + task.duration)  # refunded as it failed

    def settle(self) -> None:
        """Refund tasks that failed for a platform reason (5xxx), once each."""
        now = self.clock()
        with self.lock:
            for task in self.tasks.values():
                self._settle_task(task, now)

    def balance(self, key: str) -> float:
        with self.lock:
            self.settle()
            return round(self.balances.get(key, 0.0), 6)

    def timestamp(self, at: float) -> str:
        """ISO 8601 UTC with a zone ("...Z") for a sandbox-clock moment."""
        return self._timestamp(at) + "Z"

    def billings(self, key: str, since: float | None = None) -> list[BillingLine]:
        """The key's bill lines in order, from `since` (sandbox clock) on."""
        with self.lock:
            self.settle()
            lines = [b for b in self.bill if b.key == key]
        lines.sort(key=lambda b: (b.at, b.number))
        return [b for b in lines if since is None or b.at >= since]

    def clock_of(self, moment: datetime.datetime) -> float:
        """The sandbox-clock reading of a wall-clock moment."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return self._clock_anchor + (moment - self._wall_anchor).total_seconds()

    def usage(self, key: str, period: str | None = None) -> dict[str, Any]:
        """A month's totals ("YYYY-MM", this month by default), counted from the bill."""
        period = period or self._timestamp(self.clock())[:7]
        breakdown: dict[str, dict[str, Any]] = {}
        tasks = 0
        for line in self.billings(key):
            if self._timestamp(line.at)[:7] != period:
                continue
            entry = breakdown.setdefault(
                line.model_id, {"model_id": line.model_id, "tasks": 0, "cost": 0.0}
            )
            if line.kind == "deduct":
                entry["tasks"] += 1
                tasks += 1
            entry["cost"] = money_round(entry["cost"] + line.signed)
        return {
            "total_tasks": tasks,
            "total_cost": money_round(sum(e["cost"] for e in breakdown.values())),
            "period": period,
            "breakdown": list(breakdown.values()),
        }

    # -- the task object -------------------------------------------------------------

    def task_json(self, task: SandboxTask, output_base: str) -> dict[str, Any]:
        """The task object of API.md section 3 as it stands now."""
        now = self.clock()
        with self.lock:
            self._settle_task(task, now)
        status = task.status(now)
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
            # What this task cost the account so far (WaveSpeed-style APIs report it).
            "cost": 0.0 if task.refunded else task.price,
        }
        if status == "completed" and task.model.output_kind == "text":  # the text itself
            data["outputs"] = [
                text_output(task.model, task.params, i) for i in range(task.output_count())
            ]
            data["timings"] = task.timings()
        elif status == "completed":
            ext = output_extension(task)
            data["outputs"] = [
                f"{output_base}/outputs/{task.id}/{i}.{ext}" for i in range(task.output_count())
            ]
            data["timings"] = task.timings()
        elif status == "failed":
            data["code"] = task.fails_with
            data["error"] = TASK_ERRORS.get(task.fails_with, "The task failed.")
            data["timings"] = task.timings()
        elif status == "processing":
            data["timings"] = {"queue_wait": task.timings()["queue_wait"]}
        return data


def price_of(model: ModelInfo, params: Mapping[str, Any]) -> float:
    """What the sandbox charges: the shared pricing rule on the catalogue's base price."""
    return unit_price(model, params) or 0.0


def output_extension(task: SandboxTask) -> str:
    kind = task.model.output_kind
    if kind != "image":
        return EXTENSIONS.get(kind, "bin")
    fmt = str(task.params.get("output_format", "png")).lower()
    return {"jpeg": "jpg", "jpg": "jpg", "webp": "webp"}.get(fmt, "png")


def requested_failure(params: Mapping[str, Any]) -> int | None:
    """A prompt containing "[fail:1200]" fails with that code (demos and tests)."""
    for key in ("prompt", "text"):
        value = params.get(key)
        if isinstance(value, str) and "[fail:" in value:
            tail = value.split("[fail:", 1)[1].split("]", 1)[0]
            if tail.isdigit() and int(tail) > 0:
                return int(tail)
    return None
