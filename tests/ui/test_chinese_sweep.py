"""Simplified Chinese everywhere: with the window in every state, no English sentence shows.

The sweep reads what a person can see or hear: every visible widget's text, tooltip,
accessible name and description, placeholder, window title, menu actions, combo items and the
display and tooltip roles of every item view (the task list's delegate draws those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import KeyringSecretStore
from get3w_desktop.storage.settings import SANDBOX, Profile, Settings
from get3w_desktop.ui import i18n
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.services import ServiceController
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"
#: Three ASCII words in a row (two letters or more each): a sentence, not a name or a unit.
SENTENCE = re.compile(r"[A-Za-z][A-Za-z']+(?:[ ,.:;]+[A-Za-z][A-Za-z']+){2,}")
#: Names that stay as they are in Chinese too (brands, formats, product words).
ALLOWED = re.compile(
    r"Get3W|API|PNG|JPEG|WebP|MP4|MP3|WAV|CSV|JSON|LoRA|Ctrl\+\S+|Shift\+\S+|Esc|Tab"
    r"|https?://\S+|\S*/\S*|\b[\w.]+(?:-[\w.]+)+\b|\S+\.\w{2,4}\b|[\w.-]+@[\w.-]+|v\d[\w.]*",
)
#: English words that never belong in a Chinese sentence, even alone ("about $0.012").
WORDS = re.compile(
    r"(?<![A-Za-z])(about|the|and|of|to|is|was|not|with|from|this|your|you|run|runs|left|ago"
    r"|free|charged|refunded|seconds|minutes|each|failed|completed|running|queued|cancelled"
    r"|done|none|yes|no|or|per|see|open|save|cancel|close)(?![A-Za-z])",
    re.IGNORECASE,
)
ROWS_PER_VIEW = 60


def english_in(text: str, names: set[str]) -> str | None:
    """The first English sentence in `text`, after model names and allowed words are removed."""
    plain = re.sub(r"<[^>]+>", " ", text).replace("&", "")
    for name in sorted(names, key=len, reverse=True):  # longest first: whole names go
        if name in plain:
            plain = plain.replace(name, " ")
    plain = ALLOWED.sub(" ", plain)
    found = SENTENCE.search(plain) or WORDS.search(plain)
    return found.group(0) if found else None


def test_the_detector_finds_sentences_and_passes_names() -> None:
    names = {"Nano Banana Pro"}
    assert english_in("The content was flagged by moderation.", names)
    assert english_in("about $0.012", names) == "about"
    assert english_in("已完成 · 海边的灯塔", names) is None
    assert english_in("Nano Banana Pro · 生成 1024 × 1024 px", names) is None
    assert english_in("保存到 /home/user/Get3W Outputs/a.png", names) is None
    assert english_in("按 Ctrl+Enter 生成", names) is None


def _model_texts(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> Iterator[str]:
    for row in range(min(model.rowCount(parent), ROWS_PER_VIEW)):
        for column in range(8):
            index = model.index(row, column, parent)
            if not index.isValid():
                break
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole):  # fmt: skip
                value = index.data(role)
                if isinstance(value, str):
                    yield value
            if column == 0 and depth < 2 and model.rowCount(index) > 0:
                yield from _model_texts(model, index, depth + 1)
    for section in range(8 if depth == 0 else 0):
        if not model.index(0, section, parent).isValid():
            break
        value = model.headerData(section, Qt.Orientation.Horizontal)
        if isinstance(value, str):
            yield value


def _menu_texts(menu: QMenu) -> Iterator[str]:
    for action in menu.actions():
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        if isinstance(sub := action.menu(), QMenu):
            yield from _menu_texts(sub)


def widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    name = f"{type(widget).__name__}:{widget.objectName() or widget.accessibleName()}"
    yield name + " tooltip", widget.toolTip()
    yield name + " accessible name", widget.accessibleName()
    yield name + " accessible description", widget.accessibleDescription()
    yield name + " whatsThis", widget.whatsThis()
    if widget.isWindow():
        yield name + " title", widget.windowTitle()
    if isinstance(widget, (QLabel, QAbstractButton)):
        yield name + " text", widget.text()
    if isinstance(widget, QLineEdit):
        yield name + " placeholder", widget.placeholderText()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        yield name + " placeholder", widget.placeholderText()
        if widget.isReadOnly():
            yield name + " text", widget.toPlainText()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield name + " item", widget.itemText(i)
    if isinstance(widget, (QPushButton, QToolButton)) and isinstance(menu := widget.menu(), QMenu):
        yield from ((name + " menu", t) for t in _menu_texts(menu))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        yield from ((name + " item", t) for t in _model_texts(widget.model(), QModelIndex()))
    for action in widget.actions():
        yield name + " action", action.text()
        if isinstance(sub := action.menu(), QMenu):
            yield from ((name + " menu", t) for t in _menu_texts(sub))


def english_found(names: set[str]) -> list[str]:
    found: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        for widget in [top, *top.findChildren(QWidget)]:
            if widget is not top and not widget.isVisibleTo(top):
                continue
            for where, text in widget_texts(widget):
                sentence = english_in(text or "", names)
                if sentence:
                    found.append(f"{where}: {sentence!r} in {text[:90]!r}")
    return sorted(set(found))


Parts = tuple[MainWindow, ServiceController]


@pytest.fixture
def parts(qtbot: QtBot, qapp: QApplication, sandbox: SandboxServer,
          tmp_path: Path) -> Iterator[Parts]:  # fmt: skip
    paths = app_paths(tmp_path / "home").ensure()
    settings = Settings(profiles=(SANDBOX, Profile("work", sandbox.base_url)), concurrency=3)
    keys = KeyService(KeyringSecretStore())
    runner = TaskRunner(None, tmp_path / "out", schedule=ScheduleParams().scaled(0.02))
    services = ServiceController(settings, paths, keys, runner, {},
                                 start_sandbox=lambda: sandbox)  # fmt: skip
    live = services.activate(SANDBOX, None)
    thumbnails, saver = ThumbnailLoader(tmp_path / "thumbs"), FileCopier()
    window = MainWindow(load_bundled(), JobBook(runner, JobListModel()), thumbnails,
                        FormMemory(tmp_path / "form.json"), live.info, saver,
                        balance=live.balance, state_file=tmp_path / "window.ini")  # fmt: skip
    qtbot.addWidget(window)
    services.attach(window)
    window.resize(1400, 900)
    window.show()
    yield window, services
    i18n.install_language(qapp, "en")
    window.close()
    runner.shutdown()
    services.shutdown()
    keys.shutdown()
    thumbnails.shutdown()
    saver.shutdown()


def _run(qtbot: QtBot, window: MainWindow, prompt: str, count: int = 1) -> None:
    before = window.jobs.rowCount()
    window.generate_panel.count.setValue(count)
    field = window.form.field("prompt")
    assert field is not None
    field.set_value(prompt)
    window.generate_panel.generate()
    qtbot.waitUntil(lambda: window.jobs.rowCount() == before + count, timeout=5000)


def test_every_state_of_the_window_speaks_chinese(
    qtbot: QtBot, qapp: QApplication, parts: Parts
) -> None:
    window, services = parts
    catalogue = load_bundled()
    names = {m.name for m in catalogue} | {m.model_id for m in catalogue}
    window.picker.select(NANO)
    window.generate_panel.choose_model(NANO)
    _run(qtbot, window, "海边的灯塔，黄昏")
    _run(qtbot, window, "海边的灯塔 [fail:5003]")
    qtbot.waitUntil(lambda: all(not j.state.active for j in window.book.jobs()), timeout=20000)
    states = {j.state for j in window.book.jobs()}
    assert {JobState.COMPLETED, JobState.FAILED} <= states
    _run(qtbot, window, "森林里的小屋", count=3)  # a batch of variations, running or done
    compare = window.compare()
    assert compare is not None
    compare.set_checked_models([NANO, FLUX])
    # the window and compare were built in English: switch now, as the settings do
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    qtbot.waitUntil(lambda: window.generate_button.text().startswith("生成"), timeout=5000)
    settings = services.open_settings()
    key_dialog = services.open_key_dialog("work")
    qtbot.waitUntil(lambda: settings.isVisible() and key_dialog.isVisible(), timeout=5000)
    found: set[str] = set()
    for row in range(window.jobs.rowCount()):  # the details of each task, failed ones too
        window.list_view.setCurrentIndex(window.list_view.model().index(row, 0))
        found.update(english_found(names))
    assert sorted(found) == [], "\n".join(sorted(found))
    settings.reject()
    key_dialog.reject()
