"""The model browser over the real 794 models: kinds, makers, search, favourites, recents."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyleOptionViewItem, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import Catalogue, parse_catalogue
from get3w_desktop.itemmodels.model_catalogue import FAVOURITES, RECENT, Role
from get3w_desktop.storage.model_prefs import ModelPrefs
from get3w_desktop.ui.model_delegate import ModelDelegate
from get3w_desktop.ui.model_picker import ModelPicker, group_label
from tests.real_catalogue import real_models_json

_Index = QModelIndex | QPersistentModelIndex


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    parsed, _problems = parse_catalogue(real_models_json(), source="real")
    return parsed


@pytest.fixture
def picker(qtbot: QtBot, tmp_path: Path, catalogue: Catalogue) -> ModelPicker:
    widget = ModelPicker(prefs=ModelPrefs(tmp_path / "prefs.json"))
    qtbot.addWidget(widget)
    widget.set_catalogue(catalogue)
    widget.resize(320, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_ids(picker: ModelPicker) -> list[str]:
    out = []
    for row in range(picker.proxy.rowCount()):
        model_id = picker.proxy.index(row, 0).data(Role.MODEL_ID)
        if model_id:
            out.append(str(model_id))
    return out


def choose(combo_data: object, picker: ModelPicker, which: str = "kind") -> None:
    combo = picker.kind if which == "kind" else picker.maker
    combo.setCurrentIndex(combo.findData(combo_data))


def test_the_25_kinds_are_listed_with_their_counts(
    picker: ModelPicker, catalogue: Catalogue
) -> None:
    kinds = [picker.kind.itemText(i) for i in range(picker.kind.count())]
    assert kinds[0] == "All kinds (794)"
    assert "Image to video (150)" in kinds and "Image to 3D (14)" in kinds
    assert "Speech to text (4)" in kinds and "Language models (4)" in kinds
    types = [picker.kind.itemData(i) for i in range(4, picker.kind.count())]
    assert len(types) == 25
    assert picker.status.text() == "794 models"
    choose("image-to-3d", picker)
    ids = shown_ids(picker)
    assert len(ids) == 14
    assert {catalogue.get(i).type for i in ids} == {"image-to-3d"}  # type: ignore[union-attr]
    assert picker.proxy.index(0, 0).data() == group_label("image-to-3d")  # its header
    assert picker.status.text() == "14 of 794 models"


def test_makers_filter_and_combine_with_search(qtbot: QtBot, picker: ModelPicker) -> None:
    choose("google", picker, "maker")
    ids = shown_ids(picker)
    assert ids and all(i.startswith("google/") for i in ids)
    QTest.keyClicks(picker.search, "veo fast")
    narrowed = shown_ids(picker)
    assert narrowed and set(narrowed) < set(ids)
    assert all("veo" in i and "fast" in i for i in narrowed)
    choose("", picker, "maker")
    assert len(shown_ids(picker)) >= len(narrowed)


def test_search_reaches_descriptions_types_and_ids(
    picker: ModelPicker, catalogue: Catalogue
) -> None:
    QTest.keyClicks(picker.search, "moderation")
    ids = shown_ids(picker)
    moderators = [m.model_id for m in catalogue if m.type == "content-moderation"]
    assert set(moderators) <= set(ids)  # by type (and group name)
    picker.search.clear()
    QTest.keyClicks(picker.search, "FRAMEPACK")
    assert "wavespeed-ai/framepack" in shown_ids(picker)  # by id, any case
    picker.search.clear()
    QTest.keyClicks(picker.search, "zzzz qqq")
    assert shown_ids(picker) == [] and picker.stack.currentIndex() == 1
    assert "zzzz qqq" in picker.empty_title.text()


def test_favourites_persist_and_have_their_own_list(
    qtbot: QtBot, picker: ModelPicker, tmp_path: Path
) -> None:
    choose(FAVOURITES, picker)
    assert shown_ids(picker) == [] and "No favourites yet" in picker.empty_title.text()
    choose("*all", picker)
    assert picker.select("wavespeed-ai/framepack")
    picker.view.setFocus()
    QTest.keyClick(picker.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert ModelPrefs(tmp_path / "prefs.json").favourites() == ("wavespeed-ai/framepack",)
    index = picker.proxy.index(picker.view.currentIndex().row(), 0)
    assert index.data(Role.FAVOURITE) is True
    assert index.data(Qt.ItemDataRole.AccessibleTextRole).endswith(", favourite")
    assert picker.kind.itemText(picker.kind.findData(FAVOURITES)) == "★ Favourites (1)"
    # The star in a row is a button too.
    other = picker.proxy.index(1, 0)
    rect = picker.view.visualRect(other)
    star = QPoint(rect.right() - 18, rect.top() + 12)
    QTest.mouseClick(picker.view.viewport(), Qt.MouseButton.LeftButton, pos=star)
    starred = other.data(Role.MODEL_ID)
    assert picker.prefs.is_favourite(starred)
    choose(FAVOURITES, picker)
    assert sorted(shown_ids(picker)) == sorted(["wavespeed-ai/framepack", starred])


def test_recently_used_lists_newest_first(qtbot: QtBot, picker: ModelPicker) -> None:
    for model_id in ("wavespeed-ai/framepack", "google/nano-banana-pro/edit",
                     "wavespeed-ai/framepack"):  # fmt: skip
        picker.note_used(model_id)
    choose(RECENT, picker)
    assert shown_ids(picker) == ["wavespeed-ai/framepack", "google/nano-banana-pro/edit"]
    assert not any(picker.proxy.index(r, 0).data(Role.IS_HEADER)
                   for r in range(picker.proxy.rowCount()))  # fmt: skip
    choose("*all", picker)
    assert len(shown_ids(picker)) == 794


def test_keyboard_first(qtbot: QtBot, picker: ModelPicker) -> None:
    chosen: list[str] = []
    activated: list[str] = []
    picker.model_chosen.connect(chosen.append)
    picker.model_activated.connect(activated.append)
    picker.activateWindow()
    picker.focus_search()
    qtbot.waitUntil(picker.search.hasFocus)
    QTest.keyClicks(picker.search, "hunyuan3d")
    QTest.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.view.hasFocus() and len(chosen) == 1
    QTest.keyClick(picker.view, Qt.Key.Key_Down)
    assert len(chosen) == 2 and chosen[1] != chosen[0]
    QTest.keyClick(picker.view, Qt.Key.Key_Return)
    assert activated == [chosen[1]]
    assert picker.current_model_id() == chosen[1]
    picker.focus_search()
    QTest.keyClick(picker.search, Qt.Key.Key_Escape)
    assert picker.search.text() == ""


def test_a_filtered_out_model_can_still_be_selected(picker: ModelPicker) -> None:
    choose("llm", picker)
    choose("google", picker, "maker")
    assert picker.select("wavespeed-ai/framepack")  # resets kind, maker and search
    assert picker.kind.currentIndex() == 0 and picker.maker.currentIndex() == 0
    assert picker.view.currentIndex().data(Role.MODEL_ID) == "wavespeed-ai/framepack"


def test_every_control_has_an_accessible_name(picker: ModelPicker) -> None:
    for widget in (picker.search, picker.kind, picker.maker, picker.view):
        assert widget.accessibleName(), widget
    assert all(w.accessibleName() for w in picker.findChildren(QWidget)
               if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible())  # fmt: skip
    row = picker.proxy.index(1, 0)
    assert "/ run" in row.data(Qt.ItemDataRole.AccessibleTextRole)


def test_the_list_model_is_a_well_behaved_model(
    qtmodeltester: ModelTester, picker: ModelPicker
) -> None:
    qtmodeltester.check(picker.source)
    QTest.keyClicks(picker.search, "video")
    qtmodeltester.check(picker.proxy)


class CountingDelegate(ModelDelegate):
    """The picker's delegate, counting what the view asks of it."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes = self.paints = 0

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        self.sizes += 1
        return super().sizeHint(option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.paints += 1
        super().paint(painter, option, index)


def test_a_keystroke_measures_and_paints_only_a_screenful_of_rows(picker: ModelPicker) -> None:
    """Over ~800 rows, a keystroke's relayout asks one row's size (uniform sizes), not
    every row's, and the repaint draws the rows on screen, not the whole list."""
    counting = CountingDelegate()
    picker.view.setItemDelegate(counting)
    assert picker.view.uniformItemSizes()
    option = QStyleOptionViewItem()
    option.font = picker.view.font()
    header, model = picker.proxy.index(0, 0), picker.proxy.index(1, 0)
    assert header.data(Role.IS_HEADER) and not model.data(Role.IS_HEADER)
    assert counting.sizeHint(option, header) == counting.sizeHint(option, model)
    row_height = counting.sizeHint(option, model).height()
    on_screen = picker.view.viewport().height() // row_height + 2
    picker.focus_search()
    for text in ("v", "vi", "vid", "vi", "v", ""):  # narrowing, then widening again
        counting.sizes = counting.paints = 0
        if len(text) > len(picker.search.text()):
            QTest.keyClicks(picker.search, text[-1])
        else:
            QTest.keyClick(picker.search, Qt.Key.Key_Backspace)
        picker.view.viewport().repaint()
        assert picker.search.text() == text
        assert picker.proxy.rowCount() > on_screen  # more rows than fit: the claim matters
        assert counting.sizes <= 4, (text, counting.sizes)
        assert 0 < counting.paints <= on_screen, (text, counting.paints)
