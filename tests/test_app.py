from __future__ import annotations

from pathlib import Path

import pytest
import requests

from get3w_desktop.app import choose_profile, parse_args, start_sandbox
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.storage.settings import DEFAULT_PROFILE, Profile, Settings

MODEL = "google/nano-banana-pro/text-to-image"


def test_each_app_session_sandbox_hands_out_fresh_task_ids() -> None:
    ids = []
    for _ in range(2):
        server = start_sandbox()
        try:
            answer = requests.post(f"{server.base_url}/v1/{MODEL}", json={"prompt": "x"},
                                   headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"},
                                   timeout=10)  # fmt: skip
            ids.append(answer.json()["id"])
        finally:
            server.stop()
    assert ids[0] != ids[1]


def test_the_environment_key_wins_and_an_empty_keyring_means_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = Settings(profiles=(Profile(DEFAULT_PROFILE, "https://api.example.test"),),
                    active_profile=DEFAULT_PROFILE)  # fmt: skip
    profile, key, lookup = choose_profile(parse_args([]), work, first_run=False)
    assert profile.name == DEFAULT_PROFILE and key is None and lookup is not None
    assert lookup.result() is None  # the test keyring is empty: the app opens in the sandbox
    monkeypatch.setenv("GET3W_API_KEY", "sk_from_env_123456")
    profile, key, lookup = choose_profile(parse_args([]), Settings(), first_run=False)
    assert (profile.name, key, lookup) == (DEFAULT_PROFILE, "sk_from_env_123456", None)


def test_a_first_run_looks_the_key_up_only_when_asked() -> None:
    work = Settings(profiles=(Profile(DEFAULT_PROFILE, "https://api.example.test"),),
                    active_profile=DEFAULT_PROFILE)  # fmt: skip
    _profile, _key, lookup = choose_profile(parse_args([]), work, first_run=True)
    assert lookup is not None
    assert not lookup.done()  # not started: the first frame comes before the keyring
    assert lookup.result() is None  # asking starts it; the test keyring is empty
    assert lookup.done()
    lookup.start()  # started once only
    _profile, _key, later = choose_profile(parse_args([]), work, first_run=False)
    assert later is not None and later.result() is None


def test_a_missing_display_is_explained_instead_of_a_qt_abort() -> None:
    from get3w_desktop.app import missing_display

    problem = missing_display({}, "linux")
    assert problem is not None and "graphical session" in problem
    assert missing_display({"DISPLAY": ":0"}, "linux") is None
    assert missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert missing_display({}, "win32") is None


def test_the_version_matches_pyproject() -> None:
    import tomllib
    from pathlib import Path

    from get3w_desktop import __version__

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert __version__ == pyproject["project"]["version"]


@pytest.mark.slow
def test_sigterm_closes_the_app_cleanly(tmp_path: Path) -> None:
    """A logout or `kill` quits the normal way: exit 0, history closed (no -wal left)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = dict(os.environ, GET3W_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    env.pop("GET3W_API_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "get3w_desktop.app", "--sandbox"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    history = tmp_path / "data" / "history.sqlite3"
    try:
        deadline = time.monotonic() + 60
        while not history.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert history.exists(), "the app did not start"
        time.sleep(1.0)  # the window is up and the loader has run
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not Path(f"{history}-wal").exists()
