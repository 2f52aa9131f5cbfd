"""The compare window against a real sandbox and a real runner: send a grid, follow it, open
a cell, reuse its settings; refuse what cannot or should not be sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled, validate_params
from get3w_desktop.core.compare import offer
from get3w_desktop.core.job import JobState
from get3w_desktop.core.money import Quote, format_money, reported_cost
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.ui.compare_card import PAD, THUMB
from get3w_desktop.ui.compare_window import CompareWindow
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"  # no seed
FLUX = "wavespeed-ai/flux-dev"  # takes a seed
EDIT = "google/nano-banana-pro/edit"  # needs images the form does not give
VEO = "google/veo3.1-fast/text-to-video"
UPSCALER = "wavespeed-ai/image-upscaler"
FORM = {"prompt": "a red fox in the snow", "aspect_ratio": "1:1", "resolution": "1k",
        "output_format": "png", "channel": "stable"}  # fmt: skip


class Parts:
    def __init__(self, sandbox: SandboxServer, tmp_path: Path) -> None:
        self.client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        self.runner = TaskRunner(self.client, tmp_path / "outputs", max_concurrency=4,
                                 schedule=ScheduleParams().scaled(0.02))  # fmt: skip
        self.thumbnails = ThumbnailLoader(tmp_path / "thumbs")
        self.book = JobBook(self.runner, JobListModel())

    def close(self) -> None:
        self.runner.shutdown()
        self.thumbnails.shutdown()
        self.client.close()


@pytest.fixture
def parts(sandbox: SandboxServer, tmp_path: Path) -> Iterator[Parts]:
    made = Parts(sandbox, tmp_path)
    yield made
    made.close()


def make_window(qtbot: QtBot, parts: Parts, model_id: str = NANO, **kw: Any) -> CompareWindow:
    window = CompareWindow(load_bundled(), parts.book, parts.thumbnails, model_id, FORM, **kw)
    qtbot.addWidget(window)
    window.show()
    return window


def position(window: CompareWindow, widget: QWidget) -> tuple[int, int]:
    found: Any = window.grid.getItemPosition(window.grid.indexOf(widget))  # typed as object
    return int(found[0]), int(found[1])


def header_text(window: CompareWindow, row: int, column: int) -> str:
    item = window.grid.itemAtPosition(row, column)
    label = item.widget() if item is not None else None
    assert isinstance(label, QLabel)
    return label.text()


def test_two_models_by_two_seeds_finish_with_time_and_cost_and_open_on_click(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.set_checked_models([NANO, FLUX])
    window.set_seeds([11, 12])
    assert window.can_run()
    sent: list[dict[str, Quote]] = []
    window.submitted.connect(sent.append)

    jobs = window.run()

    assert len(jobs) == 4
    cards = window.cards()
    assert [(c.cell.model_id, c.cell.seed) for c in cards] == [
        (NANO, None), (NANO, None), (FLUX, 11), (FLUX, 12),
    ]  # fmt: skip
    qtbot.waitUntil(lambda: all(c.job.state is JobState.COMPLETED for c in cards), timeout=20_000)
    stats = sandbox.stats
    assert stats.submits == 4
    assert stats.submits_by_model == {NANO: 2, FLUX: 2}
    assert [c.job.params.get("seed") for c in cards] == [None, None, 11, 12]
    for card in cards:
        assert validate_params(load_bundled().get(card.cell.model_id), card.job.params) == []  # type: ignore[arg-type]
        assert card.time_text()  # "0 s" at this speed, but said
        charged = reported_cost(card.job)
        assert charged is not None
        assert card.cost_text() == format_money(charged)  # the server's figure, not "about"
        assert card.job.files and Path(card.job.files[0]).is_file()
    assert set(sent[0]) == {job.local_id for job in jobs}
    status = window.results_status.text()
    assert "4 of 4 done" in status and "about" not in status
    # Pictures arrive and are drawn.
    qtbot.waitUntil(lambda: all(c.thumbnail() is not None for c in cards), timeout=10_000)

    opened: list[str] = []
    window.open_job.connect(opened.append)
    target = cards[2]
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(30, 30))
    assert opened == [target.job.local_id]
    assert target.is_selected() and not cards[0].is_selected()
    used: list[tuple[str, dict[str, Any]]] = []
    window.use_params.connect(lambda model_id, params: used.append((model_id, params)))
    assert window.use_button.isEnabled()
    window.use_button.click()
    assert used == [(FLUX, dict(target.job.params))]
    assert used[0][1]["seed"] == 11 and used[0][1]["prompt"] == FORM["prompt"]
    assert sandbox.stats.submits == 4  # following, opening and reusing sent nothing more


def test_the_list_shows_models_of_the_current_kind_with_the_current_one_picked(
    qtbot: QtBot, parts: Parts
) -> None:
    window = make_window(qtbot, parts)
    catalogue = load_bundled()
    listed = window.setup.listed_models()
    image_models = [m.model_id for m in catalogue if m.output_kind == "image"]
    runnable = [m for m in image_models if offer(catalogue.get(m), FORM, has_prompt=True).runnable]  # type: ignore[arg-type]
    assert listed == runnable and NANO in listed and FLUX in listed
    # Every image model is somewhere: offered, or shown as unavailable with why.
    assert set(listed) | set(window.setup.unavailable_models()) == set(image_models)
    assert window.setup.checked_models() == [NANO]
    assert window.setup.prompt_edit.toPlainText() == FORM["prompt"]
    prices = [window.setup.model_list.topLevelItem(i).text(1) for i in range(len(listed))]  # type: ignore[union-attr]
    assert prices[listed.index(NANO)] == "$0.14"
    # A video model's form lists video models, and the prompt follows the form.
    window.set_form(VEO, {"prompt": "waves", "seed": 5})
    assert all(catalogue.get(m).output_kind == "video" for m in window.setup.listed_models())  # type: ignore[union-attr]
    assert window.setup.checked_models() == [VEO]
    assert window.plan().seeds == (5, 6)  # a fixed seed in the form: seed, seed + 1


def test_no_model_offered_for_a_text_to_image_form_is_refused_when_it_runs(
    qtbot: QtBot, parts: Parts
) -> None:
    """The real catalogue: pick every offered model, one at a time, and plan the run."""
    window = make_window(qtbot, parts)
    catalogue = load_bundled()
    offered = window.setup.listed_models()
    assert len(offered) > 100
    window.set_seeds(2)
    refused = {}
    for model_id in offered:
        window.set_checked_models([model_id])
        plan = window.plan()
        if not window.can_run() or not window.setup.run_button.isEnabled():
            refused[model_id] = plan.errors
            continue
        for cell in plan.cells:
            model = catalogue.get(model_id)
            assert model is not None
            assert validate_params(model, cell.params) == [], model_id
    assert refused == {}
    # The edit models are not offered, and each says why.
    unavailable = window.setup.unavailable_models()
    assert unavailable[EDIT] == "needs input images, which this form does not have"
    assert "an input image" in unavailable[UPSCALER]


def test_an_unavailable_model_is_greyed_says_why_and_cannot_be_picked(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    tree = window.setup.model_list
    group = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert group is not None and group.childCount() == len(window.setup.unavailable_models())
    assert f"{group.childCount()} more cannot run from this form" in group.text(0)
    assert not group.isExpanded()
    tree.scrollToItem(group)
    rect = tree.visualItemRect(group)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert group.isExpanded() and group.text(0).startswith("▾")
    children = [c for i in range(group.childCount()) if (c := group.child(i)) is not None]
    [edit] = [c for c in children if c.data(0, Qt.ItemDataRole.UserRole) == EDIT]
    assert not edit.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not edit.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "needs input images" in edit.toolTip(0) and "needs input images" in edit.text(0)
    described = edit.data(0, Qt.ItemDataRole.AccessibleDescriptionRole)
    assert (
        described
        == "Cannot be compared from this form: needs input images, which this form does not have"
    )
    tree.scrollToItem(edit)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(edit).center())  # fmt: skip
    window.set_checked_models([NANO, EDIT])  # asked for, refused quietly: it cannot run
    assert window.setup.checked_models() == [NANO]
    assert window.can_run() and len(window.run()) == 2
    assert {c.cell.model_id for c in window.cards()} == {NANO}


def test_an_edit_form_offers_edit_models_that_carry_its_picture(qtbot: QtBot, parts: Parts) -> None:
    catalogue = load_bundled()
    picture = "https://example.test/fox.png"
    window = make_window(qtbot, parts, EDIT)
    window.set_form(EDIT, {"prompt": "make it winter", "images": [picture]})
    offered = window.setup.listed_models()
    assert EDIT in offered and window.setup.checked_models() == [EDIT]
    assert NANO not in offered  # it would leave the picture out: not the same task
    assert window.setup.unavailable_models()[NANO] == "cannot take this form's input images"
    single = [m for m in offered if (spec := catalogue.get(m).param("image")) is not None  # type: ignore[union-attr]
              and spec.required]  # fmt: skip
    assert single, "an edit model that takes one image"
    window.set_checked_models([EDIT, single[0]])
    assert window.can_run(), window.plan().errors
    by_model = {c.model_id: c.params for c in window.plan().cells}
    assert by_model[EDIT]["images"] == [picture]
    assert by_model[single[0]]["image"] == picture  # the form's "images" as its "image"


def test_a_model_that_cannot_run_from_this_form_blocks_the_run(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.set_checked_models([NANO])
    window.setup.prompt_edit.setPlainText("   ")
    assert not window.setup.run_button.isEnabled()
    assert "Write a prompt" in window.setup.problems_label.text()
    window.set_seeds([])
    window.setup.prompt_edit.setPlainText("a fox")
    window.setup.seeds_edit.setText("3, banana")
    assert not window.can_run()
    assert "banana" in window.setup.problems_label.text()
    assert window.cards() == []
    assert sandbox.stats.submits == 0


def test_a_spending_limit_refuses_the_run_and_says_why(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    asked: list[float | None] = []

    def limit(cost: float | None) -> str | None:
        asked.append(cost)
        return "This run would cost about $0.56, more than your limit."

    window = make_window(qtbot, parts, spend_check=limit)
    window.set_seeds(4)
    assert window.run() == []
    assert asked == [pytest.approx(4 * 0.14)]
    assert "more than your limit" in window.setup.problems_label.text()
    assert sandbox.stats.submits == 0


def test_stop_stops_waiting_for_running_cards(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.set_seeds(2)
    parts.runner.set_max_concurrency(1)  # the second card waits for a slot
    jobs = window.run()
    assert len(jobs) == 2
    assert window.setup.stop_button.isEnabled()
    window.stop()
    cards = window.cards()
    qtbot.waitUntil(lambda: not any(c.job.state.active for c in cards), timeout=10_000)
    assert cards[1].job.state is JobState.CANCELLED
    assert not window.setup.stop_button.isEnabled()
    assert sandbox.stats.submits <= 1  # the queued one was never sent


def test_each_finished_card_paints_its_own_picture(qtbot: QtBot, parts: Parts) -> None:
    window = make_window(qtbot, parts)
    window.set_checked_models([NANO, FLUX])
    window.set_seeds([1, 2])
    window.run()
    cards = window.cards()
    qtbot.waitUntil(lambda: all(c.thumbnail() is not None for c in cards), timeout=20_000)
    for card in cards:
        thumb = card.thumbnail()
        assert thumb is not None
        painted = card.grab().toImage()
        dpr = painted.devicePixelRatio()
        # The middle of the picture box shows the middle of this card's own picture.
        box_centre = (
            round((PAD - 1 + 1 + THUMB / 2) * dpr),
            round((PAD - 1 + 1 + THUMB / 2) * dpr),
        )
        shown = painted.pixelColor(*box_centre)
        wanted = thumb.pixelColor(thumb.width() // 2, thumb.height() // 2)
        gap = max(abs(shown.red() - wanted.red()), abs(shown.green() - wanted.green()),
                  abs(shown.blue() - wanted.blue()))  # fmt: skip
        assert gap < 40, (shown.name(), wanted.name())


def test_comparing_models_only_puts_named_cards_side_by_side(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.set_checked_models([NANO, FLUX])
    window.set_seeds(1)
    jobs = window.run()
    assert len(jobs) == 2
    cards = window.cards()
    assert all(card.labelled for card in cards)  # no header row or column to name them
    assert [position(window, card) for card in cards] == [(0, 0), (0, 1)]
    qtbot.waitUntil(lambda: all(not c.job.state.active for c in cards), timeout=20_000)
    assert sandbox.stats.submits == 2


def test_a_grid_of_seeds_has_a_header_per_seed_and_per_model(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.set_checked_models([NANO, FLUX])
    window.set_seeds([5, 6, 7])
    window.run()
    cards = window.cards()
    assert not any(card.labelled for card in cards)
    flux_seed_7 = cards[-1]
    assert position(window, flux_seed_7) == (2, 3)
    texts = {
        header_text(window, row, column) for row, column in [(0, 1), (0, 2), (0, 3), (1, 0), (2, 0)]
    }
    assert {"Seed 5", "Seed 6", "Seed 7"} <= texts
    assert any("Nano Banana Pro" in t and "takes no seed" in t for t in texts)
    qtbot.waitUntil(lambda: all(not c.job.state.active for c in cards), timeout=20_000)
    assert sandbox.stats.submits == 6


def test_clicking_a_model_row_anywhere_picks_it_and_clicking_again_drops_it(
    qtbot: QtBot, parts: Parts
) -> None:
    window = make_window(qtbot, parts)
    tree = window.setup.model_list
    row = window.setup.listed_models().index(FLUX)
    item = tree.topLevelItem(row)
    assert item is not None
    rect = tree.visualItemRect(item)
    on_price = QPoint(tree.viewport().width() - 60, rect.center().y())
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=on_price)
    assert window.setup.checked_models() == [NANO, FLUX]
    assert "2 models" in window.setup.summary_label.text()
    qtbot.wait(10)  # the toggle guard clears on the next turn of the event loop
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=on_price)
    assert window.setup.checked_models() == [NANO]


def test_failed_cells_say_why_and_the_header_counts_them(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    window = make_window(qtbot, parts)
    window.setup.prompt_edit.setPlainText("a fox [fail:5003]")  # the sandbox fails these
    window.set_checked_models([NANO, FLUX])
    window.set_seeds(1)
    window.run()
    cards = window.cards()
    qtbot.waitUntil(lambda: all(not c.job.state.active for c in cards), timeout=20_000)
    assert [c.job.state for c in cards] == [JobState.FAILED, JobState.FAILED]
    for card in cards:
        assert card.job.error and card.job.error in card.toolTip()
        assert card.cost_text() == "$0.00"  # a platform failure is refunded
    status = window.results_status.text()
    assert "0 of 2 done" in status and "2 did not finish" in status
    assert sandbox.stats.submits == 2


@pytest.mark.parametrize("keys", ["Esc", "Ctrl+W"])
def test_escape_and_ctrl_w_close_the_window(qtbot: QtBot, parts: Parts, keys: str) -> None:
    window = make_window(qtbot, parts)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keySequence(window, QKeySequence(keys))
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
