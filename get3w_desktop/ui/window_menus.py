"""The main window's actions, its menu bar (File, Task, View, Help) and the task list's
context menu.

Built here without texts: MainWindow.retranslate words them, so every text keeps the
MainWindow translation context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from get3w_desktop.core.job import Job
from get3w_desktop.workers.thumbnails import MediaKind, media_kind

if TYPE_CHECKING:
    from get3w_desktop.ui.main_window import MainWindow


class WindowMenus:
    """What `build_actions` adds to the window (MainWindow mixes these names in)."""

    act_generate: QAction
    act_batch: QAction
    act_compare: QAction
    act_search: QAction
    act_find_task: QAction
    act_open: QAction
    act_save: QAction
    act_save_all: QAction
    act_copy_image: QAction
    act_key: QAction
    act_settings: QAction
    act_spending: QAction
    act_diagnostics: QAction
    act_copy_curl: QAction
    act_copy_python: QAction
    act_copy_url: QAction
    act_copy_id: QAction
    act_rerun: QAction
    act_load: QAction
    act_cancel: QAction
    act_remove: QAction
    act_quit: QAction
    act_about: QAction
    file_menu: QMenu
    task_menu: QMenu
    view_menu: QMenu
    help_menu: QMenu


def build_actions(window: MainWindow) -> None:
    """Every action (added to the window, so its shortcut works anywhere in it) and the menus."""

    def action(slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        act = QAction(window)  # texts: retranslate()
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        window.addAction(act)
        return act

    window.act_generate = action(window.generate, "Ctrl+Return")
    window.act_batch = action(window.batch, "Ctrl+Shift+B")
    window.act_compare = action(window.compare, "Ctrl+Shift+M")
    window.act_search = action(window.picker.focus_search, "Ctrl+K")
    window.act_find_task = action(window.tasks.focus_search, "Ctrl+F")
    window.act_open = action(window.outputs.open_output, "Ctrl+O")
    window.act_save = action(window.outputs.save_current, QKeySequence.StandardKey.Save)
    window.act_save_all = action(window.outputs.save_all, "Ctrl+Shift+S")
    window.act_copy_image = QAction(window)
    window.act_copy_image.setShortcut(QKeySequence.StandardKey.Copy)
    # Ctrl+C copies text in the form; it copies the image only from the list or viewer.
    window.act_copy_image.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    window.act_copy_image.triggered.connect(
        lambda _checked=False: window.outputs.copy_current_image()
    )
    window.list_view.addAction(window.act_copy_image)
    window.viewer.addAction(window.act_copy_image)
    window.act_key = action(window.key_requested.emit)
    window.act_settings = action(window.settings_requested.emit,
                               QKeySequence.StandardKey.Preferences)  # fmt: skip
    if window.act_settings.shortcut().isEmpty():
        window.act_settings.setShortcut(QKeySequence("Ctrl+,"))
    window.act_spending = action(window.spending_requested.emit)
    window.act_diagnostics = action(window.diagnostics_requested.emit)
    window.act_copy_curl = action(window.outputs.copy_as_curl)
    window.act_copy_python = action(window.outputs.copy_as_python)
    window.act_copy_url = action(window.outputs.copy_output_url, "Ctrl+Shift+C")
    window.act_copy_id = action(window.outputs.copy_task_id, "Ctrl+Shift+I")
    window.act_rerun = action(window._rerun, "Ctrl+R")
    window.act_load = action(window._load_params, "Ctrl+L")
    window.act_cancel = action(window._cancel, "Ctrl+.")
    window.act_remove = action(window._remove, QKeySequence.StandardKey.Delete)
    window.act_quit = action(window.close, QKeySequence.StandardKey.Quit)
    window.act_about = action(window._about)

    menu = window.menuBar()
    file_menu = window.file_menu = menu.addMenu("")
    file_menu.addActions([window.act_open, window.act_save, window.act_save_all,
                          window.act_copy_image])  # fmt: skip
    file_menu.addSeparator()
    file_menu.addActions([window.act_key, window.act_settings, window.act_spending])
    file_menu.addSeparator()
    file_menu.addAction(window.act_quit)
    task_menu = window.task_menu = menu.addMenu("")
    task_menu.addActions([window.act_generate, window.act_batch, window.act_compare,
                          window.act_rerun, window.act_load])  # fmt: skip
    task_menu.addSeparator()
    task_menu.addActions([window.act_copy_url, window.act_copy_id, window.act_copy_curl,
                          window.act_copy_python])  # fmt: skip
    task_menu.addSeparator()
    task_menu.addActions([window.act_cancel, window.act_remove])
    view_menu = window.view_menu = menu.addMenu("")
    view_menu.addActions([window.act_search, window.act_find_task])
    help_menu = window.help_menu = menu.addMenu("")
    help_menu.addActions([window.act_diagnostics, window.act_about])


def menu_entries(window: MainWindow, job: Job) -> list[tuple[QAction | None, bool]]:
    """The task list's context menu for `job`: (action or separator, enabled)."""
    has_files, has_task = bool(job.files), job.task is not None
    has_image = any(media_kind(f) is MediaKind.IMAGE for f in job.files)
    has_url = bool(window.service.base_url)
    return [
        (window.act_open, has_files), (window.act_save, has_files),
        (window.act_save_all, has_files), (window.act_copy_image, has_image), (None, True),
        (window.act_copy_url, has_task and bool(job.task and job.task.outputs)),
        (window.act_copy_id, has_task), (window.act_copy_curl, has_url),
        (window.act_copy_python, has_url), (None, True),
        (window.act_rerun, True), (window.act_load, True), (None, True),
        (window.act_cancel, job.state.active),
        (window.act_remove, not window.book.is_running(job)),
        *((act, True) for act in window.extra_task_actions),
    ]  # fmt: skip
