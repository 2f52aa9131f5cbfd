"""The window as a screen reader reads it: every control named, tasks and errors readable.

Runs the real app under Xvfb with Qt's AT-SPI bridge on, on a private D-Bus session with
its own accessibility bus, and reads it with Debian's pyatspi (`scripts/a11y_walk.py`,
run by the system python3). The walk acts as a person with a screen reader would: it
types a prompt into the field named "Prompt", presses the button named "Generate", waits
for the task to be read as done, then makes one fail and listens for why.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dbus_support import start_session_bus

ROOT = Path(__file__).resolve().parents[2]
WALKER = ROOT / "scripts" / "a11y_walk.py"
LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = "/usr/bin/python3"

#: Roles a person operates; each must say what it is for.
CONTROLS = {
    "push button", "toggle button", "check box", "radio button", "combo box", "spin button",
    "slider", "text", "password text", "entry", "list", "table", "tree", "tree table",
    "page tab", "menu item", "link",
}  # fmt: skip


pytestmark = pytest.mark.slow


def _require_tools() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("AT-SPI is the Linux desktop's accessibility bus")
    missing = [name for name in ("Xvfb", "dbus-daemon") if shutil.which(name) is None]
    if not LAUNCHER.exists():
        missing.append("at-spi-bus-launcher (at-spi2-core)")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True,
                           check=False) if Path(SYSTEM_PYTHON).exists() else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        missing.append("python3-pyatspi")
    if not missing:
        return
    message = f"{', '.join(missing)} not found: run scripts/system-deps.sh test"
    if shutil.which("dpkg-query"):
        pytest.fail(message)  # a Debian machine can have them: never skip there (CI is one)
    pytest.skip(message + " (not a Debian-based system)")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _display_number(read_end: int, timeout: float) -> int:
    """The display Xvfb announces on its -displayfd pipe once it accepts connections."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            raise RuntimeError(f"Xvfb did not start within {timeout:.0f} s")
        chunk = os.read(read_end, 16)
        if not chunk:
            raise RuntimeError("Xvfb exited before it took a display (see Xvfb.log)")
        data += chunk
    return int(data)


class Session:
    """Xvfb + a private session bus + the accessibility bus + the app, all torn down after."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.processes: list[subprocess.Popen[bytes]] = []
        home, runtime = root / "home", root / "run"
        home.mkdir()
        runtime.mkdir(mode=0o700)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "GET3W_HOME": str(home / "get3w"),
            "XDG_RUNTIME_DIR": str(runtime),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
        }

    def start(self) -> None:
        # Xvfb picks a free display itself and says which once it accepts connections: a
        # number chosen here could be taken meanwhile, and its socket file shows early.
        read_end, write_end = os.pipe()
        try:
            self._spawn(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1440x900x24",
                         "-nolisten", "tcp"], pass_fds=(write_end,))  # fmt: skip
        finally:
            os.close(write_end)
        try:
            number = _display_number(read_end, timeout=30)
        finally:
            os.close(read_end)
        self.env["DISPLAY"] = f":{number}"
        bus, address = start_session_bus("dbus-daemon", self.root, self.env)
        self.processes.append(bus)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        self._spawn([str(LAUNCHER), "--launch-immediately"])
        app_env = {
            **self.env,
            "QT_QPA_PLATFORM": "xcb",
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
            "QT_ACCESSIBILITY": "1",
        }
        self._spawn([sys.executable, "-m", "get3w_desktop.app", "--sandbox"], env=app_env,
                    log="app.log")  # fmt: skip

    def _spawn(
        self,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        stdout: int | None = None,
        log: str | None = None,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.Popen[bytes]:
        sink = open(self.root / (log or f"{Path(args[0]).name}.log"), "wb")  # noqa: SIM115
        process = subprocess.Popen(args, env=env or self.env, stdout=stdout or sink, stderr=sink,
                                   pass_fds=pass_fds)  # fmt: skip
        sink.close()
        self.processes.append(process)
        return process

    def walk(self, steps: list[dict[str, Any]], timeout: float = 240) -> dict[str, Any]:
        done = subprocess.run(
            [SYSTEM_PYTHON, str(WALKER), json.dumps(steps)], env=self.env, capture_output=True,
            text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def app_log(self) -> str:
        path = self.root / "app.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            _stop(process)
            if process.stdout is not None:
                process.stdout.close()


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    _require_tools()
    root = Path(tempfile.mkdtemp(prefix="g3w-a11y-"))  # short: a socket path has ~100 bytes
    running = Session(root)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(root, ignore_errors=True)


def unnamed_controls(nodes: list[dict[str, Any]]) -> list[str]:
    """Showing controls a screen reader would announce with no name ("button", "edit")."""
    return [
        f"{node['role']} at {node['path']} ({node['description'][:60]!r})"
        for node in nodes
        if node["showing"] and node["role"] in CONTROLS and not node["name"].strip()
    ]


def spoken(nodes: list[dict[str, Any]]) -> str:
    """Everything a screen reader can read out, one node per line."""
    return "\n".join(
        f"{n['role']}: {n['name']} | {n['description']} | {n['text']}"
        for n in nodes
        if n["showing"]
    )


def test_every_control_is_named_and_tasks_and_errors_are_read(session: Session) -> None:
    walked = session.walk([
        {"dump": "start"},
        {"type": {"role": "text", "name": "Prompt", "text": "A lighthouse at dawn"}},
        {"press": {"role": "push button", "contains": "Generate"}},
        {"wait": {"role": "list item", "contains": "Done", "timeout": 90}},
        {"dump": "result"},
        {"type": {"role": "text", "name": "Prompt", "text": "A storm at sea [fail:1200]"}},
        {"press": {"role": "push button", "contains": "Generate"}},
        {"wait": {"contains": "flagged", "timeout": 90}},
        {"dump": "failure"},
    ])  # fmt: skip
    dumps: dict[str, list[dict[str, Any]]] = walked["dumps"]
    problems = {label: unnamed_controls(nodes) for label, nodes in dumps.items()}
    assert walked["error"] is None, f"{walked['error']}\nunnamed: {problems}\n{session.app_log()}"
    assert set(dumps) == {"start", "result", "failure"}
    assert not any(problems.values()), json.dumps(problems, indent=1)
    result = spoken(dumps["result"])
    assert "Nano Banana Pro" in result and "Done" in result
    failure = spoken(dumps["failure"])
    assert "flagged" in failure and "Failed" in failure


@pytest.mark.timeout(420)  # eleven reads of a ~2,000-node tree over D-Bus on a shared machine
def test_the_model_filters_and_every_settings_page_are_named(session: Session) -> None:
    """More states: a filter's list open, and each page of the settings dialog."""
    walked = session.walk([
        # the model browser's filters, with a kind list open
        {"press": {"role": "combo box", "contains": "All kinds"}},
        {"sleep": 1},
        {"dump": "kinds open"},
        {"key": "Escape"},
        # the settings dialog, each of its pages
        {"press": {"role": "menu item", "name": "File"}},
        {"sleep": 1},
        {"press": {"role": "menu item", "contains": "Settings"}},
        {"wait": {"role": "dialog", "name": "Settings", "timeout": 20}},
        {"dump": "settings: service"},
        {"press": {"role": "page tab", "name": "Files"}},
        {"sleep": 1},
        {"dump": "settings: files"},
        {"press": {"role": "page tab", "name": "Spending"}},
        {"sleep": 1},
        {"dump": "settings: spending"},
        {"press": {"role": "page tab", "name": "Appearance"}},
        {"sleep": 1},
        {"dump": "settings: appearance"},
        {"press": {"role": "push button", "name": "Cancel"}},
    ])  # fmt: skip
    dumps: dict[str, list[dict[str, Any]]] = walked["dumps"]
    problems = {label: unnamed_controls(nodes) for label, nodes in dumps.items()}
    assert walked["error"] is None, f"{walked['error']}\nunnamed: {problems}\n{session.app_log()}"
    assert set(dumps) == {"kinds open", "settings: service", "settings: files",
                          "settings: spending", "settings: appearance"}  # fmt: skip
    assert any(
        n["role"] == "list item" and n["showing"] and "Image" in n["name"]
        for n in dumps["kinds open"]
    )  # fmt: skip  (the kind list really was open)
    assert any(n["role"] == "dialog" and n["name"] == "Settings"
               for n in dumps["settings: files"])  # fmt: skip
    assert not any(problems.values()), json.dumps(problems, indent=1)
