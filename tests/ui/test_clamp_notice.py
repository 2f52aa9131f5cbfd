"""A number typed outside its limits is brought within them, and the form says so under the
field (and to a screen reader) until the person edits the value again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import ModelInfo, load_bundled
from get3w_desktop.ui import i18n
from get3w_desktop.ui.param_fields import NumberField, SeedField, SizeField
from get3w_desktop.ui.param_form import FieldRow, ParamForm

FLUX = "wavespeed-ai/flux-dev"  # size 256-1536 a side; steps 1-50; guidance 0-10
CATALOGUE = load_bundled()


def model(model_id: str) -> ModelInfo:
    found = CATALOGUE.get(model_id)
    assert found is not None
    return found


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    widget.set_model(model(FLUX))
    return widget


def row_of(form: ParamForm, name: str) -> FieldRow:
    field = form.field(name)
    assert field is not None
    row = field.parentWidget()
    assert isinstance(row, FieldRow)
    return row


def type_and_leave(qtbot: QtBot, spin: QAbstractSpinBox, text: str, form: ParamForm) -> None:
    spin.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    QTest.keyClicks(spin, text)
    prompt = form.field("prompt")
    assert prompt is not None
    prompt.focus_target().setFocus(Qt.FocusReason.TabFocusReason)  # focus out
    qtbot.waitUntil(lambda: not spin.hasFocus())


def test_width_above_its_maximum_is_explained_until_edited(qtbot: QtBot, form: ParamForm) -> None:
    size = form.field("size")
    assert isinstance(size, SizeField)
    row = row_of(form, "size")
    assert not row.notice.isVisible()
    type_and_leave(qtbot, size.width_spin, "5000", form)
    assert size.width_spin.value() == 1536
    assert form.values()["size"].startswith("1536*")
    assert row.notice.isVisible()
    assert "The maximum is 1536; 5000 was changed to 1536." in row.notice.text()
    # A screen reader hears it on the input itself.
    assert "5000 was changed to 1536" in size.width_spin.accessibleDescription()
    assert not row.error.isVisible()  # a change made for them, not a problem

    # Editing again: the note goes, and a value within the limits stays as typed.
    type_and_leave(qtbot, size.width_spin, "300", form)
    assert size.width_spin.value() == 300
    assert not row.notice.isVisible()
    assert "changed" not in size.width_spin.accessibleDescription()


def test_height_below_its_minimum_and_arrows_clear_the_note(qtbot: QtBot, form: ParamForm) -> None:
    size = form.field("size")
    assert isinstance(size, SizeField)
    row = row_of(form, "size")
    type_and_leave(qtbot, size.height_spin, "10", form)
    assert size.height_spin.value() == 256
    assert "The minimum is 256; 10 was changed to 256." in row.notice.text()
    assert "10 was changed to 256" in size.height_spin.accessibleDescription()
    size.height_spin.setFocus()
    qtbot.waitUntil(size.height_spin.hasFocus)
    QTest.keyClick(size.height_spin, Qt.Key.Key_Up)
    assert size.height_spin.value() > 256
    assert not row.notice.isVisible()
    assert size.height_spin.accessibleDescription() == ""


def test_integer_slider_field(qtbot: QtBot, form: ParamForm) -> None:
    steps = form.field("num_inference_steps")
    assert isinstance(steps, NumberField) and steps.slider is not None
    row = row_of(form, "num_inference_steps")
    type_and_leave(qtbot, steps.spin, "500", form)
    assert form.values()["num_inference_steps"] == 50
    assert steps.slider.value() == steps.slider.maximum()  # the slider follows
    assert "The maximum is 50; 500 was changed to 50." in row.notice.text()
    assert "500 was changed to 50" in steps.spin.accessibleDescription()
    steps.slider.setFocus()
    qtbot.waitUntil(steps.slider.hasFocus)
    QTest.keyClick(steps.slider, Qt.Key.Key_Left)  # moving the slider is editing too
    assert form.values()["num_inference_steps"] == 49
    assert not row.notice.isVisible()


def test_float_field_and_enter(qtbot: QtBot, form: ParamForm) -> None:
    guidance = form.field("guidance_scale")
    assert isinstance(guidance, NumberField)
    row = row_of(form, "guidance_scale")
    guidance.spin.setFocus()
    qtbot.waitUntil(guidance.spin.hasFocus)
    guidance.spin.selectAll()
    QTest.keyClicks(guidance.spin, "12.5")
    QTest.keyClick(guidance.spin, Qt.Key.Key_Return)  # Enter settles it too
    assert form.values()["guidance_scale"] == 10.0
    assert row.notice.isVisible()
    assert "12.5 was changed to 10" in row.notice.text()
    QTest.keyClicks(guidance.spin, "\b")  # typing again clears it
    assert not row.notice.isVisible()


def test_seed_past_its_maximum_but_random_is_not_a_minimum(qtbot: QtBot, form: ParamForm) -> None:
    seed = form.field("seed")
    assert isinstance(seed, SeedField)
    row = row_of(form, "seed")
    type_and_leave(qtbot, seed.spin, "99999999999", form)
    assert form.values()["seed"] == 2147483647
    assert "was changed to 2147483647" in row.notice.text()
    type_and_leave(qtbot, seed.spin, "-1", form)  # Random, as typed: nothing to explain
    assert seed.is_random() and not row.notice.isVisible()


def test_loading_values_clears_the_note(qtbot: QtBot, form: ParamForm) -> None:
    size = form.field("size")
    assert isinstance(size, SizeField)
    type_and_leave(qtbot, size.width_spin, "5000", form)
    assert row_of(form, "size").notice.isVisible()
    form.set_values({"size": "512*512"})
    assert not row_of(form, "size").notice.isVisible()


def test_the_note_is_translated(qtbot: QtBot, form: ParamForm, qapp: QApplication) -> None:
    try:
        assert i18n.install_language(qapp, "zh_CN")
        size = form.field("size")
        assert isinstance(size, SizeField)
        type_and_leave(qtbot, size.width_spin, "5000", form)
        text = row_of(form, "size").notice.text()
        assert "1536" in text and "5000" in text
        assert "maximum" not in text and "最大" in text
    finally:
        i18n.install_language(qapp, "en")
