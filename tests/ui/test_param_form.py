"""The parameter form: every bundled model builds, and what people do becomes typed JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import (
    CHANNELS,
    ModelInfo,
    ParamKind,
    ParamSpec,
    load_bundled,
    parse_model,
    parse_size,
    validate_params,
)
from get3w_desktop.core.resources import resource_path
from get3w_desktop.ui.param_fields import (
    BoolField,
    ChoiceField,
    LoraListField,
    MediaField,
    MediaListField,
    NumberField,
    ObjectField,
    SeedField,
    SizeField,
    StringListField,
    TextField,
    name_filter,
)
from get3w_desktop.ui.param_form import FieldRow, ParamForm

CATALOGUE = load_bundled()
#: The models we describe ourselves (API.md's), each checked here in detail; every model of
#: the real list is built, filled and round-tripped by test_every_model_form.py.
MODEL_IDS = [
    entry["model_id"]
    for entry in json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))["models"]
    if entry.get("x-source") != "WS-list"
]


def model(model_id: str) -> ModelInfo:
    found = CATALOGUE.get(model_id)
    assert found is not None
    return found


def make_image(path: Path, width: int = 64, height: int = 48) -> str:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a9d8f"))
    assert image.save(str(path))
    return str(path)


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm()
    qtbot.addWidget(widget)
    widget.resize(420, 800)
    widget.show()  # clicks land where they would for a person
    qtbot.waitExposed(widget)
    return widget


def shown(qtbot: QtBot, form: ParamForm) -> ParamForm:
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    return form


def typed(field: Any, cls: type) -> Any:
    assert isinstance(field, cls), f"{field!r} is not a {cls.__name__}"
    return field


# -- every bundled model ----------------------------------------------------------------


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_untouched_form_sends_exactly_the_defaults(form: ParamForm, model_id: str) -> None:
    info = model(model_id)
    form.set_model(info)
    values = form.values()
    assert values == info.defaults()
    assert values["channel"] == "stable"
    shown_names = {p.name for p in info.params if not p.hidden}
    assert all(form.field(name) is not None for name in shown_names)


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_an_empty_required_prompt_is_a_problem(form: ParamForm, model_id: str) -> None:
    info = model(model_id)
    form.set_model(info)
    prompt = next(p for p in info.params if p.kind is ParamKind.PROMPT and p.required)
    problems = form.problems()
    assert any(p.startswith(prompt.title) for p in problems), problems
    # Everything the schema would refuse is also reported by the form.
    assert len(problems) >= len(validate_params(info, form.values()))


def full_values(info: ModelInfo, folder: Path) -> dict[str, Any]:
    """A value for every visible parameter, none of them the default."""
    image = make_image(folder / "in.png")
    sound = folder / "in.wav"
    sound.write_bytes(b"RIFF")
    out: dict[str, Any] = {}
    for spec in info.params:
        out[spec.name] = non_default(spec, str(sound) if spec.media_kind == "audio" else image)
    return out


def non_default(spec: ParamSpec, image: str) -> Any:
    kind = spec.kind
    if kind is ParamKind.CHOICE:
        return next(o for o in reversed(spec.enum) if o != spec.default)
    if kind in (ParamKind.PROMPT, ParamKind.TEXT):
        return f"{spec.title} text, with “quotes” and ümlauts"
    if kind is ParamKind.BOOLEAN:
        return not spec.default
    if kind is ParamKind.SEED:
        return 123456
    if kind is ParamKind.INTEGER:
        return int(spec.maximum) if spec.maximum is not None else 7
    if kind is ParamKind.NUMBER:
        return spec.minimum if spec.minimum is not None else 0.25
    if kind is ParamKind.SIZE:
        low = spec.size_min or 64
        return f"{low}*{low + 64}"
    if kind is ParamKind.MEDIA:
        return QUrl.fromLocalFile(image).toString()
    if kind is ParamKind.MEDIA_LIST:
        return [QUrl.fromLocalFile(image).toString(), "https://example.com/b.png"]
    raise AssertionError(f"no sample for {kind}")


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_set_values_and_values_round_trip(form: ParamForm, model_id: str, tmp_path: Path) -> None:
    info = model(model_id)
    form.set_model(info)
    values = full_values(info, tmp_path)
    assert form.set_values(values) == []
    assert form.values() == values
    assert form.problems() == []
    # and back: loading defaults resets what is not mentioned
    assert form.set_values({}) == []
    assert form.values() == info.defaults()


def test_set_model_fills_in_remembered_values(form: ParamForm) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"),
                   {"prompt": "remembered", "resolution": "2k", "not_a_param": 1})  # fmt: skip
    assert form.values()["prompt"] == "remembered"
    assert form.values()["resolution"] == "2k"
    assert "not_a_param" not in form.values()


def test_set_values_reports_what_it_could_not_show(form: ParamForm) -> None:
    form.set_model(model("bytedance/seedream-v4.5"))
    skipped = form.set_values({"size": "512*512", "prompt": 5, "bogus": True, "channel": "fast"})
    assert sorted(skipped) == ["bogus", "channel", "prompt", "size"]
    assert form.values() == model("bytedance/seedream-v4.5").defaults()


# -- typing, clicking, dropping ---------------------------------------------------------------


def test_typing_gives_typed_json_values(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("wavespeed-ai/flux-dev"))
    changes: list[None] = []
    form.changed.connect(lambda: changes.append(None))

    prompt = typed(form.field("prompt"), TextField)
    QTest.keyClicks(prompt.edit, "  A red fox  ")
    steps = typed(form.field("num_inference_steps"), NumberField)
    steps.spin.selectAll()
    QTest.keyClicks(steps.spin, "40")
    guidance = typed(form.field("guidance_scale"), NumberField)
    guidance.spin.selectAll()
    QTest.keyClicks(guidance.spin, "7.5")
    safety = typed(form.field("enable_safety_checker"), BoolField)
    QTest.mouseClick(safety.box, Qt.MouseButton.LeftButton)
    fmt = typed(form.field("output_format"), ChoiceField)
    assert fmt.segments is not None
    QTest.mouseClick(fmt.segments.buttons[1], Qt.MouseButton.LeftButton)

    values = form.values()
    assert values["prompt"] == "A red fox"
    assert values["num_inference_steps"] == 40 and type(values["num_inference_steps"]) is int
    assert values["guidance_scale"] == 7.5 and type(values["guidance_scale"]) is float
    assert values["enable_safety_checker"] is False
    assert values["output_format"] == "png"
    assert values["seed"] == -1 and values["strength"] == 0.8
    assert len(changes) >= 5
    assert validate_params(model("wavespeed-ai/flux-dev"), values) == []


def test_slider_and_spin_box_move_together(form: ParamForm) -> None:
    form.set_model(model("minimax/speech-02-hd"))
    pitch = typed(form.field("pitch"), NumberField)
    assert pitch.slider is not None
    assert pitch.slider.value() == 12  # 0 in -12..12 is the middle, not the left end
    pitch.slider.setValue(24)
    assert form.values()["pitch"] == 12
    pitch.spin.setValue(-3)
    assert pitch.slider.value() == 9


def test_integer_choices_stay_integers(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("google/veo3.1-fast/text-to-video"))
    duration = typed(form.field("duration"), ChoiceField)
    assert duration.segments is not None
    QTest.mouseClick(duration.segments.buttons[0], Qt.MouseButton.LeftButton)
    assert form.values()["duration"] == 4 and type(form.values()["duration"]) is int


def test_combo_choice_by_keyboard(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    ratio = typed(form.field("aspect_ratio"), ChoiceField)
    assert ratio.combo is not None
    ratio.combo.setFocus()
    QTest.keyClick(ratio.combo, Qt.Key.Key_Down)
    assert form.values()["aspect_ratio"] == "3:2"


def test_segments_are_one_tab_stop_moved_by_arrows(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    resolution = typed(form.field("resolution"), ChoiceField)
    assert resolution.segments is not None
    buttons = resolution.segments.buttons
    assert [b.focusPolicy() == Qt.FocusPolicy.StrongFocus for b in buttons] == [True, False, False]
    QTest.keyClick(buttons[0], Qt.Key.Key_Right)
    QTest.keyClick(buttons[1], Qt.Key.Key_Right)
    assert form.values()["resolution"] == "4k"
    assert [b.focusPolicy() == Qt.FocusPolicy.StrongFocus for b in buttons] == [False, False, True]
    QTest.keyClick(buttons[2], Qt.Key.Key_Home)
    assert form.values()["resolution"] == "1k"


def test_channel_is_a_combo_that_explains_itself(form: ParamForm) -> None:
    form.set_model(model("bytedance/seedream-v4.5"))
    channel = typed(form.field("channel"), ChoiceField)
    assert isinstance(channel.combo, QComboBox)
    assert [channel.combo.itemText(i).lower() for i in range(channel.combo.count())] == list(
        CHANNELS
    )
    tip = channel.combo.itemData(0, Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tip, str) and "price" in tip.lower()
    channel.combo.setCurrentIndex(2)
    assert form.values()["channel"] == "official"
    assert channel.explain is not None and "Official" in channel.explain.text()


def test_tab_in_the_prompt_moves_focus(qtbot: QtBot, form: ParamForm) -> None:
    shown(qtbot, form)
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    prompt = typed(form.field("prompt"), TextField)
    prompt.edit.setFocus()
    qtbot.waitUntil(prompt.edit.hasFocus)
    QTest.keyClicks(prompt.edit, "cat")
    QTest.keyClick(prompt.edit, Qt.Key.Key_Tab)
    assert form.values()["prompt"] == "cat"
    assert not prompt.edit.hasFocus()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_in_the_prompt_submits(qtbot: QtBot, form: ParamForm, key: Qt.Key) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    prompt = typed(form.field("prompt"), TextField)
    QTest.keyClicks(prompt.edit, "cat")
    with qtbot.waitSignal(form.submit_requested, timeout=1000):
        QTest.keyClick(prompt.edit, key, Qt.KeyboardModifier.ControlModifier)
    assert form.values()["prompt"] == "cat"  # no newline was typed


def test_plain_enter_in_the_prompt_is_a_new_line(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    prompt = typed(form.field("prompt"), TextField)
    submitted: list[None] = []
    form.submit_requested.connect(lambda: submitted.append(None))
    QTest.keyClicks(prompt.edit, "one")
    QTest.keyClick(prompt.edit, Qt.Key.Key_Return)
    QTest.keyClicks(prompt.edit, "two")
    assert form.values()["prompt"] == "one\ntwo"
    assert submitted == []


def test_ctrl_enter_anywhere_in_the_form_submits(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("wavespeed-ai/flux-dev"))
    steps = typed(form.field("num_inference_steps"), NumberField)
    with qtbot.waitSignal(form.submit_requested, timeout=1000):
        QTest.keyClick(steps.spin, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    seed = typed(form.field("seed"), SeedField)
    with qtbot.waitSignal(form.submit_requested, timeout=1000):
        QTest.keyClick(seed.random_box, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)


def test_seed_random_toggle(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("wavespeed-ai/flux-dev"))
    seed = typed(form.field("seed"), SeedField)
    assert form.values()["seed"] == -1 and seed.random_box.isChecked()
    QTest.mouseClick(seed.random_box, Qt.MouseButton.LeftButton)
    fixed = form.values()["seed"]
    assert isinstance(fixed, int) and fixed >= 0
    QTest.mouseClick(seed.random_box, Qt.MouseButton.LeftButton)
    assert form.values()["seed"] == -1
    QTest.mouseClick(seed.random_box, Qt.MouseButton.LeftButton)
    assert form.values()["seed"] == fixed  # the fixed seed comes back
    seed.spin.selectAll()
    QTest.keyClicks(seed.spin, "77")
    assert form.values()["seed"] == 77 and not seed.random_box.isChecked()
    QTest.mouseClick(seed.dice, Qt.MouseButton.LeftButton)
    assert form.values()["seed"] >= 0
    assert form.set_values({"seed": -1}) == []
    assert seed.random_box.isChecked() and seed.spin.text() == "Random"


def test_size_stays_within_its_limits(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("bytedance/seedream-v4.5"))
    size = typed(form.field("size"), SizeField)
    size.width_spin.selectAll()
    QTest.keyClicks(size.width_spin, "9999")
    size.height_spin.setValue(10)
    width, height = parse_size(form.values()["size"]) or (0, 0)
    assert width <= 4096 and height == 1024
    assert form.set_values({"size": "8192*8192"}) == ["size"]
    assert form.set_values({"size": "1536*2048"}) == []
    assert form.values()["size"] == "1536*2048"
    QTest.mouseClick(size.presets["Landscape"], Qt.MouseButton.LeftButton)
    width, height = parse_size(form.values()["size"]) or (0, 0)
    assert width > height >= 1024
    assert form.problems()[0].startswith("Prompt")  # only the empty prompt is wrong


def test_size_ratio_lock(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("wavespeed-ai/flux-dev"))
    size = typed(form.field("size"), SizeField)
    size.set_size(1024, 512)
    size.lock.setChecked(True)
    size.width_spin.setValue(1536)
    assert form.values()["size"] == "1536*768"


def drop(widget: QWidget, *urls: QUrl) -> None:
    """Drag files over `widget` and let go (QApplication only routes real drops)."""
    mime = QMimeData()
    mime.setUrls(list(urls))
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    enter = QDragEnterEvent(QPoint(10, 10), *args)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    widget.dropEvent(QDropEvent(QPointF(10, 10), *args))


def test_a_dropped_file_becomes_a_file_url(form: ParamForm, tmp_path: Path) -> None:
    form.set_model(model("google/veo3.1-fast/image-to-video"))
    path = make_image(tmp_path / "first frame.png")
    first = typed(form.field("image"), MediaField)
    drop(first, QUrl.fromLocalFile(path))
    assert form.values()["image"] == QUrl.fromLocalFile(path).toString()
    assert form.values()["image"].startswith("file://")
    assert first.chip is not None and "first frame.png" in first.chip.name_label.toolTip()
    assert not first.drop_box.isVisibleTo(first)
    first.chip.remove_button.click()
    assert "image" not in form.values()
    assert first.drop_box.isVisibleTo(first)


def test_a_dropped_web_link_is_kept_as_a_link(form: ParamForm) -> None:
    form.set_model(model("kwaivgi/kling-v2.1-i2v-pro"))
    drop(typed(form.field("image"), MediaField), QUrl("https://example.com/cat.png"))
    assert form.values()["image"] == "https://example.com/cat.png"


def test_a_chosen_file_becomes_a_file_url(
    qtbot: QtBot, form: ParamForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_image(tmp_path / "start.jpg")
    asked: list[str] = []

    def fake_dialog(parent: QWidget, title: str, folder: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return path, filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    form.set_model(model("wavespeed-ai/flux-dev"))
    start = typed(form.field("image"), MediaField)
    QTest.mouseClick(start.drop_box.choose_button, Qt.MouseButton.LeftButton)
    assert form.values()["image"] == QUrl.fromLocalFile(path).toString()
    assert "*.png" in asked[0] and "*.jpg" in asked[0]


def test_a_pasted_link_is_the_value(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model("alibaba/wan-2.6/text-to-video"))
    audio = typed(form.field("audio"), MediaField)
    QTest.keyClicks(audio.drop_box.link, " https://example.com/song.mp3 ")
    assert form.values()["audio"] == "https://example.com/song.mp3"
    audio.drop_box.link.clear()
    QTest.keyClicks(audio.drop_box.link, "not a link")
    assert any("web address" in p for p in form.problems())


def test_media_list_respects_its_limits(
    qtbot: QtBot, form: ParamForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [make_image(tmp_path / f"img{i}.png") for i in range(12)]
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *args: (paths, "Images"))
    )
    form.set_model(model("bytedance/seedream-v4.5/edit"))
    images = typed(form.field("images"), MediaListField)
    assert any(p.startswith("Add at least one image") for p in form.problems())
    QTest.mouseClick(images.drop_box.choose_button, Qt.MouseButton.LeftButton)
    values = form.values()["images"]
    assert values == [QUrl.fromLocalFile(p).toString() for p in paths[:10]]
    assert "2 left out" in images.note.text()
    assert not images.drop_box.choose_button.isVisibleTo(images)  # full
    images.chips[0].remove_button.click()
    assert len(form.values()["images"]) == 9
    QTest.keyClicks(images.drop_box.link, "https://example.com/x.png")
    QTest.keyClick(images.drop_box.link, Qt.Key.Key_Return)
    assert form.values()["images"][-1] == "https://example.com/x.png"
    assert len(form.values()["images"]) == 10


def test_dropping_several_files_on_a_list(form: ParamForm, tmp_path: Path) -> None:
    form.set_model(model("google/nano-banana-pro/edit"))
    a, b = make_image(tmp_path / "a.png"), make_image(tmp_path / "b.webp")
    drop(typed(form.field("images"), MediaListField), QUrl.fromLocalFile(a), QUrl.fromLocalFile(b))
    assert form.values()["images"] == [QUrl.fromLocalFile(a).toString(),
                                       QUrl.fromLocalFile(b).toString()]  # fmt: skip


def test_a_missing_or_wrong_file_is_explained(form: ParamForm, tmp_path: Path) -> None:
    form.set_model(model("google/veo3.1-fast/image-to-video"))
    gone = QUrl.fromLocalFile(str(tmp_path / "gone.png")).toString()
    form.set_values({"prompt": "p", "image": gone})
    assert form.values()["image"] == gone  # values() still reports it, it never raises
    assert any("can't be found" in p for p in form.problems())
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0" * 10)
    form.set_values({"prompt": "p", "image": QUrl.fromLocalFile(str(clip)).toString()})
    assert any("is not an image" in p for p in form.problems())


def test_problems_show_under_the_field_when_leaving_it(qtbot: QtBot, form: ParamForm) -> None:
    shown(qtbot, form)
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    prompt = typed(form.field("prompt"), TextField)
    row = typed(prompt.parentWidget(), FieldRow)
    prompt.edit.setFocus()
    qtbot.waitUntil(prompt.edit.hasFocus)
    assert not row.error.isVisible()  # nothing to complain about while typing starts
    QTest.keyClick(prompt.edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(row.error.isVisible)
    assert "Prompt is required" in row.error.text()
    QTest.keyClicks(prompt.edit, "now filled")  # fixing it clears the message at once
    assert not row.error.isVisible()


def test_show_problems_marks_every_field_and_focuses_the_first(
    qtbot: QtBot, form: ParamForm
) -> None:
    shown(qtbot, form)
    form.set_model(model("google/nano-banana-pro/edit"))
    problems = form.show_problems()
    assert problems == ["Prompt is required.", "Add at least one image."]
    prompt = typed(form.field("prompt"), TextField)
    qtbot.waitUntil(prompt.edit.hasFocus)
    rows = form.findChildren(FieldRow)
    assert [r.spec.name for r in rows if r.error.isVisible()] == ["prompt", "images"]


# -- schemas the bundled catalogue does not have ---------------------------------------------


def custom_model() -> ModelInfo:
    schema = {
        "type": "object",
        "required": ["prompt", "tags"],
        "x-order-properties": ["prompt", "loras", "tags", "steps", "ratio", "secret_mode"],
        "properties": {
            "prompt": {"type": "string"},
            "loras": {"type": "array", "items": {"type": "object"}, "x-ui-component": "loras"},
            "extras": {"type": "object"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "steps": {"type": "integer", "minimum": 1, "maximum": 10},
            "ratio": {"type": "number", "minimum": 0, "maximum": 1, "step": 0.05},
            "secret_mode": {"type": "string", "default": "fast", "x-hidden": True},
        },
    }
    return parse_model({"model_id": "test/custom", "name": "Custom", "type": "text-to-image",
                        "api_schema": {"api_schemas": [{"request_schema": schema}]}},
                       source="test")  # fmt: skip


def test_json_and_list_fields(qtbot: QtBot, form: ParamForm) -> None:
    info = custom_model()
    form.set_model(info)
    assert form.field("secret_mode") is None  # hidden, yet sent
    assert form.values() == {"secret_mode": "fast", "channel": "stable"}  # optional numbers: Auto
    editor = typed(form.field("extras"), ObjectField).edit
    QTest.keyClicks(editor, '{"style": "film", "grain": 0.7')
    assert "extras" not in form.values()
    assert any("not valid JSON" in p for p in form.problems())
    QTest.keyClicks(editor, "}")
    assert form.values()["extras"] == {"style": "film", "grain": 0.7}
    editor.clear()
    loras = typed(form.field("loras"), LoraListField)
    assert loras.add_row()
    path = loras.rows[0].field("path")
    assert path is not None
    QTest.keyClicks(path.focus_target(), "a.safetensors")
    assert form.values()["loras"] == [{"path": "a.safetensors", "scale": 1}]  # an object
    loras.remove_row(loras.rows[0])
    tags = typed(form.field("tags"), StringListField).edit
    tags.setPlainText("red\n\n  blue \ngreen\nyellow")
    assert form.values()["tags"] == ["red", "blue", "green", "yellow"]
    assert any("at most 3" in p for p in form.problems())
    tags.setPlainText("red")
    steps = typed(form.field("steps"), NumberField)
    assert steps.spin.text() == "Auto"
    steps.spin.stepUp()
    assert form.values()["steps"] == 1
    assert form.set_values({"prompt": "p", "tags": ["a"], "ratio": 0.35, "secret_mode": "x"}) == []
    assert form.values() == {"prompt": "p", "tags": ["a"], "ratio": 0.35, "secret_mode": "x",
                             "channel": "stable"}  # fmt: skip
    assert form.problems() == []


def test_values_never_raises_on_a_broken_field(form: ParamForm) -> None:
    form.set_model(model("google/nano-banana-pro/text-to-image"))
    prompt = typed(form.field("prompt"), TextField)

    def broken() -> str:
        raise RuntimeError("bug")

    prompt.value = broken
    assert "prompt" not in form.values()
    assert any("Prompt" in p for p in form.problems())


def test_no_model_yet(form: ParamForm) -> None:
    assert form.values() == {}
    assert form.problems() == ["Choose a model first."]


def test_file_dialog_filters_follow_accept() -> None:
    spec = model("alibaba/wan-2.6/text-to-video").param("audio")
    assert spec is not None
    assert name_filter(spec).startswith("Audio files (*.mp3")


def test_tab_walks_the_form_top_to_bottom(qtbot: QtBot, form: ParamForm, tmp_path: Path) -> None:
    shown(qtbot, form)
    form.resize(420, 1400)  # everything visible, so positions can be compared
    form.set_model(model("bytedance/seedream-v4.5/edit"))
    images = typed(form.field("images"), MediaListField)
    images.add_files([make_image(tmp_path / "a.png"), make_image(tmp_path / "b.png")])
    qtbot.waitUntil(images.chips[1].remove_button.isVisible)  # new widgets show a beat later
    prompt = typed(form.field("prompt"), TextField)
    prompt.edit.setFocus()
    qtbot.waitUntil(prompt.edit.hasFocus)
    visited: list[QWidget] = []
    widget: QWidget | None = prompt.edit
    for _ in range(12):
        assert widget is not None
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        assert widget is not None
        visited.append(widget)
    assert visited[:4] == [images.chips[0].remove_button, images.chips[1].remove_button,
                           images.drop_box.choose_button, images.drop_box.link]  # fmt: skip
    size = typed(form.field("size"), SizeField)
    assert size.width_spin in visited and size.height_spin in visited
    channel = typed(form.field("channel"), ChoiceField)
    assert channel.combo in visited
    tops = [w.mapTo(form, QPoint(0, 0)).y() for w in visited[: visited.index(channel.combo) + 1]]
    assert tops == sorted(tops)


def test_keyboard_only_removes_an_image(qtbot: QtBot, form: ParamForm, tmp_path: Path) -> None:
    shown(qtbot, form)
    form.set_model(model("bytedance/seedream-v4.5/edit"))
    images = typed(form.field("images"), MediaListField)
    images.add_files([make_image(tmp_path / "a.png"), make_image(tmp_path / "b.png")])
    images.chips[0].remove_button.setFocus()
    qtbot.waitUntil(images.chips[0].remove_button.hasFocus)
    QTest.keyClick(images.chips[0].remove_button, Qt.Key.Key_Space)
    assert form.values()["images"] == [QUrl.fromLocalFile(str(tmp_path / "b.png")).toString()]
    qtbot.waitUntil(images.chips[0].remove_button.hasFocus)  # focus stays in the list


def test_value_widgets_ignore_the_wheel_until_focused(qtbot: QtBot) -> None:
    from PySide6.QtGui import QWheelEvent

    from get3w_desktop.ui.param_fields import Combo, DoubleSpinBox, Slider, SpinBox

    def wheel(widget: QWidget) -> bool:
        event = QWheelEvent(
            QPointF(5, 5), QPointF(widget.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
            QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(widget, event)
        return event.isAccepted()

    spin, dspin, slider, combo = SpinBox(), DoubleSpinBox(), Slider(), Combo()
    spin.setRange(0, 10)
    dspin.setRange(0, 10)
    slider.setRange(0, 10)
    combo.addItems(["a", "b", "c"])
    combo.setCurrentIndex(1)
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    for widget in (spin, dspin, slider, combo):
        layout.addWidget(widget)
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus
    holder.show()
    holder.activateWindow()
    qtbot.waitActive(holder)
    assert slider.orientation() == Qt.Orientation.Horizontal
    values = [spin.value(), dspin.value(), slider.value(), combo.currentIndex()]
    for widget in (spin, dspin, slider, combo):
        assert wheel(widget) is False  # left to the scroll area
    assert [spin.value(), dspin.value(), slider.value(), combo.currentIndex()] == values
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin)
    assert spin.value() == values[0] + 1
