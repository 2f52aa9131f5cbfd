""" "Use as input": send an output to a media field of this model or of another one.

The menu lists the current model's fields that take the output's kind, then the other
models that do, grouped by what they make of it ("Edit with…", "Animate with…",
"Describe with…"); the choice logic is `core/feeding.py`. Choosing one switches the picker
to that model (the prompt comes along) and puts the file into the field, where the usual
checks apply and the task uploads it when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from get3w_desktop.core.catalogue import Catalogue, ParamKind, ParamSpec
from get3w_desktop.core.feeding import (
    FEEDABLE_KINDS,
    FeedTarget,
    grouped,
    media_fields,
    preferred,
    provider_of,
    targets_for,
)
from get3w_desktop.ui.param_fields.media import MediaField, MediaListField
from get3w_desktop.ui.param_fields.media_sources import file_kind
from get3w_desktop.ui.texts import catalogue_text

if TYPE_CHECKING:
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.param_form import ParamForm

# A group with more models than this is split by provider.
FLAT_LIMIT = 24


def group_title(group: str) -> str:
    translate = QCoreApplication.translate
    titles = {
        "edit": translate("UseAsInput", "Edit with…"),
        "animate": translate("UseAsInput", "Animate with…"),
        "video": translate("UseAsInput", "Make a video with…"),
        "sound": translate("UseAsInput", "Make sound with…"),
        "describe": translate("UseAsInput", "Describe with…"),
        "3d": translate("UseAsInput", "Make 3D with…"),
        "train": translate("UseAsInput", "Train with…"),
    }
    return titles.get(group, translate("UseAsInput", "Use with…"))


def _title(spec: ParamSpec) -> str:
    return catalogue_text(spec.title)


def _plain(text: str) -> str:
    """A name as a menu item's text (a lone & would be read as a shortcut marker)."""
    return text.replace("&", "&&")


def fill_menu(
    menu: QMenu,
    path: str | None,
    catalogue: Catalogue,
    current: str | None,
    feed: Callable[[str, str, str], object],
    favourites: Sequence[str] = (),
) -> int:
    """Put into `menu` every place `path` can go; returns how many models were offered.

    `feed(model_id, field_name, path)` is called when one is chosen. Models among
    `favourites` (favourites, then recently used) are also offered at the top.
    """
    translate = QCoreApplication.translate
    menu.clear()
    kind = file_kind(path) if path else "other"
    if path is None or kind not in FEEDABLE_KINDS:
        none = menu.addAction(translate("UseAsInput", "No model takes this kind of output"))
        none.setEnabled(False)
        return 0
    offered = 0
    model = catalogue.get(current) if current else None
    fields = media_fields(model, kind) if model is not None else ()
    if model is not None and fields:
        offered += 1
        section = menu.addAction(
            translate("UseAsInput", "This model ({name})").format(name=_plain(model.name))
        )
        section.setEnabled(False)
        for spec in fields:
            action = menu.addAction(
                translate("UseAsInput", "Put in “{field}”").format(field=_plain(_title(spec)))
            )
            _connect(action, feed, model.model_id, spec.name, path)
        menu.addSeparator()
    others = targets_for(catalogue, kind, exclude=current)
    mine = preferred(others, favourites)
    if mine:
        header = menu.addAction(translate("UseAsInput", "Your models"))
        header.setEnabled(False)
        _add_targets(menu, mine, path, feed)
        menu.addSeparator()
    for group, targets in grouped(others):
        sub = menu.addMenu(group_title(group))
        sub.setAccessibleName(group_title(group).rstrip("…"))
        sub.setToolTipsVisible(True)
        offered += len(targets)
        if len(targets) > FLAT_LIMIT:
            by_provider: dict[str, list[FeedTarget]] = {}
            for target in targets:
                by_provider.setdefault(provider_of(target.model), []).append(target)
            for provider in sorted(by_provider, key=str.lower):
                inner = sub.addMenu(_plain(provider))
                inner.setAccessibleName(provider)
                inner.setToolTipsVisible(True)
                _add_targets(inner, by_provider[provider], path, feed)
        else:
            _add_targets(sub, targets, path, feed)
    if offered == 0:
        none = menu.addAction(translate("UseAsInput", "No model takes this kind of output"))
        none.setEnabled(False)
    return offered


def _add_targets(
    menu: QMenu,
    targets: Sequence[FeedTarget],
    path: str,
    feed: Callable[[str, str, str], object],
) -> None:
    translate = QCoreApplication.translate
    for target in targets:
        model = target.model
        if len(target.fields) == 1:
            spec = target.fields[0]
            action = menu.addAction(_plain(model.name))
            action.setToolTip(
                translate("UseAsInput", "{model}: put it in “{field}”").format(
                    model=model.model_id, field=_title(spec)
                )
            )
            _connect(action, feed, model.model_id, spec.name, path)
            continue
        inner = menu.addMenu(_plain(model.name))
        inner.setAccessibleName(model.name)
        for spec in target.fields:
            action = inner.addAction(_plain(_title(spec)))
            _connect(action, feed, model.model_id, spec.name, path)


def _connect(
    action: QAction, feed: Callable[[str, str, str], object], model_id: str, name: str, path: str
) -> None:
    action.setData(f"{model_id}\n{name}")
    action.triggered.connect(lambda _checked=False: feed(model_id, name, path))


def feed_form(
    form: ParamForm,
    catalogue: Catalogue,
    choose_model: Callable[[str], object],
    model_id: str,
    field_name: str,
    path: str,
) -> bool:
    """Switch `form` to `model_id` (keeping the prompt) and put `path` into `field_name`.

    `choose_model` is how the window changes model (it remembers the old form). Returns
    whether the file went in (a wrong kind is refused under the field, as for a drop).
    """
    if catalogue.get(model_id) is None:
        return False
    old = form.model()
    prompt = None
    if old is not None and old.model_id != model_id:
        field = next((form.field(p.name) for p in old.params if p.kind is ParamKind.PROMPT), None)
        prompt = field.value() if field is not None else None
        choose_model(model_id)
    model = form.model()
    if model is None or model.model_id != model_id:
        return False
    if isinstance(prompt, str) and prompt.strip():
        target = next((p for p in model.params if p.kind is ParamKind.PROMPT), None)
        field = form.field(target.name) if target is not None else None
        if field is not None:
            field.set_value(prompt)
    media = form.field(field_name)
    if not isinstance(media, MediaField | MediaListField):
        return False
    added = media.offer_files([path])
    media.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
    form.scroll_area.ensureWidgetVisible(media)
    return added


class UseAsInput(QObject):
    """Adds "Use as input" to `window`: a button in the result viewer's header and an item
    in the task list's menu. A child of the window: it lives as long."""

    def __init__(self, window: MainWindow, choose_model: Callable[[str], object]) -> None:
        super().__init__(window)
        self._window = window
        self._choose = choose_model
        self.task_menu = QMenu(window)
        self.task_menu.setToolTipsVisible(True)
        self.task_menu.aboutToShow.connect(lambda: self._fill(self.task_menu, self._task_file()))
        self.act_use = QAction(window)
        self.act_use.setMenu(self.task_menu)
        window.extra_task_actions.append(self.act_use)
        window.viewer.use_menu_filler = lambda menu, path: self._fill(menu, path)
        self.retranslate()

    def retranslate(self) -> None:
        self.act_use.setText(self.tr("Use as input"))
        self.act_use.setToolTip(self.tr("Send this output to a field of this or another model"))
        self.task_menu.setTitle(self.tr("Use as input"))
        self.task_menu.setAccessibleName(self.tr("Use as input"))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return super().event(event)

    def _task_file(self) -> str | None:
        """The output the task list's menu is about: the one on show, else the first."""
        job = self._window.current_job()
        if job is None or not job.files:
            return None
        viewer = self._window.viewer
        shown = viewer.current_file()
        current = viewer.current_job()
        if current is not None and current.local_id == job.local_id and shown in job.files:
            return shown
        return next((f for f in job.files if file_kind(f) in FEEDABLE_KINDS), job.files[0])

    def _fill(self, menu: QMenu, path: str | None) -> int:
        window = self._window
        model = window.form.model()
        prefs = window.picker.prefs
        return fill_menu(
            menu,
            path,
            window.catalogue,
            model.model_id if model else None,
            self.feed,
            (*prefs.favourites(), *prefs.recent()),
        )

    def feed(self, model_id: str, field_name: str, path: str) -> bool:
        """Put `path` into `field_name` of `model_id`, switching the picker to it."""
        window = self._window

        def choose(chosen: str) -> None:
            window.picker.select(chosen)
            self._choose(chosen)

        added = feed_form(window.form, window.catalogue, choose, model_id, field_name, path)
        if added:
            model = window.catalogue.get(model_id)
            window.statusBar().showMessage(
                self.tr("Added to {model}").format(model=model.name if model else model_id), 4000
            )
        return added
