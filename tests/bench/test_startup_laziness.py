"""What start-up must NOT import before the window's first frame (#16).

A module-presence check, not a timing: the app is started the way `bench.startup` starts
it (a fresh home, no key, offscreen), and the names in sys.modules at the first paint are
compared with modules that are only needed later. Each of them cost start-up time before
(jsonschema ~0.16 s, keyring ~0.3 s, Pillow ~0.05 s, QtMultimedia, the dialogs' modules);
importing one early again, directly or through a thread started before the frame, fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "bench" / "startup_child.py"

#: Not needed for the first frame: each is imported when its feature is first used.
LATER = (
    "jsonschema",  # validation: compiled after the first frame, off the GUI thread
    "keyring",  # the stored key: looked up after the first frame on a first run
    "PIL",  # Pillow: checking a downloaded picture, the sandbox painting one
    "get3w_desktop.sandbox.images",
    "PySide6.QtMultimedia",  # the video/audio page of the result viewer
    "PySide6.QtMultimediaWidgets",
    "get3w_desktop.ui.media_player",
    "get3w_desktop.ui.storage_dialog",  # Tasks → Storage…
    "get3w_desktop.ui.housekeeping_dialogs",  # delete and export
    "get3w_desktop.ui.settings_dialog",
    "get3w_desktop.ui.key_dialog",
    "get3w_desktop.ui.compare_window",
    # The first frame is the start-up shell (ui/shell.py): the window itself, the API
    # client (requests) and the sandbox server are all imported behind it.
    "get3w_desktop.ui.main_window",
    "get3w_desktop.api",
    "get3w_desktop.sandbox",
    "requests",
)


def modules_at_first_paint(home: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GET3W_API_KEY", "GET3W_BASE_URL")}
    env.update(GET3W_HOME=str(home), QT_QPA_PLATFORM="offscreen", BENCH_T0=repr(time.monotonic()),
               PYTHONPATH=str(ROOT))  # fmt: skip
    proc = subprocess.run(
        [sys.executable, str(CHILD), "app", "--modules"],
        env=env, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith("STARTUP "):
            report = json.loads(line.removeprefix("STARTUP "))
            modules: list[str] = report["modules_at_first_paint"]
            return modules
    pytest.fail(f"the app printed no STARTUP line (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def test_the_first_frame_is_painted_before_the_later_modules_are_imported(tmp_path: Path) -> None:
    modules = set(modules_at_first_paint(tmp_path))
    # The probe really saw the app's first frame (not an empty list by accident).
    assert {"get3w_desktop.ui.shell", "get3w_desktop.app", "PySide6.QtWidgets"} <= modules
    early = sorted(
        name
        for name in modules
        if any(name == later or name.startswith(later + ".") for later in LATER)
    )
    assert early == [], f"imported before the first frame: {early}"
