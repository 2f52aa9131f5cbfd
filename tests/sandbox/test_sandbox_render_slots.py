"""The app's own sandbox renders one output at a time (`render_slots`), so the window it
shares a process with keeps a core while many tasks finish at once (issue 16)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from get3w_desktop import app
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer, media
from tests.sandbox.support import AUTH, ManualClock, poll, submit


class Overlap:
    """Counts renders running at once (each made to last long enough to overlap)."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self._lock = threading.Lock()

    def wrap(self, render: Any) -> Any:
        def counted(*args: Any) -> Any:
            with self._lock:
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                time.sleep(0.15)
                return render(*args)
            finally:
                with self._lock:
                    self.running -= 1

        return counted


def _fetch_outputs_at_once(slots: int | None, monkeypatch: pytest.MonkeyPatch) -> Overlap:
    overlap = Overlap()
    monkeypatch.setattr(
        "get3w_desktop.sandbox.server.render_outputs", overlap.wrap(media.render_outputs)
    )
    clock = ManualClock()
    config = SandboxConfig(clock=clock, duration_fn=lambda _m, _p: 1.0, render_scale=0.1,
                           keys={SANDBOX_API_KEY: 1000.0}, render_slots=slots)  # fmt: skip
    with SandboxServer(config) as server, requests.Session() as http:
        http.headers.update(AUTH)
        ids = [submit(http, server, f"fox {i}").json()["id"] for i in range(4)]
        clock.advance(30)
        urls = [poll(http, server, task_id)["outputs"][0] for task_id in ids]
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda url: requests.get(url, timeout=30), urls))
    assert [r.status_code for r in replies] == [200] * 4
    assert all(r.content.startswith(b"\x89PNG") for r in replies)
    return overlap


def test_one_render_slot_renders_one_output_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fetch_outputs_at_once(1, monkeypatch).most == 1


def test_without_a_limit_outputs_render_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fetch_outputs_at_once(None, monkeypatch).most > 1  # what the limit changes


def test_the_apps_own_sandbox_renders_one_at_a_time(tmp_path: Any) -> None:
    sandbox = app.start_sandbox(tmp_path / "account.json")
    try:
        assert sandbox.config.render_slots == app.SANDBOX_RENDER_SLOTS == 1
    finally:
        sandbox.stop()
