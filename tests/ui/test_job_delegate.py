"""The task list's delegate paints every state, sizes rows sanely and repaints on thumbnails."""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QListView, QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.resources import resource_path
from get3w_desktop.core.task import Task
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole
from get3w_desktop.ui.job_delegate import (
    PAD,
    ROW_HEIGHT,
    THUMB,
    JobDelegate,
    crop_rect,
    format_duration,
    note_text,
    state_color,
    status_text,
)
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NOW = 1_700_000_000.0
WIDTH = 520


def make_image(path: Path, color: str) -> str:
    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return str(path)


def job(state: JobState, **changes: object) -> Job:
    task = Task(id="tsk_1", status="processing", model="m", estimated_duration=52.0)
    base = Job(
        "wavespeed-ai/flux-dev",
        {"prompt": "A lighthouse at dusk, oil painting"},
        state=state,
        task=task,
        created_at=NOW - 13,
        submitted_at=NOW - 12,
        finished_at=None if state.active else NOW - 2,
        error="The safety filter flagged this prompt." if not state.active else None,
    )
    return base.evolve(**changes)


@pytest.fixture
def loader() -> Iterator[ThumbnailLoader]:
    made = ThumbnailLoader()
    yield made
    made.shutdown()


@pytest.fixture
def delegate(qapp: QApplication, loader: ThumbnailLoader) -> JobDelegate:
    return JobDelegate(loader, None, lambda model_id: "FLUX.1 [dev]", clock=lambda: NOW)


def render(
    delegate: JobDelegate, item: Job, palette: QPalette | None = None, selected: bool = False
) -> QImage:
    model = JobListModel()
    model.upsert(item)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, WIDTH, ROW_HEIGHT)
    option.palette = palette or QApplication.palette()
    option.font = QApplication.font()
    option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
    if selected:
        option.state |= QStyle.StateFlag.State_Selected
    image = QImage(WIDTH, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(option.palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    return image


def count_near(
    image: QImage, color: QColor, tolerance: int = 40, region: QRect | None = None
) -> int:
    area = region or image.rect()
    found = 0
    for y in range(area.top(), area.bottom() + 1, 1):
        for x in range(area.left(), area.right() + 1, 2):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - color.red()) <= tolerance
                and abs(pixel.green() - color.green()) <= tolerance
                and abs(pixel.blue() - color.blue()) <= tolerance
            ):
                found += 1
    return found


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#1b1c1f"),
        (QPalette.ColorRole.Text, "#e8eaed"), (QPalette.ColorRole.Highlight, "#3d7bfd"),
    ):  # fmt: skip
        palette.setColor(role, QColor(color))
    return palette


@pytest.mark.parametrize("state", list(JobState))
@pytest.mark.parametrize("dark", [False, True])
def test_every_state_paints_its_chip_in_its_colour(
    delegate: JobDelegate, state: JobState, dark: bool
) -> None:
    palette = dark_palette() if dark else QApplication.palette()
    image = render(delegate, job(state), palette)
    chip_area = QRect(WIDTH - 200, 0, 200, ROW_HEIGHT // 2)
    assert count_near(image, state_color(state, palette), 30, chip_area) >= 5
    background = palette.color(QPalette.ColorRole.Base)
    assert count_near(image, background, 2) < (WIDTH * ROW_HEIGHT) // 2 * 0.97  # not blank


@pytest.mark.parametrize("state", [JobState.FAILED, JobState.NOT_SAVED, JobState.UNCERTAIN])
def test_failed_jobs_show_the_error_in_the_error_colour(
    delegate: JobDelegate, state: JobState
) -> None:
    palette = QApplication.palette()
    image = render(delegate, job(state), palette)
    line3 = QRect(PAD + THUMB + 16, ROW_HEIGHT // 2 + 8, 300, ROW_HEIGHT // 2 - 10)
    assert count_near(image, state_color(state, palette), 40, line3) >= 20
    done = render(delegate, job(JobState.COMPLETED), palette)
    assert count_near(done, state_color(state, palette), 40, line3) == 0


def test_selection_and_files_paint_without_errors(delegate: JobDelegate, tmp_path: Path) -> None:
    files = tuple(str(tmp_path / name) for name in ("a.mp4", "b.wav", "c.glb"))
    for item in (
        job(JobState.COMPLETED, files=files),
        job(JobState.RUNNING, note="Waiting for the network. Retrying in 4 s.", overdue=True),
        job(JobState.RUNNING, submitted_at=NOW - 400),  # past the estimate: indeterminate
        job(JobState.QUEUED, params={}, task=None),
    ):
        selected = render(delegate, item, selected=True)
        plain = render(delegate, item)
        assert selected != plain


def test_the_first_image_becomes_the_thumbnail_once_ready(
    qtbot: QtBot, delegate: JobDelegate, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    red = make_image(tmp_path / "red.png", "#ff0000")
    item = job(JobState.COMPLETED, files=(red, str(tmp_path / "other.png")))
    centre = QRect(PAD + 4 + THUMB // 2 - 8, ROW_HEIGHT // 2 - 8, 16, 16)
    with qtbot.waitSignal(loader.ready, timeout=5000):
        before = render(delegate, item)  # asks the loader, paints a placeholder meanwhile
    assert count_near(before, QColor("#ff0000"), 20, centre) == 0
    after = render(delegate, item)
    assert count_near(after, QColor("#ff0000"), 20, centre) >= 50


def test_repaints_copy_each_thumbnail_tile_instead_of_drawing_it_again(
    qtbot: QtBot, delegate: JobDelegate, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    """A progress tick repaints every visible row: each row's rounded tile (picture or
    placeholder glyph) is drawn once and copied after that, and still looks the same."""
    red = make_image(tmp_path / "red.png", "#ff0000")
    picture = job(JobState.COMPLETED, files=(red,))
    with qtbot.waitSignal(loader.ready, timeout=5000):
        render(delegate, picture)  # the placeholder, while the thumbnail decodes
    running = [job(JobState.RUNNING, local_id=f"run-{i}") for i in range(5)]
    first = [render(delegate, item) for item in (picture, *running)]
    built = delegate.tiles.built
    assert built >= 2  # the picture's tile and the running glyph's
    for _tick in range(3):
        again = [render(delegate, item) for item in (picture, *running)]
        assert again == first  # pixel for pixel
    assert delegate.tiles.built == built
    render(delegate, job(JobState.FAILED))  # another glyph and colour: one more tile
    assert delegate.tiles.built == built + 1
    centre = QRect(PAD + 4 + THUMB // 2 - 8, ROW_HEIGHT // 2 - 8, 16, 16)
    assert count_near(first[0], QColor("#ff0000"), 20, centre) >= 50


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_ready_thumbnail_repaints_the_view(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    model = JobListModel()
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegate(JobDelegate(loader, view))
    paints = PaintCounter()
    view.viewport().installEventFilter(paints)
    at_ready: list[int] = []
    loader.ready.connect(lambda *_: at_ready.append(paints.count))
    path = make_image(tmp_path / "a.png", "#00ff00")
    model.upsert(job(JobState.COMPLETED, files=(path,)))
    view.resize(500, 300)
    with qtbot.waitSignal(loader.ready, timeout=5000):
        view.show()  # the first paint asks for the thumbnail
    qtbot.waitUntil(lambda: paints.count > at_ready[0], timeout=2000)
    assert loader.request(path, 128) is not None


def test_size_hint_is_a_sane_row(delegate: JobDelegate) -> None:
    option = QStyleOptionViewItem()
    option.font = QApplication.font()
    model = JobListModel()
    model.upsert(job(JobState.RUNNING))
    hint = delegate.sizeHint(option, model.index(0, 0))
    assert ROW_HEIGHT <= hint.height() <= 120
    assert hint.width() >= 200
    big = QFont(option.font)
    big.setPointSizeF(option.font.pointSizeF() * 2.5)
    option.font = big
    assert delegate.sizeHint(option, model.index(0, 0)).height() > hint.height()


def test_texts_for_people() -> None:
    assert format_duration(12.7) == "12 s"
    assert format_duration(65) == "1 min 05 s"
    assert format_duration(3720) == "1 h 02 min"
    assert status_text(job(JobState.RUNNING), NOW) == "12 s of about 52 s"
    late = job(JobState.RUNNING, submitted_at=NOW - 65)
    assert status_text(late, NOW) == "1 min 05 s · expected about 52 s"
    assert (
        status_text(job(JobState.COMPLETED, files=("a", "b")), NOW) == "Finished in 10 s · 2 files"
    )
    assert status_text(job(JobState.FAILED), NOW) == "The safety filter flagged this prompt."
    assert note_text(job(JobState.RUNNING, overdue=True)) == "Taking longer than usual"
    assert note_text(job(JobState.RUNNING, note="Retrying in 4 s")) == "Retrying in 4 s"
    assert note_text(job(JobState.COMPLETED, overdue=True)) == ""


def test_crop_keeps_the_centre_with_the_target_aspect() -> None:
    assert crop_rect(200, 100, QRectF(0, 0, 64, 64)) == QRectF(50, 0, 100, 100)
    assert crop_rect(100, 300, QRectF(0, 0, 64, 64)) == QRectF(0, 100, 100, 100)
    assert crop_rect(0, 0, QRectF(0, 0, 64, 64)) == QRectF(0, 0, 0, 0)


@pytest.mark.qt_log_ignore("No HW decoder", "No RHI backend", "ensureRhi")
def test_a_video_row_shows_its_poster_and_a_sound_row_its_waveform(
    qtbot: QtBot, delegate: JobDelegate, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    centre = QRect(PAD + 4, ROW_HEIGHT // 2 - 20, THUMB - 8, 40)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(resource_path("sandbox", "clip_16x9_silent.mp4").read_bytes())
    sound = str(tmp_path / "voice.wav")
    with wave.open(sound, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(i * 3 * math.sin(i / 3)))
                                 for i in range(8000)))  # fmt: skip
    for path, colour in ((str(clip), None), (sound, QColor(59, 130, 246))):
        item = job(JobState.COMPLETED, files=(path,))
        with qtbot.waitSignal(loader.ready, timeout=20000):
            before = render(delegate, item)  # the film or note glyph meanwhile
        after = render(delegate, item)
        assert after != before
        if colour is not None:
            assert count_near(after, colour, 30, centre) >= 30  # the waveform's bars


def test_scrolling_many_rows_keeps_the_thumbnail_memory_at_its_bound(
    qtbot: QtBot, loader: ThumbnailLoader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from get3w_desktop.workers import thumbnails

    one = 128 * 85 * 4  # a 300 x 200 picture as a 128 px RGB32 thumbnail
    monkeypatch.setattr(thumbnails, "MEMORY_BYTES", 12 * one)
    monkeypatch.setattr(thumbnails, "MEMORY_MIN_ENTRIES", 6)
    model = JobListModel()
    for i in range(60):
        path = make_image(tmp_path / f"{i}.png", f"#{(i * 4) % 256:02x}80c0")
        model.upsert(job(JobState.COMPLETED, local_id=f"job{i:03d}", files=(path,)))
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegate(JobDelegate(loader, view, clock=lambda: NOW))
    view.resize(WIDTH, 4 * ROW_HEIGHT)
    view.show()
    bar = view.verticalScrollBar()

    def visible_paths() -> list[str]:
        rows = range(view.indexAt(view.viewport().rect().topLeft()).row(), model.rowCount())
        shown = [model.index(r, 0) for r in rows]
        shown = [i for i in shown if view.visualRect(i).intersects(view.viewport().rect())]
        return [i.data(JobRole.JOB).files[0] for i in shown]

    def all_shown(paths: list[str]) -> Callable[[], bool]:
        return lambda: all(loader.request(p, 2 * THUMB) is not None for p in paths)

    seen: set[str] = set()
    while True:
        paths = visible_paths()
        seen.update(paths)
        qtbot.waitUntil(all_shown(paths), timeout=5000)
        assert loader.memory_bytes <= 12 * one
        if bar.value() >= bar.maximum():
            break
        bar.setValue(bar.value() + bar.pageStep())
    assert len(seen) == 60  # every row was on screen and got its thumbnail
    assert loader.memory_bytes == 12 * one  # full, not over
    assert all(loader.request(p, 2 * THUMB) is not None for p in visible_paths())


def test_at_a_device_pixel_ratio_of_three_the_row_tiles_stay_within_their_bytes(
    qtbot: QtBot, delegate: JobDelegate, loader: ThumbnailLoader, tmp_path: Path
) -> None:
    from get3w_desktop.ui.row_tiles import MAX_BYTES, MIN_TILES

    paths = []
    for i in range(80):  # small pictures: all 80 thumbnails fit the thumbnail cache at once
        image = QImage(96, 64, QImage.Format.Format_RGB32)
        image.fill(QColor(f"#{(i * 3) % 256:02x}40a0"))
        assert image.save(str(tmp_path / f"{i}.png"))
        paths.append(str(tmp_path / f"{i}.png"))
    side = int(2 * THUMB * 3)  # what the delegate asks for at a ratio of 3
    for path in paths:
        loader.request(path, side)
    qtbot.waitUntil(lambda: all(loader.request(p, side) is not None for p in paths), timeout=20000)
    model = JobListModel()
    for i, path in enumerate(paths):
        model.upsert(job(JobState.COMPLETED, local_id=f"job{i:03d}", files=(path,)))
    option = QStyleOptionViewItem()
    option.palette, option.font = QApplication.palette(), QApplication.font()
    option.state = QStyle.StateFlag.State_Enabled
    canvas = QImage(3 * WIDTH, 3 * ROW_HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.setDevicePixelRatio(3.0)
    for row in range(model.rowCount()):
        option.rect = QRect(0, 0, WIDTH, ROW_HEIGHT)
        painter = QPainter(canvas)
        delegate.paint(painter, option, model.index(row, 0))
        painter.end()
    one = (3 * THUMB) ** 2 * 4  # a tile of 192 x 192 px
    assert delegate.tiles.built == 80
    assert len(delegate.tiles) == MIN_TILES  # 64 x 144 KiB = 9 MiB: the minimum, not 80
    assert delegate.tiles.bytes == MIN_TILES * one > MAX_BYTES
