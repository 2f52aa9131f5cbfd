"""The settings dialog: edits a Settings value, validates inline, returns a new value."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.storage.settings import (
    SANDBOX_PROFILE,
    Profile,
    Settings,
    SubmitModeSetting,
    Theme,
    validate,
)
from get3w_desktop.ui.profile_editor import ProfileEditor
from get3w_desktop.ui.settings_dialog import SettingsDialog


def make(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.fixture
def base(tmp_path: Path) -> Settings:
    return Settings(download_folder=str(tmp_path / "downloads"))


def error_text(dialog: SettingsDialog, field: str) -> str:
    label = dialog.findChild(QLabel, f"error-{field}")
    assert label is not None
    return "" if label.isHidden() else label.text()


def test_unchanged_dialog_returns_the_same_settings(qtbot: QtBot, tmp_path: Path) -> None:
    original = Settings(
        profiles=(Profile("default", "https://api.get3w.com"), Profile("team", "https://t.example")),
        active_profile="team", default_channel="economy", submit_mode=SubmitModeSetting.SYNC,
        concurrency=7, download_folder=str(tmp_path / "d"), autosave_folder=str(tmp_path / "a"),
        filename_pattern="{model}_{index}", theme=Theme.DARK, notifications=False,
        extras=(("future", "1"),),
    )  # fmt: skip
    dialog = make(qtbot, original)
    assert dialog.ok_button.isEnabled()
    assert dialog.settings() == original
    assert dialog.active_combo.currentText() == "team"
    assert dialog.profile_list.count() == 3  # sandbox + 2


def test_every_change_lands_in_the_result(qtbot: QtBot, base: Settings, tmp_path: Path) -> None:
    dialog = make(qtbot, base)
    dialog.channel_combo.setCurrentText("stable")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData(SubmitModeSetting.SYNC))
    dialog.concurrency_spin.setValue(12)
    dialog.download_edit.setText(str(tmp_path / "elsewhere"))
    dialog.autosave_check.setChecked(True)
    dialog.autosave_edit.setText(str(tmp_path / "auto"))
    dialog.pattern_edit.setText("{task}-{index}")
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData(Theme.LIGHT))
    dialog.notify_check.setChecked(False)
    result = dialog.settings()
    assert validate(result) == () and dialog.ok_button.isEnabled()
    assert (result.default_channel, result.submit_mode, result.concurrency) == (
        "stable", SubmitModeSetting.SYNC, 12
    )  # fmt: skip
    assert result.download_folder == str(tmp_path / "elsewhere")
    assert result.autosave_folder == str(tmp_path / "auto")
    assert (result.filename_pattern, result.theme, result.notifications) == (
        "{task}-{index}", Theme.LIGHT, False
    )  # fmt: skip
    dialog.channel_combo.setCurrentText("(server default)")
    assert dialog.settings().default_channel is None


def test_a_bad_pattern_disables_ok_and_explains_with_a_live_preview(
    qtbot: QtBot, base: Settings
) -> None:
    dialog = make(qtbot, base)
    assert dialog.preview_label.text().startswith("For example: ")
    assert dialog.preview_label.text().endswith(".png")
    dialog.pattern_edit.setText("{model}_{colour}")
    assert not dialog.ok_button.isEnabled()
    assert "Unknown placeholder {colour}" in error_text(dialog, "filename_pattern")
    assert dialog.preview_label.text() == ""
    dialog.pattern_edit.setText("{prompt}_{index}")
    assert dialog.ok_button.isEnabled() and error_text(dialog, "filename_pattern") == ""
    assert "A sunset over mountains_1.png" in dialog.preview_label.text()


def test_folder_and_channel_problems_are_shown_under_their_fields(
    qtbot: QtBot, base: Settings
) -> None:
    dialog = make(qtbot, base)
    dialog.download_edit.setText("relative/folder")
    assert "full path" in error_text(dialog, "download_folder")
    assert not dialog.ok_button.isEnabled()
    dialog.download_edit.setText(base.download_folder)
    dialog.autosave_check.setChecked(True)  # on, but no folder yet
    assert "Choose the auto-save folder" in error_text(dialog, "autosave_folder")
    dialog.autosave_check.setChecked(False)
    assert error_text(dialog, "autosave_folder") == ""
    dialog.channel_combo.setCurrentText("Two Words")
    assert "channel" in error_text(dialog, "default_channel")
    assert not dialog.ok_button.isEnabled()
    dialog.channel_combo.setCurrentText("economy")
    assert dialog.ok_button.isEnabled()
    dialog.concurrency_spin.setValue(99)
    assert dialog.settings().concurrency == 32  # the spin box keeps it in range


def test_add_edit_remove_profiles(
    qtbot: QtBot, base: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[Profile | None] = [Profile("team", "https://team.example"), None]
    asked: list[tuple[tuple[str, ...], Profile | None]] = []

    def ask(_parent: QWidget, taken: tuple[str, ...], existing: Profile | None) -> Profile | None:
        asked.append((taken, existing))
        return answers.pop(0)

    monkeypatch.setattr(SettingsDialog, "ask", staticmethod(ask))
    dialog = make(qtbot, base)
    dialog.add_button.click()
    assert asked[0] == ((SANDBOX_PROFILE, "default"), None)
    assert [p.name for p in dialog.settings().profiles] == [SANDBOX_PROFILE, "default", "team"]
    assert dialog.profile_list.currentRow() == 2  # the new one is selected
    dialog.active_combo.setCurrentText("team")
    assert dialog.settings().active_profile == "team"

    dialog.edit_button.click()  # cancelled: nothing changes
    assert asked[1][1] == Profile("team", "https://team.example")
    answers.append(Profile("ignored-new-name", "https://team2.example"))
    dialog.edit_button.click()
    assert dialog.settings().profile("team") == Profile("team", "https://team2.example")
    assert dialog.settings().profile("ignored-new-name") is None  # names never change

    dialog.remove_button.click()
    result = dialog.settings()
    assert result.profile("team") is None and result.active_profile == SANDBOX_PROFILE
    assert dialog.removed_profiles() == ()  # "team" was never in the original
    dialog.profile_list.setCurrentRow(1)
    dialog.remove_button.click()
    assert dialog.removed_profiles() == ("default",)


def test_the_sandbox_cannot_be_edited_and_key_requests_name_the_profile(
    qtbot: QtBot, base: Settings
) -> None:
    dialog = make(qtbot, base)
    dialog.profile_list.setCurrentRow(0)
    assert not dialog.edit_button.isEnabled() and not dialog.remove_button.isEnabled()
    assert not dialog.key_button.isEnabled()
    dialog.profile_list.setCurrentRow(1)
    with qtbot.waitSignal(dialog.key_requested) as requested:
        dialog.key_button.click()
    assert requested.args == ["default"]


def test_profile_editor_validates_inline(qtbot: QtBot) -> None:
    editor = ProfileEditor(("sandbox", "default"))
    qtbot.addWidget(editor)
    editor.show()
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    editor.name_edit.setText("Default")
    assert not ok.isEnabled() and "already" in editor.name_error.text()
    editor.name_edit.setText("work")
    editor.url_edit.setText("http://gateway.example.com")
    assert not ok.isEnabled() and "plain HTTP" in editor.url_error.text()
    editor.url_edit.setText("http://127.0.0.1:8765/")
    assert ok.isEnabled() and not editor.url_error.isVisible()
    assert editor.profile() == Profile("work", "http://127.0.0.1:8765")

    existing = ProfileEditor(("sandbox", "work"), Profile("work", "https://w.example"))
    qtbot.addWidget(existing)
    assert existing.name_edit.isReadOnly()
    assert existing.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_fields_have_keyboard_labels(qtbot: QtBot, base: Settings) -> None:
    dialog = make(qtbot, base)
    buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    for widget in (dialog.active_combo, dialog.channel_combo, dialog.mode_combo,
                   dialog.concurrency_spin, dialog.pattern_edit, dialog.theme_combo):  # fmt: skip
        assert widget in buddies, widget
    mnemonics = [label.text() for label in dialog.findChildren(QLabel) if "&" in label.text()]
    letters = [text[text.index("&") + 1].lower() for text in mnemonics]
    assert len(letters) >= 6


def test_spending_limits_and_sidecars_land_in_the_result(qtbot: QtBot, base: Settings) -> None:
    dialog = make(qtbot, base)
    assert not dialog.batch_cap_spin.isEnabled() and dialog.day_cap_spin.isEnabled()
    assert (dialog.settings().cap_per_batch, dialog.settings().cap_per_day) == (None, 10.0)
    assert dialog.confirm_check.isChecked() and dialog.settings().confirm_above == 1.0
    dialog.confirm_spin.setValue(2.5)
    assert dialog.settings().confirm_above == 2.5
    dialog.confirm_check.setChecked(False)
    assert dialog.settings().confirm_above is None
    dialog.batch_cap_check.setChecked(True)
    assert dialog.batch_cap_spin.isEnabled()
    dialog.batch_cap_spin.setValue(3.5)
    dialog.day_cap_check.setChecked(True)
    dialog.day_cap_spin.setValue(12.25)
    dialog.sidecar_check.setChecked(True)
    result = dialog.settings()
    assert (result.cap_per_batch, result.cap_per_day, result.sidecars) == (3.5, 12.25, True)
    assert dialog.ok_button.isEnabled()
    dialog.batch_cap_check.setChecked(False)
    assert dialog.settings().cap_per_batch is None and dialog.settings().cap_per_day == 12.25


def test_existing_limits_are_shown_and_kept_exactly(qtbot: QtBot, base: Settings) -> None:
    original = Settings(
        download_folder=base.download_folder, cap_per_batch=0.125, cap_per_day=40.0, sidecars=True
    )
    dialog = make(qtbot, original)
    assert dialog.batch_cap_check.isChecked() and dialog.day_cap_check.isChecked()
    assert dialog.day_cap_spin.value() == 40.0 and dialog.sidecar_check.isChecked()
    assert dialog.settings() == original  # 0.125 shows as $0.13 but is not rounded away
    dialog.batch_cap_spin.setValue(0.5)
    assert dialog.settings().cap_per_batch == 0.5


def test_spending_fields_have_keyboard_access(qtbot: QtBot, base: Settings) -> None:
    dialog = make(qtbot, base)
    texts = [dialog.batch_cap_check.text(), dialog.day_cap_check.text(),
             dialog.sidecar_check.text(), dialog.confirm_check.text()]  # fmt: skip
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(letters)) == 4
    assert dialog.batch_cap_spin.accessibleName() == "Limit each run to"
