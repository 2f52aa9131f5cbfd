"""One model of each of the catalogue's 25 types, run through the window against the
sandbox as a person would: pick it, fill what the form requires, Generate, and see its
kind of result (a picture, a video, a sound, a text, a 3D file, a weights file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, ParamKind
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from get3w_desktop.ui.main_window import MainWindow
from tests.ui.test_every_model_form import SAMPLES
from tests.window_support import open_window

pytestmark = pytest.mark.slow

#: The viewer page each kind of result is shown on.
PAGES = {"image": "image", "video": "video", "audio": "audio", "text": "text", "3d": "file",
         "file": "file"}  # fmt: skip
SUFFIXES = {"image": (".png", ".jpg", ".jpeg", ".webp"), "video": (".mp4",), "audio": (".wav",),
            "3d": (".glb",), "file": (".safetensors",)}  # fmt: skip


def one_of_each_type(catalogue: Catalogue) -> list[ModelInfo]:
    first: dict[str, ModelInfo] = {}
    for model in catalogue:
        first.setdefault(model.type, model)
    return list(first.values())


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    # Every task takes 0.5 s of sandbox time, whatever its model's estimate.
    config = SandboxConfig(time_scale=0.02, render_scale=0.25, duration_fn=lambda _m, _p: 25.0)
    with (
        SandboxServer(config) as server,
        open_window(qtbot, tmp_path, server.base_url, max_concurrency=8) as win,
    ):
        yield win


def fill_required(win: MainWindow, model: ModelInfo) -> None:
    for spec in model.params:
        field = win.form.field(spec.name)
        if field is None or not spec.required or field.value() not in (None, "", []):
            continue
        sample = SAMPLES.get(spec.kind)
        if spec.kind is ParamKind.MEDIA_LIST and sample is not None:
            sample = sample[: spec.max_items or len(sample)]
        if sample is None and spec.enum:  # a required choice with no default: pick one
            sample = spec.enum[0]
        if sample is None:  # a required field of another kind: what a person would type
            sample = {"string": "en", "integer": spec.minimum or 1, "number": spec.minimum or 1,
                      "boolean": True}.get(spec.json_type)  # fmt: skip
        assert sample is not None, f"{model.model_id}: nothing to put in {spec.name}"
        assert field.set_value(sample), (model.model_id, spec.name)


# Moving on from a video that is still opening (the viewer's player, a row's poster frame)
# cancels FFmpeg's open, and FFmpeg says so; nothing is wrong.
@pytest.mark.qt_log_ignore("Immediate exit requested")
def test_one_model_of_each_type_runs_through_the_window(qtbot: QtBot, window: MainWindow) -> None:
    models = one_of_each_type(window.catalogue)
    assert len(models) == 25
    sent: dict[str, tuple[ModelInfo, Job]] = {}
    for model in models:
        window.picker.select(model.model_id)
        window.generate_panel.choose_model(model.model_id)
        fill_required(window, model)
        assert window.form.problems() == [], (model.model_id, window.form.problems())
        window.generate_panel.count.setValue(1)
        (job,) = window.generate()
        sent[job.local_id] = (model, job)

    def settled() -> bool:
        return all((j := window.book.job(i)) is not None and not j.state.active for i in sent)

    qtbot.waitUntil(settled, timeout=120_000)
    for local_id, (model, _job) in sent.items():
        done = window.book.job(local_id)
        assert done is not None
        assert done.state is JobState.COMPLETED, (model.model_id, done.state, done.error)
        kind = model.output_kind
        if kind == "text":
            assert done.texts and done.texts[0].text.strip() and not done.files, model.model_id
        else:
            assert done.files and all(f.endswith(SUFFIXES[kind]) for f in done.files), (
                model.model_id, done.files)  # fmt: skip
        window.select_job(local_id)
        page = PAGES[kind]
        qtbot.waitUntil(lambda: window.viewer.page() == page, timeout=10_000)  # noqa: B023
