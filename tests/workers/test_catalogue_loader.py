"""The model list loader: the cache at once, the server's list after, stale answers dropped."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.errors import NetworkError, UnsupportedError
from get3w_desktop.core.live_catalogue import CatalogueDiff, LiveCatalogue, current
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.workers.catalogue import CatalogueLoader

FRAMEPACK = "wavespeed-ai/framepack"


class Seen:
    def __init__(self, loader: CatalogueLoader) -> None:
        self.loaded: list[LiveCatalogue] = []
        self.changed: list[CatalogueDiff] = []
        self.failed: list[str] = []
        loader.loaded.connect(self.loaded.append)
        loader.changed.connect(self.changed.append)
        loader.failed.connect(self.failed.append)


def test_cache_first_then_the_server_then_a_quiet_diff(qtbot: QtBot, tmp_path: Path) -> None:
    subset = Catalogue([m for m in load_bundled() if m.model_id != FRAMEPACK])
    threads: list[threading.Thread] = []

    with (
        SandboxServer(SandboxConfig(), catalogue=subset) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
    ):

        def fetch() -> Any:
            threads.append(threading.current_thread())
            return client.model_list_data()

        loader = CatalogueLoader(tmp_path)
        seen = Seen(loader)
        loader.start(server.base_url, fetch)
        qtbot.waitUntil(lambda: not loader.busy, timeout=20_000)
        assert [c.origin for c in seen.loaded] == ["bundled", "server"]
        assert seen.changed == [CatalogueDiff(removed=(FRAMEPACK,))] and seen.failed == []
        assert threads and threads[0] is not threading.main_thread()  # fetched off the GUI
        assert loader.catalogue is seen.loaded[-1] and len(loader.catalogue.offered) == 793
        # the next start shows the cached list at once, and nothing changed since
        loader.start(server.base_url, fetch)
        qtbot.waitUntil(lambda: not loader.busy, timeout=20_000)
        assert [c.origin for c in seen.loaded[2:]] == ["cache", "server"]
        assert len(seen.changed) == 1
        assert loader.shutdown()
    assert current(tmp_path, server.base_url).origin == "cache"


def test_a_server_without_the_list_keeps_what_is_shown(qtbot: QtBot, tmp_path: Path) -> None:
    def unsupported() -> Any:
        raise UnsupportedError("This server does not offer the model list.")

    def down() -> Any:
        raise NetworkError("The network is down.", maybe_sent=False)

    def broken() -> Any:
        raise RuntimeError("a bug")

    loader = CatalogueLoader(tmp_path)
    seen = Seen(loader)
    for fetch in (unsupported, down, broken, lambda: {"code": 200, "data": []}):
        loader.start("https://api.example.com", fetch)
        qtbot.waitUntil(lambda: not loader.busy, timeout=10_000)
    assert loader.shutdown()
    assert [c.origin for c in seen.loaded] == ["bundled"] * 4 and seen.changed == []
    assert seen.failed == [
        "This server does not list its models.",
        "The network is down.",
        "The model list could not be refreshed.",
        "The server's model list was empty; kept the last one.",
    ]


def test_a_switch_drops_the_answer_still_on_its_way(qtbot: QtBot, tmp_path: Path) -> None:
    release = threading.Event()

    def slow() -> Any:
        release.wait(10)
        return [{"model_id": "slow/one", "request_schema": {"properties": {}}}]

    loader = CatalogueLoader(tmp_path)
    seen = Seen(loader)
    loader.start("https://first.example.com", slow)
    qtbot.waitUntil(lambda: len(seen.loaded) == 1, timeout=10_000)
    loader.start("https://second.example.com", None)  # cache only
    release.set()
    qtbot.waitUntil(lambda: not loader.busy, timeout=10_000)
    assert loader.shutdown()
    assert [c.origin for c in seen.loaded] == ["bundled", "bundled"]
    assert loader.catalogue is not None and "slow/one" not in loader.catalogue.offered
    assert seen.changed == [] and seen.failed == []
    assert current(tmp_path, "https://first.example.com").origin == "bundled"  # not cached
