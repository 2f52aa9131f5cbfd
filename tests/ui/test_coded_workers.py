"""Failures the workers report reach the window in the person's language (#15).

Each failure is produced for real where practical (a file where a folder should be, a closed
loopback port for the bill and the price, a locked keyring, a history store that cannot
write); the Chinese shown has no English sentence and the English words are unchanged.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.download import disk_error
from get3w_desktop.core import housekeeping as hk
from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Code, Message
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.ledger import SpendRecord
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import Problem, SecretStoreError
from get3w_desktop.ui import i18n
from get3w_desktop.ui.messages import render
from get3w_desktop.workers.account import Bill, RemoteCanceller, SpendingGatherer
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.history_loader import HistoryLoader
from get3w_desktop.workers.history_writer import HistoryWriter, NotRecordedError
from get3w_desktop.workers.housekeeping import Housekeeper
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.pricing import PriceQuoter
from get3w_desktop.workers.thumbnails import ThumbnailLoader
from tests.ui.test_chinese_sweep import english_in


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


def _chinese_only(shown: str, fallback: str, *paths: str) -> None:
    assert shown != fallback, f"no Chinese text for {fallback!r}"
    plain = shown
    for path in paths:  # a path is the person's own, not an English sentence
        plain = plain.replace(path, " ")
    assert english_in(plain, set()) is None, f"English in {shown!r}"


def test_a_save_into_a_file_where_a_folder_should_be_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    source = tmp_path / "s.bin"
    source.write_bytes(b"data")
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")  # a folder "inside" a file cannot exist, even for root
    saver = FileCopier()
    with qtbot.waitSignal(saver.failed, timeout=5000) as failed:
        saver.copy(str(source), str(blocker / "out.bin"))
    saver.shutdown()
    said = failed.args[0]
    assert isinstance(said, Message) and said.code.value.startswith("disk.")
    assert str(blocker) in str(said)  # the English sentence names the folder
    _chinese_only(render(said), said.fallback, str(blocker))
    assert str(blocker) in render(said)


@pytest.mark.parametrize(
    ("number", "english"),
    [
        (errno.ENOSPC,
         "The disk is full: could not save into /x/out. Free some space, then retry."),
        (errno.EACCES,
         "Cannot write into /x/out (read-only or no permission). Choose another folder."),
        (errno.ENAMETOOLONG, "The path /x/out is too long for this file system."),
        (errno.EIO, "Could not save into /x/out: Input/output error."),
    ],
)  # fmt: skip
def test_every_disk_failure_keeps_its_english_and_reads_as_chinese(
    chinese: QApplication, number: int, english: str
) -> None:
    error = disk_error(OSError(number, os.strerror(number)), Path("/x/out"))
    assert error.message == english  # the command line and logs are unchanged
    said = messages.for_error(error)
    assert said.fallback == english and said.code is not Code.TEXT
    _chinese_only(render(said), english, "/x/out")


def test_english_shows_the_english_words(qapp: QApplication) -> None:
    said = worker_messages.save_unexpected("RuntimeError")
    assert render(said) == "Not saved: an unexpected error (RuntimeError)."


class _ReadOnlyStore:
    """A history whose every write fails the way a read-only database does."""

    def save_many(
        self, jobs: Iterable[Job], *, base_url: str | None = None, out_dir: str | None = None
    ) -> None:
        raise OSError(errno.EROFS, "attempt to write a readonly database")

    def delete(self, local_ids: Iterable[str]) -> int:
        return 0

    def save_spend(self, records: Iterable[SpendRecord]) -> None:
        raise OSError(errno.EROFS, "attempt to write a readonly database")


def test_a_history_that_cannot_write_says_so_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    writer = HistoryWriter(_ReadOnlyStore())
    with (
        qtbot.waitSignal(writer.failed, timeout=5000) as failed,
        pytest.raises(NotRecordedError),
    ):
        writer.record_durably(Job(model_id="m", params={}))
    writer.close()
    said = failed.args[0]
    assert isinstance(said, Message) and said.code is Code.HISTORY_WRITE_FAILED
    assert str(said) == (
        "The task history could not be saved: [Errno 30] attempt to write a readonly database"
    )
    _chinese_only(render(said), said.fallback)


class _LockedKeyring:
    """A keyring that is locked: it refuses every write, as a locked collection does."""

    backend_name = "keyring.backends.SecretService.Keyring"
    is_secure = True

    def get(self, account: str = "default") -> str | None:
        return None

    def set(self, secret: str, account: str = "default") -> None:
        raise SecretStoreError("The keyring is locked.", Problem.LOCKED)

    def delete(self, account: str = "default") -> None:
        raise SecretStoreError("The keyring is locked.", Problem.LOCKED)


def test_a_key_the_keyring_will_not_remove_says_so_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    keys = KeyService(_LockedKeyring())
    try:
        failures: list[Message] = []
        keys.failed.connect(lambda _ticket, _profile, message: failures.append(message))
        with qtbot.waitSignal(keys.failed, timeout=10_000):
            keys.delete("default")
    finally:
        assert keys.shutdown()
    said = failures[0]
    assert said.code is Code.KEY_NOT_REMOVED
    assert str(said) == "The key could not be removed from the keyring. The keyring is locked."
    shown = render(said)
    _chinese_only(shown, said.fallback)
    assert "解锁" in shown  # the locked keyring's own advice, not the refused one's


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_bill_from_a_server_that_does_not_answer_says_why_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    client = Get3WClient(f"http://127.0.0.1:{_closed_port()}", SANDBOX_API_KEY)
    gatherer = SpendingGatherer()
    try:
        since = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        with qtbot.waitSignal(gatherer.gathered, timeout=30_000) as got:
            assert gatherer.gather(client, since, "work")
    finally:
        gatherer.shutdown()
        client.close()
    bill = got.args[0]
    assert isinstance(bill, Bill) and bill.billings is None
    said = bill.problem_message
    assert said is not None and said.code is Code.BILL_UNREADABLE
    assert bill.problem == said.fallback
    assert bill.problem.startswith("The bill could not be read: Could not connect to 127.0.0.1")
    shown = render(said)
    _chinese_only(shown, said.fallback)
    assert "127.0.0.1" in shown  # the reason is kept, in Chinese


def test_a_price_from_a_server_that_does_not_answer_says_why_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    client = Get3WClient(f"http://127.0.0.1:{_closed_port()}", SANDBOX_API_KEY)
    quoter = PriceQuoter(client.price, lambda _model_id: None, delay_ms=10)
    try:
        with qtbot.waitSignal(quoter.unavailable, timeout=30_000) as said:
            quoter.request("someone/unpriced-model", {"prompt": "x"})
    finally:
        quoter.shutdown()
        client.close()
    why = said.args[0]
    assert isinstance(why, Message) and why.code is Code.HTTP_REFUSED
    assert str(why).startswith("Could not connect to 127.0.0.1")
    _chinese_only(render(why), why.fallback)


def test_a_model_without_a_price_says_so_in_chinese(qtbot: QtBot, chinese: QApplication) -> None:
    quoter = PriceQuoter(None, lambda _model_id: None, delay_ms=10)
    try:
        with qtbot.waitSignal(quoter.unavailable, timeout=5000) as said:
            quoter.request("someone/unpriced-model", {"prompt": "x"})
    finally:
        quoter.shutdown()
    assert said.args[0] == worker_messages.PRICE_NONE
    assert str(said.args[0]) == "This model has no published price."
    _chinese_only(render(said.args[0]), str(said.args[0]))


def test_an_export_into_a_file_and_a_shut_housekeeper_say_so_in_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    paths = app_paths().ensure()
    with HistoryStore.open(paths.history_db) as store:
        keeper = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
        blocker = tmp_path / "a file"
        blocker.write_text("x")
        try:
            with qtbot.waitSignal(keeper.failed, timeout=10_000) as failed:
                keeper.export([], blocker / "inside")
        finally:
            keeper.shutdown()
        with qtbot.waitSignal(keeper.failed, timeout=5000) as refused:
            keeper.export([], tmp_path)  # shut: answered at once, as failed
    said = failed.args[1]
    assert isinstance(said, Message) and said.code is Code.HK_NO_FOLDER
    folder = str(blocker / "inside")
    assert str(said) == f"The folder {folder} does not exist (or is not a folder)."
    _chinese_only(render(said), said.fallback, folder)
    stopped = refused.args[1]
    assert stopped == worker_messages.HK_STOPPED_BEFORE_START
    assert str(stopped) == "Stopped before it started; nothing was changed."
    _chinese_only(render(stopped), stopped.fallback)


def test_a_history_that_cannot_be_read_says_so_in_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    store = HistoryStore.open(tmp_path / "history.db")
    store.close()  # every read now fails below the loader
    loader = HistoryLoader(store)
    try:
        with qtbot.waitSignal(loader.failed, timeout=10_000) as failed:
            loader.load(profile="default", base_url="http://127.0.0.1:9", is_sandbox=False)
    finally:
        loader.shutdown()
    said = failed.args[0]
    assert isinstance(said, Message) and said.code is Code.HISTORY_READ_FAILED
    assert str(said) and str(said) == said.args["reason"]  # the English words are unchanged
    _chinese_only(render(said), said.fallback)


def test_a_damaged_image_is_explained_in_chinese(
    qtbot: QtBot, chinese: QApplication, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 50)
    loader = ThumbnailLoader()
    try:
        with qtbot.waitSignal(loader.image_failed, timeout=5000) as failed:
            assert loader.load_image(str(broken)) is None
        with qtbot.waitSignal(loader.image_failed, timeout=5000) as missing:
            assert loader.load_image(str(tmp_path / "gone.png")) is None
    finally:
        loader.shutdown()
    said = failed.args[1]
    assert isinstance(said, Message) and said.code is Code.IMAGE_DAMAGED
    assert str(said) == "The image is damaged or incomplete and cannot be shown."
    _chinese_only(render(said), said.fallback)
    gone = missing.args[1]
    assert gone.code is Code.IMAGE_MISSING
    _chinese_only(render(gone), gone.fallback)


def test_a_cancel_the_server_never_heard_says_why_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    client = Get3WClient(f"http://127.0.0.1:{_closed_port()}", SANDBOX_API_KEY)
    canceller = RemoteCanceller()
    try:
        with qtbot.waitSignal(canceller.done, timeout=30_000) as done:
            assert canceller.cancel(client, [("local-1", "remote-1")])
    finally:
        canceller.shutdown()
        client.close()
    local_id, cancelled, problem = done.args
    assert (local_id, cancelled) == ("local-1", False)
    assert isinstance(problem, Message) and problem.code is Code.HTTP_REFUSED
    assert str(problem).startswith("Could not connect to 127.0.0.1")
    _chinese_only(render(problem), problem.fallback)


def test_tasks_kept_because_the_server_cannot_delete_them_say_so_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, v3_enabled=False)
    paths = app_paths().ensure()
    with (
        SandboxServer(config) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
        HistoryStore.open(paths.history_db) as store,
    ):
        keeper = Housekeeper(store, paths.outputs, paths.cache / "thumbnails")
        task = client.submit("google/nano-banana-pro/text-to-image", {"prompt": "kept"})
        job = Job("google/nano-banana-pro/text-to-image", {"prompt": "kept"}).evolve(
            task=task, state=JobState.COMPLETED, submitted_at=time.time()
        )
        store.save(job)
        try:
            with qtbot.waitSignal(keeper.finished, timeout=15_000) as done:
                keeper.delete(hk.plan_delete([job], paths.outputs), delete_remote=client.delete)
        finally:
            keeper.shutdown()
    result = done.args[1]
    assert isinstance(result, hk.DeleteResult) and result.kept == (job.local_id,)
    said = result.said[0]
    assert said.code is Code.HK_KEPT_SERVER_FAILED
    assert result.problems == (
        "1 task was kept because the server could not delete them: "
        "This server does not offer deleting tasks.",
    )
    _chinese_only(render(said), said.fallback)
