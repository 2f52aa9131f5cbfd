"""How a sandbox behaves: time scale, accounts, limits, and the faults it injects."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

#: Accepted by every sandbox unless configured otherwise. Not a secret.
SANDBOX_API_KEY = "sk_sandbox_local_0000"

#: (model id, parameters) -> the task's real duration in unscaled seconds.
DurationFn = Callable[[str, Mapping[str, Any]], float]

#: The FaultConfig fields that are fractions of requests or tasks (one CLI option each).
FAULT_FRACTIONS = (
    "rate_limit",
    "server_error",
    "malformed_json",
    "reset",
    "reset_after_submit",
    "truncated_download",
    "drip",
    "hang",
    "stuck_created",
    # hostile and odd servers (sandbox/hostile.py)
    "gzip",
    "surrogate",
    "deep_field",
    "echo_key",
    "absurd_estimate",
    "huge_submit",
    "bad_redirect",
    "lengthless_truncation",
    "corrupt_image",
)


@dataclasses.dataclass(frozen=True)
class FaultConfig:
    """Fractions (0..1) of requests that misbehave, decided from (seed, fault, route, count).

    Every fault a client must survive (RELIABILITY.md) can be produced at the wire:
    resets really reset the socket, drips really send one byte a second.
    """

    latency: tuple[float, float] = (0.0, 0.0)  # seconds added to every API answer (real time)
    rate_limit: float = 0.0  # 429 + Retry-After on any API request
    retry_after: float = 1.0  # seconds, sent with fault 429s and 503s
    server_error: float = 0.0  # 502/503/504 with an HTML body (503 with Retry-After)
    malformed_json: float = 0.0  # GET /v1/requests answers cut mid-JSON, status 200
    reset: float = 0.0  # GET /v1/requests: connection closed without an answer
    reset_after_submit: float = 0.0  # the task IS created, then the connection is reset
    truncated_download: float = 0.0  # outputs: full Content-Length, fewer bytes, close
    drip: float = 0.0  # answered one byte a second (API and outputs)
    hang: float = 0.0  # accepted and never answered (until the server stops)
    forget_after: float | None = None  # seconds (scaled) after which a task 404s
    stuck_created: float = 0.0  # tasks that stay "created" forever
    redirect_outputs: bool = False  # outputs first answer 302 to their real path
    redirect_to: str | None = None  # outputs are 302-redirected to this base URL
    # Hostile and odd servers (sandbox/hostile.py says exactly what each does):
    gzip: float = 0.0  # API answers gzip-compressed (when Accept-Encoding allows it)
    surrogate: float = 0.0  # task answers with a lone surrogate ("\ud83d") in a string
    deep_field: float = 0.0  # task answers with an unknown field 1000 levels deep
    echo_key: float = 0.0  # task answers quoting the request's key (in a failed one's error)
    absurd_estimate: float = 0.0  # estimated_duration in milliseconds by mistake
    huge_submit: float = 0.0  # the task IS created, then a 100 MB answer
    bad_redirect: float = 0.0  # the task IS created, then a 302 to an unparsable Location
    lengthless_truncation: float = 0.0  # outputs: no Content-Length, half the bytes, close
    corrupt_image: float = 0.0  # image outputs: signature then zeros, full length

    def __post_init__(self) -> None:
        for name in FAULT_FRACTIONS:
            _check_fraction(f"faults.{name}", getattr(self, name))
        low, high = self.latency
        if not 0 <= low <= high:
            raise ValueError(f"faults.latency must be (min, max) with 0 <= min <= max: {low, high}")
        if self.retry_after < 0:
            raise ValueError("faults.retry_after must not be negative")


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    """Everything a sandbox does differently from one run to another."""

    time_scale: float = 1.0  # multiplies every duration (tests use 0.01-0.05)
    seed: int = 0  # everything random is decided from it
    keys: Mapping[str, float] = dataclasses.field(default_factory=lambda: {SANDBOX_API_KEY: 100.0})
    concurrency_limit: int = 10  # non-terminal tasks per key
    sync_timeout: float = 30.0  # seconds (scaled) a ?sync=true call holds the connection
    sync_timeout_mode: Literal["status", "504"] = "status"
    v3_enabled: bool = True
    webhook_secret: str = "whsec_sandbox"
    duration_spread: tuple[float, float] = (0.5, 2.0)  # log-uniform factor on the estimate
    duration_fn: DurationFn | None = None  # overrides the spread (unscaled seconds)
    failure_rate: float = 0.0  # tasks that end "failed" with a task code
    faults: FaultConfig = dataclasses.field(default_factory=FaultConfig)
    clock: Callable[[], float] | None = None  # monotonic seconds; default time.monotonic
    render_scale: float = 1.0  # output pixel sizes (aspect ratio is always kept)
    # Outputs rendered at once (None: as many as requests ask). A picture costs 30-60 ms
    # of CPU; the app's own sandbox renders one at a time, so on a 2-core machine the
    # window it shares a process with keeps a core while 200 tasks finish (issue 16).
    render_slots: int | None = None
    #: Keep every request's line and headers per host in `Stats.requests_seen` (tests
    #: search them for the key); off by default, as the list grows with every request.
    record_requests: bool = False
    #: Keep the account (balances and bill) in this file across restarts, as a real
    #: account would (the app's sandbox); None: every sandbox starts with a fresh account.
    account_file: Path | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.time_scale) and self.time_scale > 0):
            raise ValueError(f"time_scale must be a positive number: {self.time_scale}")
        if self.render_scale <= 0:
            raise ValueError(f"render_scale must be positive: {self.render_scale}")
        low, high = self.duration_spread
        if not 0 < low <= high:
            raise ValueError(
                f"duration_spread must be (low, high) with 0 < low <= high: {low, high}"
            )
        if self.concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        if self.sync_timeout_mode not in ("status", "504"):
            raise ValueError(
                f"sync_timeout_mode must be 'status' or '504': {self.sync_timeout_mode}"
            )
        _check_fraction("failure_rate", self.failure_rate)


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1: {value}")
