"""Choosing a model builds its JSON Schema checker in the background, not on the first
Generate (a visible stall on the GUI thread before)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from get3w_desktop.core import validation
from get3w_desktop.core.catalogue import Catalogue, ModelInfo, load_bundled
from tests.window_support import open_window

#: A model no other test in this process is likely to have checked already.
MODEL = "wavespeed-ai/framepack"


def test_choosing_a_model_compiles_its_checker_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # A copy of the model with its own schema object: nothing is compiled for it yet.
    fresh = Catalogue(m if m.model_id != MODEL else _copy(m) for m in load_bundled())
    model = fresh.get(MODEL)
    assert model is not None and not validation.is_compiled(model)
    with open_window(qtbot, tmp_path, None, catalogue=fresh) as win:
        win.generate_panel.choose_model(MODEL)
        qtbot.waitUntil(lambda: validation.is_compiled(model), timeout=10_000)


def _copy(model: ModelInfo) -> ModelInfo:
    return dataclasses.replace(model, schema=json.loads(json.dumps(model.schema)))
