"""The settings' texts as a person using the app in Simplified Chinese reads them: the profile
editor's name errors, the Settings dialog's folder, pattern and channel errors, settings that
cannot be saved, the settings file's start-up notes and the missing-key note.

Each is produced for real where practical: a bad name typed into the editor, folders and
patterns typed into the dialog, a file where the config folder should be, damaged settings
files. In Chinese no English sentence is left; in English the words are unchanged.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core import settings_messages, worker_messages
from get3w_desktop.core.filenames import pattern_problem
from get3w_desktop.core.messages import Code, Message, text
from get3w_desktop.core.proxy import proxy_url_problem
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.settings import (
    LoadedSettings,
    Profile,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
    validate,
)
from get3w_desktop.ui import i18n
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.profile_editor import ProfileEditor
from get3w_desktop.ui.settings_dialog import SettingsDialog
from get3w_desktop.ui.settings_texts import SETTINGS_TEXTS
from get3w_desktop.ui.texts import no_key_note
from tests.ui.test_chinese_storage import DAY, chinese_only


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


# -- the profile editor ------------------------------------------------------------------------


BAD_NAMES = (
    ("", "Give the profile a name."),
    ("Sandbox", "“sandbox” is the built-in offline profile; choose another name."),
    ("work/home", "Use up to 40 letters, digits, spaces, dots, dashes or underscores."),
    ("WORK", "There is already a profile called “WORK”."),
)


def name_error(qtbot: QtBot, typed: str) -> tuple[ProfileEditor, QLabel]:
    editor = ProfileEditor(("sandbox", "work"))
    qtbot.addWidget(editor)
    editor.name_edit.setText("Team")
    editor.name_edit.setText(typed)
    return editor, editor.name_error


@pytest.mark.parametrize(("typed", "english"), BAD_NAMES)
def test_a_bad_profile_name_typed_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, typed: str, english: str
) -> None:
    editor, label = name_error(qtbot, typed)
    assert not label.isHidden()
    chinese_only(label.text(), english, typed)
    ok = editor.buttons.button(editor.buttons.StandardButton.Ok)
    assert not ok.isEnabled()


@pytest.mark.parametrize(("typed", "english"), BAD_NAMES)
def test_a_bad_profile_name_keeps_its_english_words(
    qtbot: QtBot, qapp: QApplication, typed: str, english: str
) -> None:
    _, label = name_error(qtbot, typed)
    assert label.text() == english


def test_a_good_name_clears_the_chinese_error(qtbot: QtBot, chinese: QApplication) -> None:
    editor, label = name_error(qtbot, "work/home")
    assert label.text() == "名称最多 40 个字符，只能使用字母、数字、空格、点、短横线或下划线。"
    editor.name_edit.setText("Team 2")
    assert label.isHidden() and label.text() == ""


# -- the settings dialog -----------------------------------------------------------------------


def field_error(dialog: SettingsDialog, field: str) -> str:
    label = dialog.findChild(QLabel, f"error-{field}")
    assert label is not None
    return "" if label.isHidden() else label.text()


def settings_dialog(qtbot: QtBot, tmp_path: Path) -> SettingsDialog:
    dialog = SettingsDialog(Settings(download_folder=str(tmp_path / "downloads")))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_folder_errors_typed_in_the_settings_read_as_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    dialog = settings_dialog(qtbot, tmp_path)
    dialog.download_edit.setText("relative/folder")
    shown = field_error(dialog, "download_folder")
    example = str(Path.home() / "Pictures")
    assert shown == f"下载文件夹必须是完整路径（例如 {example}）。"
    chinese_only(shown, "", example)
    a_file = tmp_path / "a file"
    a_file.write_text("x")
    dialog.download_edit.setText(str(a_file))
    assert field_error(dialog, "download_folder") == f"{a_file} 是一个文件，不是文件夹。"
    dialog.download_edit.setText(str(tmp_path))
    dialog.autosave_check.setChecked(True)  # on, but no folder yet
    assert field_error(dialog, "autosave_folder") == "请选择自动保存文件夹。"
    assert not dialog.ok_button.isEnabled()


def test_folder_errors_keep_their_english_words(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    dialog = settings_dialog(qtbot, tmp_path)
    dialog.download_edit.setText("relative/folder")
    example = Path.home() / "Pictures"
    assert field_error(dialog, "download_folder") == (
        f"The download folder must be a full path (e.g. {example})."
    )
    dialog.download_edit.setText(str(tmp_path))
    dialog.autosave_check.setChecked(True)
    assert field_error(dialog, "autosave_folder") == "Choose the auto-save folder."


PATTERNS = (
    ("", "Enter a file-name pattern, e.g. {model}_{prompt}_{seed}."),
    ("out/{model}", "A file name cannot contain / or \\; the folder is chosen separately."),
    ("{model", "Unbalanced braces: write placeholders as {model}, and a literal brace as {{."),
    ("{model}_{colour}", "Unknown placeholder {colour}. Use {model}, {prompt}, {seed}, {date}, "
                         "{time}, {index}, {task}."),
    ("{seed:04d}", "Write {seed} without a format (“:” or “!”)."),
    ("plain", "Use at least one placeholder, or every file would get the same name."),
)  # fmt: skip


@pytest.mark.parametrize(("typed", "english"), PATTERNS)
def test_a_bad_file_name_pattern_typed_reads_as_chinese(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, typed: str, english: str
) -> None:
    dialog = settings_dialog(qtbot, tmp_path)
    dialog.pattern_edit.setText(typed)
    assert field_error(dialog, "filename_pattern") == english  # English: the same words
    i18n.install_language(qapp, "zh_CN")
    try:
        dialog.pattern_edit.setText(typed + " ")
        dialog.pattern_edit.setText(typed)
        shown = field_error(dialog, "filename_pattern")
    finally:
        i18n.install_language(qapp, "en")
    placeholders = re.findall(r"\{+[a-z]*\}*", english)
    chinese_only(shown, english, *sorted(placeholders, key=len, reverse=True))
    assert not dialog.ok_button.isEnabled()


def test_a_channel_of_two_words_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    dialog = settings_dialog(qtbot, tmp_path)
    dialog.channel_combo.setCurrentText("Two Words")
    shown = field_error(dialog, "default_channel")
    assert shown == "通道必须是一个单词，例如 economy, stable, official。"
    assert not dialog.ok_button.isEnabled()


def test_every_settings_issue_is_coded_with_its_english_words(chinese: QApplication) -> None:
    broken = Settings(
        profiles=(Profile("sandbox", "http://127.0.0.1:1"), Profile("Work", "http://x.example"),
                  Profile("work", "https://w.example"), Profile("a/b", "https://a.example")),
        active_profile="gone", download_folder="", autosave_folder="rel",
    )  # fmt: skip
    issues = validate(broken)
    fields = {issue.field for issue in issues}
    assert {"profiles.1.base_url", "profiles.2.name", "profiles.3.name", "active_profile",
            "download_folder", "autosave_folder"} <= fields  # fmt: skip
    wanted = {"profiles.1.base_url", "profiles.2.name", "profiles.3.name", "active_profile",
              "download_folder", "autosave_folder"}  # fmt: skip
    for issue in issues:
        if issue.field not in wanted:
            continue
        assert issue.said is not None and issue.said.fallback == issue.message
        chinese_only(render(issue.said), issue.message, "Work", "work", "gone", "x.example")
    by_field = {issue.field: issue.message for issue in issues}
    assert by_field["profiles.2.name"] == "There is already a profile called “work”."
    assert by_field["active_profile"] == "There is no profile called “gone”."
    assert by_field["download_folder"] == "Choose the download folder."
    assert by_field["profiles.1.base_url"].startswith("Work: ")


# -- every new code ------------------------------------------------------------------------------


def samples() -> list[Message]:
    folder = settings_messages.DOWNLOAD_FOLDER
    when = time.time()
    return [
        settings_messages.PROFILE_NAME_EMPTY,
        settings_messages.PROFILE_NAME_SANDBOX,
        settings_messages.PROFILE_NAME_CHARACTERS,
        settings_messages.profile_name_taken("Work"),
        settings_messages.profile_missing("Work"),
        settings_messages.profile_problem("Work", settings_messages.PROFILE_NAME_EMPTY),
        settings_messages.folder_empty(folder),
        settings_messages.folder_empty(settings_messages.AUTOSAVE_FOLDER),
        settings_messages.folder_empty(settings_messages.ANY_FOLDER),
        settings_messages.folder_not_absolute(folder, "/home/a/Pictures"),
        settings_messages.folder_is_file("/home/a/x"),
        worker_messages.hk_cleaned_up(when, when - DAY, hk.OUTPUT_RETENTION),
        worker_messages.hk_cleaned_up(when, when - 30 * DAY, hk.OUTPUT_RETENTION),
        worker_messages.hk_no_space("/home/a", 5 * 10**9, 900),
        settings_messages.channel_one_word("economy, stable, official"),
        settings_messages.concurrency_range(1, 32),
        settings_messages.settings_not_saved("/home/a/x", "Read-only file system"),
        settings_messages.value_invalid("Work", "expected a whole number, found 'x'"),
        settings_messages.active_gone("Work"),
        settings_messages.PROFILE_UNNAMED,
        settings_messages.profile_dropped("Work", settings_messages.PROFILE_NAME_CHARACTERS),
        settings_messages.proxy_invalid("Work"),
        settings_messages.proxy_unusable("Work", proxy_url_problem("ftp://x") or text("")),
        settings_messages.settings_unreadable("Permission denied"),
        settings_messages.settings_corrupt("Expecting value: line 1 column 1 (char 0)", None),
        settings_messages.settings_corrupt("Expecting value", "settings.json.corrupt-1"),
        settings_messages.settings_newer(9),
        *(said for typed, _ in PATTERNS if (said := pattern_problem(typed)) is not None),
    ]


def test_every_new_code_has_a_chinese_text(chinese: QApplication) -> None:
    seen: set[Code] = set()
    for said in samples():
        braces = sorted(re.findall(r"\{+[a-z]*\}*", said.fallback), key=len, reverse=True)
        chinese_only(render(said), said.fallback, "Work", "/home/a/Pictures", "/home/a/x",
                     "/home/a", "economy, stable, official", "settings.json.corrupt-1",
                     *braces)  # fmt: skip
        seen.add(said.code)
        seen.update(a.code for a in said.args.values() if isinstance(a, Message))
    assert set(SETTINGS_TEXTS) <= seen


def test_the_start_up_note_for_a_missing_key_reads_as_chinese(qapp: QApplication) -> None:
    english = (
        "No API key was found for “Work”, so tasks run in the sandbox. Use “Enter API key…” "
        "to add it."
    )
    assert no_key_note("Work") == english  # the words app.py logs, unchanged
    i18n.install_language(qapp, "zh_CN")
    try:
        shown = no_key_note("Work")
    finally:
        i18n.install_language(qapp, "en")
    assert (
        shown == "没有找到“Work”的 API 密钥，任务将在沙盒中运行。请使用“输入 API 密钥…”添加密钥。"
    )
    chinese_only(shown, english, "Work")


def test_settings_that_cannot_be_saved_say_so_in_chinese(
    qapp: QApplication, tmp_path: Path
) -> None:
    """A file where the config folder should be: the save really fails."""
    home = tmp_path / "home"
    home.mkdir()
    paths = app_paths(home)
    paths.config.parent.mkdir(parents=True, exist_ok=True)
    paths.config.write_text("not a folder")
    with pytest.raises(SettingsError) as caught:
        save_settings(Settings(download_folder=str(tmp_path)), paths)
    error = caught.value
    assert error.said is not None and error.said.code is Code.SETTINGS_NOT_SAVED
    assert error.message == error.said.fallback
    reason = error.said.args["reason"]
    assert error.message == (
        f"Your settings could not be saved in {paths.config} ({reason}). Check that the disk "
        "has space and the folder is writable."
    )
    i18n.install_language(qapp, "zh_CN")
    try:
        shown = render(error.said)
    finally:
        i18n.install_language(qapp, "en")
    assert (
        shown == f"无法将设置保存到 {paths.config}。请检查磁盘是否还有空间，以及该文件夹是否可写。"
    )
    chinese_only(shown, error.message, str(paths.config))


# -- the settings file's start-up notes ----------------------------------------------------------


def write_settings(doc: object | bytes) -> Path:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(doc, bytes):
        path.write_bytes(doc)
    else:
        path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def chinese_notes(qapp: QApplication, loaded: LoadedSettings) -> list[str]:
    assert [said.fallback for said in loaded.said] == list(loaded.warnings)  # same English
    i18n.install_language(qapp, "zh_CN")
    try:
        return [render(said) for said in loaded.said]
    finally:
        i18n.install_language(qapp, "en")


def test_a_damaged_settings_file_is_explained_in_chinese(qapp: QApplication) -> None:
    write_settings({
        "schema_version": 9, "concurrency": 99, "theme": "purple",
        "filename_pattern": "{oops}", "download_folder": "relative/path",
        "active_profile": "gone",
        "profiles": [{"name": "team", "base_url": "http://remote.example.com"},
                     {"name": "work", "base_url": "https://w.example", "proxy": "junk"},
                     {"name": "home", "base_url": "https://h.example",
                      "proxy": {"mode": "custom", "url": "ftp://corp.example"}},
                     "junk"],
    })  # fmt: skip
    loaded = load_settings()
    codes = [said.code for said in loaded.said]
    assert codes.count(Code.SETTINGS_VALUE_INVALID) == 4
    assert {Code.SETTINGS_NEWER, Code.SETTINGS_ACTIVE_GONE, Code.SETTINGS_PROFILE_UNNAMED,
            Code.SETTINGS_PROFILE_DROPPED, Code.SETTINGS_PROXY_INVALID,
            Code.SETTINGS_PROXY_UNUSABLE} <= set(codes)  # fmt: skip
    english = set(loaded.warnings)
    assert "A profile without a name or address was dropped." in english
    assert "The active profile “gone” no longer exists; using the sandbox." in english
    assert (
        "Profile “work”: the proxy setting was not valid; the system proxy settings are used."
        in english
    )
    own = ("concurrency", "theme", "filename_pattern", "download_folder", "team", "work",
           "home", "gone", "remote.example.com", "corp.example")  # fmt: skip
    for shown, words in zip(chinese_notes(qapp, loaded), loaded.warnings, strict=True):
        chinese_only(shown, words, *own)
    assert "当前配置“gone”已不存在，改用沙盒。" in chinese_notes(qapp, loaded)


def test_an_unreadable_settings_file_is_explained_in_chinese(qapp: QApplication) -> None:
    path = write_settings(b"{not json")
    loaded = load_settings()
    [said] = loaded.said
    [backup] = [p for p in path.parent.iterdir() if p.name.startswith("settings.json.corrupt-")]
    assert said.code is Code.SETTINGS_CORRUPT_KEPT and backup.name in said.fallback
    assert said.fallback.startswith("Your settings file could not be read (")
    assert said.fallback.endswith(f"; the defaults are in use. A copy was kept as {backup.name}.")
    [shown] = chinese_notes(qapp, loaded)
    assert shown == f"无法读取你的设置文件，现在使用默认设置。原文件的副本已保留为 {backup.name}。"
    chinese_only(shown, said.fallback, backup.name)
