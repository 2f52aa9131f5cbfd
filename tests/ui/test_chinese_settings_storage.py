"""The last English texts a person using the app in Simplified Chinese read: the profile
editor's name errors, the settings' folder errors, the export's "not enough space" (with its
sizes) and the note a cleaned-up task carries.

Each is produced for real where practical: a bad name typed into the editor, a relative
folder typed into the settings, an export into a real tiny tmpfs (where mounting is allowed),
an expired local copy cleaned up by the Housekeeper and read back from the history. In
Chinese no English sentence and no "bytes" is left; in English the words are unchanged.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core import settings_messages, worker_messages
from get3w_desktop.core.filenames import pattern_problem
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message, data_size, date, day_month, text
from get3w_desktop.core.proxy import proxy_url_problem
from get3w_desktop.storage.history import HistoryStore
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
from get3w_desktop.ui.housekeeping_dialogs import ExportDialog, size_text
from get3w_desktop.ui.messages import job_error, render
from get3w_desktop.ui.output_pages import FileCard
from get3w_desktop.ui.profile_editor import ProfileEditor
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.ui.settings_dialog import SettingsDialog
from get3w_desktop.ui.settings_texts import SETTINGS_TEXTS
from get3w_desktop.ui.task_panel import row_tooltip
from get3w_desktop.ui.texts import no_key_note
from get3w_desktop.workers.housekeeping import Housekeeper
from tests.ui.test_chinese_sweep import english_in

DAY = 86400.0
#: Latin words for a size that Chinese writes in its own words ("字节").
LATIN_UNITS = ("bytes", "byte")


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


def chinese_only(shown: str, fallback: str, *own: str) -> None:
    """`shown` is translated: it differs from the English and has no English sentence once
    the person's own words (`own`: a path, a profile name) are taken out."""
    assert shown != fallback, f"no Chinese text for {fallback!r}"
    plain = shown
    for words in own:
        plain = plain.replace(words, " ")
    assert english_in(plain, set()) is None, f"English in {shown!r}"
    assert not any(unit in plain for unit in LATIN_UNITS), f"a Latin size unit in {shown!r}"


def old_cleaned_words(when: float, finished: float) -> str:
    """The words housekeeping wrote before the message was coded (the history keeps them)."""
    day = time.strftime("%d %b %Y", time.localtime(when))
    expires = finished + hk.OUTPUT_RETENTION
    if expires > when:
        until = time.strftime("%d %b", time.localtime(expires))
        remote = (f"Get3W keeps the output until about {until}: Task › Copy output URL, "
                  "or re-run the task.")  # fmt: skip
    else:
        remote = "The copy on Get3W may have expired (outputs are kept about 7 days)."
    return f"The local copy was cleaned up on {day} to free disk space. {remote}"


# -- what Qt really writes here --------------------------------------------------------------


def test_qt_writes_bytes_in_chinese_and_keeps_the_si_units() -> None:
    """The premise: zh_CN has its own word for bytes; kB, MB and GB stay as Chinese writes them."""
    si = QLocale.DataSizeFormat.DataSizeSIFormat
    chinese = QLocale("zh_CN")
    assert chinese.formattedDataSize(512, 1, si) == "512 字节"
    assert chinese.formattedDataSize(1_234_567, 1, si) == "1.2 MB"
    assert QLocale("en").formattedDataSize(512, 1, si) == "512 bytes"


def test_sizes_follow_the_interface_language(chinese: QApplication) -> None:
    assert size_text(512) == "512 字节"
    assert size_text(1_234_567) == "1.2 MB"
    assert render(data_size(999)) == "999 字节"
    i18n.install_language(chinese, "en")
    assert size_text(512) == "512 bytes" == hk.format_size(512)
    for size in (0, 999, 1000, 1_234_567, 5 * 10**9):  # the English words are unchanged
        assert size_text(size) == hk.format_size(size)


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


# -- "not enough space" ----------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(size: str) -> Iterator[Path]:
    """A real, tiny file system (tmpfs); skips where mounting is not allowed."""
    folder = Path(tempfile.mkdtemp(prefix="get3w-small-disk-"))
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, check=False)  # fmt: skip
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()


def job_with_file(outputs: Path, size: int, *, age_days: float = 1.0) -> Job:
    finished = time.time() - age_days * DAY
    job = Job("flux-dev", {"prompt": "A lighthouse by the sea"}, state=JobState.COMPLETED,
              created_at=finished - 60, finished_at=finished)  # fmt: skip
    outputs.mkdir(parents=True, exist_ok=True)
    path = outputs / f"{job.local_id}_0.jpeg"
    path.write_bytes(b"j" * size)
    return job.evolve(files=(str(path),))


def test_an_export_too_large_for_a_real_disk_says_so_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    paths = app_paths().ensure()
    job = job_with_file(paths.outputs, 400 * 1024)
    with HistoryStore.open(paths.history_db) as store, small_disk("128k") as disk:
        keeper = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
        try:
            with qtbot.waitSignal(keeper.failed, timeout=10_000) as failed:
                keeper.export([job], disk)
        finally:
            keeper.shutdown()
        assert list(disk.iterdir()) == []
    said = failed.args[1]
    assert isinstance(said, Message) and said.code is Code.HK_NO_SPACE
    needed, free = said.args["needed"], said.args["free"]
    assert isinstance(needed, Message) and isinstance(free, Message)
    need_bytes, free_bytes = needed.args["bytes"], free.args["bytes"]
    assert isinstance(need_bytes, int) and isinstance(free_bytes, int)
    assert need_bytes > 400 * 1024 > free_bytes  # the byte counts travel, not their words
    assert said.fallback == (
        f"Not enough space in {disk}: the export needs {hk.format_size(need_bytes)} and "
        f"{hk.format_size(free_bytes)} is free. Free some space or choose another folder."
    )
    shown = render(said)
    chinese_only(shown, said.fallback, str(disk))
    si = QLocale.DataSizeFormat.DataSizeSIFormat
    zh = QLocale("zh_CN")
    assert zh.formattedDataSize(need_bytes, 1, si) in shown
    assert zh.formattedDataSize(free_bytes, 1, si) in shown


def test_a_few_bytes_free_are_written_in_chinese(chinese: QApplication) -> None:
    """Below 1 kB English says "bytes" (a disk this full cannot be made here)."""
    said = worker_messages.hk_no_space("/x/out", 2_500_000, 512)
    assert said.fallback == (
        "Not enough space in /x/out: the export needs 2.5 MB and 512 bytes is free. "
        "Free some space or choose another folder."
    )
    shown = render(said)
    assert (
        shown
        == "/x/out 空间不足：导出需要 2.5 MB，可用空间为 512 字节。请释放一些空间或选择其他文件夹。"
    )
    chinese_only(shown, said.fallback, "/x/out")


def test_the_export_dialog_writes_sizes_in_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    paths = app_paths().ensure()
    dialog = ExportDialog([job_with_file(paths.outputs, 300)])
    qtbot.addWidget(dialog)
    dialog._needed = 10**18  # more than any disk holds: the check must refuse it
    dialog.folder_edit.setText(str(tmp_path))
    shown = dialog.problem.text()
    assert shown.startswith("此处空间不足") and not dialog.export_button.isEnabled()
    chinese_only(shown, "")


# -- a cleaned-up task ---------------------------------------------------------------------------


@pytest.mark.parametrize("age_days", [30.0, 3.0])
def test_a_cleaned_up_task_reads_as_chinese_after_the_history(
    qtbot: QtBot, chinese: QApplication, age_days: float
) -> None:
    """A real clean-up through the Housekeeper; the task read back from the history."""
    paths = app_paths().ensure()
    job = job_with_file(paths.outputs, 2000, age_days=age_days)
    with HistoryStore.open(paths.history_db) as store:
        store.save_many([job])
        keeper = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
        try:
            with qtbot.waitSignal(keeper.finished, timeout=10_000) as planned:
                keeper.plan_cleanup(lambda: [job], older_than_days=0.5)
            plan = planned.args[1]
            assert isinstance(plan, hk.CleanupPlan) and plan.jobs == (job,)
            before = time.time()
            with qtbot.waitSignal(keeper.finished, timeout=10_000) as cleaned:
                keeper.clean_up(plan)
            after = time.time()
        finally:
            keeper.shutdown()
        assert isinstance(cleaned.args[1], hk.CleanupResult)
        stored = store.get(job.local_id)
    assert stored is not None and hk.was_cleaned_up(stored) and not Path(job.files[0]).exists()
    assert stored.error in {
        old_cleaned_words(when, job.finished_at or 0) for when in (before, after)
    }
    said = stored.error_message
    assert said is not None and said.code is Code.HK_CLEANED_UP and said.fallback == stored.error
    remote = said.args["remote"]
    assert isinstance(remote, Message)
    assert remote.code is (Code.HK_REMOTE_EXPIRED if age_days > 7 else Code.HK_REMOTE_UNTIL)
    shown = job_error(stored)
    assert shown is not None
    chinese_only(shown, stored.error)
    today = QLocale("zh_CN").toString(
        QDateTime.fromSecsSinceEpoch(int(after)).date(), "yyyy年M月d日"
    )
    assert today in shown and "本地副本已于" in shown
    assert row_tooltip(stored) == shown  # the task list's tooltip
    viewer = ResultViewer()
    qtbot.addWidget(viewer)
    viewer.show_job(stored)
    assert viewer.error_page.body.text() == shown  # the viewer's "Finished without files"
    i18n.install_language(chinese, "en")
    assert job_error(stored) == stored.error
    viewer.show_job(stored)
    assert viewer.error_page.body.text() == stored.error


def test_the_english_cleaned_up_words_are_unchanged() -> None:
    when = 1_790_000_000.0
    for finished in (when - 2 * DAY, when - 30 * DAY):
        said = worker_messages.hk_cleaned_up(when, finished, hk.OUTPUT_RETENTION)
        assert said.fallback == old_cleaned_words(when, finished)
        assert said.fallback.startswith(hk.CLEANED_PREFIX)


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


def test_values_keep_their_english_words_and_survive_the_history_json(qapp: QApplication) -> None:
    when = 1_790_000_000.0
    assert str(data_size(1_234_567)) == "1.2 MB" and str(data_size(512)) == "512 bytes"
    assert str(date(when)) == time.strftime("%d %b %Y", time.localtime(when))
    assert str(day_month(when)) == time.strftime("%d %b", time.localtime(when))
    said = worker_messages.hk_cleaned_up(when, when - DAY, hk.OUTPUT_RETENTION)
    assert Message.from_json(said.as_json()) == said
    assert render(text("512 bytes")) == "512 bytes"  # words without a code are never changed


def test_a_file_card_writes_a_small_size_in_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    card = FileCard()
    qtbot.addWidget(card)
    mesh = tmp_path / "abc_0.glb"
    mesh.write_bytes(b"glTF" + b"\0" * 296)
    card.set_file(str(mesh))
    assert card.detail.text() == "GLB · 300 字节"
    i18n.install_language(chinese, "en")
    card.set_file(str(mesh))
    assert card.detail.text() == "GLB · 300 bytes"


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
