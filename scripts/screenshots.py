#!/usr/bin/env python3
"""Screenshots of the app's main screens, taken from a real X server (Xvfb).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--size 1440x900]

Starts Xvfb on a free display, runs the real app in the sandbox with an empty home
folder, drives it the way a person would (pick a model, type, generate, open results),
and saves what the X server shows as PNGs. Needs Debian's `xvfb` (scripts/system-deps.sh
screenshots installs it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Step = Callable[[], bool]  # True when done; polled every 100 ms


def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("Xvfb") is None:
        sys.exit("Xvfb is missing: run scripts/system-deps.sh screenshots")
    for number in range(90, 140):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return proc, display
            time.sleep(0.1)
        proc.kill()
    sys.exit("could not start Xvfb")


def shoot_on_xvfb(shoot: Callable[[Path], object], description: str = "") -> int:
    """The screenshot scripts' main(): `--out` and `--size`, a private Xvfb and an empty
    GET3W_HOME (no key: the sandbox), then `shoot(out)`; everything is removed after."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1440x900")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    xvfb, display = start_xvfb(args.size)
    home = tempfile.mkdtemp(prefix="get3w-shots-")
    os.environ.update(DISPLAY=display, GET3W_HOME=home, QT_QPA_PLATFORM="xcb")
    os.environ.pop("GET3W_API_KEY", None)
    os.environ.pop("WAYLAND_DISPLAY", None)
    try:
        shoot(args.out)
        return 0
    finally:
        xvfb.terminate()
        xvfb.wait(5)
        shutil.rmtree(home, ignore_errors=True)


def scenario(out: Path) -> Iterator[Step]:
    """The screens, in order. Each `yield` is a condition to wait for."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialog

    from get3w_desktop.core.job import JobState
    from get3w_desktop.ui.main_window import MainWindow

    def window() -> MainWindow | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                return widget
        return None

    def shot(name: str) -> None:
        QApplication.processEvents()
        screen = QGuiApplication.primaryScreen()
        path = out / f"{name}.png"
        screen.grabWindow(0).save(str(path))
        print(f"wrote {path}")

    def settle(seconds: float) -> Step:
        until = time.monotonic() + seconds
        return lambda: time.monotonic() >= until

    yield lambda: window() is not None
    win = window()
    assert win is not None
    win.set_spending(None, None, False, confirm_above=None)  # the video run would ask first
    yield settle(1.0)
    shot("first-run")

    win.picker.select("wavespeed-ai/flux-dev")
    win.picker.model_chosen.emit("wavespeed-ai/flux-dev")
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A lighthouse on a rocky coast at dawn, soft golden light, mist")
    win.count.setValue(3)
    QTest.keyClick(win.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    yield lambda: win.book.active_count() == 3
    yield settle(1.2)
    shot("running")

    yield lambda: win.book.active_count() == 0
    yield settle(1.5)
    shot("result")

    win.picker.select("google/veo3.1-fast/text-to-video")
    win.picker.model_chosen.emit("google/veo3.1-fast/text-to-video")
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A paper boat drifting down a rainy street [fail:1200]")
    win.count.setValue(1)
    (failing,) = win.generate()
    yield lambda: (j := win.book.job(failing.local_id)) is not None and not j.state.active
    yield settle(0.8)
    shot("failed")

    prompt.set_value("A paper boat drifting down a rainy street, cinematic")
    (video,) = win.generate()
    yield lambda: (j := win.book.job(video.local_id)) is not None and j.state is JobState.COMPLETED
    yield settle(2.0)
    shot("video")

    def dialog_shot(name: str, open_it: Callable[[], object]) -> Iterator[Step]:
        open_it()
        yield settle(1.0)
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)
                 and w.isVisible()]  # fmt: skip
        if shown:
            shot(name)
            for dialog in shown:
                dialog.reject()
        yield settle(0.3)

    yield from dialog_shot("key-dialog", win.key_requested.emit)
    yield from dialog_shot("settings-dialog", win.settings_requested.emit)

    from get3w_desktop.ui.batch_dialog import BatchDialog

    model = win.generate_panel.model  # the form's own model, so the form's values fit it
    assert model is not None

    def open_batch() -> None:
        dialog = BatchDialog(model, win.form.values(), variations=2, parent=win)
        dialog.text.setPlainText(
            "A lighthouse at dawn\nA fox in fresh snow\nA paper boat on a rainy street\n"
            "A tea house in the mountains\nA robot watering a garden"
        )
        dialog.show()

    yield from dialog_shot("batch-dialog", open_batch)
    win.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    parser.add_argument("--scale", default="", help="QT_SCALE_FACTOR, e.g. 1.5 (high DPI)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    xvfb, display = start_xvfb(args.size)
    home = tempfile.mkdtemp(prefix="get3w-shots-")
    os.environ.update(DISPLAY=display, GET3W_HOME=home, QT_QPA_PLATFORM="xcb")
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = args.scale
    if args.theme != "system":
        from get3w_desktop.storage.paths import app_paths
        from get3w_desktop.storage.settings import Settings, Theme, save_settings

        save_settings(Settings(theme=Theme(args.theme)), app_paths(home).ensure())
    os.environ.pop("GET3W_API_KEY", None)
    os.environ.pop("WAYLAND_DISPLAY", None)
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from get3w_desktop import app as desktop

        qapp = QApplication([sys.argv[0]])
        steps = scenario(args.out)
        waiting: list[Step] = [next(steps)]
        deadline = time.monotonic() + 180

        def poll() -> None:
            if time.monotonic() > deadline:
                print("screenshots: timed out", file=sys.stderr)
                qapp.exit(1)
                return
            try:
                if waiting and waiting[0]():
                    waiting[0] = next(steps)
            except StopIteration:
                waiting.clear()
                return
            except Exception:  # a broken step says where, instead of a crash dialog
                traceback.print_exc()
                qapp.exit(1)
                return
            QTimer.singleShot(100, poll)

        QTimer.singleShot(100, poll)
        code = desktop.main(["--sandbox"])
        qapp.shutdown()  # let Qt leave the X server before Xvfb stops
        return code
    finally:
        xvfb.terminate()
        xvfb.wait(5)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
