"""Text, 3D and other outputs in the viewer: selectable text with Copy and Save, file cards."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState, TextOutput
from get3w_desktop.ui.output_pages import FileCard, TextPage, file_kind, job_texts
from get3w_desktop.ui.result_viewer import ResultViewer


def text_job(model_id: str, params: dict[str, object], *, texts: tuple[str, ...] = (),
            **changes: object) -> Job:  # fmt: skip
    """A job with text outputs, as the lifecycle stores them (`Job.texts`)."""
    items = tuple(TextOutput(index, text) for index, text in enumerate(texts))
    return Job(model_id, params).evolve(texts=items, **changes)


CAPTION = "A red fox sits in fresh snow, looking to the left."


@pytest.fixture
def viewer(qtbot: QtBot) -> ResultViewer:
    widget = ResultViewer()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def test_job_texts_reads_texts_when_jobs_have_them() -> None:
    assert job_texts(Job("m/x", {})) == ()
    assert job_texts(text_job("m/x", {}, texts=("a", "b"))) == ("a", "b")
    shuffled = dataclasses.replace(Job("m/x", {}), texts=(TextOutput(1, "b"), TextOutput(0, "a")))
    assert job_texts(shuffled) == ("a", "b")  # in the order the server gave them


def test_a_text_output_is_shown_selectable_and_copyable(qtbot: QtBot, viewer: ResultViewer) -> None:
    viewer.show_job(text_job("openai/whisper", {}, state=JobState.COMPLETED, texts=(CAPTION,)))
    assert viewer.page() == "text"
    page = viewer.text_page
    assert page.edit.toPlainText() == CAPTION and page.edit.isReadOnly()
    assert page.edit.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert page.tabs.isHidden()  # one text: no tabs
    assert not viewer.save_button.isVisible()  # the page has its own Save
    assert page.note.text() == "11 words · 50 characters"
    QTest.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == CAPTION
    cursor = page.edit.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    page.edit.setTextCursor(cursor)
    page.copy()
    assert clipboard.text() == "red fox"  # the selection, when there is one


def test_several_texts_get_tabs_and_save_as_txt(
    qtbot: QtBot, viewer: ResultViewer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = text_job("x/llm", {}, state=JobState.COMPLETED, texts=("first answer", "second, longer"))
    viewer.show_job(job)
    page = viewer.text_page
    assert page.tabs.count() == 2 and not page.tabs.isHidden()
    page.tabs.setCurrentIndex(1)
    assert page.edit.toPlainText() == "second, longer"
    target = tmp_path / "answer"
    asked: list[str] = []

    def fake_dialog(*args: object) -> tuple[str, str]:
        asked.append(str(args[2]))
        return str(target), "Text files (*.txt)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_dialog)
    with qtbot.waitSignal(page.saved, timeout=1000) as saved:
        QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert asked == [f"{job.local_id[:40]}_2.txt"]
    assert saved.args == [str(tmp_path / "answer.txt")]
    assert (tmp_path / "answer.txt").read_text("utf-8") == "second, longer"
    assert not page.save(str(tmp_path / "missing-folder" / "x.txt"))  # a clear message instead
    assert "Could not save" in page.note.text()
    viewer.show_job(job)  # a repeated tick keeps the tab the person chose
    assert page.tabs.currentIndex() == 1


def test_3d_and_other_files_get_a_card_with_open(qtbot: QtBot, tmp_path: Path) -> None:
    card = FileCard()
    qtbot.addWidget(card)
    mesh = tmp_path / "abc_0.glb"
    mesh.write_bytes(b"glTF" + b"\0" * 2000)
    card.set_file(str(mesh))
    assert card.kind_label.text() == "3D model" and card.open_button.text() == "Open in 3D viewer"
    assert card.detail.text() == "GLB · 2.0 kB"  # decimal, as the Storage window writes it
    assert card.open_button.accessibleName() == "Open abc_0.glb"
    with qtbot.waitSignal(card.open_requested, timeout=1000) as opened:
        QTest.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [str(mesh)]
    weights = tmp_path / "lora.safetensors"
    weights.write_bytes(b"\0" * 10)
    card.set_file(str(weights))
    assert card.kind_label.text() == "Model weights" and card.open_button.text() == "Open"
    assert [file_kind(p) for p in ("a.zip", "b.bin", "c.xyz", "d.GLB")] == [
        "archive", "weights", "file", "3d"]  # fmt: skip


def test_page_for_a_weights_output_in_the_viewer(viewer: ResultViewer, tmp_path: Path) -> None:
    weights = tmp_path / "trained.safetensors"
    weights.write_bytes(b"\0" * 64)
    viewer.show_job(Job("x/trainer", {}, state=JobState.COMPLETED, files=(str(weights),)))
    assert viewer.page() == "file" and viewer.file_card.kind_label.text() == "Model weights"
    assert isinstance(viewer.text_page, TextPage)
