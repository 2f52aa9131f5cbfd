#!/usr/bin/env python3
"""Screenshots of the real catalogue in the window: the model browser, a LoRA form, a text
result and a 3D result, taken from a real X server (Xvfb) like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_catalogue.py [--out docs/screenshots] [--size 1440x900]

The window is the app's MainWindow over the real 794 models (../shared/catalogue/models.json,
merged over the bundled list) and the in-process sandbox. The text and 3D results are shown
as finished tasks (a caption, a small .glb file) because the sandbox of this branch does not
yet answer with text or 3D files.
"""

from __future__ import annotations

import importlib
import json
import os
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

# Xvfb is started the same way as for the other screenshots (scripts/ is not a package).
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb

REAL = ROOT.parent / "shared" / "catalogue" / "models.json"
LORA_MODEL = "wavespeed-ai/wan-2.1/i2v-480p-lora"
CAPTIONER = "wavespeed-ai/image-captioner"
MESHER = "tripo3d/v2.5/image-to-3d"
CAPTION = (
    "A lighthouse stands on a rocky headland at dawn. Low golden light comes from the left, "
    "catching the white tower and the red lantern room, while a thin mist drifts over the "
    "water below. Waves break against dark, wet rocks in the foreground; gulls circle near "
    "the top of the tower. The sky fades from pale orange at the horizon to soft blue above."
)


def tiny_glb(path: Path) -> Path:
    """A valid glTF binary holding one triangle (what a 3D model answers with)."""
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    gltf = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}], "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "buffers": [{"byteLength": len(positions)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(positions)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]}],
    }  # fmt: skip
    text = json.dumps(gltf).encode()
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<I4s", len(text), b"JSON") + text
    chunks += struct.pack("<I4s", len(positions), b"BIN\0") + positions
    path.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks)
    return path


def run(out: Path, work: Path) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QColor, QGuiApplication, QImage
    from PySide6.QtWidgets import QApplication

    from get3w_desktop.api.client import Get3WClient
    from get3w_desktop.core.catalogue import load_bundled, parse_catalogue
    from get3w_desktop.core.job import Job, JobState, TextOutput
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)

    def wait(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(round(seconds * 1000), loop.quit)
        loop.exec()

    def shot(name: str) -> None:
        wait(0.6)
        path = out / f"{name}.png"
        QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
        print(f"wrote {path}")

    real, _problems = parse_catalogue(json.loads(REAL.read_text("utf-8")), source="real")
    catalogue = real.merged_over(load_bundled())
    photo = work / "lighthouse.png"
    image = QImage(640, 420, QImage.Format.Format_RGB32)
    image.fill(QColor("#8fb3c9"))
    image.save(str(photo))
    with SandboxServer() as sandbox:
        client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
        runner = TaskRunner(client, work / "outputs")
        thumbnails = ThumbnailLoader(work / "thumbs")
        saver = FileCopier()
        service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
        jobs = JobListModel()
        win = MainWindow(catalogue, JobBook(runner, jobs), thumbnails,
                         FormMemory(work / "form.json"), service, saver,
                         state_file=work / "window.ini")  # fmt: skip
        win.show()
        wait(1.0)

        def choose(model_id: str) -> None:
            win.picker.select(model_id)
            win.picker.model_chosen.emit(model_id)
            wait(0.3)

        # The model browser: favourites starred, a few used, a kind chosen.
        for model_id in ("google/veo3.1-fast/text-to-video", "wavespeed-ai/flux-dev-lora",
                         "kwaivgi/kling-v2.6-pro/image-to-video"):  # fmt: skip
            win.picker.prefs.set_favourite(model_id, True)
        win.picker.source.set_favourites(win.picker.prefs.favourites())
        for model_id in ("bytedance/seedream-v4.5", LORA_MODEL, "wavespeed-ai/flux-dev-lora"):
            win.picker.note_used(model_id)
        choose("wavespeed-ai/flux-dev-lora")
        win.picker.focus_search()
        win.picker.search.setText("flux lora")
        shot("model-browser")

        # A LoRA form: the default LoRA as a row, the suggestions under it.
        win.picker.search.clear()
        choose(LORA_MODEL)
        prompt = win.form.field("prompt")
        if prompt is not None:
            prompt.set_value("The cake is squished flat by a giant hand, slow motion")
        field = win.form.field("image")
        if field is not None:
            field.set_value(photo.as_uri())
        loras = win.form.field("loras")
        if loras is not None:
            win.form.scroll_area.ensureWidgetVisible(loras, 0, 160)
        shot("lora-form")

        # A captioner's answer: text, selectable, with Copy and Save as .txt.
        choose(CAPTIONER)
        field = win.form.field("image")
        if field is not None:
            field.set_value(photo.as_uri())
        now = time.time()
        text_job = Job(CAPTIONER, win.form.values(), state=JobState.COMPLETED,
                       created_at=now - 9, submitted_at=now - 8, finished_at=now,
                       texts=(TextOutput(0, CAPTION),))  # fmt: skip
        jobs.upsert(text_job)
        win.select_job(text_job.local_id)
        shot("text-result")

        # A 3D model's answer: a .glb kept with its real extension, opened by the system.
        choose(MESHER)
        field = win.form.field("image")
        if field is not None:
            field.set_value(photo.as_uri())
        glb = tiny_glb(work / "outputs" / "tripo_0.glb")
        mesh_job = Job(MESHER, win.form.values(), state=JobState.COMPLETED, files=(str(glb),),
                       created_at=now - 40, submitted_at=now - 38, finished_at=now)  # fmt: skip
        jobs.upsert(mesh_job)
        win.select_job(mesh_job.local_id)
        shot("3d-result")

        win.close()
        runner.shutdown()
        saver.shutdown()
        thumbnails.shutdown()
        client.close()


def main() -> int:
    def shoot(out: Path) -> None:
        work = Path(os.environ["GET3W_HOME"]) / "work"
        (work / "outputs").mkdir(parents=True)
        run(out, work)

    return shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
