"""Help › Getting started, Keyboard shortcuts and Where your data lives, on a real window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from get3w_desktop.storage.secrets import MemorySecretStore
from get3w_desktop.ui import i18n
from get3w_desktop.ui.help_dialogs import ShortcutsDialog, plain
from get3w_desktop.ui.main_window import MainWindow
from tests.ui.test_chinese_sweep import english_found
from tests.window_support import open_window

NATIVE = QKeySequence.SequenceFormat.NativeText


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, None) as win:
        yield win


def listed(dialog: ShortcutsDialog, *, visible_only: bool = False) -> set[tuple[str, str, str]]:
    """(group, action, keys) of every row the dialog shows."""
    rows: set[tuple[str, str, str]] = set()
    for g in range(dialog.tree.topLevelItemCount()):
        group = dialog.tree.topLevelItem(g)
        assert isinstance(group, QTreeWidgetItem)
        for c in range(group.childCount()):
            item = group.child(c)
            assert isinstance(item, QTreeWidgetItem)
            if not visible_only or not (item.isHidden() or group.isHidden()):
                rows.add((group.text(0), item.text(0), item.text(1)))
    return rows


def menu_shortcuts(window: MainWindow) -> set[tuple[str, str, str]]:
    """What the menus themselves hold: every action with keys, walked independently."""
    found = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        for action in menu.actions():
            keys = ", ".join(k.toString(NATIVE) for k in action.shortcuts())
            if keys and not action.isSeparator():
                found.add((plain(menu.title()), plain(action.text()), keys))
    return found


def test_menu_texts_lose_their_mnemonics() -> None:
    assert plain("&Save output as…") == "Save output as…"
    assert plain("Copy && paste") == "Copy & paste"
    assert plain("文件(&F)") == "文件"
    assert plain("打开输出(&O)…") == "打开输出…"


def test_every_menu_shortcut_is_listed_with_its_keys(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.help.open_shortcuts()
    qtbot.waitExposed(dialog)
    in_menus = menu_shortcuts(window)
    # the menus hold the well-known keys, so the comparison below is not vacuous
    assert ("Task", "Generate", "Ctrl+Return") in in_menus
    assert ("Help", "Keyboard shortcuts", "Ctrl+/") in in_menus
    assert len(in_menus) >= 15
    assert in_menus <= listed(dialog)
    # the keys the zoom bar binds outside any menu are listed too
    assert any(text.startswith("Zoom the picture in") for _g, text, _k in listed(dialog))


def test_an_action_added_later_appears_without_touching_the_dialog(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = window.help.open_shortcuts()
    assert not any(text == "Frobnicate" for _g, text, _k in listed(dialog))
    dialog.close()
    extra = QAction("&Frobnicate", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.task_menu.addAction(extra)
    again = window.help.open_shortcuts()
    assert again is dialog  # reused, and read afresh
    assert ("Task", "Frobnicate", QKeySequence("Ctrl+Alt+J").toString(NATIVE)) in listed(again)


def test_no_two_actions_of_the_window_share_a_key(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.help.open_shortcuts()
    keys = [k for g, _t, keys in listed(dialog) if not g.startswith("Help and") for k in
            keys.split(", ")]  # fmt: skip
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_search_narrows_the_list_and_says_when_nothing_matches(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = window.help.open_shortcuts()
    everything = listed(dialog, visible_only=True)
    dialog.search.setText("zoom")
    shown = listed(dialog, visible_only=True)
    assert 1 <= len(shown) < len(everything)
    assert all("zoom" in text.casefold() for _g, text, _k in shown)
    assert not dialog.empty.isVisible()
    dialog.search.setText("ctrl+shift+s")  # keys are searchable too
    assert {t for _g, t, _k in listed(dialog, visible_only=True)} == {
        "Save all outputs to a folder…"}  # fmt: skip
    dialog.search.setText("no such thing anywhere")
    assert listed(dialog, visible_only=True) == set()
    assert dialog.empty.isVisible()


@pytest.mark.parametrize("which", ["guide", "shortcuts", "data"])
@pytest.mark.parametrize("keys", ["Esc", "Ctrl+W"])
def test_each_help_window_closes_with_esc_and_ctrl_w(
    qtbot: QtBot, window: MainWindow, which: str, keys: str
) -> None:
    opener = {"guide": window.help.open_guide, "shortcuts": window.help.open_shortcuts,
              "data": window.help.open_data}[which]  # fmt: skip
    dialog: QDialog = opener()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    assert dialog.accessibleName()
    assert 480 <= dialog.width() <= 900 and 400 <= dialog.height() <= 800
    QTest.keySequence(dialog, QKeySequence(keys))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert window.isVisible()  # only the help window closed


def test_f1_and_ctrl_slash_open_the_guide_and_the_shortcuts(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keySequence(window, QKeySequence("F1"))
    qtbot.waitUntil(lambda: window.help.guide is not None and window.help.guide.isVisible(),
                    timeout=2000)  # fmt: skip
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    QTest.keySequence(window, QKeySequence("Ctrl+/"))
    qtbot.waitUntil(
        lambda: window.help.shortcuts is not None and window.help.shortcuts.isVisible(),
        timeout=2000,
    )


def test_the_guide_names_the_keys_the_window_really_uses(qtbot: QtBot, window: MainWindow) -> None:
    guide = window.help.open_guide()
    text = guide.browser.toPlainText()
    for section in ("Pick a model", "Fill in the form", "Generate", "Watch your tasks",
                    "Save your results", "Sandbox or a real key", "Where to get help"):  # fmt: skip
        assert section in text
    assert window.act_generate.shortcut().toString(NATIVE) in text
    window.act_generate.setShortcut(QKeySequence("Ctrl+Alt+G"))  # the guide follows
    guide.close()
    assert "Ctrl+Alt+G" in window.help.open_guide().browser.toPlainText()


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def caught_urls() -> Iterator[UrlCatcher]:
    """ "Open folder" is caught here instead of starting a file manager."""
    catcher = UrlCatcher()
    # The stubs say bytes; PySide 6.11 accepts only str here.
    QDesktopServices.setUrlHandler("file", catcher, "catch")  # type: ignore[arg-type]
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


def test_where_data_lives_shows_the_paths_this_window_really_uses(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, isolated_home: Path,
    caught_urls: UrlCatcher,
) -> None:  # fmt: skip
    (tmp_path / "outputs").mkdir()
    dialog = window.help.open_data()
    shown = {name: row[2].text() for name, row in dialog.rows.items()}
    home = isolated_home  # GET3W_HOME of this test
    assert shown == {
        "settings": str(home / "config" / "settings.json"),
        "history": str(home / "data" / "history.sqlite3"),
        "outputs": str(tmp_path / "outputs"),  # the runner's folder
        "thumbnails": str(tmp_path / "thumbs"),  # the thumbnail loader's
        "logs": str(home / "logs"),
        "sandbox": str(home / "data" / "sandbox-account.json"),
    }
    _title, _about, _path, open_outputs, copy_outputs = dialog.rows["outputs"]
    assert open_outputs.isEnabled()
    qtbot.mouseClick(open_outputs, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in caught_urls.urls] == [str(tmp_path / "outputs")]
    qtbot.mouseClick(copy_outputs, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == str(tmp_path / "outputs")
    # a folder not made yet cannot be opened, and says so; once it exists, it can
    _title, about, _path, open_logs, _copy = dialog.rows["logs"]
    assert not open_logs.isEnabled() and "Not created yet" in about.text()
    (home / "logs").mkdir(parents=True)
    dialog.close()
    window.help.open_data()
    assert open_logs.isEnabled() and "Not created yet" not in about.text()
    qtbot.mouseClick(open_logs, Qt.MouseButton.LeftButton)
    assert caught_urls.urls[-1].toLocalFile() == str(home / "logs")


class SecureStore(MemorySecretStore):
    @property
    def backend_name(self) -> str:
        return "keyring.backends.SecretService.Keyring"

    @property
    def is_secure(self) -> bool:
        return True


def test_the_key_is_said_to_be_in_the_keyring_in_words(qtbot: QtBot, window: MainWindow) -> None:
    window.help.key_store = SecureStore()
    dialog = window.help.open_data()
    note = dialog.key_note.text()
    assert "GNOME Keyring" in note and "keyring.backends" not in note and "Keyring." not in note
    assert "never deletes" in dialog.keep_note.text()


def test_without_a_secure_keyring_the_key_is_said_to_stay_in_memory(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.help.key_store = MemorySecretStore()
    assert "memory" in window.help.open_data().key_note.text()


def test_the_help_windows_speak_chinese(
    qtbot: QtBot, qapp: QApplication, window: MainWindow
) -> None:
    window.help.open_guide()
    window.help.open_shortcuts()
    window.help.open_data()
    names = {m.name for m in window.catalogue} | {m.model_id for m in window.catalogue}
    english = "\n".join(english_found(names))  # the check below can see these windows
    assert "none of these places" in english and "Elsewhere in the window" in english
    try:
        assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
        qtbot.waitUntil(lambda: window.help.act_guide.text() != "&Getting started", timeout=3000)
        assert window.help.shortcuts is not None and window.help.data is not None
        assert window.help.shortcuts.windowTitle() != "Keyboard shortcuts"
        rows = listed(window.help.shortcuts)
        assert ("文件", "打开输出", "Ctrl+O") in rows  # no "(&F)" nor "(O)" from the menus
        assert "GNOME" not in window.help.data.key_note.text()
        found = english_found(names)
        assert found == [], "\n".join(found)
    finally:
        i18n.install_language(qapp, "en")
