"""The viewer follows the task list's filter: a task the search hides gives way to the
first one listed, or to an empty page that says nothing matches; clearing the search
brings back the task that was hidden, unless the person picked another meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_filter import StateGroup
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.ui.main_window import MainWindow
from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"
PROMPTS = ("a red fox in the snow", "a blue whale at sea", "a red kite over hills")


@pytest.fixture
def win(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as window:
        yield window


def make_tasks(qtbot: QtBot, win: MainWindow) -> dict[str, Job]:
    """Three finished FLUX tasks, by a word of their prompt."""
    win.picker.select(FLUX)
    win.generate_panel.choose_model(FLUX)
    field = win.form.field("prompt")
    assert field is not None
    for prompt in PROMPTS:
        field.set_value(prompt)
        win.generate()
    qtbot.waitUntil(
        lambda: len(win.book.jobs()) == 3 and not any(j.state.active for j in win.book.jobs()),
        timeout=20_000,
    )
    return {job.prompt.split()[2]: job for job in win.book.jobs()}


def search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    """Type into the search and press Enter (as a person does)."""
    box = win.filter_bar.search
    box.selectAll()
    if text:
        qtbot.keyClicks(box, text)
    else:
        box.clear()
    qtbot.keyClick(box, Qt.Key.Key_Return)


def shown(win: MainWindow) -> str | None:
    job = win.viewer.current_job()
    return job.local_id if job is not None else None


def listed_current(win: MainWindow) -> str | None:
    job = win.current_job()
    return job.local_id if job is not None else None


def test_a_hidden_task_gives_way_to_the_first_match_and_comes_back_when_cleared(
    qtbot: QtBot, win: MainWindow
) -> None:
    tasks = make_tasks(qtbot, win)
    win.select_job(tasks["whale"].local_id)
    assert shown(win) == tasks["whale"].local_id
    search(qtbot, win, "red")
    assert win.shown.rowCount() == 2
    first = win.shown.job_at(0)
    assert first is not None and first.local_id in {tasks["fox"].local_id, tasks["kite"].local_id}
    # The viewer and the list agree, and the shown task is one the list shows.
    assert shown(win) == listed_current(win) == first.local_id
    assert win.list_view.selectionModel().isSelected(win.shown.index(0, 0))
    search(qtbot, win, "nothing-matches-this")
    assert win.shown.rowCount() == 0
    assert shown(win) is None and win.viewer.page() == "empty"
    assert "No task matches" in win.viewer.empty_page.body.text()
    search(qtbot, win, "")
    assert shown(win) == listed_current(win) == tasks["whale"].local_id
    assert "Generate" in win.viewer.empty_page.body.text()  # the usual words are back


def test_a_task_picked_while_filtered_stays_when_the_filter_is_cleared(
    qtbot: QtBot, win: MainWindow
) -> None:
    tasks = make_tasks(qtbot, win)
    win.select_job(tasks["whale"].local_id)
    search(qtbot, win, "red")
    for word in ("fox", "kite"):  # another row, then the one shown first (still a choice)
        row = win.shown.index_of(tasks[word].local_id)
        qtbot.mouseClick(win.list_view.viewport(), Qt.MouseButton.LeftButton,
                         pos=win.list_view.visualRect(row).center())  # fmt: skip
        assert shown(win) == tasks[word].local_id
    assert win.shown.job_at(0) == tasks["kite"]  # the filter had shown it first
    win.filter_bar.clear()  # the "Show all tasks" link does this
    assert shown(win) == listed_current(win) == tasks["kite"].local_id


def test_a_status_filter_that_hides_the_shown_task_moves_the_viewer_too(
    qtbot: QtBot, win: MainWindow
) -> None:
    tasks = make_tasks(qtbot, win)
    win.select_job(tasks["fox"].local_id)
    failed = win.filter_bar.status.findData(StateGroup.PROBLEM)
    win.filter_bar.status.setCurrentIndex(failed)  # nothing failed
    assert shown(win) is None and win.viewer.page() == "empty"
    win.filter_bar.status.setCurrentIndex(0)
    assert shown(win) == tasks["fox"].local_id
