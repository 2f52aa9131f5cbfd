"""Sizes, "not enough space" and a cleaned-up task, as a person using the app in Simplified
Chinese reads them.

Each is produced for real where practical: an export into a real tiny tmpfs (where mounting
is allowed), an expired local copy cleaned up by the Housekeeper and read back from the
history, a file card for a file on disk. In Chinese no English sentence and no "bytes" is
left (Qt's zh_CN data sizes say "字节"; kB, MB and GB are how Chinese writes them too); in
English the words are unchanged.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core import worker_messages
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message, data_size, date, day_month, text
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui import i18n
from get3w_desktop.ui.housekeeping_dialogs import ExportDialog, size_text
from get3w_desktop.ui.messages import job_error, render
from get3w_desktop.ui.output_pages import FileCard
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.ui.task_panel import row_tooltip
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
