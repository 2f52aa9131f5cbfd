"""The details panel wraps inside its column at every width: nothing is cut at the right edge."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.ui.details_panel import DetailsPanel, TimingsChart

LONG_ID = "c6ba99160f1e4b2a8d3c5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b"
PROMPT = (
    "A lighthouse on a rocky coast at dawn, see https://example.com/a/very/long/reference/"
    "path/that/never/breaks/anywhere/at/all.png soft golden light"
)


def _job() -> Job:
    task = Task(
        id=LONG_ID, status="completed",
        timings={"queue_wait": 1200, "celery_init": 800, "api_call": 6100, "save": 400,
                 "run_overhead": 300, "total": 8800},
        extra={"cost": 0.012},
    )  # fmt: skip
    return Job(
        "wavespeed-ai/flux-dev",
        {"prompt": PROMPT, "image": "https://cdn.example.com/" + "x" * 90 + ".png", "seed": 7},
        state=JobState.COMPLETED, task=task, created_at=1_700_000_000.0,
        finished_at=1_700_000_010.0,
    )  # fmt: skip


@pytest.mark.parametrize("width", [240, 300, 420, 640])
def test_every_line_fits_the_column(qtbot: QtBot, width: int) -> None:
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.resize(width, 1400)
    panel.set_job(_job(), "FLUX.1 [dev]")
    panel.show()
    qtbot.waitExposed(panel)
    body = panel.widget()
    assert body is not None
    qtbot.waitUntil(lambda: body.width() <= panel.viewport().width(), timeout=2000)
    right = panel.viewport().width()
    for child in body.findChildren(QLabel) + body.findChildren(TimingsChart):
        if not child.isVisible():
            continue
        if isinstance(child, QLabel) and child.text():  # nothing squeezed to nothing either
            first = child.text().split()[0][:4]
            assert child.width() >= child.fontMetrics().horizontalAdvance(first), child.text()
        edge = child.mapTo(body, child.rect().topRight()).x()
        name = child.text() if isinstance(child, QLabel) else type(child).__name__
        assert edge < right, f"{name!r} ends at {edge}, past {right}"
    prompt = panel.prompt
    assert prompt.height() >= prompt.heightForWidth(prompt.width())  # every wrapped line shown
    assert prompt.height() >= 2 * prompt.fontMetrics().height()  # it wraps, it is not cut
    assert panel.task_id.text() == LONG_ID  # whole for copying, however it is painted


def test_showing_another_task_leaves_no_old_rows_behind(qtbot: QtBot) -> None:
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 900)
    panel.set_job(_job(), "FLUX.1 [dev]")
    panel.show()
    qtbot.waitExposed(panel)
    other = Job("m/x", {"prompt": "a fox", "channel": "stable"}, state=JobState.COMPLETED)
    panel.set_job(other, "Other")  # before the event loop runs: the old rows still exist
    body = panel.widget()
    assert body is not None

    def shown() -> list[str]:
        return [w.text() for w in body.findChildren(QLabel) if w.isVisible() and w.text()]

    assert "Seed" not in shown() and "Image" not in shown()  # the previous task's rows: gone
    qtbot.waitUntil(lambda: "Channel" in shown() and "stable" in shown(), timeout=2000)


def test_showing_task_after_task_reuses_the_parameter_rows(qtbot: QtBot) -> None:
    """Following finished tasks refills the same labels: no label is built per task."""
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.set_job(_job(), "FLUX.1 [dev]")  # image and seed (the prompt is shown above)
    panel.show()
    qtbot.waitExposed(panel)
    body = panel.widget()
    assert body is not None
    built = len(body.findChildren(QLabel))
    for seed in range(5):
        panel.set_job(Job("m/x", {"prompt": "a fox", "seed": seed, "size": "1024*1024"}), "X")
        assert len(body.findChildren(QLabel)) == built
        shown = [w.text() for w in body.findChildren(QLabel) if w.isVisible() and w.text()]
        assert "Seed" in shown and str(seed) in shown and "1024*1024" in shown
        assert "Image" not in shown
    panel.set_job(Job("m/x", {"prompt": "a fox", "a": 1, "b": 2, "c": 3}), "X")
    assert len(body.findChildren(QLabel)) == built + 2  # one more row: a name and a value
