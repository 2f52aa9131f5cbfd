"""The proxy control in the profile editor, and "Test connection" run off the GUI thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.api.connection_test import ConnectionReport, Outcome, Stage, StageResult
from get3w_desktop.core.proxy import SYSTEM_PROXY, ProxyConfig
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.settings import SANDBOX, Profile, Settings
from get3w_desktop.ui.connection_panel import ConnectionPanel
from get3w_desktop.ui.profile_editor import ProfileEditor
from get3w_desktop.ui.settings_dialog import SettingsDialog
from get3w_desktop.workers.connection import ConnectionTester


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def editor(qtbot: QtBot, existing: Profile | None = None, **kwargs: Any) -> ProfileEditor:
    dialog = ProfileEditor(("sandbox",), existing, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def ok_enabled(dialog: ProfileEditor) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def choose(dialog: ProfileEditor, mode: str) -> None:
    dialog.proxy_combo.setCurrentIndex(dialog.proxy_combo.findData(mode))


def run_test(qtbot: QtBot, panel: ConnectionPanel) -> ConnectionReport:
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.report is not None, timeout=20_000)
    assert panel.report is not None
    return panel.report


def test_the_proxy_choice_is_validated_and_lands_in_the_profile(qtbot: QtBot) -> None:
    dialog = editor(qtbot)
    dialog.name_edit.setText("work")
    assert dialog.proxy_combo.currentData() == "system" and not dialog.proxy_edit.isEnabled()
    assert ok_enabled(dialog) and dialog.profile().proxy == SYSTEM_PROXY
    choose(dialog, "custom")
    assert dialog.proxy_edit.isEnabled()
    assert not ok_enabled(dialog) and not dialog.connection.test_button.isEnabled()
    assert "Enter the proxy address" in dialog.proxy_error.text()
    dialog.proxy_edit.setText("corp.example:3128")
    assert "http://corp.example:3128" in dialog.proxy_error.text() and not ok_enabled(dialog)
    dialog.proxy_edit.setText("http://corp.example:3128")
    assert ok_enabled(dialog) and dialog.proxy_error.isHidden()
    assert dialog.connection.test_button.isEnabled()
    assert "through the proxy http://corp.example:3128" in dialog.proxy_note.text()
    assert dialog.profile() == Profile(
        "work", "https://api.get3w.com", ProxyConfig("custom", "http://corp.example:3128")
    )
    choose(dialog, "none")  # the typed address is kept, unused
    assert dialog.profile().proxy == ProxyConfig("none", "http://corp.example:3128")


def test_a_proxy_password_is_never_shown_and_its_storage_is_explained(qtbot: QtBot) -> None:
    proxy = ProxyConfig("custom", "http://eve:Hidden-Pw-9@corp.example:3128")
    dialog = editor(qtbot, Profile("work", "https://api.get3w.com", proxy))
    assert dialog.proxy_combo.currentData() == "custom" and dialog.proxy_edit.text() == proxy.url
    assert "settings file" in dialog.proxy_note.text()
    assert "Hidden-Pw-9" not in dialog.proxy_note.text()
    settings = Settings(profiles=(SANDBOX, Profile("work", "https://api.get3w.com", proxy)),
                        download_folder="/tmp")  # fmt: skip
    settings_dialog = SettingsDialog(settings)
    qtbot.addWidget(settings_dialog)
    row = settings_dialog.profile_list.item(1).text()
    assert "corp.example" in row and "Hidden-Pw-9" not in row


def test_editing_a_profile_keeps_its_new_proxy(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = ProxyConfig("custom", "http://corp.example:3128")

    def ask(_parent: QWidget, _taken: tuple[str, ...], existing: Profile | None) -> Profile:
        assert existing is not None
        return Profile("ignored", existing.base_url, chosen)

    monkeypatch.setattr(SettingsDialog, "ask", staticmethod(ask))
    settings = Settings(profiles=(SANDBOX, Profile("work", "https://api.get3w.com")),
                        download_folder="/tmp")  # fmt: skip
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.profile_list.setCurrentRow(1)
    dialog.edit_button.click()
    assert dialog.settings().profile("work") == Profile("work", "https://api.get3w.com", chosen)


def test_test_connection_runs_off_the_gui_thread_and_ticks_every_stage(
    qtbot: QtBot, sandbox: SandboxServer, sandbox_key: str
) -> None:
    threads: list[threading.Thread] = []

    def lookup(name: str) -> str:
        threads.append(threading.current_thread())
        assert name == "work"
        return sandbox_key

    dialog = editor(qtbot, Profile("work", sandbox.base_url), key_for=lookup)
    report = run_test(qtbot, dialog.connection)
    assert report.ok, report.lines()
    assert threads and threads[0] is not threading.main_thread()
    rows = [
        dialog.connection.stages.item(i).text() for i in range(dialog.connection.stages.count())
    ]
    assert len(rows) == len(report.stages) == 6
    assert sum(row.startswith("✓") for row in rows) == 5 and rows[3].startswith("–")  # TLS
    assert "Everything works" in dialog.connection.summary.text()
    assert dialog.connection.status.text() == "Connected."
    dialog.reject()


def test_a_failure_names_its_stage_and_the_key_is_not_sent_to_a_new_address(
    qtbot: QtBot, sandbox: SandboxServer
) -> None:
    asked: list[str] = []

    def lookup(name: str) -> str:
        asked.append(name)
        return "sk_x_123456"

    dialog = editor(qtbot, Profile("work", sandbox.base_url), key_for=lookup)
    dialog.url_edit.setText(sandbox.base_url.replace("127.0.0.1", "localhost"))
    report = run_test(qtbot, dialog.connection)
    auth = next(s for s in report.stages if s.stage is Stage.AUTH)
    assert asked == [] and auth.outcome is Outcome.SKIPPED  # typed, not saved: no key
    dialog.url_edit.setText("https://nonexistent.invalid")
    report = run_test(qtbot, dialog.connection)
    assert report.first_failure is not None and report.first_failure.stage is Stage.DNS
    assert "(DNS)" in dialog.connection.summary.text()
    assert dialog.connection.status.text() == "Failed at: Name lookup (DNS)"
    rows = [
        dialog.connection.stages.item(i).text() for i in range(dialog.connection.stages.count())
    ]
    assert any(row.startswith("✗") and "DNS" in row for row in rows)
    dialog.reject()


class SlowRunner:
    """A test that passes its first stage, then waits for Stop."""

    def __init__(self, linger: float = 0.0) -> None:
        self.started, self.ended = threading.Event(), threading.Event()
        self.linger = linger  # seconds it goes on after Stop (a socket read that must end)

    def __call__(self, base_url: str, key: str | None, proxy: ProxyConfig | None, *,
                 cancel: threading.Event, on_stage: Any) -> ConnectionReport:  # fmt: skip
        first = StageResult(Stage.ADDRESS, Outcome.OK, "fine", 1.0)
        on_stage(first)
        self.started.set()
        stopped = cancel.wait(10)
        time.sleep(self.linger)
        rest = StageResult(Stage.DNS, Outcome.SKIPPED, "Stopped before this check.")
        on_stage(rest)
        if stopped:
            self.ended.set()
        return ConnectionReport(base_url, "direct", (first, rest))


def test_stop_ends_a_running_test(qtbot: QtBot) -> None:
    runner = SlowRunner()
    target = ("https://api.get3w.com", SYSTEM_PROXY, None)
    panel = ConnectionPanel(lambda: target, tester=ConnectionTester(runner))
    qtbot.addWidget(panel)
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    assert runner.started.wait(10)
    assert panel.test_button.text() == "S&top"
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.report is not None, timeout=10_000)
    assert runner.ended.is_set()
    assert panel.status.text() == "Stopped before every check was done."
    assert panel.test_button.text() == "&Test connection" and panel.stages.count() == 2
    qtbot.waitUntil(panel.tester.idle, timeout=5000)
    assert panel.shutdown()  # nothing was running


def test_closing_the_editor_stops_a_running_test_without_waiting(qtbot: QtBot) -> None:
    runner = SlowRunner(linger=2.0)
    dialog = editor(qtbot)
    panel = dialog.connection
    panel.tester = ConnectionTester(runner, parent=dialog)
    panel.tester.stage_done.connect(panel._on_stage)
    panel.tester.finished.connect(panel._on_finished)
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    assert runner.started.wait(10)
    assert not runner.ended.is_set()
    started = time.monotonic()
    dialog.reject()  # cancels, and does not wait for the worker
    assert time.monotonic() - started < 1.0  # the test lingers 2 s after Stop
    assert not runner.ended.is_set()
    qtbot.waitUntil(runner.ended.is_set, timeout=10_000)
    qtbot.waitUntil(lambda: ConnectionTester.retired_count() == 0, timeout=5000)
