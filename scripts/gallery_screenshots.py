"""Screenshots of the gallery, a video row's poster, a sound row's waveform and the
human-named viewer header, taken offscreen against the sandbox:

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/gallery_screenshots.py
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

app = QApplication([])
from get3w_desktop.sandbox.server import SandboxConfig, SandboxServer  # noqa: E402
from tests.window_support import open_window  # noqa: E402


class Bot:
    def addWidget(self, w):  # noqa: N802 (qtbot's name)
        pass


def wait(cond, t=60):
    end = time.monotonic() + t
    while time.monotonic() < end and not cond():
        QCoreApplication.processEvents()
        time.sleep(0.02)


def pause(s):
    wait(lambda: False, s)


out = Path("docs/screenshots")
tmp = Path(tempfile.mkdtemp())
with (
    SandboxServer(SandboxConfig(time_scale=0.02, render_scale=0.5)) as sb,
    open_window(Bot(), tmp, sb.base_url) as win,
):
    win.resize(1440, 900)

    def run(model, text, count=1, seed=None):
        win.picker.select(model)
        win.generate_panel.choose_model(model)
        for name in ("prompt", "text"):
            f = win.form.field(name)
            if f is not None:
                f.set_value(text)
        if seed is not None and win.form.field("seed") is not None:
            win.form.field("seed").set_value(seed)
        win.generate_panel.count.setValue(count)
        jobs = win.generate()
        wait(lambda: all((j := win.book.job(x.local_id)) and not j.state.active for x in jobs), 90)
        return [win.book.job(x.local_id) for x in jobs]

    speech = run("minimax/speech-02-hd", "Good morning! The fog is lifting over the harbour.")
    video = run(
        "google/veo3.1-fast/text-to-video", "A paper boat drifting down a rainy street, cinematic"
    )
    flux = run(
        "wavespeed-ai/flux-dev",
        "A lighthouse on a rocky coast at dawn, soft golden light, mist",
        3,
        42,
    )
    win.select_job(flux[0].local_id)
    pause(2)
    win.grab().save(str(out / "result-human-name.png"))
    win.viewer.show_gallery()
    pause(2)
    win.grab().save(str(out / "gallery.png"))
    win.viewer.show_gallery(False)
    win.select_job(video[0].local_id)
    pause(3)
    win.grab().save(str(out / "video-poster-row.png"))
    win.select_job(speech[0].local_id)
    pause(2)
    win.grab().save(str(out / "audio-waveform-row.png"))
    print("done", [j.state for j in speech + video + flux])
