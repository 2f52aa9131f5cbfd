"""Help › Getting started, Keyboard shortcuts and Where your data lives.

The shortcut list is read from the window's real actions and shortcuts each time it is
shown, so it cannot go stale: an action added to a menu (by any part of the app) appears
with its keys, in the platform's own notation. Every help window is non-modal, reused,
and closes with Esc or the platform's Close keys (Ctrl+W).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.storage.secrets import SecretStore
from get3w_desktop.ui.data_dialog import DataDialog, DataPlaces, data_places
from get3w_desktop.ui.help_window import NATIVE, HelpWindow
from get3w_desktop.ui.style import muted

__all__ = ["DataPlaces", "GuideDialog", "HelpActions", "ShortcutRow", "ShortcutsDialog",
           "data_places", "shortcut_rows"]  # fmt: skip

D = TypeVar("D", bound=QDialog)
TRAILING_MNEMONIC = re.compile(r"\s*[(（]&[^)）][)）]")


def plain(text: str) -> str:
    """A menu text as people read it: no mnemonic ampersands ("&&" stays one "&"), nor
    the "(&F)" a translation adds when its words have no Latin letter to underline."""
    text = TRAILING_MNEMONIC.sub("", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def key_text(sequences: list[QKeySequence]) -> str:
    return ", ".join(s.toString(NATIVE) for s in sequences if not s.isEmpty())


@dataclass(frozen=True)
class ShortcutRow:
    group: str  # the menu's title, or "Elsewhere in the window"
    text: str  # what the key does
    keys: str  # in the platform's notation, e.g. "Ctrl+Shift+S"


def _menu_actions(menu: QMenu, group: str) -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        sub = action.menu()
        if isinstance(sub, QMenu):
            yield from _menu_actions(sub, f"{group} › {plain(sub.title())}")
        else:
            yield group, action


def shortcut_rows(window: QMainWindow, elsewhere: str) -> list[ShortcutRow]:
    """Every key the window answers to, grouped by menu: its menus' actions, then the
    actions and shortcuts that live outside the menus (texts from their whatsThis) under
    `elsewhere`."""
    rows: list[ShortcutRow] = []
    seen: set[int] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu) or not top.isVisible():
            continue
        for group, action in _menu_actions(menu, plain(menu.title())):
            keys = key_text(action.shortcuts())
            if keys and id(action) not in seen:
                seen.add(id(action))
                rows.append(ShortcutRow(group, plain(action.text()), keys))
    for action in window.findChildren(QAction):
        keys = key_text(action.shortcuts())
        text = plain(action.text()) or action.whatsThis()
        if keys and text and id(action) not in seen and _in_window(action.parent(), window):
            seen.add(id(action))
            rows.append(ShortcutRow(elsewhere, text, keys))
    by_text: dict[str, list[str]] = {}
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if shortcut.whatsThis() and shortcut.isEnabled() and _in_window(parent, window):
            known = by_text.setdefault(shortcut.whatsThis(), [])
            if (shown := shortcut.key().toString(NATIVE)) not in known:
                known.append(shown)
    rows.extend(ShortcutRow(elsewhere, text, ", ".join(k)) for text, k in by_text.items())
    return rows


def _in_window(owner: QObject | None, window: QWidget) -> bool:
    """Whether `owner` belongs to `window` itself (not to a dialog or menu it owns)."""
    return isinstance(owner, QWidget) and owner.window() is window and not isinstance(owner, QMenu)


class ShortcutsDialog(HelpWindow):
    """Every keyboard shortcut of `window`, searchable, rebuilt each time it is shown."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.empty = muted(QLabel(), smaller=False)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        self.resize(560, 620)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.search.setPlaceholderText(self.tr("Search shortcuts"))
        self.search.setAccessibleName(self.tr("Search shortcuts"))
        self.search.setAccessibleDescription(self.tr("Type a word or a key, such as Ctrl"))
        self.tree.setHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.tree.setAccessibleName(self.tr("Shortcuts"))
        self.empty.setText(self.tr("No shortcut matches your search."))
        self.refresh()
        # The window may retranslate its actions after this window heard of the change.
        QTimer.singleShot(0, self, self.refresh)

    def rows(self) -> list[ShortcutRow]:
        own = ShortcutRow(self.tr("Help and other secondary windows"),
                          self.close_keys[0].whatsThis(), self.close_key_text())  # fmt: skip
        return [*shortcut_rows(self._window, self.tr("Elsewhere in the window")), own]

    def refresh(self) -> None:
        """Read the window's shortcuts again (an action added since shows now)."""
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for row in self.rows():
            group = groups.get(row.group)
            if group is None:
                group = groups[row.group] = QTreeWidgetItem(self.tree, [row.group])
                group.setFirstColumnSpanned(True)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            QTreeWidgetItem(group, [row.text, row.keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0) + 24, 300))
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        shown = 0
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            assert group is not None
            visible = 0
            for c in range(group.childCount()):
                item = group.child(c)
                assert item is not None
                haystack = f"{group.text(0)} {item.text(0)} {item.text(1)}".casefold()
                hide = bool(needle) and needle not in haystack
                item.setHidden(hide)
                visible += not hide
            group.setHidden(visible == 0)
            shown += visible
        self.empty.setVisible(shown == 0)

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)


class GuideDialog(HelpWindow):
    """A short, friendly guide to the first tasks; its keys come from the real actions."""

    def __init__(self, window: QMainWindow, keys: Callable[[], dict[str, str]]) -> None:
        super().__init__(window)
        self._keys = keys
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.document().setDocumentMargin(18)
        self.browser.setMaximumWidth(760)  # lines stay readable in a maximised window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addStretch(0)
        layout.addWidget(self.browser, 1)
        layout.addStretch(0)
        self.resize(680, 700)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(self.tr("Getting started"))
        self.setAccessibleName(self.tr("Getting started"))
        self.browser.setAccessibleName(self.tr("Getting started guide"))
        self.refresh()

    def refresh(self) -> None:
        keys = {name: f"<b>{value}</b>" if value else "" for name, value in self._keys().items()}
        sections = (
            (self.tr("1. Pick a model"),
             self.tr("The list on the left holds every model, grouped by what it makes: "
                     "pictures, video, sound, 3D and more. Type to search ({find}), or "
                     "use the filters. Star the ones you like; they stay at the top.")),
            (self.tr("2. Fill in the form"),
             self.tr("Write what you want in <i>Prompt</i>. The other fields have sensible "
                     "defaults; hover over one to learn what it does. Your prompt stays "
                     "when you switch models.")),
            (self.tr("3. Generate, and what it costs"),
             self.tr("Press <i>Generate</i> ({generate}). The button shows the price "
                     "before you send; a run above the amount set in Settings asks first, and "
                     "Settings holds "
                     "a daily cap. A failed task says whether it was charged.")),
            (self.tr("4. Watch your tasks"),
             self.tr("Each task appears in the list at the bottom right and moves from "
                     "queued to running to done. Select one to see its result and "
                     "details; stop waiting with {stop}. You can close the app: unfinished "
                     "tasks are picked up again next time.")),
            (self.tr("5. Save your results"),
             self.tr("Results are kept by the app. Use <i>Save output as…</i> ({save}) "
                     "or drag a result out of the window. A saved picture remembers how "
                     "it was made: drop it back on the window to fill the form again.")),
            (self.tr("6. Sandbox or a real key"),
             self.tr("Without an API key the app runs in the <i>Sandbox</i>: results are "
                     "simulated on this computer and nothing is charged. Add your Get3W "
                     "key (File › API key…) to generate for real. The badge at the bottom "
                     "left always says where new tasks go; click it to switch.")),
            (self.tr("7. Where to get help"),
             self.tr("The Help menu lists every keyboard shortcut ({shortcuts}) and where your "
                     "data lives. If something goes wrong, Help › Save diagnostics… makes "
                     "a file you can send to Get3W support; it never contains your key.")),
        )  # fmt: skip
        body = "".join(
            f"<h3 style='margin-top:14px'>{title}</h3><p style='line-height:140%'>"
            f"{text.format(**keys)}</p>"
            for title, text in sections
        )
        intro = self.tr("Get3W Desktop sends your ideas to generative models and keeps "
                        "what comes back. Seven steps to your first results:")  # fmt: skip
        self.browser.setHtml(
            f"<h2>{self.tr('Getting started')}</h2><p style='line-height:140%'>{intro}</p>{body}"
        )

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # keys may have changed since
        super().showEvent(event)


class HelpActions(QObject):
    """Adds Getting started (F1), Keyboard shortcuts (Ctrl+/) and Where your data lives
    to the window's Help menu, above its diagnostics; each opens one reused window."""

    def __init__(
        self,
        window: QMainWindow,
        help_menu: QMenu,
        before: QAction,
        places: Callable[[], DataPlaces],
        guide_actions: dict[str, QAction],
    ) -> None:
        super().__init__(window)
        self._window, self._places = window, places
        self._guide_actions = guide_actions  # the actions whose keys the guide names
        # Where the API key is kept; None: the system keyring, asked when needed.
        self.key_store: SecretStore | None = None
        self.guide: GuideDialog | None = None
        self.shortcuts: ShortcutsDialog | None = None
        self.data: DataDialog | None = None
        self.act_guide = self._action(self.open_guide, QKeySequence.StandardKey.HelpContents)
        if self.act_guide.shortcut().isEmpty():
            self.act_guide.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.act_shortcuts = self._action(self.open_shortcuts, QKeySequence("Ctrl+/"))
        self.act_data = self._action(self.open_data, None)
        help_menu.insertActions(before, [self.act_guide, self.act_shortcuts, self.act_data])
        help_menu.insertSeparator(before)
        self.retranslate()

    def _action(
        self, slot: Callable[[], object], keys: QKeySequence | QKeySequence.StandardKey | None
    ) -> QAction:
        action = QAction(self._window)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self._window.addAction(action)
        return action

    def guide_keys(self) -> dict[str, str]:
        """The keys the guide mentions, read from the actions themselves, in native text."""
        acts = {**self._guide_actions, "shortcuts": self.act_shortcuts}
        return {name: act.shortcut().toString(NATIVE) for name, act in acts.items()}

    def retranslate(self) -> None:
        self.act_guide.setText(self.tr("&Getting started"))
        self.act_shortcuts.setText(self.tr("&Keyboard shortcuts"))
        self.act_data.setText(self.tr("&Where your data lives"))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return super().event(event)

    def open_guide(self) -> GuideDialog:
        if self.guide is None:
            self.guide = GuideDialog(self._window, self.guide_keys)
        return self._present(self.guide)

    def open_shortcuts(self) -> ShortcutsDialog:
        if self.shortcuts is None:
            self.shortcuts = ShortcutsDialog(self._window)
        return self._present(self.shortcuts)

    def open_data(self) -> DataDialog:
        if self.data is None:
            self.data = DataDialog(self._places(), self._key_store(), self._window)
        return self._present(self.data)

    def _key_store(self) -> SecretStore:
        if self.key_store is None:
            from get3w_desktop.storage.secrets import KeyringSecretStore  # imports keyring

            self.key_store = KeyringSecretStore()
        return self.key_store

    def _present(self, dialog: D) -> D:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
