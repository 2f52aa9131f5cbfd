"""Deterministic decisions: which request gets which fault, how long a latency lasts.

Each decision is a pure function of (seed, purpose, route, n) where n counts the earlier
decisions of that purpose on that route. Two sandboxes with the same seed that receive
the same sequence of requests therefore misbehave identically, and polls do not shift
the faults of downloads (each route keeps its own count).
"""

from __future__ import annotations

import hashlib
import threading


class Dice:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def uniform(self, purpose: str, route: str) -> float:
        """The next number in [0, 1) for this purpose and route."""
        with self._lock:
            n = self._counts.get((purpose, route), 0)
            self._counts[(purpose, route)] = n + 1
        return unit(self._seed, purpose, route, n)

    def fault(self, name: str, route: str, fraction: float) -> bool:
        """Whether this request gets fault `name`; counted in `injected` when it does."""
        if fraction <= 0.0:
            return False
        hit = self.uniform(name, route) < fraction
        if hit:
            with self._lock:
                self.injected[name] = self.injected.get(name, 0) + 1
        return hit

    def choose(self, purpose: str, route: str, options: tuple[int, ...]) -> int:
        return options[int(self.uniform(purpose, route) * len(options)) % len(options)]

    def injected_snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.injected)


def unit(seed: int, *parts: object) -> float:
    """A stable number in [0, 1) for `parts` (unlike hash(), the same in every process)."""
    text = ":".join(str(p) for p in (seed, *parts))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
