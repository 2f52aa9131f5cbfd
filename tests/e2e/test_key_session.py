"""A scripted session through the real window: enter a key, run tasks, change settings,
quit. Afterwards the key is in no file the app wrote and in no request the output host saw."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.app import setup_logging
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import KeyringSecretStore
from get3w_desktop.storage.settings import SANDBOX, Profile, Settings, save_settings
from get3w_desktop.ui.key_dialog import KeyDialog
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.services import ServiceController
from get3w_desktop.ui.settings_dialog import SettingsDialog
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.history_writer import HistoryWriter
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

KEY = "sk_live_9f3b7c1e5a2d48b6a0c4e8f1d2b3a4c5"
NANO = "google/nano-banana-pro/text-to-image"


def _visible(kind: type) -> object | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()), None)  # fmt: skip


def test_the_key_leaves_no_trace_in_files_or_output_requests(qtbot: QtBot, tmp_path: Path) -> None:
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, keys={KEY: 50.0},
                           record_requests=True)  # fmt: skip
    home = tmp_path / "home"
    paths = app_paths(home).ensure()
    root = logging.getLogger()
    handlers = list(root.handlers)
    level = root.level
    setup_logging(paths, verbose=False)
    logging.getLogger("get3w_desktop").warning("session starts")
    with SandboxServer(config) as server:
        settings = Settings(profiles=(SANDBOX, Profile("work", server.base_url)))
        save_settings(settings, paths)
        history = HistoryStore.open(paths.history_db)
        base_urls: dict[str, str] = {}
        writer = HistoryWriter(history, base_urls=base_urls)
        keys = KeyService(KeyringSecretStore())
        runner = TaskRunner(None, paths.outputs, schedule=ScheduleParams().scaled(0.02),
                            journal=lambda job: book.journal(job))  # fmt: skip
        book = JobBook(runner, JobListModel(), journal=writer)
        services = ServiceController(
            settings,
            paths,
            keys,
            runner,
            base_urls,
            start_sandbox=lambda: SandboxServer(config).start(),
        )
        live = services.activate(SANDBOX, None)
        thumbnails, saver = ThumbnailLoader(paths.cache / "thumbs"), FileCopier()
        window = MainWindow(
            load_bundled(),
            book,
            thumbnails,
            FormMemory(paths.config / "form.json"),
            live.info,
            saver,
            balance=live.balance,
            state_file=paths.config / "window.ini",
        )
        qtbot.addWidget(window)
        services.attach(window)
        window.show()

        # 1. Enter the key through the dialog, as a person would.
        window.key_button.click()
        qtbot.waitUntil(lambda: _visible(KeyDialog) is not None, timeout=5000)
        dialog = _visible(KeyDialog)
        assert isinstance(dialog, KeyDialog) and dialog.profile == "work"
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=5000)
        qtbot.keyClicks(dialog.key_edit, KEY)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: services.live is not None and services.live.info.profile == "work",
                        timeout=10000)  # fmt: skip

        # 2. Run tasks on the key's account.
        window.picker.select(NANO)
        window.generate_panel.choose_model(NANO)
        field = window.form.field("prompt")
        assert field is not None
        field.set_value("A quiet harbour")
        window.count.setValue(2)
        jobs = window.generate()
        qtbot.waitUntil(
            lambda: all((j := window.jobs.job(x.local_id)) is not None
                        and j.state is JobState.COMPLETED for x in jobs),
            timeout=30000,
        )  # fmt: skip

        # 3. Change a setting through the dialog.
        window.settings_requested.emit()
        qtbot.waitUntil(lambda: _visible(SettingsDialog) is not None, timeout=5000)
        settings_dialog = _visible(SettingsDialog)
        assert isinstance(settings_dialog, SettingsDialog)
        settings_dialog.concurrency_spin.setValue(6)
        settings_dialog.accept()
        qtbot.waitUntil(lambda: runner.max_concurrency() == 6, timeout=5000)

        # 4. Quit.
        window.close()
        runner.shutdown()
        writer.close()
        history.close()
        services.shutdown()
        keys.shutdown()
        thumbnails.shutdown()
        saver.shutdown()
        stats = server.stats
    for handler in root.handlers[:]:
        if handler not in handlers:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)

    secret = KEY.encode()
    written = [p for folder in paths.all() for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "settings.json" for p in written)
    assert any(p.name.startswith("history.sqlite3") for p in written)
    assert any(p.suffix == ".log" for p in written)
    assert [p for p in written if secret in p.read_bytes()] == []
    api_requests = [text for host, text in stats.requests_seen if host == "api"]
    output_requests = [text for host, text in stats.requests_seen if host != "api"]
    assert any(KEY in text for text in api_requests)  # the API host did get it
    assert output_requests and not any(KEY in text for text in output_requests)
    assert stats.output_auth_headers == [] or not any(stats.output_auth_headers)
