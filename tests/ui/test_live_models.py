"""The window follows the service's model list: the cached copy at once, then the server's,
fetched off the GUI thread; new models appear, retired ones stay resolvable but cannot be
sent, and a quiet status-bar line says what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.app import follow_model_list
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.resources import resource_path
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.model_picker import Role
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.ui.services import ServiceController
from tests.scripted_server import Answer, ScriptedServer
from tests.window_support import open_window

NANO = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"
NEW = "acme/brand-new/text-to-image"
KEY = "sk_live_models_test_0123456789"


def served_list() -> list[dict[str, Any]]:
    """What the server lists: Nano Banana Pro as we ship it, and a model we never shipped."""
    entries = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))["models"]
    nano = next(e for e in entries if e["model_id"] == NANO)
    new = {**json.loads(json.dumps(nano)), "model_id": NEW, "name": "Brand New"}
    return [nano, new]


class FakeServices(QObject):
    """The two things the list follower reads of the service controller."""

    profile_activated = Signal(str)

    def __init__(self, base_url: str, client: Get3WClient) -> None:
        super().__init__()
        self.live = SimpleNamespace(info=SimpleNamespace(base_url=base_url), client=client)


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    service = ServiceInfo("work", "Get3W", "Your account.", is_sandbox=False)
    with open_window(qtbot, tmp_path, None, service=service) as win:
        yield win


def listed(win: MainWindow) -> list[str]:
    proxy = win.picker.proxy
    ids = (proxy.index(row, 0).data(Role.MODEL_ID) for row in range(proxy.rowCount()))
    return [str(i) for i in ids if i]


def test_the_services_list_replaces_the_shipped_one_and_survives_a_restart(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    assert FLUX in listed(window) and len(listed(window)) > 700  # the shipped snapshot
    cache = tmp_path / "models"
    with ScriptedServer() as api, Get3WClient(api.url, KEY) as client:
        api.on("GET", "/api/v3/models",
               Answer(200, {"code": 200, "message": "success", "data": served_list()}))  # fmt: skip
        services = FakeServices(api.url, client)
        models = follow_model_list(window.catalogue, window, cast(ServiceController, services),
                                   cache)  # fmt: skip
        try:
            qtbot.waitUntil(lambda: sorted(listed(window)) == sorted([NANO, NEW]), timeout=15_000)
        finally:
            assert models.shutdown()
        assert len(api.requests_to("GET", "/api/v3/models")) == 1
    assert window.statusBar().currentMessage().startswith("Model list updated: 1 new model")
    # A model the service stopped offering still resolves (its tasks show and re-open)…
    flux = window.catalogue.get(FLUX)
    assert flux is not None and not window.catalogue.is_offered(FLUX)
    # …and its form can be looked at but not sent.
    window.generate_panel.choose_model(FLUX)
    assert not window.generate_panel.generate_button.isEnabled()
    assert window.generate() == []
    window.generate_panel.choose_model(NEW)
    assert window.generate_panel.generate_button.isEnabled()

    # The next start, with the server unreachable: the cached list is shown at once.
    window.catalogue.adopt(load_bundled())
    window.models_changed()
    with ScriptedServer() as down, Get3WClient(down.url, KEY) as client:
        down.on("GET", "/api/v3/models", Answer(503, "down"))
        models = follow_model_list(window.catalogue, window,
                                   cast(ServiceController, FakeServices(api.url, client)),
                                   cache)  # fmt: skip
        try:
            qtbot.waitUntil(lambda: sorted(listed(window)) == sorted([NANO, NEW]), timeout=15_000)
            qtbot.waitUntil(lambda: not models.busy, timeout=15_000)
        finally:
            assert models.shutdown()
    assert sorted(listed(window)) == sorted([NANO, NEW])  # a failed refresh keeps the list
