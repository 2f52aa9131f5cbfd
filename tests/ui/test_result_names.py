"""Results are named by what was asked (model · prompt · seed) in the window, not by hashes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import JobState
from get3w_desktop.sandbox.server import SandboxServer
from get3w_desktop.ui.human_names import distinct_names
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.param_fields.media_chips import MediaChip, chip_name
from tests.window_support import open_window

FLUX = "wavespeed-ai/flux-dev"
EDIT = "google/nano-banana-pro/edit"


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as win:
        yield win


def test_the_header_and_the_chips_name_a_result_by_its_task(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    win = window
    win.picker.select(FLUX)
    win.generate_panel.choose_model(FLUX)
    for name, value in (("prompt", "A lighthouse at dawn"), ("seed", 42)):
        field = win.form.field(name)
        assert field is not None and field.set_value(value)
    win.generate_panel.count.setValue(1)
    (sent,) = win.generate()
    qtbot.waitUntil(lambda: (j := win.book.job(sent.local_id)) is not None
                    and j.state is JobState.COMPLETED, timeout=20000)  # fmt: skip
    job = win.book.job(sent.local_id)
    assert job is not None and job.files
    win.select_job(job.local_id)
    qtbot.waitUntil(lambda: win.viewer.page() == "image", timeout=10000)
    model = win.model_name(FLUX)
    assert model != FLUX  # the catalogue's display name
    human = f"{model} · A lighthouse at dawn · seed 42"
    assert win.viewer.title.text() == human
    assert Path(job.files[0]).stem not in win.viewer.subtitle.text()

    # The output dropped into another model's image field: the chip says what it is.
    win.picker.select(EDIT)
    win.generate_panel.choose_model(EDIT)
    images = win.form.field("images")
    assert images is not None
    assert images.set_value([QUrl.fromLocalFile(job.files[0]).toString()])
    chips = win.form.findChildren(MediaChip)
    assert chips and chips[0].remove_button.accessibleName() == f"Remove {human}"

    # A file no task made keeps its own name.
    other = tmp_path / "holiday.png"
    other.write_bytes(b"")
    assert chip_name(str(other)) == "holiday.png"


def test_side_by_side_names_leave_out_only_what_every_tile_shares() -> None:
    same = [["FLUX", "A fox", "seed 1"], ["FLUX", "A fox", "seed 2"]]
    assert distinct_names(same) == ["seed 1", "seed 2"]
    prompts = [["FLUX", "A fox", "seed 1"], ["FLUX", "A cat", "seed 1"]]
    assert distinct_names(prompts) == ["A fox · seed 1", "A cat · seed 1"]
    models = [["FLUX", "A fox"], ["Veo", "A fox"]]
    assert distinct_names(models) == ["FLUX · A fox", "Veo · A fox"]
    assert distinct_names([["FLUX", "A fox", "seed 1"]]) == ["FLUX · A fox · seed 1"]
    twins = [["FLUX", "A fox"], ["FLUX", "A fox"]]  # never an empty label
    assert distinct_names(twins) == ["A fox", "A fox"]
