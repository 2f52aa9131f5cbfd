"""Cost safety against the sandbox: the count resets per model, Generate shows the total,
an expensive run asks once (Esc cancels), and the daily limit stops a run before it goes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui import run_confirm
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader
from tests.dialog_support import answer_next_dialog, press_escape, press_send

FLUX = "wavespeed-ai/flux-dev"  # about $0.012
VEO = "google/veo3.1-fast/text-to-video"  # about $1.20


@pytest.fixture
def win(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    catalogue = load_bundled()
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(
        client, tmp_path / "outputs", schedule=ScheduleParams().scaled(0.02),
        expected_kind=lambda m: model.output_kind if (model := catalogue.get(m)) else None,
    )  # fmt: skip
    thumbnails = ThumbnailLoader(tmp_path / "thumbs")
    saver = FileCopier()
    balance = BalanceWatcher(client.balance)
    service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
    window = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                        FormMemory(tmp_path / "form.json"), service, saver,
                        balance=balance, state_file=tmp_path / "window.ini")  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    runner.shutdown()
    balance.shutdown()
    saver.shutdown()
    thumbnails.shutdown()
    client.close()


def choose(win: MainWindow, model_id: str, prompt: str = "A lighthouse at dusk") -> None:
    win.picker.select(model_id)
    win.generate_panel.choose_model(model_id)
    field = win.form.field("prompt")
    assert field is not None
    field.set_value(prompt)


def ctrl_enter(qtbot: QtBot, win: MainWindow) -> None:
    qtbot.keyClick(win.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_three_cheap_then_an_expensive_model_never_sends_three_silent_runs(
    qtbot: QtBot, win: MainWindow
) -> None:
    choose(win, FLUX)
    win.count.setValue(3)
    assert win.generate_button.text() == "Generate 3 · about $0.036"
    choose(win, VEO)
    assert win.count.value() == 1  # the ×3 chosen for FLUX does not follow to Veo
    assert win.generate_button.text() == "Generate · about $1.20"
    seen: list[str] = []
    answer_next_dialog(press_escape, seen)
    ctrl_enter(qtbot, win)
    assert len(seen) == 1 and "Veo 3.1 Fast" in seen[0] and "$1.20" in seen[0]
    assert win.jobs.rowCount() == 0  # Esc cancelled: nothing was sent
    answer_next_dialog(press_send, seen)
    ctrl_enter(qtbot, win)
    assert len(seen) == 2
    qtbot.waitUntil(lambda: win.jobs.rowCount() == 1, timeout=5000)
    assert [job.model_id for job in win.book.jobs()] == [VEO]


def test_three_expensive_tasks_ask_with_the_total_and_send_all_three_on_send(
    qtbot: QtBot, win: MainWindow
) -> None:
    choose(win, VEO)
    win.count.setValue(3)
    assert win.generate_button.text() == "Generate 3 · about $3.60"
    seen: list[str] = []
    answer_next_dialog(press_send, seen)
    jobs = win.generate_panel.generate()
    [text] = seen
    assert "Tasks: 3" in text and "Total: about $3.60" in text and "Each task: about $1.20" in text
    assert len(jobs) == 3 and len({job.params.get("seed") for job in jobs}) == 3


def test_a_cheap_run_goes_without_a_question(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def refuse(*args: object, **_options: object) -> bool:
        asked.append(int(str(args[2])))
        return False

    monkeypatch.setattr(run_confirm, "confirm_run", refuse)  # every run asks through it
    choose(win, FLUX)
    win.count.setValue(3)
    ctrl_enter(qtbot, win)
    qtbot.waitUntil(lambda: win.jobs.rowCount() == 3, timeout=5000)
    assert asked == []
    choose(win, VEO)
    ctrl_enter(qtbot, win)
    assert asked == [1] and win.jobs.rowCount() == 3  # the same path asks for Veo


def test_the_threshold_comes_from_settings_and_off_never_asks(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.set_spending(None, None, False, confirm_above=None)
    choose(win, VEO)
    assert len(win.generate_panel.generate()) == 1
    win.set_spending(None, None, False, confirm_above=0.01)
    choose(win, FLUX)
    win.count.setValue(2)
    seen: list[str] = []
    answer_next_dialog(press_escape, seen)
    assert win.generate_panel.generate() == [] and len(seen) == 1


def test_the_daily_limit_stops_a_run_before_any_question(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    win.set_spending(None, 2.0, False, confirm_above=1.0)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    choose(win, VEO)
    win.count.setValue(2)  # $2.40, over the $2.00 day
    assert win.generate_panel.generate() == []
    assert len(shown) == 1 and "$2.00" in shown[0] and win.jobs.rowCount() == 0


def test_the_prompt_follows_across_models_and_is_replaced_not_appended(
    qtbot: QtBot, win: MainWindow
) -> None:
    choose(win, VEO, "An old remembered prompt")
    choose(win, FLUX, "A red kite over the sea")
    win.generate_panel.choose_model(VEO)
    assert win.form.values().get("prompt") == "A red kite over the sea"
    win.generate_panel.choose_model(FLUX)
    assert win.form.values().get("prompt") == "A red kite over the sea"


def test_the_total_on_generate_is_never_cut_at_the_window_s_narrowest_form(
    qtbot: QtBot, win: MainWindow
) -> None:
    """The total is the point of the button: its whole text fits, even with the most
    expensive model at ×20 in a window at its minimum width (it was cut to "enerate 3 · …")."""
    choose(win, VEO)
    panel = win.generate_panel
    panel.count.setValue(panel.count.maximum())
    win.resize(win.minimumSizeHint().width(), 720)
    button = panel.generate_button
    qtbot.waitUntil(lambda: "20" in button.text())
    QApplication.processEvents()
    needed = button.fontMetrics().horizontalAdvance(button.text())
    assert button.width() > needed, (button.width(), needed, button.text())
    assert panel.price_label.isVisible()
