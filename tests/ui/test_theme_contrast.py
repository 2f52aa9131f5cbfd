"""A live theme switch repaints every label readably (WCAG contrast, measured on the pixels)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.settings import Theme
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.ui.style import set_tone
from get3w_desktop.ui.theme import apply_theme
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

NANO = "google/nano-banana-pro/text-to-image"
MINIMUM = 4.5


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    r, g, b = (_channel(c) for c in (color.redF(), color.greenF(), color.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_follows_wcag() -> None:
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast(QColor("#444444"), QColor("#333333")) < 1.5


def rendered_colors(image: QImage) -> tuple[QColor, QColor]:
    """(background, text) of a label as painted: the commonest pixel, and the pixel that
    stands out from it most (a glyph's solid stem)."""
    counts: Counter[int] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            counts[image.pixel(x, y)] += 1
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    text = max((QColor.fromRgb(p) for p in counts), key=lambda c: contrast(c, background))
    return background, text


def poor_labels(window: QWidget) -> list[str]:
    shot = window.grab().toImage()
    ratio = shot.devicePixelRatio()
    found: list[str] = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text().strip() or label.pixmap().width():
            continue
        # Only what a person sees: a label scrolled out of its scroll area has no visible
        # region, and its rectangle on the screen shows whatever is painted there instead.
        seen = label.visibleRegion().boundingRect()
        if seen.width() < 4 or seen.height() < 4:
            continue
        top_left = label.mapTo(window, seen.topLeft())
        crop = shot.copy(int(top_left.x() * ratio), int(top_left.y() * ratio),
                         int(seen.width() * ratio), int(seen.height() * ratio))  # fmt: skip
        background, text = rendered_colors(crop)
        if background == text:  # nothing painted (clipped away inside a scroll area)
            continue
        value = contrast(background, text)
        if value < MINIMUM:
            found.append(f"{label.objectName() or label.text()[:40]!r}: {value:.2f}:1 "
                         f"({text.name()} on {background.name()})")  # fmt: skip
    return found


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style_name, palette = app.style().name(), app.palette()
    catalogue = load_bundled()
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(client, tmp_path / "outputs", schedule=ScheduleParams().scaled(0.02))
    thumbnails = ThumbnailLoader(tmp_path / "thumbs")
    saver = FileCopier()
    service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
    apply_theme(Theme.LIGHT)
    win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                     FormMemory(tmp_path / "form.json"), service, saver,
                     state_file=tmp_path / "window.ini")  # fmt: skip
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win
    win.close()
    runner.shutdown()
    saver.shutdown()
    thumbnails.shutdown()
    client.close()
    app.setStyle(style_name)
    app.setPalette(palette)
    QApplication.styleHints().unsetColorScheme()


def test_every_label_stays_readable_through_live_theme_switches(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.picker.select(NANO)
    window.generate_panel.choose_model(NANO)
    prompt = window.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A lighthouse at dusk")
    qtbot.keyClick(window.form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (job := window.current_job()) is not None and job.state is JobState.COMPLETED,
        timeout=20000,
    )
    labels = [w for w in window.findChildren(QLabel) if w.isVisibleTo(window) and w.text()]
    assert len(labels) > 10  # a real window: headings, prices, ids, descriptions

    for theme, dark in ((Theme.LIGHT, False), (Theme.DARK, True), (Theme.LIGHT, False)):
        apply_theme(theme)
        qtbot.wait(50)
        window_color = window.palette().color(window.backgroundRole())
        assert (window_color.lightness() < 128) is dark
        assert poor_labels(window) == [], theme


def test_toned_text_takes_the_new_themes_shade(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style_name, palette = app.style().name(), app.palette()
    try:
        apply_theme(Theme.LIGHT)
        error = QLabel("The key was refused.")
        set_tone(error, "error")
        plain = QLabel("Plain")
        set_tone(plain, "good")
        set_tone(plain, None)
        qtbot.addWidget(error)
        qtbot.addWidget(plain)
        for theme in (Theme.DARK, Theme.LIGHT, Theme.DARK):
            apply_theme(theme)
            window = app.palette().color(QPalette.ColorRole.Window)
            shown = QColor(error.styleSheet().removeprefix("color: ").rstrip(";"))
            assert shown.isValid()
            assert contrast(shown, window) >= MINIMUM, theme
            assert plain.styleSheet() == ""
    finally:
        app.setStyle(style_name)
        app.setPalette(palette)
        QApplication.styleHints().unsetColorScheme()
