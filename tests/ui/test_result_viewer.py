"""The result viewer: the right page for every state and media type, zoom, gallery, details."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from get3w_desktop.core.errors import Action
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.ui.details_panel import format_value, timing_segments, total_seconds
from get3w_desktop.ui.human_names import file_name, human_name
from get3w_desktop.ui.result_viewer import EMPTY_MESSAGE, ResultViewer
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NOW = 1_700_000_000.0
TIMINGS = {"queue_wait": 1000, "celery_init": 500, "api_call": 6000, "save": 500,
           "run_overhead": 0, "total": 8100}  # fmt: skip


def make_image(path: Path, width: int = 1600, height: int = 1200, color: str = "#2a9d8f") -> str:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return str(path)


def make_wav(path: Path) -> str:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(
            b"".join(struct.pack("<h", int(4000 * math.sin(i / 5))) for i in range(4000))
        )
    return str(path)


def job(
    state: JobState = JobState.COMPLETED, files: tuple[str, ...] = (), **changes: object
) -> Job:
    task = Task(
        id="tsk_0123456789", status="completed", model="m", estimated_duration=52.0,
        timings=TIMINGS, extra={"cost": 0.039},
    )  # fmt: skip
    base = Job(
        "wavespeed-ai/flux-dev",
        {"prompt": "A lighthouse at dusk", "seed": 42, "enable_safety_checker": True},
        state=state,
        task=task,
        files=files,
        created_at=NOW - 13,
        submitted_at=NOW - 12,
        finished_at=None if state.active else NOW,
    )
    return base.evolve(**changes)


@pytest.fixture
def loader() -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader()
    yield made
    made.shutdown()


@pytest.fixture
def viewer(qtbot: QtBot, loader: ThumbnailLoader) -> Iterator[ResultViewer]:
    made = ResultViewer(loader, display_name=lambda _id: "FLUX.1 [dev]", clock=lambda: NOW)
    qtbot.addWidget(made)
    made.resize(900, 600)
    made.show()
    yield made
    made.shutdown()


def test_no_job_shows_the_friendly_empty_state(viewer: ResultViewer) -> None:
    viewer.show_job(None)
    assert viewer.page() == "empty"
    assert viewer.empty_page.body.text() == EMPTY_MESSAGE
    assert not viewer.header.isVisible() and not viewer.details.isVisible()


def test_a_running_job_shows_calm_progress(viewer: ResultViewer) -> None:
    viewer.show_job(job(JobState.RUNNING, note="Waiting for the network. Retrying in 4 s."))
    assert viewer.page() == "progress"
    assert viewer.progress_page.title.text() == "Generating…"
    assert viewer.progress_page.body.text() == "12 s of about 52 s"
    assert viewer.progress.maximum() == 1000
    assert viewer.progress.value() == round(12 / 52 * 1000)
    assert viewer.progress_page.hint.text() == "Waiting for the network. Retrying in 4 s."
    assert not viewer.save_button.isVisible()

    viewer.show_job(job(JobState.RUNNING, submitted_at=NOW - 80))
    assert viewer.progress.maximum() == 0  # past the estimate: busy, not stuck at 100 %
    assert "expected about 52 s" in viewer.progress_page.body.text()


@pytest.mark.parametrize(
    ("state", "action", "title", "hint"),
    [
        (JobState.FAILED, Action.TOP_UP, "This task failed", "Top up"),
        (JobState.FAILED, Action.NONE, "This task failed", "Re-run"),
        (JobState.UNCERTAIN, Action.CHOOSE, "Submission uncertain", "charged twice"),
        (JobState.NOT_SAVED, Action.RETRY, "Finished, but not saved", "Try again"),
        (JobState.CANCELLED, Action.NONE, "Stopped", "keeps running"),
    ],
)
def test_a_failed_job_says_what_happened_and_what_to_do(
    viewer: ResultViewer, state: JobState, action: Action, title: str, hint: str
) -> None:
    viewer.show_job(job(state, error="Your balance is too low.", error_action=action))
    assert viewer.page() == "error"
    assert viewer.error_page.title.text() == title
    assert viewer.error_page.body.text() == "Your balance is too low."
    assert hint in viewer.error_page.hint.text()


def test_a_completed_image_loads_in_full_off_the_gui_thread(
    qtbot: QtBot, viewer: ResultViewer, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "out.png", 1600, 1200)
    with qtbot.waitSignal(loader.image_ready, timeout=5000):
        viewer.show_job(job(files=(path,)))
        assert viewer.page() == "image"
    assert viewer.image_view.image_size() == (1600, 1200)
    assert not viewer.image_view.is_loading()
    assert "1600 × 1200" in viewer.subtitle.text()
    assert not viewer.gallery.isVisible()
    assert viewer.save_button.isVisible() and viewer.zoom_box.isVisible()


def test_zoom_in_out_fit_and_actual_size(
    qtbot: QtBot, viewer: ResultViewer, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    path = make_image(tmp_path / "out.png", 1600, 1200)
    with qtbot.waitSignal(loader.image_ready, timeout=5000):
        viewer.show_job(job(files=(path,)))
    view = viewer.image_view
    fitted = view.scale_factor()
    assert view.is_fitted() and fitted < 1.0
    area = view.viewport().rect()
    assert 1600 * fitted <= area.width() and 1200 * fitted <= area.height()

    view.zoom_in()
    assert view.scale_factor() == pytest.approx(fitted * 1.25)
    view.zoom_out()
    view.zoom_out()
    assert view.scale_factor() == pytest.approx(fitted / 1.25)
    view.actual_size()
    assert view.scale_factor() == pytest.approx(1.0)
    assert viewer.zoom_box.label.text() == "100%"

    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(fitted) and view.is_fitted()
    QTest.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale_factor() > fitted

    wheel = QWheelEvent(
        QPointF(100, 100), QPointF(view.mapToGlobal(QPoint(100, 100))), QPoint(0, 0),
        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    before = view.scale_factor()
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.scale_factor() == pytest.approx(before / 1.25)

    viewer.show_job(job(files=(path,)))  # a tick of the same job keeps the zoom
    assert view.scale_factor() == pytest.approx(before / 1.25)


def test_several_outputs_get_a_gallery(qtbot: QtBot, viewer: ResultViewer, tmp_path: Path) -> None:
    single = make_image(tmp_path / "single.png", 120, 100)
    viewer.show_job(job(files=(single,)))
    assert not viewer.gallery.isVisible() and viewer.gallery.count() == 0  # no tile drawn
    files = tuple(make_image(tmp_path / f"{i}.png", 200 + i, 100) for i in range(3))
    viewer.show_job(job(files=files))
    assert viewer.gallery.isVisible() and viewer.gallery.count() == 3
    assert viewer.current_file() == files[0]
    viewer.gallery.setCurrentRow(2)
    assert viewer.current_file() == files[2]
    assert viewer.subtitle.text().startswith("3 of 3 · ")
    assert "2.png" not in viewer.subtitle.text()  # the header names results, not files
    viewer.show_job(job(files=files[:1]))
    assert not viewer.gallery.isVisible()
    qtbot.wait(50)


def test_save_and_open_carry_the_current_file(
    qtbot: QtBot, viewer: ResultViewer, tmp_path: Path
) -> None:
    files = (make_image(tmp_path / "a.png", 64, 64), make_image(tmp_path / "b.png", 64, 64))
    viewer.show_job(job(files=files))
    viewer.show_file(1)
    with qtbot.waitSignal(viewer.save_requested, timeout=1000) as saved:
        QTest.mouseClick(viewer.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [files[1]]
    with qtbot.waitSignal(viewer.open_requested, timeout=1000) as opened:
        QTest.mouseClick(viewer.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [files[1]]


@pytest.mark.qt_log_ignore("Could not open media")  # the test's media are not real files
def test_video_and_audio_get_players(viewer: ResultViewer, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    viewer.show_job(job(files=(str(clip),)))
    assert viewer.page() == "video"
    assert viewer.player.is_video() and viewer.player.source == str(clip)
    assert not viewer.zoom_box.isVisible()

    voice = make_wav(tmp_path / "voice.wav")
    viewer.show_job(job(files=(voice,), model_id="get3w/tts"))
    assert viewer.page() == "audio"
    assert not viewer.player.is_video() and viewer.player.source == voice
    # The card names the result by what was asked, not by the file's hash.
    assert viewer.player.audio_card.title == "FLUX.1 [dev] · A lighthouse at dusk · seed 42"

    viewer.show_job(job(JobState.RUNNING))
    assert viewer.player.source == ""  # playback stops when the job changes


def test_a_broken_image_or_unknown_file_gets_the_file_page(
    qtbot: QtBot, viewer: ResultViewer, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 50)
    with qtbot.waitSignal(loader.image_failed, timeout=5000):
        viewer.show_job(job(files=(str(broken),)))
    assert viewer.page() == "file"
    assert "damaged" in viewer.file_card.hint.text()

    mesh = tmp_path / "mesh.glb"
    mesh.write_bytes(b"glTF")
    viewer.show_job(job(files=(str(mesh),)))
    assert viewer.page() == "file" and viewer.file_card.name.text() == "mesh.glb"
    assert viewer.file_card.kind_label.text() == "3D model"
    assert viewer.file_card.open_button.text() == "Open in 3D viewer"
    with qtbot.waitSignal(viewer.open_requested, timeout=1000) as opened:
        QTest.mouseClick(viewer.file_card.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [str(mesh)]


def test_outputs_not_all_saved_show_a_banner(viewer: ResultViewer, tmp_path: Path) -> None:
    path = make_image(tmp_path / "a.png", 64, 64)
    viewer.show_job(job(JobState.NOT_SAVED, files=(path,), error="The disk is full."))
    assert viewer.page() == "image"
    assert viewer.banner.isVisible() and "The disk is full." in viewer.banner.text()


def test_details_show_the_facts(viewer: ResultViewer) -> None:
    viewer.show_job(job(JobState.FAILED, error="nope"))
    details = viewer.details
    assert details.isVisible()
    assert details.model_name.text() == "FLUX.1 [dev]"
    assert details.model_id.text() == "wavespeed-ai/flux-dev"
    assert details.prompt.text() == "A lighthouse at dusk"
    assert details.prompt.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert details.task_id.text() == "tsk_0123456789"
    assert details.cost.text() == "Charged $0.039"  # what it cost, and that it was charged
    grid = details.params_grid
    cells = [item.widget() for i in range(grid.count()) if (item := grid.itemAt(i))]
    texts = [cell.text() for cell in cells if isinstance(cell, QLabel)]
    assert texts == ["Enable safety checker", "Yes", "Seed", "42"]  # the prompt is shown above
    assert details.total.text() == "8.1 s on the server\n12.0 s from submit to saved"
    viewer.details_button.setChecked(False)
    assert not details.isVisible()


def test_the_timings_chart_is_proportional(viewer: ResultViewer) -> None:
    segments = timing_segments(TIMINGS, 800)
    assert [s.key for s in segments] == ["queue_wait", "celery_init", "api_call", "save"]
    assert [s.width for s in segments] == pytest.approx([100, 50, 600, 50])
    assert [s.x for s in segments] == pytest.approx([0, 100, 150, 750])
    assert segments[2].label == "Generating" and segments[2].seconds == pytest.approx(6.0)

    odd = timing_segments({"api_call": 3000, "gpu_warmup": 1000, "save": -5, "total": 9}, 400)
    assert [(s.key, s.width) for s in odd] == [("api_call", 300), ("gpu_warmup", 100)]
    assert timing_segments({}, 400) == []
    assert total_seconds(TIMINGS) == pytest.approx(8.1)
    assert total_seconds({"api_call": 2500}) == pytest.approx(2.5)

    viewer.show_job(job(JobState.FAILED))
    chart = viewer.details.timings
    assert chart.isVisible()
    widths = [s.width for s in chart.segments()]
    assert sum(widths) == pytest.approx(chart.width())
    assert widths[2] == pytest.approx(chart.width() * 0.75)


def test_parameter_values_read_well() -> None:
    assert format_value(True) == "Yes"
    assert format_value(0.30000000001) == "0.3"
    assert format_value([1, 2]) == "[1, 2]"
    assert format_value("x" * 500).endswith("…") and len(format_value("x" * 500)) == 121


def test_a_viewer_without_a_loader_makes_and_stops_its_own(qtbot: QtBot, tmp_path: Path) -> None:
    viewer = ResultViewer()
    qtbot.addWidget(viewer)
    path = make_image(tmp_path / "a.png", 300, 200)
    with qtbot.waitSignal(viewer._loader.image_ready, timeout=5000):
        viewer.show_job(job(files=(path,)))
    assert viewer.image_view.image_size() == (300, 200)
    viewer.shutdown()


def test_the_header_names_a_result_by_model_prompt_and_seed(
    qtbot: QtBot, viewer: ResultViewer, tmp_path: Path
) -> None:
    picture = tmp_path / "1aacafc2485a4393b9ab0c8d7e6f5a4b.png"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    image.save(str(picture))
    viewer.show_job(job(files=(str(picture),)))
    qtbot.waitUntil(lambda: "64 × 48" in viewer.subtitle.text())
    assert viewer.title.text() == "FLUX.1 [dev] · A lighthouse at dusk · seed 42"
    assert "1aacafc2" not in viewer.subtitle.text() and "1aacafc2" not in viewer.title.text()


def test_human_names_cut_long_prompts_at_a_word() -> None:
    long = job(params={"prompt": "A very long prompt about a lighthouse standing at dawn in fog"})
    name = human_name(long, "FLUX.1 [dev]")
    assert name == "FLUX.1 [dev] · A very long prompt about a lighthouse…"
    assert human_name(job(params={}), None) == "wavespeed-ai/flux-dev"
    two = job(files=("/a/x.png", "/a/y.png"))
    assert file_name(two, "/a/y.png", "M") == "M · A lighthouse at dusk · seed 42 · 2 of 2"


def test_the_result_s_name_has_the_header_s_width_above_the_actions(
    qtbot: QtBot, viewer: ResultViewer, tmp_path: Path
) -> None:
    viewer.resize(640, 600)
    viewer.show()
    viewer.show_job(job(files=(make_image(tmp_path / "out.png", 800, 600),)))
    qtbot.waitUntil(viewer.tool_row.isVisible)
    assert viewer.title.width() > viewer.header.width() * 0.6  # it was cut to "FLUX.1 …"
    assert viewer.title.geometry().bottom() < viewer.tool_row.geometry().top()
    viewer.show_job(job(JobState.FAILED))  # nothing to zoom, open or save: no empty row
    assert viewer.tool_row.isHidden()
