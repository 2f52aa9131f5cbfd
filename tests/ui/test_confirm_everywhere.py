"""Compare and Re-run ask before a run above the threshold, as Generate does: one question
with the run's total; Cancel (Esc) sends nothing; a run at or below it goes unasked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.ui import run_confirm
from get3w_desktop.ui.main_window import MainWindow
from tests.dialog_support import answer_next_dialog, press_escape, press_send
from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"  # about $0.012
NANO = "google/nano-banana-pro/text-to-image"  # about $0.14
VEO = "google/veo3.1-fast/text-to-video"  # about $1.20 (Compare only: a video would play)


@pytest.fixture
def win(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as window:
        yield window


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts of the runs that asked, answered with Cancel (for the runs that must not ask)."""
    seen: list[int] = []

    def refuse(*args: object, **_kw: object) -> bool:
        seen.append(int(str(args[2])))
        return False

    monkeypatch.setattr(run_confirm, "confirm_run", refuse)
    return seen


def choose(win: MainWindow, model_id: str, prompt: str = "A lighthouse at dusk") -> None:
    win.picker.select(model_id)
    win.generate_panel.choose_model(model_id)
    field = win.form.field("prompt")
    assert field is not None
    field.set_value(prompt)


def finished(qtbot: QtBot, win: MainWindow, count: int) -> None:
    qtbot.waitUntil(
        lambda: len(jobs := win.book.jobs()) == count and not any(j.state.active for j in jobs),
        timeout=20_000,
    )


def ctrl_r(qtbot: QtBot, win: MainWindow) -> None:
    """Ctrl+R in the task list, once the window is active again (a question just closed)."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    qtbot.keyClick(win.list_view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)


def select_all(win: MainWindow) -> None:
    flag = QItemSelectionModel.SelectionFlag
    selection = win.list_view.selectionModel()
    for row in range(win.shown.rowCount()):
        selection.select(win.shown.index(row, 0), flag.Select)


def test_compare_above_the_threshold_asks_once_and_cancel_sends_nothing(
    qtbot: QtBot, win: MainWindow, sandbox: SandboxServer
) -> None:
    win.set_spending(None, None, False, confirm_above=0.5)
    choose(win, NANO)
    compare = win.compare()
    assert compare is not None
    compare.set_checked_models([NANO, FLUX])
    compare.set_seeds(6)
    assert compare.plan().total_cost == pytest.approx(6 * 0.14 + 6 * 0.012)
    seen: list[str] = []
    answer_next_dialog(press_escape, seen)
    assert compare.run() == []
    [text] = seen
    assert "Tasks: 12" in text and "Total: about $0.91" in text and "Models: " in text
    assert "more than $0.50" in text
    assert "Each task" not in text  # two prices: only the total is said
    assert "Not sent." in compare.setup.problems_label.text()
    assert sandbox.stats.submits == 0 and win.book.jobs() == []
    answer_next_dialog(press_send, seen)
    assert len(compare.run()) == 12 and len(seen) == 2
    finished(qtbot, win, 12)
    assert sandbox.stats.submits == 12
    compare.close()


def test_compare_at_or_below_the_threshold_goes_unasked(
    qtbot: QtBot, win: MainWindow, asked: list[int]
) -> None:
    win.set_spending(None, None, False, confirm_above=1.0)
    choose(win, NANO)
    compare = win.compare()
    assert compare is not None
    compare.set_seeds(6)  # about $0.84
    assert len(compare.run()) == 6 and asked == []
    compare.close()
    choose(win, VEO)  # about $1.20: the same path asks
    compare = win.compare()
    assert compare is not None
    compare.set_seeds(1)
    assert compare.run() == [] and asked == [1]
    finished(qtbot, win, 6)
    compare.close()


def test_ctrl_r_above_the_threshold_asks_and_cancel_sends_nothing(
    qtbot: QtBot, win: MainWindow, sandbox: SandboxServer
) -> None:
    choose(win, NANO)
    [first] = win.generate()  # no threshold yet (open_window turns it off)
    finished(qtbot, win, 1)
    win.select_job(first.local_id)
    # A picture model keeps the viewer still (a video would play); the threshold is ours.
    win.set_spending(None, None, False, confirm_above=0.1)
    seen: list[str] = []
    answer_next_dialog(press_escape, seen)
    ctrl_r(qtbot, win)
    [text] = seen
    assert "Nano Banana Pro" in text and "Tasks: 1" in text and "about $0.14" in text
    assert "more than $0.10" in text
    assert len(win.book.jobs()) == 1 and sandbox.stats.submits == 1
    answer_next_dialog(press_send, seen)
    ctrl_r(qtbot, win)
    assert len(seen) == 2
    finished(qtbot, win, 2)
    assert sandbox.stats.submits_by_model == {NANO: 2}


def test_re_running_several_asks_once_with_their_total(
    qtbot: QtBot, win: MainWindow, sandbox: SandboxServer
) -> None:
    choose(win, NANO)
    win.generate()
    choose(win, FLUX)
    win.count.setValue(2)
    win.generate()
    finished(qtbot, win, 3)
    win.set_spending(None, None, False, confirm_above=0.15)  # each alone is below it
    select_all(win)
    assert len(win.selected_jobs()) == 3
    seen: list[str] = []
    answer_next_dialog(press_escape, seen)
    ctrl_r(qtbot, win)
    [text] = seen
    assert "Tasks: 3" in text and "Total: about $0.16" in text
    assert "Nano Banana Pro" in text and "FLUX" in text
    assert len(win.book.jobs()) == 3 and sandbox.stats.submits == 3
    select_all(win)
    answer_next_dialog(press_send, seen)
    ctrl_r(qtbot, win)
    assert len(seen) == 2
    finished(qtbot, win, 6)
    assert sandbox.stats.submits_by_model == {NANO: 2, FLUX: 4}


def test_re_running_cheap_tasks_goes_unasked(
    qtbot: QtBot, win: MainWindow, sandbox: SandboxServer, asked: list[int]
) -> None:
    choose(win, FLUX)
    win.count.setValue(3)
    win.generate()
    finished(qtbot, win, 3)
    win.set_spending(None, None, False, confirm_above=0.1)  # 3 × $0.012 is below it
    select_all(win)
    ctrl_r(qtbot, win)
    finished(qtbot, win, 6)
    assert asked == [] and sandbox.stats.submits == 6
