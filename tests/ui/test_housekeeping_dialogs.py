"""The delete, export and Storage dialogs."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui import i18n
from get3w_desktop.ui.housekeeping_actions import HousekeepingActions
from get3w_desktop.ui.housekeeping_dialogs import DeleteDialog, ExportDialog
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.storage_dialog import StorageDialog
from get3w_desktop.workers.housekeeping import Housekeeper
from tests.window_support import open_window

MODEL = "google/nano-banana-pro/text-to-image"
DAY = 86400.0


def job_with_files(outputs: Path, *, size: int = 1000, files: int = 1, age_days: float = 1,
                   remote: bool = True, state: JobState = JobState.COMPLETED) -> Job:  # fmt: skip
    when = time.time() - age_days * DAY
    job = Job(MODEL, {"prompt": "A fox"}, state=state, created_at=when, finished_at=when,
              task=Task(id="t", status="completed") if remote else None)  # fmt: skip
    paths = []
    for index in range(files):
        path = outputs / f"{job.local_id}_{index}.png"
        path.write_bytes(b"x" * size)
        paths.append(str(path))
    return job.evolve(files=tuple(paths))


@pytest.fixture
def outputs() -> Path:
    folder = app_paths().ensure().outputs
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_delete_dialog_offers_the_server_only_when_the_route_answers(
    qtbot: QtBot, outputs: Path
) -> None:
    jobs = [job_with_files(outputs, files=2, size=500), job_with_files(outputs, remote=False)]
    running = job_with_files(outputs, state=JobState.RUNNING)
    dialog = DeleteDialog(hk.plan_delete([*jobs, running], outputs), remote_available=None)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "Delete 2 tasks?"
    assert "3 files, 2.0 kB" in dialog.body.text()
    assert dialog.skipped_label.text() == "1 running task not included: stop them first."
    assert "(1 task)" in dialog.remote_check.text()
    assert not dialog.remote_check.isEnabled() and "Checking" in dialog.remote_hint.text()

    dialog.set_remote_available(True)
    assert dialog.remote_check.isEnabled() and not dialog.also_remote()
    dialog.remote_check.setChecked(True)
    assert dialog.also_remote() and dialog.delete_button.text() == "Delete here and on the server"
    dialog.set_remote_available(False)  # the probe came back: no such route
    assert not dialog.also_remote() and not dialog.remote_check.isChecked()
    assert "does not offer" in dialog.remote_hint.text()
    assert dialog.delete_button.text() == "Delete"


def test_delete_dialog_for_tasks_that_never_reached_the_server(qtbot: QtBot, outputs: Path) -> None:
    job = job_with_files(outputs, remote=False, files=0)
    dialog = DeleteDialog(hk.plan_delete([job], outputs), remote_available=True)
    qtbot.addWidget(dialog)
    assert not dialog.remote_check.isEnabled()
    assert dialog.remote_hint.text() == "None of these tasks reached the server."
    assert "no local copies" in dialog.body.text() and not dialog.skipped_label.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.delete_button.click()


def test_export_dialog_checks_the_folder_and_returns_the_options(
    qtbot: QtBot, outputs: Path, tmp_path: Path
) -> None:
    jobs = [job_with_files(outputs, files=2, size=1500)]
    dialog = ExportDialog(jobs, start_dir="")
    qtbot.addWidget(dialog)
    assert "2 output files (3.0 kB)" in dialog.summary.text()
    assert not dialog.export_button.isEnabled()
    dialog.folder_edit.setText(str(tmp_path / "nope"))
    assert not dialog.export_button.isEnabled() and "does not exist" in dialog.problem.text()
    dialog.folder_edit.setText(str(tmp_path))
    assert dialog.export_button.isEnabled() and not dialog.problem.isVisibleTo(dialog)
    dialog.sidecar_check.setChecked(True)
    dialog.metadata_check.setChecked(False)
    assert dialog.folder() == tmp_path
    assert dialog.options() == hk.ExportOptions(png_metadata=False, sidecars=True)


def test_export_dialog_refuses_a_folder_without_room(qtbot: QtBot, outputs: Path) -> None:
    huge = job_with_files(outputs, size=10)
    dialog = ExportDialog([huge])
    qtbot.addWidget(dialog)
    dialog._needed = 10**18  # more than any disk: the check must say so, not export
    dialog.folder_edit.setText(str(outputs))
    assert "Not enough space" in dialog.problem.text() and not dialog.export_button.isEnabled()


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


@pytest.fixture
def store() -> Iterator[HistoryStore]:
    with HistoryStore.open(app_paths().history_db) as opened:
        yield opened


@pytest.fixture
def keeper(store: HistoryStore) -> Iterator[Housekeeper]:
    paths = app_paths().ensure()
    worker = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
    yield worker
    worker.shutdown()


def test_storage_dialog_measures_previews_and_cleans_up(
    qtbot: QtBot, outputs: Path, store: HistoryStore, keeper: Housekeeper
) -> None:
    old = [job_with_files(outputs, size=2000, age_days=45) for _ in range(2)]
    fresh = job_with_files(outputs, size=500, age_days=2)
    store.save_many([*old, fresh])
    keeper.thumbnail_dir.mkdir(parents=True)
    for index in range(3):
        thumb = keeper.thumbnail_dir / f"{index}.jpeg"
        thumb.write_bytes(b"t" * 100)
        os.utime(thumb, (time.time() - 3600, time.time() - 3600))

    dialog = StorageDialog(keeper, lambda: [e.job for e in store.list()],
                           model_label=lambda m: m.split("/")[1])  # fmt: skip
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert dialog.total_label.text() == "4.5 kB"
    assert dialog.detail_label.text().startswith("in 3 files for 3 tasks")
    assert dialog.model_table.rowCount() == 1
    assert cell(dialog.model_table, 0, 0) == "nano-banana-pro"
    ages = [cell(dialog.age_table, r, 1) for r in range(dialog.age_table.rowCount())]
    assert ages == ["1", "0", "2", "0"]
    assert dialog.preview_label.text() == "Frees 4.0 kB: 2 files of 2 tasks."
    assert dialog.clean_button.isEnabled() and dialog.clean_button.text() == "Clean up 4.0 kB"
    assert dialog.cache_label.text() == "300 bytes in 3 thumbnails"

    dialog.days_spin.setValue(60)  # debounced: one preview for the new value
    qtbot.waitUntil(lambda: "Nothing that old" in dialog.preview_label.text(), timeout=5000)
    assert not dialog.clean_button.isEnabled()
    dialog.days_spin.setValue(30)
    qtbot.waitUntil(lambda: dialog.clean_button.isEnabled(), timeout=5000)

    with qtbot.waitSignal(dialog.jobs_changed, timeout=10_000) as changed:
        dialog.clean_button.click()
    rewritten = changed.args[0]
    assert {j.local_id for j in rewritten} == {j.local_id for j in old}
    assert all(hk.was_cleaned_up(j) for j in rewritten)
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert dialog.status_label.text() == "Freed 4.0 kB (2 files)."
    assert dialog.total_label.text() == "500 bytes"
    assert "2 tasks already cleaned up." in dialog.notes_label.text()
    assert not any(Path(f).exists() for j in old for f in j.files)
    assert Path(fresh.files[0]).exists() and store.count() == 3

    with qtbot.waitSignal(dialog.thumbnails_cleared, timeout=10_000):
        dialog.clear_button.click()
    assert dialog.cache_label.text() == "Empty" and not dialog.clear_button.isEnabled()
    assert list(keeper.thumbnail_dir.iterdir()) == []
    dialog.reject()


def test_storage_dialog_shows_a_failure_and_stops_listening_when_closed(
    qtbot: QtBot, keeper: Housekeeper
) -> None:
    def broken() -> list[Job]:
        raise hk.HousekeepingError("The history could not be read: the disk reported an error.")

    dialog = StorageDialog(keeper, broken)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert (
        dialog.status_label.text() == "The history could not be read: the disk reported an error."
    )
    assert dialog.cache_label.text() == "Empty"
    dialog.reject()
    keeper.thumbnail_dir.mkdir(parents=True)
    (keeper.thumbnail_dir / "a.png").write_bytes(b"t")
    op = keeper.thumbnail_usage()  # the closed dialog no longer reacts
    with qtbot.waitSignal(keeper.finished, timeout=5000) as done:
        pass
    assert done.args[0] == op and done.args[1].files == 1
    assert dialog.cache_label.text() == "Empty"


# -- languages -------------------------------------------------------------------------


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    """Whatever a test switches to, the next test starts in English."""
    yield qapp
    i18n.install_language(qapp, "en")


def test_the_dialogs_open_in_the_chosen_language(
    qtbot: QtBot, outputs: Path, keeper: Housekeeper, english_after: QApplication
) -> None:
    jobs = [job_with_files(outputs, files=2, size=500), job_with_files(outputs, remote=False)]
    plan = hk.plan_delete(jobs, outputs)

    assert i18n.install_language(english_after, "zh_CN") == "zh_CN"
    chinese = DeleteDialog(plan, remote_available=True)
    qtbot.addWidget(chinese)
    assert chinese.windowTitle() == "删除任务"
    assert chinese.heading.text() == "删除 2 个任务？"
    assert "（3 个文件，2.0 kB）" in chinese.body.text()
    assert chinese.remote_check.text() == "同时在服务器上删除（1 个任务）"
    assert chinese.delete_button.text() == "删除"
    chinese.remote_check.setChecked(True)
    assert chinese.delete_button.text() == "在本地和服务器上删除"
    export = ExportDialog([job_with_files(outputs, files=2, size=300)])
    qtbot.addWidget(export)
    assert export.heading.text() == "导出 1 个任务"
    assert export.summary.text().startswith("2 个输出文件（600 字节）")
    storage = StorageDialog(keeper, list)
    qtbot.addWidget(storage)
    qtbot.waitUntil(lambda: not storage.busy(), timeout=10_000)
    ages = [cell(storage.age_table, row, 0) for row in range(storage.age_table.rowCount())]
    assert ages == ["最近 7 天", "8–30 天", "31–90 天", "90 天以前"]
    tips = [item.toolTip() for row in range(len(ages)) if (item := storage.age_table.item(row, 0))]
    assert tips == ages  # not the English bucket names
    assert storage.cache_label.text() == "空" and storage.days_spin.suffix() == " 天"
    storage.reject()

    assert i18n.install_language(english_after, "en") == "en"
    english = DeleteDialog(plan, remote_available=True)
    qtbot.addWidget(english)
    assert english.heading.text() == "Delete 2 tasks?"
    assert "(3 files, 2.0 kB)" in english.body.text()
    assert english.remote_check.text() == "Also delete on the server (1 task)"


def test_storage_days_box_says_day_or_days(qtbot: QtBot, keeper: Housekeeper) -> None:
    dialog = StorageDialog(keeper, list, days=1)
    qtbot.addWidget(dialog)
    assert dialog.days_spin.suffix() == " day"
    dialog.days_spin.setValue(2)
    assert dialog.days_spin.suffix() == " days"
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    dialog.reject()


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as win:
        yield win


def test_the_menu_keeps_delete_through_a_language_change(
    qtbot: QtBot, window: MainWindow, keeper: Housekeeper, english_after: QApplication
) -> None:
    actions = HousekeepingActions(window, window.book, keeper, lambda: None, list)
    assert window.act_remove.text() == "&Delete…" and actions.act_export.text() == "E&xport…"

    i18n.install_language(english_after, "zh_CN")
    # The window resets its own actions first ("Remove from list"); Delete… must win.
    qtbot.waitUntil(lambda: window.act_remove.text() == "删除(&D)…", timeout=5000)
    assert (
        actions.act_export.text() == "导出(&X)…" and actions.act_storage.text() == "存储空间(&T)…"
    )
    assert window.act_cancel.text() == "停止等待(&S)"  # the window's own texts changed too

    i18n.install_language(english_after, "en")
    qtbot.waitUntil(lambda: window.act_remove.text() == "&Delete…", timeout=5000)
    assert actions.act_storage.text() == "S&torage…"
    assert window.act_remove.toolTip().startswith("Delete the selected tasks")
