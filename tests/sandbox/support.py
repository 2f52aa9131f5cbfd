"""Shared helpers of the sandbox tests (fixtures live in conftest.py)."""

from __future__ import annotations

import threading
from typing import Any

import requests

from get3w_desktop.core.catalogue import ModelInfo, load_bundled
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

IMAGE = "google/nano-banana-pro/text-to-image"


def catalogue_model(model_id: str) -> ModelInfo:
    model = load_bundled().get(model_id)
    assert model is not None and model.base_price and model.estimated_duration
    return model


AUTH = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}


class ManualClock:
    """A virtual monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 500.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def start(**config: Any) -> SandboxServer:
    config.setdefault("render_scale", 0.1)
    return SandboxServer(SandboxConfig(**config)).start()


def submit(
    http: requests.Session,
    server: SandboxServer,
    prompt: str = "a red fox",
    model: str = IMAGE,
    **params: Any,
) -> requests.Response:
    return http.post(f"{server.base_url}/v1/{model}", json={"prompt": prompt, **params}, timeout=10)


def poll(http: requests.Session, server: SandboxServer, task_id: str) -> dict[str, Any]:
    reply = http.get(f"{server.base_url}/v1/requests/{task_id}", timeout=10)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data
