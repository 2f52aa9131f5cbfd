"""The main window's arrangement: the model picker, the generate panel and the result over
the task list side by side, the sandbox banner above them, the service badge, balance and
activity in the status bar.

Built here (without texts) like a Designer form; MainWindow words and feeds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from get3w_desktop.ui.service_bar import SandboxBanner, ServiceBadge

if TYPE_CHECKING:
    from get3w_desktop.ui.main_window import MainWindow


class WindowLayout:
    """What `build_layout` adds to the window (MainWindow mixes these names in)."""

    main_split: QSplitter  # picker | generate panel | result and tasks
    right_split: QSplitter  # result over tasks
    banner: SandboxBanner
    key_button: QPushButton
    service_label: ServiceBadge
    balance_label: QLabel
    activity_label: QLabel


def build_layout(window: MainWindow) -> None:
    """The panels side by side, the sandbox banner over them, the badges in the status bar."""
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(12, 12, 6, 12)
    left_layout.addWidget(window.picker)

    right = QSplitter(Qt.Orientation.Vertical)
    right.addWidget(window.viewer)
    right.addWidget(window.tasks)
    right.setStretchFactor(0, 3)
    right.setStretchFactor(1, 2)
    right_holder = QWidget()
    right_layout = QVBoxLayout(right_holder)
    right_layout.setContentsMargins(6, 12, 12, 12)
    right_layout.addWidget(right)

    split = QSplitter(Qt.Orientation.Horizontal)
    for widget in (left, window.generate_panel, right_holder):
        split.addWidget(widget)
    left.setMinimumWidth(250)
    window.generate_panel.setMinimumWidth(380)
    split.setSizes([270, 430, 780])
    split.setStretchFactor(0, 0)
    split.setStretchFactor(1, 0)
    split.setStretchFactor(2, 1)
    split.setChildrenCollapsible(False)
    window.main_split, window.right_split = split, right

    central = QWidget()
    column = QVBoxLayout(central)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    window.banner = SandboxBanner()
    window.banner.key_requested.connect(window.key_requested)
    window.key_button = window.banner.key_button
    column.addWidget(window.banner)
    column.addWidget(split, 1)
    window.setCentralWidget(central)

    window.service_label = ServiceBadge()
    window.service_label.profile_chosen.connect(window.profile_chosen)
    window.service_label.manage_requested.connect(window.settings_requested)
    window.balance_label = QLabel("")
    window.activity_label = QLabel("")
    for label in (window.balance_label, window.activity_label):
        label.setContentsMargins(10, 0, 6, 0)
    window.status_bar.set_badge(window.service_label)  # messages never cover it
    window.statusBar().addPermanentWidget(window.activity_label)
    window.statusBar().addPermanentWidget(window.balance_label)
