"""Media inputs: one file or link, or several."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    Qt,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamSpec
from get3w_desktop.ui.param_fields.common import (
    Field,
    column_layout,
    field_title,
    muted,
    set_tone,
)
from get3w_desktop.ui.param_fields.media_chips import (
    DropBox,
    MediaChip,
    as_local_path,
    file_url,
    kind_words,
    local_path_of,
    media_kind_of,
    media_problem,
    name_filter,
)
from get3w_desktop.ui.param_fields.media_sources import (
    clipboard_items,
    file_kind,
    link_kind,
    mime_items,
    nothing_to_paste,
    refusal,
)


def _tab_before(anchor: QWidget, widgets: Sequence[QWidget]) -> None:
    """Put widgets made after the form was built where Tab expects them: before `anchor`.

    (Qt appends new widgets to the end of the window's focus chain.)
    """
    previous: QWidget | None = anchor.previousInFocusChain()
    while (
        previous is not None
        and previous is not anchor
        and not previous.focusPolicy() & Qt.FocusPolicy.TabFocus
    ):
        previous = previous.previousInFocusChain()  # setTabOrder ignores unfocusable widgets
    if previous is None:
        return
    for widget in widgets:
        if previous is not widget:
            QWidget.setTabOrder(previous, widget)
        previous = widget


class _MediaBase(Field):
    """Shared by one-file and many-file inputs: dropping, choosing, pasting.

    Files and links from a drop, the clipboard, the file dialog or "Use as input" go
    through `offer_files` / `offer_links`, which refuse the wrong kind (decided from the
    file's bytes) with the reason in `refusal` under the field, and add nothing for them.
    """

    multiple = False

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.setAcceptDrops(True)
        self.drop_box = DropBox(spec, self.multiple)
        self.drop_box.choose_requested.connect(self.choose_files)
        self.drop_box.link.installEventFilter(self)  # Ctrl+V of a file or picture in the box
        self.note = muted(QLabel())
        self.note.setWordWrap(True)
        self.note.hide()
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        set_tone(self.refusal, "error")
        self.refusal.hide()

    # -- accepting and refusing -----------------------------------------------------------

    def offer_files(self, paths: Sequence[str]) -> bool:
        """Add the files of this field's kind; say why the others are refused.

        True when something was added.
        """
        taken: list[str] = []
        reasons: list[str] = []
        for path in paths:
            reason = refusal(self.spec, file_kind(path), os.path.basename(path) or path)
            if reason is None:
                taken.append(path)
            else:
                reasons.append(reason)
        self._show_refusal(reasons)
        if taken:
            self.add_files(taken)
        return bool(taken)

    def offer_links(self, links: Sequence[str]) -> bool:
        """Add web links, unless their address names another kind (".../clip.mp4")."""
        taken: list[str] = []
        reasons: list[str] = []
        for link in links:
            kind = link_kind(link)
            reason = None if kind is None else refusal(self.spec, kind, link.rsplit("/", 1)[-1])
            if reason is None:
                taken.append(link)
            else:
                reasons.append(reason)
        self._show_refusal(reasons)
        if taken:
            self.add_links(taken)
        return bool(taken)

    def _show_refusal(self, reasons: Sequence[str]) -> None:
        text = " ".join(dict.fromkeys(reasons))
        self.refusal.setText(f"⚠ {text}" if text else "")
        self.refusal.setVisible(bool(text))
        self.focus_target().setAccessibleDescription(text)

    def paste(self) -> bool:
        """Ctrl+V: a copied file, a picture, a file path, a file URL or a web link."""
        files, links = clipboard_items(QGuiApplication.clipboard().mimeData())
        if files:
            return self.offer_files(files)
        if links:
            return self.offer_links(links)
        self._show_refusal([nothing_to_paste(self.spec)])
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste) and self.isEnabled():
            self.paste()
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the link box, Ctrl+V of a file or picture adds it; plain text is typed."""
        if (
            watched is self.drop_box.link
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            mime = QGuiApplication.clipboard().mimeData()
            has_file = mime is not None and (
                (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()))
                or mime.hasImage()
                or bool(mime_items(mime)[0])
            )
            if has_file:
                self.paste()
                return True
        return super().eventFilter(watched, event)

    def choose_files(self) -> None:
        a_one, _one, many = kind_words(media_kind_of(self.spec))
        title = self.tr("Choose {what}").format(what=many if self.multiple else a_one)
        if self.multiple:
            paths, _filter = QFileDialog.getOpenFileNames(self, title, "", name_filter(self.spec))
        else:
            path, _filter = QFileDialog.getOpenFileName(self, title, "", name_filter(self.spec))
            paths = [path] if path else []
        if paths:
            self.offer_files(paths)

    def add_files(self, paths: Sequence[str]) -> None:
        raise NotImplementedError

    def add_links(self, links: Sequence[str]) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        files, links = mime_items(event.mimeData())
        if (files or links) and self.isEnabled():
            event.acceptProposedAction()
            self.drop_box.set_dragging(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_box.set_dragging(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_box.set_dragging(False)
        files, links = mime_items(event.mimeData())
        if not files and not links:
            event.ignore()
            return
        event.acceptProposedAction()
        if files:
            self.offer_files(files)
        else:
            self.offer_links(links)

    def problem(self) -> str | None:
        value = self.value()
        items = value if isinstance(value, list) else [value] if value else []
        for position, item in enumerate(items):
            issue = media_problem(self.spec, item)
            if issue:
                if len(items) == 1:
                    return issue
                return self.tr("{problem} (item {number})").format(
                    problem=issue, number=position + 1
                )
        return super().problem()


class MediaField(_MediaBase):
    """MEDIA: one file (sent as a file:// URL for the worker to upload) or one web link."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self._file: str | None = None  # a file:// URL or a data: URI shown as a chip
        self.chip_holder = QVBoxLayout()
        self.chip_holder.setContentsMargins(0, 0, 0, 0)
        self.chip: MediaChip | None = None
        self.drop_box.link.textChanged.connect(lambda _t: self.changed.emit())
        self.drop_box.link.editingFinished.connect(self._link_finished)
        layout = column_layout(self)
        layout.addLayout(self.chip_holder)
        layout.addWidget(self.drop_box)
        layout.addWidget(self.refusal)

    def _link_finished(self) -> None:
        path = as_local_path(self.drop_box.link.text())
        # A pasted path or file URL is a file, not a link; a refused one leaves the box.
        if path is not None and not self.offer_files([path]):
            self.drop_box.link.clear()

    def add_files(self, paths: Sequence[str]) -> None:
        self._show_file(file_url(paths[0]))

    def add_links(self, links: Sequence[str]) -> None:
        self._show_file(None)
        self.drop_box.link.setText(links[0])

    def _show_file(self, value: str | None) -> None:
        had_focus = self.focusWidget() is not None and self.isAncestorOf(self.focusWidget())
        if self.chip is not None:
            self.chip.hide()
            self.chip.deleteLater()
            self.chip = None
        self._file = value
        if value is not None:
            self.chip = MediaChip(value, self.spec, side=56)
            self.chip.remove_requested.connect(self.clear)
            self.chip_holder.addWidget(self.chip)
            _tab_before(self.drop_box.choose_button, [self.chip.remove_button])
            self.drop_box.link.blockSignals(True)
            self.drop_box.link.clear()
            self.drop_box.link.blockSignals(False)
        self.drop_box.setVisible(value is None)
        if had_focus:
            self.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def clear(self) -> None:
        self.drop_box.link.blockSignals(True)
        self.drop_box.link.clear()
        self.drop_box.link.blockSignals(False)
        self._show_file(None)

    def value(self) -> str | None:
        if self._file is not None:
            return self._file
        return self.drop_box.link.text().strip() or None

    def set_value(self, value: Any) -> bool:
        self._show_refusal([])
        if value is None:
            self.clear()
            return True
        if not isinstance(value, str):
            return False
        if local_path_of(value) is not None or value.lower().startswith("data:"):
            self._show_file(value)
        else:
            self.add_links([value])
        return True

    def focus_target(self) -> QWidget:
        if self.chip is not None:
            return self.chip.remove_button
        return self.drop_box.choose_button


class MediaListField(_MediaBase):
    """MEDIA_LIST: several files or links, within `minItems`…`maxItems`."""

    multiple = True

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self._items: list[str] = []
        self.chips: list[MediaChip] = []
        self.chip_box = QVBoxLayout()
        self.chip_box.setContentsMargins(0, 0, 0, 0)
        self.chip_box.setSpacing(6)
        self.drop_box.link_entered.connect(self._link_entered)
        layout = column_layout(self)
        layout.addLayout(self.chip_box)
        layout.addWidget(self.drop_box)
        layout.addWidget(self.note)
        layout.addWidget(self.refusal)
        self._rebuild()

    def _link_entered(self, text: str) -> None:
        path = as_local_path(text)
        if path is not None:  # a typed path or file URL is a file, not a link
            self.offer_files([path])
        else:
            self.offer_links([text])

    @property
    def limit(self) -> int | None:
        return self.spec.max_items

    def add_files(self, paths: Sequence[str]) -> None:
        self._add([file_url(p) for p in paths])

    def add_links(self, links: Sequence[str]) -> None:
        self._add([link.strip() for link in links if link.strip()])

    def _add(self, values: list[str]) -> None:
        room = len(values) if self.limit is None else max(0, self.limit - len(self._items))
        taken, left_out = values[:room], len(values) - room
        self._items.extend(taken)
        self._rebuild()
        if left_out > 0:
            many = kind_words(media_kind_of(self.spec))[2]
            self.note.setText(
                self.tr("Only {limit} {many} fit; {left_out} left out.").format(
                    limit=self.limit, many=many, left_out=left_out
                )
            )
            self.note.show()
        if taken:
            self.changed.emit()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self._items):
            del self._items[index]
            self._rebuild()
            if self.chips:
                self.chips[min(index, len(self.chips) - 1)].remove_button.setFocus()
            else:
                self.drop_box.choose_button.setFocus()
            self.changed.emit()

    def _rebuild(self) -> None:
        for chip in self.chips:
            chip.hide()
            chip.deleteLater()
        self.chips = []
        for index, value in enumerate(self._items):
            chip = MediaChip(value, self.spec)
            chip.remove_requested.connect(lambda i=index: self.remove(i))
            self.chip_box.addWidget(chip)
            self.chips.append(chip)
        _tab_before(self.drop_box.choose_button, [c.remove_button for c in self.chips])
        self.note.hide()
        full = self.limit is not None and len(self._items) >= self.limit
        _a_one, one, many = kind_words(media_kind_of(self.spec))
        count = len(self._items)
        if full:
            caption = self.tr("That's the most this model takes ({limit} {many}).").format(
                limit=self.limit, many=many
            )
        elif count and self.limit is not None:
            caption = self.tr("{count} of {limit} {many} · add more:").format(
                count=count, limit=self.limit, many=many
            )
        elif count:
            caption = self.tr("{count} {what} · add more:").format(
                count=count, what=one if count == 1 else many
            )
        else:
            caption = self.tr("Drop {what} here, or").format(what=many)
        self.drop_box.caption.setText(caption)
        self.drop_box.choose_button.setVisible(not full)
        self.drop_box.link.setEnabled(not full)

    def value(self) -> list[str] | None:
        return list(self._items) or None

    def set_value(self, value: Any) -> bool:
        self._show_refusal([])
        if value is None:
            self._items = []
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            self._items = list(value)
        else:
            return False
        self._rebuild()
        self.changed.emit()
        return True

    def problem(self) -> str | None:
        count = len(self._items)
        _a_one, one, many = kind_words(media_kind_of(self.spec))
        low, high = self.spec.min_items, self.spec.max_items
        if (self.spec.required or count) and low is not None and count < low:
            if low == 1:
                return self.tr("Add at least one {one}.").format(one=one)
            return self.tr("Add at least {low} {many}.").format(low=low, many=many)
        if high is not None and count > high:
            return self.tr("{title}: at most {high} {many}, please (there are {count}).").format(
                title=field_title(self.spec), high=high, many=many, count=count
            )
        if self.spec.required and not count:
            return self.tr("Add at least one {one}.").format(one=one)
        return super().problem()

    def focus_target(self) -> QWidget:
        if self.drop_box.choose_button.isVisible() or not self.chips:
            return self.drop_box.choose_button
        return self.chips[0].remove_button
