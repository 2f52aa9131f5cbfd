from __future__ import annotations

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from get3w_desktop.ui.elided_label import ElidedLabel

LONG = "1 of 1 · f3863c9496bb4bb99d32b4cca89670dc_0.png · 2048 × 2048 · 47 KB"


def test_a_long_label_does_not_demand_its_width_but_keeps_its_text(qtbot: QtBot) -> None:
    label = ElidedLabel(LONG)
    qtbot.addWidget(label)
    full = label.fontMetrics().horizontalAdvance(LONG)
    assert label.minimumSizeHint().width() < full / 4
    assert label.text() == LONG
    label.resize(full // 3, 24)
    image = QImage(label.size(), QImage.Format.Format_ARGB32)
    label.render(image)  # paints without error at a third of its width
    assert label.toolTip() == LONG  # the cut text is available on hover
    label.resize(full + 20, 24)
    label.render(image)
    assert label.toolTip() == ""
