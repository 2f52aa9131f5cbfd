"""Switching where tasks run: profiles, keys and settings, with the real window."""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import KeyringSecretStore
from get3w_desktop.storage.settings import (
    SANDBOX,
    Profile,
    Settings,
    Theme,
    load_settings,
)
from get3w_desktop.ui.key_dialog import KeyDialog
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.services import ServiceController
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"
Parts = tuple[MainWindow, ServiceController, TaskRunner, KeyService]


@pytest.fixture
def parts(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[Parts]:
    """The window on its own sandbox, and a Get3W profile "work" that is really `sandbox`."""
    paths = app_paths(tmp_path / "home").ensure()
    settings = Settings(
        profiles=(SANDBOX, Profile("work", sandbox.base_url)),
        concurrency=3,
        download_folder=str(tmp_path / "saves"),
    )  # not the real ~/Pictures
    keys = KeyService(KeyringSecretStore())
    runner = TaskRunner(None, tmp_path / "out", schedule=ScheduleParams().scaled(0.02))
    own: list[SandboxServer] = []

    def start_sandbox() -> SandboxServer:
        from get3w_desktop.sandbox import SandboxConfig

        own.append(SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.25)).start())
        return own[-1]

    services = ServiceController(settings, paths, keys, runner, {},
                                 start_sandbox=start_sandbox)  # fmt: skip
    live = services.activate(SANDBOX, None)
    thumbnails, saver = ThumbnailLoader(tmp_path / "thumbs"), FileCopier()
    window = MainWindow(load_bundled(), JobBook(runner, JobListModel()), thumbnails,
                        FormMemory(tmp_path / "form.json"), live.info, saver,
                        balance=live.balance)  # fmt: skip
    qtbot.addWidget(window)
    services.attach(window)
    window.show()
    yield window, services, runner, keys
    window.close()
    runner.shutdown()
    services.shutdown()
    keys.shutdown()
    thumbnails.shutdown()
    saver.shutdown()
    assert len(own) == 1  # the built-in sandbox starts once, and stops with the app


def _store_key_and_switch_to_work(qtbot: QtBot, parts: Parts) -> None:
    """Store the sandbox's key for "work", pick "work" in the window, wait until it is live."""
    window, services, _runner, keys = parts
    with qtbot.waitSignal(keys.saved, timeout=5000):
        keys.save("work", SANDBOX_API_KEY)
    window.profile_chosen.emit("work")
    qtbot.waitUntil(lambda: services.live is not None and services.live.info.profile == "work",
                    timeout=5000)  # fmt: skip


def _open_key_dialog() -> KeyDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, KeyDialog)]
    return next((w for w in found if w.isVisible()), None)


def test_settings_apply_to_the_running_app(parts: Parts) -> None:
    window, services, runner, _keys = parts
    assert runner.max_concurrency() == 3
    assert window.banner.isVisible() and window.service_label.text().startswith("Sandbox")
    services.apply(dataclasses.replace(services.settings, concurrency=7, theme=Theme.DARK,
                                       filename_pattern="{model}-{seed}",
                                       download_folder="~/Saved outputs"))  # fmt: skip
    assert runner.max_concurrency() == 7
    assert window.outputs.pattern == "{model}-{seed}"
    assert window.outputs.save_folder == Path.home() / "Saved outputs"  # Save… starts there


def test_switching_to_a_profile_without_a_key_asks_for_it(qtbot: QtBot, parts: Parts) -> None:
    window, services, _runner, _keys = parts
    window.profile_chosen.emit("work")
    qtbot.waitUntil(lambda: _open_key_dialog() is not None, timeout=5000)
    dialog = _open_key_dialog()
    assert dialog is not None and dialog.profile == "work"
    dialog.reject()
    assert services.live is not None and services.live.info.is_sandbox  # nothing changed


def test_a_stored_key_switches_new_tasks_to_that_profile(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window, services, runner, _keys = parts
    _store_key_and_switch_to_work(qtbot, parts)
    assert not window.banner.isVisible()
    assert window.service_label.text().startswith("Get3W · work")
    assert load_settings(app_paths(tmp_path / "home")).settings.active_profile == "work"
    # New tasks run on the profile and say so; the shared sandbox saw them.
    window.picker.select(NANO)
    window.generate_panel.choose_model(NANO)
    field = window.form.field("prompt")
    assert field is not None
    field.set_value("a kite")
    before = sandbox.stats.submits
    (job,) = window.generate()
    assert job.profile == "work"
    qtbot.waitUntil(
        lambda: (j := window.jobs.job(job.local_id)) is not None and not j.state.active,
        timeout=20000,
    )
    assert window.jobs.job(job.local_id).state is JobState.COMPLETED  # type: ignore[union-attr]
    assert sandbox.stats.submits == before + 1
    qtbot.waitUntil(lambda: window.balance_label.text().startswith("Balance $"), timeout=5000)
    # Back to the sandbox: the banner returns.
    window.profile_chosen.emit("sandbox")
    assert services.live is not None and services.live.info.is_sandbox
    assert window.banner.isVisible()
    assert runner.client is services.live.client


def _finish_one(qtbot: QtBot, window: MainWindow, prompt: str) -> str:
    window.picker.select(NANO)
    window.generate_panel.choose_model(NANO)
    field = window.form.field("prompt")
    assert field is not None
    field.set_value(prompt)
    (job,) = window.generate()
    qtbot.waitUntil(
        lambda: (j := window.jobs.job(job.local_id)) is not None and not j.state.active,
        timeout=20000,
    )
    return job.local_id


def test_a_saved_png_dropped_back_restores_model_and_form(
    qtbot: QtBot, parts: Parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    window, *_ = parts
    local_id = _finish_one(qtbot, window, "A heron in the reeds")
    done = window.jobs.job(local_id)
    assert done is not None and done.files
    target = tmp_path / "kept.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a: (str(target), "")))  # fmt: skip
    with qtbot.waitSignal(window._saver.copied, timeout=5000):
        window.outputs.save_file(done.files[0])
    # Another model and prompt in the form; then the saved file comes back.
    window.picker.select("wavespeed-ai/flux-dev")
    window.generate_panel.choose_model("wavespeed-ai/flux-dev")
    assert window.remix_from_file(str(target))
    assert window.generate_panel.model is not None and window.generate_panel.model.model_id == NANO
    assert window.form.values()["prompt"] == "A heron in the reeds"
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a png at all")
    assert not window.remix_from_file(str(junk))
    assert "recipe" in window.statusBar().currentMessage().lower()


def test_copy_as_curl_and_python_never_hold_the_key(qtbot: QtBot, parts: Parts) -> None:
    from PySide6.QtGui import QGuiApplication

    window, *_ = parts
    local_id = _finish_one(qtbot, window, "A lantern")
    window.select_job(local_id)
    window.act_copy_curl.trigger()
    curl = QGuiApplication.clipboard().text()
    assert "$GET3W_API_KEY" in curl and SANDBOX_API_KEY not in curl and "A lantern" in curl
    window.act_copy_python.trigger()
    script = QGuiApplication.clipboard().text()
    assert "GET3W_API_KEY" in script and SANDBOX_API_KEY not in script


def test_diagnostics_are_saved_without_the_key(
    qtbot: QtBot, parts: Parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from PySide6.QtWidgets import QFileDialog

    window, _services, _runner, _keys = parts
    _store_key_and_switch_to_work(qtbot, parts)
    _finish_one(qtbot, window, "A compass")
    target = tmp_path / "diag.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a: (str(target), "")))  # fmt: skip
    window.act_diagnostics.trigger()
    data = target.read_bytes()
    assert SANDBOX_API_KEY.encode() not in data
    with zipfile.ZipFile(target) as bundle:
        assert "report.json" in bundle.namelist()


def test_a_finished_task_is_announced(qtbot: QtBot, parts: Parts) -> None:
    window, *_ = parts
    finished: list[object] = []
    window.job_finished.connect(finished.append)
    local_id = _finish_one(qtbot, window, "A bell")
    qtbot.waitUntil(lambda: any(getattr(j, "local_id", "") == local_id for j in finished),
                    timeout=5000)  # fmt: skip


def test_the_price_is_shown_and_a_cap_blocks_a_run(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    window, services, _runner, _keys = parts
    window.picker.select(NANO)
    window.generate_panel.choose_model(NANO)
    field = window.form.field("prompt")
    assert field is not None
    field.set_value("A red kite")
    window.count.setValue(3)
    qtbot.waitUntil(lambda: "$" in window.price_label.text(), timeout=5000)
    model = window.catalogue.get(NANO)
    assert model is not None and model.base_price is not None
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _p, _t, text: told.append(text)))  # fmt: skip
    services.apply(dataclasses.replace(services.settings, cap_per_batch=model.base_price * 2))
    submits = sandbox.stats.submits
    assert window.generate() == []  # three tasks cost more than two tasks' worth
    assert told and "limit" in told[0]
    assert sandbox.stats.submits == submits  # nothing was sent
    window.count.setValue(2)
    jobs = window.generate()
    assert len(jobs) == 2 and all(job.local_id in window.book.quotes for job in jobs)


def test_the_spending_window_opens_with_the_bill(
    qtbot: QtBot, parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history is priced on the bill's worker, not on the GUI thread (it takes ~2 s
    at 100,000 tasks), and the window shows what it priced."""
    import threading

    from get3w_desktop.core.money import Priced, price_history
    from get3w_desktop.ui import services as services_module
    from get3w_desktop.ui.spend_dialog import SpendDialog

    window, *_ = parts
    done = _finish_one(qtbot, window, "A lantern")
    priced_on: list[threading.Thread] = []

    def pricing(*args: object) -> Priced:
        priced_on.append(threading.current_thread())
        return price_history(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(services_module, "price_history", pricing)
    window.act_spending.trigger()
    qtbot.waitUntil(lambda: _visible_spend() is not None, timeout=10000)
    dialog = _visible_spend()
    assert isinstance(dialog, SpendDialog)
    assert len(priced_on) == 1 and priced_on[0] is not threading.main_thread()
    assert [c.local_id for c in dialog.charges] == [done]
    dialog.reject()


def _visible_spend() -> object | None:
    from get3w_desktop.ui.spend_dialog import SpendDialog

    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, SpendDialog) and w.isVisible()), None)  # fmt: skip


def test_delete_and_export_from_the_window(
    qtbot: QtBot, parts: Parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from get3w_desktop.storage.history import HistoryStore
    from get3w_desktop.ui.housekeeping_actions import HousekeepingActions
    from get3w_desktop.ui.housekeeping_dialogs import DeleteDialog, ExportDialog
    from get3w_desktop.workers.housekeeping import Housekeeper

    window, services, _runner, _keys = parts
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        keeper = Housekeeper(store, tmp_path / "out", tmp_path / "thumbs")
        actions = HousekeepingActions(window, window.book, keeper, lambda: services.live,
                                      lambda: [e.job for e in store.list()])  # fmt: skip
        kept = _finish_one(qtbot, window, "A kept kite")
        gone = _finish_one(qtbot, window, "A gone kite")
        jobs = window.all_jobs()
        store.save_many(jobs)
        # Export the kept one.
        window.select_job(kept)
        (tmp_path / "exports").mkdir()
        monkeypatch.setattr(ExportDialog, "exec", lambda _self: QDialog.DialogCode.Accepted)
        monkeypatch.setattr(ExportDialog, "folder", lambda _self: tmp_path / "exports")
        with qtbot.waitSignal(keeper.finished, timeout=10000):
            actions.act_export.trigger()
        exported = list((tmp_path / "exports").rglob("task.json"))
        assert len(exported) == 1
        # Delete the other one (Delete key path), here only.
        window.select_job(gone)
        gone_files = list(window.jobs.job(gone).files)  # type: ignore[union-attr]
        monkeypatch.setattr(DeleteDialog, "exec", lambda _self: QDialog.DialogCode.Accepted)
        with qtbot.waitSignal(keeper.finished, timeout=10000):
            window.act_remove.trigger()
        qtbot.waitUntil(lambda: window.jobs.job(gone) is None, timeout=5000)
        assert store.get(gone) is None and store.get(kept) is not None
        assert not any(Path(f).exists() for f in gone_files)
        assert window.jobs.job(kept) is not None
        keeper.shutdown()


def test_the_task_list_filters_by_profile_once_there_are_two(qtbot: QtBot, parts: Parts) -> None:
    window, *_ = parts
    bar = window.filter_bar
    _finish_one(qtbot, window, "A sandbox kite")
    assert not bar.profile.isVisibleTo(window)  # every task ran on one profile
    window.jobs.upsert(
        Job(model_id=NANO, params={"prompt": "paid"}, profile="work", state=JobState.COMPLETED)
    )
    assert bar.profile.isVisibleTo(window)
    bar.profile.setCurrentIndex(bar.profile.findData("work"))
    assert window.shown.rowCount() == 1
    bar.profile.setCurrentIndex(bar.profile.findData("sandbox"))
    assert window.shown.rowCount() == 1
    bar.profile.setCurrentIndex(0)
    assert window.shown.rowCount() == 2


def test_cancel_on_get3w_stops_the_task_on_the_server(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.errors import NotFoundError
    from get3w_desktop.ui.remote_cancel import RemoteCancel

    window, services, _runner, _keys = parts
    _store_key_and_switch_to_work(qtbot, parts)
    recorded: list[Job] = []
    window.book.changed.connect(
        lambda j: recorded.append(j) if j.error == "Cancelled on Get3W." else None
    )
    cancel = RemoteCancel(window, window.book, lambda: services.live)
    window.set_spending(None, None, False, confirm_above=None)  # one $1.20 run, not asked
    window.picker.select("google/veo3.1-fast/text-to-video")
    window.generate_panel.choose_model("google/veo3.1-fast/text-to-video")
    field = window.form.field("prompt")
    assert field is not None
    field.set_value("A slow boat")
    (job,) = window.generate()
    qtbot.waitUntil(
        lambda: (j := window.jobs.job(job.local_id)) is not None and j.remote_id is not None
        and j.state is JobState.RUNNING,
        timeout=10000,
    )  # fmt: skip
    remote_id = window.jobs.job(job.local_id).remote_id  # type: ignore[union-attr]
    window.select_job(job.local_id)
    assert cancel.cancel_selected(confirm=False) == 1
    qtbot.waitUntil(lambda: bool(recorded), timeout=10000)
    shown = window.jobs.job(job.local_id)
    assert shown is not None and shown.state is JobState.CANCELLED
    assert shown.error == "Cancelled on Get3W."
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client, pytest.raises(NotFoundError):
        client.get(str(remote_id))  # the server no longer has it
    cancel.shutdown()


def test_a_key_found_after_the_first_frame_switches_to_get3w(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer, tmp_path: Path
) -> None:
    from get3w_desktop.app import adopt_stored_key

    window, services, _runner, _keys = parts

    class Found:
        started = False

        def start(self) -> None:
            self.started = True

        def done(self) -> bool:
            return self.started

        def result(self, timeout: float = 0) -> str | None:
            return SANDBOX_API_KEY

    assert services.live is not None and services.live.info.is_sandbox
    found = Found()
    adopt_stored_key(services, Profile("work", sandbox.base_url), found)  # type: ignore[arg-type]
    assert not found.started  # the lookup starts after the first frame, not before it
    qtbot.waitUntil(lambda: services.live is not None and services.live.info.profile == "work",
                    timeout=5000)  # fmt: skip
    assert not window.banner.isVisible()
    assert load_settings(app_paths(tmp_path / "home")).settings.active_profile == "work"


def test_a_profile_switch_never_waits_for_a_slow_old_host(qtbot: QtBot, parts: Parts) -> None:
    """The old profile's balance request hangs; switching away keeps the GUI thread free."""
    from PySide6.QtCore import QTimer

    from get3w_desktop.workers.base import PoolOwner
    from tests.scripted_server import Answer, ScriptedServer

    window, services, _runner, _keys = parts
    release = threading.Event()

    def hang(_seen: object) -> Answer:
        release.wait(8)  # longer than the test's whole bound: a wait would show
        return Answer(200, {"code": 200, "data": {"balance": 1.0}})

    with ScriptedServer() as slow:
        slow.on("GET", "/api/v3/balance", route=hang)
        services.activate(Profile("slow", slow.url), "sk-test-slow")
        qtbot.waitUntil(lambda: bool(slow.requests_to("GET", "/api/v3/balance")), timeout=5000)
        beats: list[float] = []
        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(lambda: beats.append(time.monotonic()))
        heartbeat.start()
        qtbot.wait(100)
        services.activate(SANDBOX, None)  # the slow request is still in flight
        qtbot.wait(600)  # deleting its owner now would block until the request ends
        heartbeat.stop()
        gaps = [b - a for a, b in itertools.pairwise(beats)]
        assert gaps and max(gaps) < 1.0, max(gaps)  # ~10 ms here; < 50 ms in bench/
        assert PoolOwner.retired_count() >= 1  # still finishing, off the GUI thread
        release.set()
        qtbot.waitUntil(lambda: PoolOwner.retired_count() == 0, timeout=10_000)
    assert window.service_label.text().startswith("Sandbox")


def test_tasks_of_another_profile_resume_when_the_window_switches_to_it(
    qtbot: QtBot, parts: Parts, sandbox: SandboxServer
) -> None:
    """As app.py wires it: the history shows a running task of "work" while the app is on
    the sandbox; it waits (not counted, not polled) until the person switches to "work"."""
    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.workers.history_loader import LoadedHistory

    window, services, runner, _keys = parts
    services.profile_activated.connect(window.book.activate_profile)
    window.book.activate_profile(services.live.info.profile if services.live else "sandbox")
    with Get3WClient(sandbox.base_url, SANDBOX_API_KEY) as client:
        task = client.submit(NANO, {"prompt": "left running by the last session"})
    waiting = Job(model_id=NANO, params={"prompt": "left running"}, profile="work",
                  state=JobState.RUNNING, task=task)  # fmt: skip
    window.add_history(LoadedHistory((waiting,), (), (), 0.0, parked=(waiting,)))
    assert window.book.is_parked(waiting.local_id)
    assert window.activity_label.text() == "" and runner.active_count() == 0
    assert sandbox.stats.polls_by_task.get(task.id, 0) == 0

    _store_key_and_switch_to_work(qtbot, parts)
    qtbot.waitUntil(
        lambda: (j := window.book.job(waiting.local_id)) is not None
        and j.state is JobState.COMPLETED,
        timeout=20_000,
    )  # fmt: skip
    assert sandbox.stats.polls_by_task.get(task.id, 0) > 0  # polled once "work" was in use
    assert sandbox.stats.submits == 1  # and never sent again
    assert not window.book.is_parked(waiting.local_id)
