"""The model picker: grouped, searchable, and driven from the keyboard."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.resources import resource_path
from get3w_desktop.ui.model_delegate import secondary_line
from get3w_desktop.ui.model_picker import (
    GROUP_LABELS,
    ModelPicker,
    Role,
    duration_text,
    price_text,
)

#: The models we describe ourselves: a small, stable list for the grouping and keyboard
#: rules here (the browser over the real 794 is tested in test_model_browser.py).
CURATED = [
    entry["model_id"]
    for entry in json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))["models"]
    if entry.get("x-source") != "WS-list"
]
CATALOGUE = Catalogue(m for m in load_bundled() if m.model_id in CURATED)


@pytest.fixture
def picker(qtbot: QtBot) -> ModelPicker:
    widget = ModelPicker()
    qtbot.addWidget(widget)
    widget.set_catalogue(CATALOGUE)
    widget.resize(280, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def rows(picker: ModelPicker) -> list[str]:
    """What the list shows: "# Header" for group headers, model ids otherwise."""
    out = []
    for row in range(picker.proxy.rowCount()):
        index = picker.proxy.index(row, 0)
        if index.data(Role.IS_HEADER):
            out.append(f"# {index.data()}")
        else:
            out.append(str(index.data(Role.MODEL_ID)))
    return out


def test_models_are_grouped_under_friendly_headers(picker: ModelPicker) -> None:
    shown = rows(picker)
    headers = [r[2:] for r in shown if r.startswith("# ")]
    assert headers == [GROUP_LABELS[t] for t in CATALOGUE.types()]
    assert headers == ["Text to image", "Image to image", "Text to video", "Image to video",
                       "Audio"]  # fmt: skip
    assert len(shown) == len(CATALOGUE) + len(headers)
    assert shown[shown.index("# Image to image") + 1] == "google/nano-banana-pro/edit"
    header = picker.proxy.index(0, 0)
    assert not header.flags() & Qt.ItemFlag.ItemIsSelectable
    assert not header.flags() & Qt.ItemFlag.ItemIsEnabled


def test_entries_carry_name_id_and_price(picker: ModelPicker) -> None:
    index = picker.proxy.index(1, 0)
    assert index.data() == "Nano Banana Pro"
    assert index.data(Role.SECONDARY) == "google/nano-banana-pro/text-to-image"
    assert index.data(Role.PRICE) == "$0.14 / run"


def test_price_and_duration_texts() -> None:
    assert price_text(0.14) == "$0.14 / run"
    assert price_text(1.2) == "$1.20 / run"
    assert price_text(0.012) == "$0.012 / run"
    assert price_text(None) == "" and price_text(-1) == ""
    assert duration_text(20) == "about 20 s"
    assert duration_text(90) == "about 1½ min"
    assert duration_text(180) == "about 3 min"
    assert duration_text(None) == ""


def test_search_filters_and_keeps_the_headers_of_matches(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    picker.model_chosen.connect(chosen.append)
    QTest.keyClicks(picker.search, "video")
    shown = rows(picker)
    assert "# Text to video" in shown and "# Image to video" in shown
    assert "# Text to image" not in shown and "# Audio" not in shown
    assert "google/veo3.1-fast/text-to-video" in shown
    assert not any("nano-banana" in r for r in shown)
    picker.search.clear()
    QTest.keyClicks(picker.search, "google edit")  # every word must match
    assert rows(picker) == ["# Image to image", "google/nano-banana-pro/edit"]
    assert chosen == []  # searching never switches the model


def test_no_match_shows_a_readable_empty_state(qtbot: QtBot, picker: ModelPicker) -> None:
    QTest.keyClicks(picker.search, "unicorn")
    assert rows(picker) == []
    assert picker.stack.currentIndex() == 1
    assert picker.empty_title.text() == "No model matches “unicorn”"
    assert picker.empty_title.isVisible() and not picker.view.isVisible()
    QTest.keyClick(picker.search, Qt.Key.Key_Escape)  # Escape clears the search
    assert picker.search.text() == "" and picker.view.isVisible()


def test_keyboard_search_arrows_and_enter(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    activated: list[str] = []
    picker.model_chosen.connect(chosen.append)
    picker.model_activated.connect(activated.append)
    picker.focus_search()
    qtbot.waitUntil(picker.search.hasFocus)
    QTest.keyClicks(picker.search, "seedream")
    QTest.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.view.hasFocus()
    assert chosen == ["bytedance/seedream-v4.5"]
    QTest.keyClick(picker.view, Qt.Key.Key_Down)  # skips the "Image to image" header
    assert chosen[-1] == "bytedance/seedream-v4.5/edit"
    assert picker.current_model_id() == "bytedance/seedream-v4.5/edit"
    QTest.keyClick(picker.view, Qt.Key.Key_Down)  # the last match: stays put
    QTest.keyClick(picker.view, Qt.Key.Key_Up)
    assert chosen == ["bytedance/seedream-v4.5", "bytedance/seedream-v4.5/edit",
                      "bytedance/seedream-v4.5"]  # fmt: skip
    QTest.keyClick(picker.view, Qt.Key.Key_Return)
    assert activated == ["bytedance/seedream-v4.5"]


def test_enter_in_the_search_box_takes_the_first_match(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    picker.model_chosen.connect(chosen.append)
    QTest.keyClicks(picker.search, "sora")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert chosen == ["openai/sora-2/text-to-video"]
    assert picker.view.currentIndex().data(Role.MODEL_ID) == "openai/sora-2/text-to-video"


def test_home_end_and_page_keys_skip_headers(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    picker.model_chosen.connect(chosen.append)
    picker.select("minimax/speech-02-hd")
    picker.view.setFocus()
    QTest.keyClick(picker.view, Qt.Key.Key_Home)
    assert chosen == ["google/nano-banana-pro/text-to-image"]
    QTest.keyClick(picker.view, Qt.Key.Key_End)
    assert chosen[-1] == "minimax/speech-02-hd"
    for _ in range(3):
        QTest.keyClick(picker.view, Qt.Key.Key_PageUp)  # never stops on a header
        assert picker.view.currentIndex().data(Role.MODEL_ID) == picker.current_model_id()
    assert picker.current_model_id() == "google/nano-banana-pro/text-to-image"


def test_select_is_quiet_and_survives_filtering(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    picker.model_chosen.connect(chosen.append)
    assert picker.select("wavespeed-ai/flux-dev")
    assert not picker.select("no/such-model")
    assert chosen == []
    assert picker.current_model_id() == "wavespeed-ai/flux-dev"
    QTest.keyClicks(picker.search, "video")  # flux is filtered out: no highlight at all
    assert not picker.view.currentIndex().isValid()
    picker.search.clear()  # back: the highlight is on flux again, not on a neighbour
    assert picker.view.currentIndex().data(Role.MODEL_ID) == "wavespeed-ai/flux-dev"
    assert chosen == []


def test_select_clears_a_search_that_hides_the_model(qtbot: QtBot, picker: ModelPicker) -> None:
    QTest.keyClicks(picker.search, "audio")
    assert picker.select("bytedance/seedream-v4.5")
    assert picker.search.text() == ""
    assert picker.view.currentIndex().data(Role.MODEL_ID) == "bytedance/seedream-v4.5"


def test_clicking_a_model_chooses_it(qtbot: QtBot, picker: ModelPicker) -> None:
    with qtbot.waitSignal(picker.model_chosen, timeout=1000) as blocker:
        target = picker.proxy.index(2, 0)
        rect = picker.view.visualRect(target)
        QTest.mouseClick(picker.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["google/nano-banana-2/text-to-image"]
    header_rect = picker.view.visualRect(picker.proxy.index(0, 0))
    QTest.mouseClick(picker.view.viewport(), Qt.MouseButton.LeftButton, pos=header_rect.center())
    assert picker.current_model_id() == "google/nano-banana-2/text-to-image"


def test_an_empty_catalogue_says_so(qtbot: QtBot) -> None:
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_catalogue([])
    assert picker.stack.currentIndex() == 1
    assert "No models" in picker.empty_title.text()
    assert picker.current_model_id() is None


def test_the_line_under_a_name_keeps_the_maker_whole_rather_than_a_middle_cut(
    picker: ModelPicker,
) -> None:
    metrics = picker.fontMetrics()
    model_id, facts = "wavespeed-ai/flux-dev", "$0.012 / run · about 8 s"

    def width(*texts: str) -> int:
        return sum(metrics.horizontalAdvance(t) for t in texts) + 10 + 4

    assert secondary_line(metrics, model_id, facts, width(model_id, facts)) == (model_id, facts)
    assert secondary_line(metrics, model_id, facts, width("wavespeed-ai", facts)) == (
        "wavespeed-ai",
        facts,
    )  # the maker whole, not "wav…dev"
    assert secondary_line(metrics, model_id, facts, width("wavespeed-ai", "$0.012 / run")) == (
        "wavespeed-ai",
        "$0.012 / run",
    )  # the time goes before the maker is cut
    tiny, price = secondary_line(metrics, model_id, facts, width("wave…", "$0.012 / run"))
    assert price == "$0.012 / run" and tiny.startswith("wav") and tiny.endswith("…")
