"""`--self-test` in-process: one verdict line, exit 0 only when every stage worked."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import keyring
import keyring.backend
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from get3w_desktop import selftest
from get3w_desktop.app import main
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.storage.secrets import KeyringSecretStore

OK_LINE = re.compile(
    r"self-test ok: qt (?P<qt>\S+) (?P<platform>\S+), catalogue (?P<models>\d+) models, "
    r"keyring (?P<keyring>.+?), multimedia mp4 (?P<vw>\d+)x(?P<vh>\d+) (?P<rate>\d+) Hz, "
    r"task (?P<task>[0-9a-f-]{8,}) (?P<w>\d+)x(?P<h>\d+) [\d.]+ s; [\d.]+ s in all"
)


def run(out: io.StringIO | None = None) -> tuple[int, list[str]]:
    out = out or io.StringIO()
    code = selftest.run_self_test(out)
    return code, out.getvalue().splitlines()


def test_a_healthy_install_prints_one_ok_line_with_what_it_found(
    qapp: QApplication, isolated_home: Path
) -> None:
    code, lines = run()
    assert code == 0
    assert len(lines) == 1
    found = OK_LINE.fullmatch(lines[0])
    assert found, lines[0]
    assert found["qt"] == qVersion()
    assert found["platform"] == qapp.platformName()
    assert int(found["models"]) == len(load_bundled())
    store = KeyringSecretStore()
    expected = store.backend_name.removeprefix("keyring.backends.")
    assert found["keyring"] == (expected if store.is_secure else f"{expected} (not secure)")
    assert int(found["w"]) > 0 and int(found["h"]) > 0
    # A real frame and real audio samples from the bundled clip (288x288 H.264, 22050 Hz AAC).
    assert (found["vw"], found["vh"], found["rate"]) == ("288", "288", "22050")
    # It checks the installation without touching the person's settings, history or outputs.
    assert not isolated_home.exists() or not any(isolated_home.rglob("*"))


def test_the_app_flag_runs_it_before_any_display_check(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and OK_LINE.fullmatch(out[0])


def test_a_catalogue_without_the_test_model_fails_at_the_catalogue_stage(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "MODEL", "nobody/no-such-model")
    code, lines = run()
    assert code == 1
    assert lines == [
        "self-test FAILED at catalogue: the bundled catalogue has no nobody/no-such-model"
    ]


class BrokenKeyring(keyring.backend.KeyringBackend):
    """A backend that fails as soon as it is asked anything (a Secret Service gone away).

    keyring instantiates every backend class it knows when it looks for a default, so an
    unarmed instance is harmless and never chosen (priority -1, like keyring's null backend).
    """

    def __init__(self, armed: bool = False) -> None:
        super().__init__()
        self.armed = armed

    @property
    def priority(self) -> float:
        if self.armed:
            raise RuntimeError("D-Bus said no")
        return -1.0

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("D-Bus said no")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("D-Bus said no")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("D-Bus said no")


class HangingKeyring(BrokenKeyring):
    """A keyring that never answers (a locked collection waiting on a prompt)."""

    release = threading.Event()

    @property
    def priority(self) -> float:
        if self.armed:
            self.release.wait(10)
            return 1.0
        return -1.0


def test_a_broken_keyring_is_reported_as_not_secure_rather_than_a_broken_install(
    qapp: QApplication,
) -> None:
    keyring.set_keyring(BrokenKeyring(armed=True))
    code, lines = run()
    assert code == 0
    found = OK_LINE.fullmatch(lines[0])
    assert found, lines
    assert found["keyring"].endswith("BrokenKeyring (not secure)")


def test_a_keyring_that_never_answers_fails_the_keyring_stage_in_bounded_time(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "KEYRING_TIMEOUT", 0.2)
    HangingKeyring.release.clear()
    keyring.set_keyring(HangingKeyring(armed=True))
    try:
        code, lines = run()
    finally:
        HangingKeyring.release.set()  # lets the probe thread finish
    assert code == 1
    assert lines == ["self-test FAILED at keyring: the keyring did not answer within 0.2 s"]


def test_a_task_that_does_not_finish_in_time_fails_the_task_stage(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "TASK_TIMEOUT", 0.01)
    code, lines = run()
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("self-test FAILED at task: Still running after")


def test_qt_messages_are_kept_off_the_output_and_the_handler_is_restored(
    qapp: QApplication,
) -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    seen: list[str] = []

    def mine(_kind: object, _context: object, message: str) -> None:
        seen.append(message)

    previous = qInstallMessageHandler(mine)
    try:
        with selftest._qt_messages(io.StringIO()) as inside:
            qWarning("probing a plugin")
        qWarning("after the self-test")
    finally:
        qInstallMessageHandler(previous)
    assert inside == ["probing a plugin"]
    assert seen == ["after the self-test"]


def test_a_clip_without_sound_fails_the_multimedia_stage(
    qapp: QApplication, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stage decodes audio for real: a video-only clip cannot pass it."""
    monkeypatch.setattr(selftest, "MEDIA_CLIP", "clip_1x1_silent.mp4")
    monkeypatch.setattr(selftest, "MEDIA_TIMEOUT", 5.0)
    code, lines = run()
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("self-test FAILED at multimedia: "), lines
    assert "clip_1x1_silent.mp4" in lines[0]
