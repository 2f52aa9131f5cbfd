"""The API-key dialog against the sandbox, the in-memory keyring and keyring's fail backend."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.api.keycheck import KeyCheck, check_key_at
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.secrets import SERVICE, KeyringSecretStore
from get3w_desktop.storage.settings import Profile
from get3w_desktop.ui import i18n
from get3w_desktop.ui.key_dialog import KeyDialog
from get3w_desktop.workers.keys import KeyService
from tests.ui.test_chinese_sweep import english_in

WRONG = "sk_wrong_key_0000"


@pytest.fixture
def keys(qtbot: QtBot) -> Iterator[KeyService]:
    service = KeyService(KeyringSecretStore())
    yield service
    assert service.shutdown()


@pytest.fixture
def profile(sandbox: SandboxServer) -> Profile:
    return Profile("work", sandbox.base_url)


def open_dialog(qtbot: QtBot, profile: Profile, keys: KeyService) -> KeyDialog:
    dialog = KeyDialog(profile, keys)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10_000)
    return dialog


def test_the_key_is_masked_with_a_reveal_toggle(
    qtbot: QtBot, profile: Profile, keys: KeyService
) -> None:
    dialog = open_dialog(qtbot, profile, keys)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.key_edit.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData
    dialog.reveal_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.reveal_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.save_button.isEnabled()  # nothing pasted yet
    assert dialog.stored_label.text() == "none" and not dialog.remove_button.isVisible()
    assert "secure" in dialog.where_label.text()


def test_check_and_save_with_the_right_key_stores_it_and_shows_the_balance(
    qtbot: QtBot,
    profile: Profile,
    keys: KeyService,
    sandbox_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    dialog = open_dialog(qtbot, profile, keys)
    dialog.key_edit.setText(sandbox_key)
    with qtbot.waitSignal(dialog.key_saved, timeout=15_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.is_busy() and not dialog.save_button.isEnabled()
        assert not dialog.key_edit.isEnabled() and dialog.busy.isVisible()
    assert saved.args == ["work"]
    assert keyring.get_password(SERVICE, "work") == sandbox_key
    assert "$100.00" in dialog.status_label.text() and "Saved" in dialog.status_label.text()
    assert dialog.status_label.property("tone") == "good"
    assert dialog.key_edit.text() == ""  # the dialog lets go of the key
    assert dialog.stored_label.text().endswith(sandbox_key[-4:])
    assert sandbox_key not in dialog.stored_label.text()
    assert dialog.remove_button.isVisible() and not dialog.busy.isVisible()
    assert sandbox_key not in caplog.text


def test_a_wrong_key_is_refused_and_nothing_is_stored(
    qtbot: QtBot, profile: Profile, keys: KeyService
) -> None:
    dialog = open_dialog(qtbot, profile, keys)
    saved: list[str] = []
    dialog.key_saved.connect(saved.append)
    dialog.key_edit.setText(WRONG)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=15_000)
    assert dialog.status_label.property("tone") == "bad"
    assert "refused" in dialog.status_label.text() and "Nothing was saved" in (
        dialog.status_label.text()
    )
    assert WRONG not in dialog.status_label.text()
    assert saved == [] and keyring.get_password(SERVICE, "work") is None
    assert dialog.key_edit.isEnabled() and dialog.key_edit.text() == WRONG  # to correct it


def test_without_a_keyring_the_key_is_kept_for_the_session_and_the_dialog_says_so(
    qtbot: QtBot, profile: Profile, keys: KeyService, sandbox_key: str
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    dialog = open_dialog(qtbot, profile, keys)
    assert "session only" in dialog.where_label.text()
    assert "not secure" in dialog.where_label.text()
    assert "No secure keyring" in dialog.status_label.text()  # with what to install
    dialog.key_edit.setText(sandbox_key)
    with qtbot.waitSignal(dialog.key_saved, timeout=15_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = dialog.status_label.text()
    assert "Key accepted" in text and "session only" in text
    assert "invalid" not in text.lower()
    assert dialog.status_label.property("tone") == "warn"
    assert keys.session_key("work") == sandbox_key


def test_escape_cancels_a_check_in_flight_and_nothing_is_saved(
    qtbot: QtBot, profile: Profile
) -> None:
    release = threading.Event()

    def slow_check(base_url: str, key: str) -> KeyCheck:
        release.wait(10)
        return check_key_at(base_url, key)

    keys = KeyService(KeyringSecretStore(), checker=slow_check)
    try:
        dialog = open_dialog(qtbot, profile, keys)
        saved: list[str] = []
        dialog.key_saved.connect(saved.append)
        dialog.key_edit.setText("sk_sandbox_local_0000")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.is_busy()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
        checked: list[object] = []
        keys.checked.connect(lambda _t, result: checked.append(result))
        release.set()
        qtbot.waitUntil(lambda: bool(checked), timeout=15_000)
        assert saved == [] and keyring.get_password(SERVICE, "work") is None
    finally:
        release.set()
        assert keys.shutdown()


def test_remove_key_asks_first_then_removes(
    qtbot: QtBot, profile: Profile, keys: KeyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_password(SERVICE, "work", "sk_stored_key_1a2b")
    asked: list[str] = []

    def confirm(_parent: QWidget, name: str) -> bool:
        asked.append(name)
        return len(asked) > 1  # "No" the first time, "Yes" the second

    monkeypatch.setattr(KeyDialog, "confirm", staticmethod(confirm))
    dialog = open_dialog(qtbot, profile, keys)
    assert dialog.remove_button.isVisible() and dialog.stored_label.text() == "sk_••••••1a2b"
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_busy() and keyring.get_password(SERVICE, "work") is not None
    with qtbot.waitSignal(dialog.key_removed, timeout=10_000) as removed:
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert removed.args == ["work"] and asked == ["work", "work"]
    assert keyring.get_password(SERVICE, "work") is None
    assert dialog.stored_label.text() == "none" and not dialog.remove_button.isVisible()


def test_an_unreachable_server_offers_to_save_without_checking(
    qtbot: QtBot, keys: KeyService
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = open_dialog(qtbot, Profile("offline", f"http://127.0.0.1:{port}"), keys)
    dialog.key_edit.setText("sk_offline_key_5678")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=15_000)
    assert "could not be checked" in dialog.status_label.text()
    assert keyring.get_password(SERVICE, "offline") is None
    assert dialog.save_unchecked_button.isVisible()
    with qtbot.waitSignal(dialog.key_saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_unchecked_button, Qt.MouseButton.LeftButton)
    assert keyring.get_password(SERVICE, "offline") == "sk_offline_key_5678"


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


def test_a_missing_keyring_is_named_in_words_and_its_class_only_in_the_tooltip(
    qtbot: QtBot, profile: Profile, keys: KeyService, sandbox_key: str
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    dialog = open_dialog(qtbot, profile, keys)
    said = dialog.status_label.text()
    assert "No secure keyring (no keyring available)" in said
    assert "keyring.backends" not in said and "Keyring" not in said.replace("GNOME Keyring", "")
    assert "keyring.backends.fail.Keyring" in dialog.where_label.toolTip()  # for experts
    dialog.key_edit.setText(sandbox_key)
    with qtbot.waitSignal(dialog.key_saved, timeout=15_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    said = dialog.status_label.text()
    assert "Key accepted" in said and "session only" in said
    assert "keyring.backends" not in said and "(keyring backend" not in said


def test_the_keyring_warning_in_chinese_is_chinese(
    qtbot: QtBot, profile: Profile, keys: KeyService, sandbox_key: str, chinese: QApplication
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    dialog = open_dialog(qtbot, profile, keys)
    said = dialog.status_label.text()
    assert "没有可用的密钥环" in said
    assert english_in(said, set()) is None, said
    dialog.key_edit.setText(sandbox_key)
    with qtbot.waitSignal(dialog.key_saved, timeout=15_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    said = dialog.status_label.text()
    assert "密钥有效" in said and "$100.00" in said
    assert english_in(said, set()) is None, said


def test_a_failed_key_check_in_chinese_is_chinese_throughout(
    qtbot: QtBot, keys: KeyService, profile: Profile, chinese: QApplication
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog = open_dialog(qtbot, Profile("offline", f"http://127.0.0.1:{port}"), keys)
    dialog.key_edit.setText("sk_offline_key_5678")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=15_000)
    said = dialog.status_label.text()
    assert "无法通过 127.0.0.1 检查密钥" in said and "拒绝了连接" in said
    assert english_in(said, set()) is None, said
    # A refused key, in Chinese too.
    refused = open_dialog(qtbot, profile, keys)
    refused.key_edit.setText(WRONG)
    qtbot.mouseClick(refused.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not refused.is_busy(), timeout=15_000)
    said = refused.status_label.text()
    assert "拒绝了此密钥" in said and english_in(said, set()) is None, said
