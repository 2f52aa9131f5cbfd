""" "Use as input": send an output to a media field of this model or of another one.

The menu lists the current model's fields that take the output's kind, then the other
models that do, grouped by what they make of it ("Edit with…", "Animate with…",
"Describe with…"); the choice logic is `core/feeding.py`. Choosing one switches the picker
to that model (the prompt comes along) and puts the file into the field, where the usual
checks apply and the task uploads it when it is sent. A text output (or its selected part)
goes into the prompt of a model that starts from text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from get3w_desktop.core.catalogue import Catalogue, ParamSpec
from get3w_desktop.core.feeding import (
    FEEDABLE_KINDS,
    FeedTarget,
    grouped,
    media_fields,
    preferred,
    prompt_field,
    provider_of,
    targets_for,
    text_targets,
)
from get3w_desktop.ui.output_pages import job_texts
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
        "image": translate("UseAsInput", "Make an image with…"),
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
    *,
    text: str | None = None,
) -> int:
    """Put into `menu` every place an output can go; returns how many models were offered.

    The output is the file at `path`, or a `text` (which goes into prompts). `feed(model_id,
    field_name, value)` is called with the path or the text when one is chosen. Models
    among `favourites` (favourites, then recently used) are also offered at the top.
    """
    translate = QCoreApplication.translate
    menu.clear()
    value = text if text is not None else path
    kind = "text" if text is not None else file_kind(path) if path else "other"
    if value is None or not value.strip() or kind not in (*FEEDABLE_KINDS, "text"):
        none = menu.addAction(translate("UseAsInput", "No model takes this kind of output"))
        none.setEnabled(False)
        return 0
    offered = 0
    model = catalogue.get(current) if current else None
    fields: tuple[ParamSpec, ...] = ()
    if model is not None:
        prompt = prompt_field(model)
        fields = ((prompt,) if prompt else ()) if kind == "text" else media_fields(model, kind)
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
            _connect(action, feed, model.model_id, spec.name, value)
        menu.addSeparator()
    if kind == "text":
        others = text_targets(catalogue, exclude=current)
    else:
        others = targets_for(catalogue, kind, exclude=current)
    mine = preferred(others, favourites)
    if mine:
        header = menu.addAction(translate("UseAsInput", "Your models"))
        header.setEnabled(False)
        _add_targets(menu, mine, value, feed)
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
                _add_targets(inner, by_provider[provider], value, feed)
        else:
            _add_targets(sub, targets, value, feed)
    if offered == 0:
        none = menu.addAction(translate("UseAsInput", "No model takes this kind of output"))
        none.setEnabled(False)
    return offered


def _add_targets(
    menu: QMenu,
    targets: Sequence[FeedTarget],
    value: str,
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
            _connect(action, feed, model.model_id, spec.name, value)
            continue
        inner = menu.addMenu(_plain(model.name))
        inner.setAccessibleName(model.name)
        for spec in target.fields:
            action = inner.addAction(_plain(_title(spec)))
            _connect(action, feed, model.model_id, spec.name, value)


def _connect(
    action: QAction, feed: Callable[[str, str, str], object], model_id: str, name: str, value: str
) -> None:
    action.setData(f"{model_id}\n{name}")
    action.triggered.connect(lambda _checked=False: feed(model_id, name, value))


def _prompt_of(form: ParamForm) -> object:
    model = form.model()
    spec = prompt_field(model) if model is not None else None
    field = form.field(spec.name) if spec is not None else None
    return field.value() if field is not None else None


def feed_form(
    form: ParamForm,
    catalogue: Catalogue,
    choose_model: Callable[[str], object],
    model_id: str,
    field_name: str,
    value: str,
) -> bool:
    """Switch `form` to `model_id` and put `value` into `field_name`.

    `value` is a file's path for a media field (the prompt comes along from the old
    model), or a text for the prompt. `choose_model` is how the window changes model (it
    remembers the old form). Returns whether the value went in (a file of the wrong kind
    is refused under the field, as for a drop).
    """
    if catalogue.get(model_id) is None:
        return False
    old = form.model()
    prompt = None
    if old is not None and old.model_id != model_id:
        prompt = _prompt_of(form)
        choose_model(model_id)
    model = form.model()
    if model is None or model.model_id != model_id:
        return False
    field = form.field(field_name)
    if field is None:
        return False
    if isinstance(field, MediaField | MediaListField):
        target = prompt_field(model)
        prompt_box = form.field(target.name) if target is not None else None
        if isinstance(prompt, str) and prompt.strip() and prompt_box is not None:
            prompt_box.set_value(prompt)
        added = field.offer_files([value])
    else:
        added = field.set_value(value)
    field.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
    form.scroll_area.ensureWidgetVisible(field)
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
        self.task_menu.aboutToShow.connect(lambda: self._fill(self.task_menu, *self._task_output()))
        self.act_use = QAction(window)
        self.act_use.setMenu(self.task_menu)
        window.extra_task_actions.append(self.act_use)
        window.viewer.use_menu_filler = self._fill
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

    def _task_output(self) -> tuple[str | None, str | None]:
        """(file, text): the output the task list's menu is about, the one on show first."""
        job = self._window.current_job()
        if job is None:
            return None, None
        viewer = self._window.viewer
        current = viewer.current_job()
        if current is not None and current.local_id == job.local_id:
            if viewer.page() == "text":
                return None, viewer.text_page.current_text()
            if viewer.current_file() in job.files:
                return viewer.current_file(), None
        feedable = [f for f in job.files if file_kind(f) in FEEDABLE_KINDS]
        if feedable:
            return feedable[0], None
        texts = job_texts(job)
        if texts:
            return None, texts[0]
        return (job.files[0] if job.files else None), None

    def _fill(self, menu: QMenu, path: str | None, text: str | None = None) -> int:
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
            text=text,
        )

    def feed(self, model_id: str, field_name: str, value: str) -> bool:
        """Put `value` (a file's path, or a text) into `field_name` of `model_id`, switching
        the picker to it."""
        window = self._window

        def choose(chosen: str) -> None:
            window.picker.select(chosen)
            self._choose(chosen)

        added = feed_form(window.form, window.catalogue, choose, model_id, field_name, value)
        if added:
            model = window.catalogue.get(model_id)
            window.statusBar().showMessage(
                self.tr("Added to {model}").format(model=model.name if model else model_id), 4000
            )
        return added
