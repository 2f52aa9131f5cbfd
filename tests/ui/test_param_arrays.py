"""Rows for arrays of objects, LoRAs with presets and covers, and the schema quirks."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import ModelInfo, parse_model
from get3w_desktop.ui.param_fields import (
    ChoiceField,
    LoraListField,
    NumberField,
    ObjectListField,
    SeedField,
)
from get3w_desktop.ui.param_form import FieldRow, ParamForm
from get3w_desktop.workers.covers import CoverLoader


def model(properties: dict[str, Any], required: tuple[str, ...] = ()) -> ModelInfo:
    return parse_model({"model_id": "test/model", "type": "text-to-video", "request_schema": {
        "type": "object", "properties": properties, "required": list(required)}},
        source="test")  # fmt: skip


TRANSITIONS = {
    "type": "array", "maxItems": 2, "x-ui-component": "array",
    "items": {"type": "object", "required": ["prompt"], "properties": {
        "prompt": {"type": "string"},
        "duration": {"type": "number", "default": 5, "minimum": 5, "maximum": 25},
    }},
}  # fmt: skip
LORAS = {
    "type": "array", "maxItems": 2, "items": {"$ref": "#/components/schemas/LoraWeight"},
    "default": [{"path": "Remade-AI/Squish", "scale": 1}],
    "recommend": [
        {"path": "Remade-AI/Squish", "scale": 1, "cover": "http://127.0.0.1:1/none.png"},
        {"path": "Remade-AI/Rotate", "scale": 0.8, "cover": "http://127.0.0.1:1/none.png"},
    ],
}  # fmt: skip


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm()
    qtbot.addWidget(widget)
    return widget


def test_rows_are_added_edited_reordered_and_removed(form: ParamForm) -> None:
    form.set_model(model({"prompt": {"type": "string"}, "transitions": TRANSITIONS}))
    field = form.field("transitions")
    assert isinstance(field, ObjectListField)
    assert "transitions" not in form.values()  # no rows, no default: left out
    assert field.add_row()
    first = field.rows[0].field("prompt")
    assert first is not None
    QTest.keyClicks(first.focus_target(), "zoom in")
    assert field.add_row({"prompt": "pan left", "duration": 7.5})
    assert form.values()["transitions"] == [
        {"prompt": "zoom in", "duration": 5}, {"prompt": "pan left", "duration": 7.5}]  # fmt: skip
    assert not field.add_button.isEnabled() and not field.add_row()  # maxItems
    assert field.count_label.text() == "2 of at most 2"
    field.move_row(field.rows[1], -1)
    assert [r["prompt"] for r in form.values()["transitions"]] == ["pan left", "zoom in"]
    assert not field.rows[0].up_button.isEnabled() and not field.rows[1].down_button.isEnabled()
    field.remove_row(field.rows[0])
    assert form.values()["transitions"] == [{"prompt": "zoom in", "duration": 5}]
    assert field.add_button.isEnabled()


def test_row_problems_land_under_the_row_field(form: ParamForm) -> None:
    form.set_model(model({"transitions": TRANSITIONS}))
    field = form.field("transitions")
    assert isinstance(field, ObjectListField)
    assert not field.add_row({"duration": 30})  # out of range: the row keeps its default
    assert form.values()["transitions"] == [{"duration": 5}]
    problems = form.show_problems()
    assert any("Item 1" in p for p in problems)
    row = field.rows[0]
    assert not row.errors["prompt"].isHidden() and "required" in row.errors["prompt"].text()
    assert row.errors["duration"].isHidden()
    holder = field.parentWidget()
    assert isinstance(holder, FieldRow) and holder.error.isHidden()  # said once, in the cell
    # A JSON Schema error path from elsewhere lands under the same cell, or the field.
    unplaced = form.show_path_problems([
        (("transitions", 0, "duration"), "duration: 30 is greater than the maximum of 25"),
        (("transitions",), "transitions: too long"),
        (("nothing_like_it",), "a rule about two fields"),
    ])  # fmt: skip
    assert unplaced == ["a rule about two fields"]
    assert "greater than the maximum" in row.errors["duration"].text()


def test_unknown_keys_in_loaded_rows_are_kept(form: ParamForm) -> None:
    form.set_model(model({"transitions": TRANSITIONS}))
    loaded = [{"prompt": "a", "duration": 6, "easing": "in-out"}]
    assert form.set_values({"transitions": loaded}) == []
    assert form.values()["transitions"] == loaded
    assert form.set_values({"transitions": [{"prompt": "a"}] * 3}) == ["transitions"]  # too many


def test_loras_go_out_as_objects_with_presets(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model({"loras": LORAS}))
    field = form.field("loras")
    assert isinstance(field, LoraListField)
    assert form.values()["loras"] == [{"path": "Remade-AI/Squish", "scale": 1}]
    squish, rotate = field.presets["Remade-AI/Squish"], field.presets["Remade-AI/Rotate"]
    assert not squish.isEnabled() and rotate.isEnabled()  # already in the list
    assert rotate.text() == "Rotate" and "Remade-AI/Rotate" in rotate.accessibleName()
    qtbot.mouseClick(rotate, Qt.MouseButton.LeftButton)
    assert form.values()["loras"] == [
        {"path": "Remade-AI/Squish", "scale": 1},
        {"path": "Remade-AI/Rotate", "scale": 0.8},
    ]
    assert not rotate.isEnabled()  # full (maxItems 2) and chosen
    field.remove_row(field.rows[0])
    field.remove_row(field.rows[0])
    assert form.values()["loras"] == []  # none, on purpose: not the server's default LoRA
    scale = field.add_row() and field.rows[0].field("scale")
    assert isinstance(scale, NumberField) and scale.value() == 1


class _Covers(http.server.BaseHTTPRequestHandler):
    image = b""
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.headers.get("Authorization"):
            self.send_error(400)
            return
        if self.path != "/cover.png":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.image)))
        self.end_headers()
        self.wfile.write(self.image)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def cover_server(tmp_path: Path) -> Iterator[str]:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#e76f51"))
    image.save(str(tmp_path / "c.png"))
    _Covers.image = (tmp_path / "c.png").read_bytes()
    _Covers.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Covers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_covers_are_fetched_only_when_shown_without_a_key(
    qtbot: QtBot, tmp_path: Path, cover_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader = CoverLoader(tmp_path / "covers")
    monkeypatch.setattr(LoraListField, "loader_factory", staticmethod(lambda: loader))
    spec = dict(LORAS)
    spec["recommend"] = [
        {"path": "a/Good", "scale": 1, "cover": f"{cover_server}/cover.png"},
        {"path": "a/Gone", "scale": 1, "cover": f"{cover_server}/missing.png"},
    ]
    form = ParamForm()
    qtbot.addWidget(form)
    form.set_model(model({"loras": spec}))
    field = form.field("loras")
    assert isinstance(field, LoraListField)
    blank = field.cover_pixmap("a/Good").toImage()
    assert _Covers.hits == []  # built, not shown: nothing fetched
    form.show()
    qtbot.waitUntil(lambda: loader.pending() == 0 and len(_Covers.hits) == 2, timeout=10_000)
    assert field.cover_pixmap("a/Good").toImage() != blank  # the picture replaced the tile
    assert loader.failed(f"{cover_server}/missing.png")
    assert list((tmp_path / "covers").glob("*.png"))  # cached for next time
    loader.shutdown()


def test_quirky_schemas_give_usable_inputs(qtbot: QtBot, form: ParamForm) -> None:
    effects = [f"effect_{i}" for i in range(156)]
    form.set_model(model({
        "seed": {"type": "integer", "default": -1, "minimum": -1, "maximum": 6553500000},
        "steps": {"type": "integer", "minimum": 0, "maximum": 9_000_000_000, "default": 4},
        "effect": {"type": "string", "enum": effects, "default": "effect_0"},
        "quality": {"enum": [0.25, 0.5, 1, 2], "default": 1},
        "enable_sync_mode": {"type": "boolean", "default": False, "disabled": True},
        "secret": {"type": "string", "default": "x", "x-hidden": True},
    }))  # fmt: skip
    assert form.field("enable_sync_mode") is None and form.field("secret") is None
    assert form.values() == {"seed": -1, "steps": 4, "effect": "effect_0", "quality": 1,
                             "secret": "x", "channel": "stable"}  # fmt: skip
    seed = form.field("seed")
    assert isinstance(seed, SeedField)
    assert seed.set_value(6_000_000_123) and seed.value() == 6_000_000_123  # past 32 bits
    steps = form.field("steps")
    assert isinstance(steps, NumberField) and steps.set_value(8_000_000_000)
    assert steps.value() == 8_000_000_000
    effect = form.field("effect")
    assert isinstance(effect, ChoiceField) and effect.combo is not None
    assert effect.combo.isEditable() and effect.combo.completer() is not None
    completer = effect.combo.completer()
    assert completer is not None
    completer.setCompletionPrefix("CT 15")  # any part of the shown name, any case
    assert completer.completionCount() == 7  # effect 15 and effect 150 … effect 155
    effect.combo.setCurrentIndex(effects.index("effect_42"))
    assert form.values()["effect"] == "effect_42"
    line = effect.combo.lineEdit()
    assert line is not None
    line.setText("no such effect")
    assert "not one of the options" in (effect.problem() or "")
