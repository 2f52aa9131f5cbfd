"""Task snapshots: what the server says about one generation task.

Snapshots are immutable values so they can cross threads (worker -> GUI) safely.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any


class SubmitMode(enum.Enum):
    ASYNC = "async"
    SYNC = "sync"
    WEBHOOK = "webhook"


class Phase(enum.Enum):
    """The coarse state of a remote task. Unknown server statuses map to IN_PROGRESS."""

    CREATED = "created"
    PROCESSING = "processing"
    IN_PROGRESS = "in_progress"  # any other non-terminal status string (queued, pending, …)
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (Phase.COMPLETED, Phase.FAILED)

    @classmethod
    def from_status(cls, status: str) -> Phase:
        normal = status.strip().lower()
        for phase in (cls.CREATED, cls.PROCESSING, cls.COMPLETED, cls.FAILED):
            if normal == phase.value:
                return phase
        return cls.IN_PROGRESS


#: Order in which timing keys are shown; unknown keys follow in server order.
TIMING_KEYS = ("queue_wait", "celery_init", "api_call", "save", "run_overhead", "total")


@dataclasses.dataclass(frozen=True, slots=True)
class Task:
    """One snapshot of a remote task.

    `status` is the server's own string (shown to people as is); `phase` is what the
    client acts on. `timings` are milliseconds; any key may be missing. `extra` keeps
    fields this client does not know, so nothing the server says is thrown away.
    """

    id: str
    status: str
    model: str = ""
    outputs: tuple[str, ...] = ()
    timings: Mapping[str, float] = dataclasses.field(default_factory=dict)
    code: int = 0
    error: str | None = None
    created_at: str | None = None
    estimated_duration: float | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def phase(self) -> Phase:
        return Phase.from_status(self.status)

    @property
    def terminal(self) -> bool:
        return self.phase.terminal

    def merged_with(self, newer: Task) -> Task:
        """A newer snapshot, keeping what only the older one knew (model, estimate)."""
        return dataclasses.replace(
            newer,
            model=newer.model or self.model,
            estimated_duration=(
                newer.estimated_duration
                if newer.estimated_duration is not None
                else self.estimated_duration
            ),
            created_at=newer.created_at or self.created_at,
        )

    def as_json(self) -> dict[str, Any]:
        """A plain dict in the API's own shape (plus anything extra the server sent)."""
        data: dict[str, Any] = dict(self.extra)
        data.update(
            id=self.id,
            model=self.model,
            status=self.status,
            code=self.code,
            outputs=list(self.outputs),
            timings=dict(self.timings),
            error=self.error,
            created_at=self.created_at,
        )
        if self.estimated_duration is not None:
            data["estimated_duration"] = self.estimated_duration
        return data
