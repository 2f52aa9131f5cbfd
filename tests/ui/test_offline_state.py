"""A key saved while Get3W cannot be reached: the status bar says so, and recovers by itself.

The profile points at a closed loopback port (nothing listens), so the key check gets no
answer and the key is saved unchecked, into the keyring the tests use. The badge turns
amber ("Get3W · work · cannot reach") with why and when it tries again; once a sandbox
starts listening on that port, the next try gets an answer and the badge is normal again.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.sandbox.config import FaultConfig
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.secrets import SERVICE, KeyringSecretStore
from get3w_desktop.storage.settings import SANDBOX, Profile, Settings
from get3w_desktop.ui import i18n
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.services import ServiceController
from get3w_desktop.ui.style import UNREACHABLE_BADGE
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.keys import KeyService
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader
from tests.ui.test_chinese_sweep import english_in

Parts = tuple[MainWindow, ServiceController, int]
NANO = "google/nano-banana-pro/text-to-image"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def parts(qtbot: QtBot, tmp_path: Path) -> Iterator[Parts]:
    """The window on the sandbox, and a profile "work" at a port where nothing listens."""
    port = closed_port()
    paths = app_paths(tmp_path / "home").ensure()
    settings = Settings(profiles=(SANDBOX, Profile("work", f"http://127.0.0.1:{port}")))
    keys = KeyService(KeyringSecretStore())
    runner = TaskRunner(None, tmp_path / "out", schedule=ScheduleParams().scaled(0.02))
    own: list[SandboxServer] = []

    def start_sandbox() -> SandboxServer:
        own.append(SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.25)).start())
        return own[-1]

    services = ServiceController(settings, paths, keys, runner, {}, start_sandbox=start_sandbox,
                                 reach_backoff=(0.3, 0.6))  # fmt: skip
    live = services.activate(SANDBOX, None)
    thumbnails, saver = ThumbnailLoader(tmp_path / "thumbs"), FileCopier()
    window = MainWindow(load_bundled(), JobBook(runner, JobListModel()), thumbnails,
                        FormMemory(tmp_path / "form.json"), live.info, saver,
                        balance=live.balance)  # fmt: skip
    qtbot.addWidget(window)
    services.attach(window)
    window.resize(1100, 700)
    window.show()
    yield window, services, port
    window.close()
    runner.shutdown()
    services.shutdown()
    keys.shutdown()
    thumbnails.shutdown()
    saver.shutdown()


def save_unchecked(qtbot: QtBot, services: ServiceController, key: str) -> None:
    """Through the key dialog, as a person would: check (no answer), then save anyway."""
    dialog = services.open_key_dialog("work")
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10_000)
    dialog.key_edit.setText(key)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.save_unchecked_button.isVisible(), timeout=15_000)
    with qtbot.waitSignal(dialog.key_saved_unchecked, timeout=10_000):
        qtbot.mouseClick(dialog.save_unchecked_button, Qt.MouseButton.LeftButton)
    dialog.accept()
    qtbot.waitUntil(lambda: services.live is not None and services.live.info.profile == "work",
                    timeout=10_000)  # fmt: skip


def test_an_unchecked_key_shows_cannot_reach_until_the_host_answers(
    qtbot: QtBot, parts: Parts
) -> None:
    window, services, port = parts
    badge = window.service_label
    assert "cannot reach" not in badge.text()  # the sandbox: nothing to reach
    save_unchecked(qtbot, services, SANDBOX_API_KEY)
    assert keyring.get_password(SERVICE, "work") == SANDBOX_API_KEY  # a real save
    assert badge.unreachable
    assert badge.text() == "Get3W · work · cannot reach ▾"
    assert UNREACHABLE_BADGE in badge.styleSheet()
    tip = badge.toolTip()
    assert "refused the connection" in tip and "127.0.0.1" in tip  # why
    assert "Trying again at" in tip  # and when
    assert services.live is not None and services.live.reach is not None
    # Still nothing listening: the tries go on (through the balance call), the badge stays.
    live = services.live
    qtbot.waitUntil(lambda: live.reach is not None and live.reach.state.tries >= 3,
                    timeout=10_000)  # fmt: skip
    assert badge.unreachable and re.search(r"failed tries: ([3-9]|\d\d)", badge.toolTip())
    assert live.balance.fetches >= 2  # the failed key check was the first try
    # The service comes up on that port: the next try is answered, the badge is normal.
    with SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.25), port=port) as server:
        assert server.base_url.endswith(f":{port}")
        qtbot.waitUntil(lambda: not badge.unreachable, timeout=10_000)
        assert badge.text() == "Get3W · work ▾"
        assert UNREACHABLE_BADGE not in badge.styleSheet()
        assert "cannot reach" not in badge.toolTip()
        qtbot.waitUntil(lambda: "$100.00" in window.balance_label.text(), timeout=5000)
        fetches = live.balance.fetches
        qtbot.wait(1500)  # longer than the whole backoff: once answered, no more tries
        assert live.balance.fetches == fetches and not badge.unreachable


def test_the_cannot_reach_state_speaks_chinese(
    qtbot: QtBot, parts: Parts, qapp: QApplication
) -> None:
    window, services, _port = parts
    save_unchecked(qtbot, services, SANDBOX_API_KEY)
    assert window.service_label.unreachable
    try:
        assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
        badge = window.service_label
        qtbot.waitUntil(lambda: "无法连接" in badge.text(), timeout=5000)  # LanguageChange
        assert badge.text() == "Get3W · work · 无法连接 ▾"
        assert "无法连接到服务" in badge.toolTip() and "重试" in badge.toolTip()
        assert english_in(badge.toolTip(), set()) is None, badge.toolTip()
        assert english_in(badge.text(), set()) is None
        # The next try fails again, and the balance's tooltip says why in Chinese too.
        tip = window.balance_label.toolTip
        qtbot.waitUntil(lambda: "拒绝了连接" in tip(), timeout=10_000)
        assert english_in(tip(), set()) is None, tip()
    finally:
        i18n.install_language(qapp, "en")


def test_a_task_losing_its_host_turns_the_badge_and_the_host_coming_back_clears_it(
    qtbot: QtBot, parts: Parts
) -> None:
    window, services, port = parts
    badge = window.service_label
    runner = services._runner
    # Tasks that stay "created": the task is still being polled when the host goes away.
    slow = SandboxConfig(time_scale=0.02, faults=FaultConfig(stuck_created=1.0))
    with SandboxServer(slow, port=port):
        with qtbot.waitSignal(services._keys.saved, timeout=5000):
            services._keys.save("work", SANDBOX_API_KEY)
        window.profile_chosen.emit("work")
        qtbot.waitUntil(lambda: window.balance_label.text() == "Balance $100.00", timeout=10_000)
        assert badge.text() == "Get3W · work ▾"
        job = runner.submit(NANO, {"prompt": "a lighthouse at dusk"}, profile="work")
        qtbot.waitUntil(lambda: runner.active_count() == 1, timeout=5000)
        qtbot.wait(300)  # submitted, now polling
    # The host went away mid-task: its polls fail, and the badge says so.
    qtbot.waitUntil(lambda: badge.unreachable, timeout=15_000)
    assert runner.active_count() == 1  # the task's own polls told, not its end
    assert "refused the connection" in badge.toolTip()
    # It comes back: the next try is answered.
    with SandboxServer(slow, port=port):
        qtbot.waitUntil(lambda: not badge.unreachable, timeout=15_000)
        assert badge.text() == "Get3W · work ▾"
        runner.cancel(job.local_id)
        qtbot.waitUntil(lambda: runner.active_count() == 0, timeout=15_000)
