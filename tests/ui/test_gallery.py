"""The gallery: a group's results as a grid; arrows move, Enter opens one in the viewer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.gallery import group_of
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.workers.thumbnails import ThumbnailLoader


def picture(path: Path, color: str) -> str:
    image = QImage(96, 64, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    image.save(str(path))
    return str(path)


def variations(tmp_path: Path) -> list[Job]:
    colors = ("teal", "orange", "purple")
    return [
        Job(
            "wavespeed-ai/flux-dev",
            {"prompt": "A lighthouse at dawn", "seed": 40 + i},
            state=JobState.COMPLETED,
            created_at=1000.0 + i,
            files=(picture(tmp_path / f"{i:032x}.png", color),),
        )
        for i, color in enumerate(colors)
    ]


@pytest.fixture
def setup(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[ResultViewer, list[Job]]]:
    loader = ThumbnailLoader(cache_dir=tmp_path / "thumbs")
    jobs = variations(tmp_path)
    lone = Job("wavespeed-ai/flux-dev", {"prompt": "An owl", "seed": 1},
               state=JobState.COMPLETED, created_at=1001.0)  # fmt: skip
    everything = [*jobs, lone]
    viewer = ResultViewer(loader, display_name=lambda _id: "FLUX.1 [dev]",
                          group_of=lambda job: group_of(job, everything))  # fmt: skip
    by_id = {job.local_id: job for job in everything}
    viewer.job_requested.connect(lambda local_id: viewer.show_job(by_id[local_id]))
    qtbot.addWidget(viewer)
    viewer.resize(900, 600)
    viewer.show()
    yield viewer, [*jobs, lone]
    viewer.shutdown()
    loader.shutdown()


def test_variations_show_as_a_grid_named_like_people_remember(
    qtbot: QtBot, setup: tuple[ResultViewer, list[Job]]
) -> None:
    viewer, jobs = setup
    viewer.show_job(jobs[1])
    assert viewer.gallery_button.isVisible()
    viewer.gallery_button.click()
    assert viewer.page() == "gallery"
    grid = viewer.grid
    assert grid.count() == 3
    assert [r[0] for r in grid.results()] == [j.local_id for j in jobs[:3]]
    # Under each tile what tells it apart; the whole name is the tip and the spoken name.
    labels = [grid.item(row).text() for row in range(3)]
    assert labels == ["seed 40", "seed 41", "seed 42"]
    full = grid.item(0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert full == grid.item(0).toolTip() == "FLUX.1 [dev] · A lighthouse at dawn · seed 40"
    assert all("0000" not in grid.item(row).toolTip() for row in range(3))  # no hashes
    assert grid.current_result() == (jobs[1].local_id, jobs[1].files[0])  # the shown one
    assert grid.accessibleName() == "Gallery"

    # Thumbnails arrive off the GUI thread: the tiles become real pictures.
    def teal_tile() -> bool:
        image = grid.item(0).icon().pixmap(grid.iconSize()).toImage()
        return image.pixelColor(image.width() // 2, image.height() // 2) == QColor("teal")

    qtbot.waitUntil(teal_tile)


def test_arrows_move_and_enter_opens_a_result(
    qtbot: QtBot, setup: tuple[ResultViewer, list[Job]]
) -> None:
    viewer, jobs = setup
    viewer.show_job(jobs[0])
    viewer.show_gallery()
    grid = viewer.grid
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    assert grid.current_result() == (jobs[2].local_id, jobs[2].files[0])
    QTest.keyClick(grid, Qt.Key.Key_Left)
    assert grid.current_result() == (jobs[1].local_id, jobs[1].files[0])
    with qtbot.waitSignal(viewer.job_requested) as asked:
        QTest.keyClick(grid, Qt.Key.Key_Return)
    assert asked.args == [jobs[1].local_id]
    assert not viewer.gallery_button.isChecked()
    assert viewer.current_job() == jobs[1] and viewer.current_file() == jobs[1].files[0]
    assert viewer.page() == "image"
    assert viewer.title.text() == "FLUX.1 [dev] · A lighthouse at dawn · seed 41"


def test_a_task_on_its_own_has_no_gallery(setup: tuple[ResultViewer, list[Job]]) -> None:
    viewer, jobs = setup
    viewer.show_job(jobs[3])
    assert not viewer.gallery_button.isVisible()
    viewer.show_gallery()
    assert viewer.page() != "gallery" and not viewer.gallery_button.isChecked()
