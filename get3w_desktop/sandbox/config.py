"""How a sandbox behaves: time scale, accounts, limits, and the faults it injects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal

#: Accepted by every sandbox unless configured otherwise. Not a secret.
SANDBOX_API_KEY = "sk_sandbox_local_0000"


@dataclasses.dataclass(frozen=True)
class FaultConfig:
    """Fractions (0..1) of requests that misbehave, decided deterministically from the seed."""

    latency: tuple[float, float] = (0.0, 0.0)  # seconds added to every API answer (real time)
    rate_limit: float = 0.0  # 429 + Retry-After on any API request
    retry_after: float = 1.0
    server_error: float = 0.0  # 502/503/504 with an HTML body
    malformed_json: float = 0.0  # GET /v1/requests answers cut mid-JSON, status 200
    reset: float = 0.0  # GET /v1/requests: connection closed without an answer
    reset_after_submit: float = 0.0  # the task IS created, then the connection is reset
    truncated_download: float = 0.0  # full Content-Length, fewer bytes, close
    drip: float = 0.0  # answered one byte a second
    hang: float = 0.0  # accepted and never answered (until the server stops)
    forget_after: float | None = None  # seconds (scaled) after which a task 404s
    stuck_created: float = 0.0  # tasks that stay "created" forever
    redirect_outputs: bool = False  # outputs first answer 302 to their real path
    redirect_to: str | None = None  # outputs are 302-redirected to this base URL


DurationFn = Callable[[str, Mapping[str, Any]], float]


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    time_scale: float = 1.0
    seed: int = 0
    keys: Mapping[str, float] = dataclasses.field(default_factory=lambda: {SANDBOX_API_KEY: 100.0})
    concurrency_limit: int = 10
    sync_timeout: float = 30.0
    sync_timeout_mode: Literal["status", "504"] = "status"
    v3_enabled: bool = True
    webhook_secret: str = "whsec_sandbox"
    duration_spread: tuple[float, float] = (0.5, 2.0)
    duration_fn: DurationFn | None = None
    failure_rate: float = 0.0
    faults: FaultConfig = dataclasses.field(default_factory=FaultConfig)
    clock: Callable[[], float] | None = None
    render_scale: float = 1.0
