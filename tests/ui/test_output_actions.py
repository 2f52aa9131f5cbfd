"""Saving and opening outputs from the window, against the sandbox: where Save… and Save all
open (the Settings folder, created on first use, then the folder chosen last), the Settings
example being the very name Save… proposes, and a visible message when no app can open a
file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.settings import Settings
from get3w_desktop.ui import i18n
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.output_pages import FileCard
from get3w_desktop.ui.settings_dialog import SettingsDialog
from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"
PROMPT = "A sunset over mountains"  # the Settings example's task: FLUX, this prompt, seed 1234


@pytest.fixture
def win(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as window:
        yield window


def finish_flux(qtbot: QtBot, win: MainWindow, prompt: str = PROMPT, seed: int = 1234) -> Job:
    """One FLUX picture (png) made on the sandbox, selected in the task list."""
    win.picker.select(FLUX)
    win.generate_panel.choose_model(FLUX)
    for name, value in (("prompt", prompt), ("seed", seed), ("output_format", "png")):
        field = win.form.field(name)
        assert field is not None
        field.set_value(value)
    (job,) = win.generate()
    qtbot.waitUntil(
        lambda: (j := win.jobs.job(job.local_id)) is not None and j.state is JobState.COMPLETED,
        timeout=20000,
    )
    win.select_job(job.local_id)
    done = win.current_job()
    assert done is not None and done.files and done.files[0].endswith(".png")
    return done


class SaveDialog:
    """`QFileDialog.getSaveFileName` replaced: records the proposed path, answers `answer`
    (a folder: the proposed name inside it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.proposed: list[Path] = []
        self.answer: Path | None = None
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._ask))

    def _ask(self, _parent: object, _title: str, proposed: str, _filter: str) -> tuple[str, str]:
        self.proposed.append(Path(proposed))
        if self.answer is None:
            return "", ""
        return str(self.answer / Path(proposed).name), ""


def test_save_opens_in_the_settings_folder_made_on_first_use_then_where_the_person_chose(
    qtbot: QtBot, win: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = finish_flux(qtbot, win)
    configured = tmp_path / "Pictures" / "Get3W"  # neither folder exists yet
    win.set_save_folder(configured)
    dialog = SaveDialog(monkeypatch)

    win.act_save.trigger()  # cancelled: the folder is made, nothing remembered
    assert dialog.proposed[-1].parent == configured and configured.is_dir()
    assert "Created" in win.statusBar().currentMessage()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dialog.answer = elsewhere
    with qtbot.waitSignal(win._saver.copied, timeout=10000) as copied:
        win.act_save.trigger()
    assert Path(copied.args[0]).parent == elsewhere and Path(copied.args[0]).is_file()
    win.act_save.trigger()  # the folder chosen last now wins
    assert dialog.proposed[-1].parent == elsewhere

    # The download folder changed in Settings after that choice: Settings win.
    changed = tmp_path / "new" / "outputs"
    win.set_save_folder(changed)
    dialog.answer = None
    win.act_save.trigger()
    assert dialog.proposed[-1].parent == changed and changed.is_dir()

    # Save all starts there too, and saves into a folder that does not exist yet.
    started: list[str] = []
    fresh = tmp_path / "fresh" / "all"

    def pick_folder(_parent: object, _title: str, start: str) -> str:
        started.append(start)
        return str(fresh)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick_folder))
    with qtbot.waitSignal(win._saver.saved_all, timeout=10000) as saved:
        win.act_save_all.trigger()
    assert started == [str(changed)]
    assert saved.args == [1, str(fresh)]
    assert [p.name for p in fresh.iterdir()] == [Path(dialog.proposed[-1]).name]
    assert (fresh / dialog.proposed[-1].name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert job.files  # the original stays where the app keeps it
    win.set_save_folder(changed)
    win.act_save.trigger()  # chosen under this Settings folder: remembered
    assert dialog.proposed[-1].parent == fresh


def test_a_settings_folder_that_cannot_be_made_opens_home_and_says_why(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "picture.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n")
    blocker = tmp_path / "a-file"  # a file where a folder should go: even root cannot
    blocker.write_text("x")
    with open_window(qtbot, tmp_path, None) as win:
        win.set_save_folder(blocker / "Get3W")
        dialog = SaveDialog(monkeypatch)
        win.outputs.save_file(str(source))
        assert dialog.proposed == [Path.home() / "picture.png"]
        said = win.statusBar().currentMessage()
        assert f"Could not create the save folder {blocker / 'Get3W'}" in said
        assert "home folder" in said and "Settings" in said
        assert not (blocker / "Get3W").exists()


@pytest.mark.parametrize(
    "pattern", ["{model}_{prompt}_{seed}", "{seed} - {prompt} ({index})", "{prompt}{model}"]
)
def test_the_settings_example_is_the_name_save_proposes(
    qtbot: QtBot, win: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    finish_flux(qtbot, win)
    win.set_filename_pattern(pattern)
    win.set_save_folder(tmp_path / "saves")
    dialog = SaveDialog(monkeypatch)
    win.act_save.trigger()
    proposed = dialog.proposed[-1].name
    assert "1234" in proposed or "{seed}" not in pattern
    assert proposed.endswith(".png") and "A sunset over mountains" in proposed
    settings = SettingsDialog(Settings(download_folder=str(tmp_path), filename_pattern=pattern))
    qtbot.addWidget(settings)
    assert settings.preview_label.text() == f"For example: {proposed}"
    if pattern == "{model}_{prompt}_{seed}":  # the built-in pattern, spelled out
        assert proposed == "flux-dev_A sunset over mountains_1234.png"
    settings.pattern_edit.setText("{seed}")  # the example follows the pattern as typed
    assert settings.preview_label.text() == "For example: 1234.png"


class NoApp:
    """`QDesktopServices.openUrl` on a computer where no app can open anything."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, works: bool = False) -> None:
        self.asked: list[str] = []
        self.works = works
        monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(self._open))

    def _open(self, url: QUrl) -> bool:
        self.asked.append(url.toLocalFile())
        return self.works


def open_failed_box(win: MainWindow) -> QMessageBox:
    box = win.outputs.open_failed_box
    assert box is not None and box.isVisible()
    return box


def button(box: QMessageBox, text: str) -> QAbstractButton:
    found = [b for b in box.buttons() if b.text() == text]
    assert len(found) == 1, [b.text() for b in box.buttons()]
    return found[0]


def test_open_says_so_when_no_app_can_open_the_file_and_offers_its_folder(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = finish_flux(qtbot, win)
    path, folder = job.files[0], str(Path(job.files[0]).parent)
    name = "FLUX.1 [dev] · A sunset over mountains · seed 1234"  # not the file's hash name
    no_app = NoApp(monkeypatch)

    win.act_open.trigger()  # File ▸ Open output (Ctrl+O)
    assert no_app.asked == [path]
    box = open_failed_box(win)
    assert box.text() == f"No app on this computer could open {name}."
    assert f"The file {Path(path).name} is in {folder}." in box.informativeText()
    assert win.statusBar().currentMessage() == f"No app could open {name}"

    # Show in folder, when nothing can show folders either: the folder's path is copied.
    QGuiApplication.clipboard().clear()
    button(box, "Show in folder").click()
    assert no_app.asked[-1] == folder
    assert QGuiApplication.clipboard().text() == folder
    assert folder in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.outputs.open_failed_box is None, timeout=3000)

    # The viewer's Open (and a file card's, which goes the same way) and Copy path.
    win.viewer.open_requested.emit(path)
    box = open_failed_box(win)
    button(box, "Copy path").click()
    assert QGuiApplication.clipboard().text() == path
    assert not box.isVisible()

    # A double-click on the task row opens too; Esc closes the message.
    win.tasks.activated.emit()
    box = open_failed_box(win)
    box.reject()
    qtbot.waitUntil(lambda: win.outputs.open_failed_box is None, timeout=3000)
    assert no_app.asked.count(path) == 3


def test_open_shows_nothing_when_an_app_opens_the_file(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = finish_flux(qtbot, win)
    works = NoApp(monkeypatch, works=True)
    win.act_open.trigger()
    assert works.asked == [job.files[0]] and win.outputs.open_failed_box is None
    gone = Path(job.files[0]).with_name("gone.png")
    win.outputs.open_path(str(gone))  # cleaned up since: said, not handed to an app
    assert works.asked == [job.files[0]]
    assert win.statusBar().currentMessage() == "gone.png is no longer on this computer."


def test_a_file_card_says_when_its_folder_cannot_be_shown(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "outputs" / "chair.glb"
    model.parent.mkdir()
    model.write_bytes(b"glTF")
    card = FileCard()
    qtbot.addWidget(card)
    card.set_file(str(model))
    no_app = NoApp(monkeypatch)
    card.folder_button.click()
    assert no_app.asked == [str(model.parent)]
    assert card.hint.text() == f"No app could show the folder; its path is copied: {model.parent}"
    assert QGuiApplication.clipboard().text() == str(model.parent)


def test_the_open_failed_message_speaks_chinese(
    qtbot: QtBot, qapp: QApplication, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = finish_flux(qtbot, win)
    NoApp(monkeypatch)
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    try:
        win.act_open.trigger()
        box = open_failed_box(win)
        texts = [box.text(), box.informativeText(), *(b.text() for b in box.buttons())]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts), texts
        assert "A sunset over mountains" in box.text()
        assert Path(job.files[0]).name in box.informativeText()
        box.reject()
    finally:
        i18n.install_language(qapp, "en")
