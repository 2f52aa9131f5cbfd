"""The parameter form: a model's JSON-Schema parameters as inputs people understand.

The form turns a `ModelInfo` into one field per visible parameter (param_fields.py) and
back into the JSON body to send. It checks twice: each field knows what is wrong with
its own input (a missing file, broken JSON), and `validate_params` checks the result
against the schema, so the form never lets through what the catalogue would refuse.
Problems are shown under their field once the person leaves it, or all at once when
they try to submit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import ModelInfo, ParamKind, ParamSpec, validate_params
from get3w_desktop.ui.model_picker import duration_text, price_text
from get3w_desktop.ui.param_fields import (
    Field,
    ObjectListField,
    channel_spec,
    make_field,
    muted,
)
from get3w_desktop.ui.style import set_tone
from get3w_desktop.ui.texts import catalogue_text

ROW_SPACING = 16
_GENERIC_PROMPT_HELP = "What to generate, in plain words."


def _shows_help(spec: ParamSpec) -> bool:
    """A muted help line only where it tells people something the input does not."""
    if not spec.description or spec.kind in (ParamKind.CHOICE, ParamKind.SIZE, ParamKind.SEED):
        return False
    return not (spec.kind is ParamKind.PROMPT and spec.description == _GENERIC_PROMPT_HELP)


def _friendly(spec: ParamSpec, problem: str) -> str:
    """A catalogue sentence ("num_inference_steps must be …") in the label's words."""
    if problem.startswith(spec.name):
        problem = catalogue_text(spec.title) + problem[len(spec.name) :]
    return problem if problem.endswith((".", "?", "!")) else problem + "."


class FieldRow(QWidget):
    """A field with its label, help line and (when needed) its problem."""

    def __init__(self, field: Field) -> None:
        super().__init__()
        self.field = field
        self.spec = field.spec
        self.touched = False  # the person has left it once: keep its problem up to date
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label: QLabel | None = None
        if not field.has_own_label():
            marker = (
                ' <span style="color: palette(link); font-weight: 700;">*</span>'
                if self.spec.required
                else ""
            )
            self.label = QLabel(f"{html.escape(catalogue_text(self.spec.title))}{marker}")
            self.label.setTextFormat(Qt.TextFormat.RichText)
            font = self.label.font()
            font.setWeight(font.Weight.DemiBold)
            self.label.setFont(font)
            self.label.setToolTip(catalogue_text(self.spec.description))
            self.label.setBuddy(field.focus_target())
            layout.addWidget(self.label)
        self.help: QLabel | None = None
        if _shows_help(self.spec):
            self.help = muted(QLabel(catalogue_text(self.spec.description)))
            self.help.setWordWrap(True)
            if field.has_own_label():  # under the check box, lined up with its text
                style = self.style()
                indent = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
                indent += style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing)
                self.help.setContentsMargins(indent, 0, 0, 0)
                layout.addWidget(field)
                layout.addWidget(self.help)
            else:  # under the label, where it is read before the input
                layout.addWidget(self.help)
                layout.addWidget(field)
        else:
            layout.addWidget(field)
        field.setToolTip(catalogue_text(self.spec.description))
        # A screen reader reads the input by itself: give it the label's name (the label is
        # not its sibling, so Qt cannot find it) and the help line as its description.
        target = field.focus_target()
        if not target.accessibleName():
            target.setAccessibleName(catalogue_text(self.spec.title))
        self._description = catalogue_text(self.spec.description)
        if self.spec.required:
            self._description = " ".join(
                t for t in (self.tr("Required."), self._description) if t
            )  # fmt: skip
        target.setAccessibleDescription(self._description)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_tone(self.error, "error")
        self.error.hide()
        layout.addWidget(self.error)
        # What the field changed of the input ("The maximum is 1536; 5000 was changed…").
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        set_tone(self.notice, "warn")
        self.notice.hide()
        layout.addWidget(self.notice)
        self._problem = ""
        field.notice_changed.connect(self.show_notice)

    def show_problem(self, problem: str | None) -> None:
        prefix = f"{catalogue_text(self.spec.title)}: "
        if problem and problem.startswith(prefix):  # the label above already names it
            problem = problem[len(prefix) :]
            problem = problem[:1].upper() + problem[1:]
        self._problem = problem or ""
        self.error.setText(f"⚠ {problem}" if problem else "")
        self.error.setVisible(bool(problem))
        self._describe()

    @Slot(str)
    def show_notice(self, notice: str) -> None:
        self.notice.setText(f"ⓘ {notice}" if notice else "")
        self.notice.setVisible(bool(notice))
        self._describe()

    def _describe(self) -> None:
        """A screen reader hears the problem and the note before the help line."""
        parts = (self._problem, self.field.notice(), self._description)
        self.field.focus_target().setAccessibleDescription(" ".join(p for p in parts if p))


class ParamForm(QWidget):
    """The selected model's parameters.

    Signals:
        changed(): a value changed (by the person, or by set_model / set_values).
        submit_requested(): Ctrl+Enter (or Ctrl+Return) anywhere in the form.
        rebuilt(): set_model made new fields (a new model, or the language changed).
    """

    changed = Signal()
    rebuilt = Signal()
    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: ModelInfo | None = None
        self._rows: list[FieldRow] = []
        self._hidden: dict[str, Any] = {}
        self._quiet = False
        #: The service's latest estimate per model (seconds), once a task of it was answered.
        self._estimates: dict[str, float] = {}

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(font.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = muted(QLabel(), smaller=False)
        self.description.setWordWrap(True)
        self.meta = muted(QLabel())
        self.legend = muted(QLabel())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        meta_row = QHBoxLayout()
        meta_row.setContentsMargins(0, 0, 0, 0)
        meta_row.addWidget(self.meta, 1)
        meta_row.addWidget(self.legend)
        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(2, 0, 2, 10)
        header_layout.setSpacing(4)
        header_layout.addWidget(self.title)
        header_layout.addWidget(self.description)
        header_layout.addSpacing(2)
        header_layout.addLayout(meta_row)
        self.header = header
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: palette(midlight);")
        self.rule = rule

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop of its own: its fields are, and the view follows them.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = muted(QLabel(self.tr("Choose a model to see its settings.")), smaller=False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(rule)
        layout.addSpacing(10)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.empty, 1)
        self.setMinimumWidth(320)
        self._show_empty(True)

        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.empty.setText(self.tr("Choose a model to see its settings."))
            if self._model is not None:  # every label, help line and list, in the new words
                self.set_model(self._model, self.values())
        super().changeEvent(event)

    # -- building ------------------------------------------------------------------------

    def model(self) -> ModelInfo | None:
        return self._model

    def set_model(self, model: ModelInfo, values: Mapping[str, Any] | None = None) -> None:
        """Rebuild the form for `model`, filled with `values` (else the defaults)."""
        self._model = model
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self._rows = []
        # Hidden parameters keep their default and are sent; disabled ones never are.
        self._hidden = {p.name: p.default for p in model.params if p.hidden and not p.disabled}
        self._fill_header(model)

        content = QWidget()
        content.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        rows = QVBoxLayout(content)
        rows.setContentsMargins(2, 2, 2, 16)  # room for focus frames; the scroll bar has its own
        rows.setSpacing(ROW_SPACING)
        specs = [p for p in model.params if not p.hidden and not p.disabled]
        if model.param("channel") is None:
            specs.append(channel_spec())
        self._quiet = True
        try:
            for spec in specs:
                row = FieldRow(make_field(spec))
                row.field.changed.connect(lambda row=row: self._on_field_changed(row))
                rows.addWidget(row)
                self._rows.append(row)
            rows.addStretch(1)
            self.scroll_area.setWidget(content)
            for widget in content.findChildren(QWidget):
                widget.installEventFilter(self)
            self._show_empty(False)
            self.set_values(values or {})  # every field at its default, text ones too
        finally:
            self._quiet = False
        self.scroll_area.verticalScrollBar().setValue(0)
        self.rebuilt.emit()
        self.changed.emit()

    def _fill_header(self, model: ModelInfo) -> None:
        self.title.setText(model.name)
        self.title.setToolTip(model.model_id)
        self.description.setText(catalogue_text(model.description))
        self.description.setVisible(bool(model.description))
        learned = self._estimates.get(model.model_id)
        seconds = learned or model.estimated_duration
        facts = [t for t in (price_text(model.base_price), duration_text(seconds)) if t]
        self.meta.setText("  ·  ".join(facts))
        self.meta.setToolTip(
            self.tr("How long the service last estimated this model would take")
            if learned
            else self.tr("How long this model usually takes, from the model list")
            if seconds
            else ""
        )
        has_required = any(p.required and not p.hidden and not p.disabled for p in model.params)
        self.legend.setText(
            '<span style="color: palette(link); font-weight: 700;">*</span> '
            + html.escape(self.tr("required"))
            if has_required
            else ""
        )

    def learn_estimate(self, model_id: str, seconds: float) -> None:
        """The service estimated `seconds` for a task of `model_id`: the header says that from
        now on rather than the model list's typical time, so the window never shows two
        different times for the task that is running (its row and viewer say the same)."""
        if seconds <= 0 or self._estimates.get(model_id) == seconds:
            return
        self._estimates[model_id] = seconds
        if self._model is not None and self._model.model_id == model_id:
            self._fill_header(self._model)

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        for widget in (self.header, self.rule, self.scroll_area):
            widget.setVisible(not empty)

    def field(self, name: str) -> Field | None:
        return next((r.field for r in self._rows if r.spec.name == name), None)

    def tab_stops(self) -> list[QWidget]:
        """The fields' controls in Tab order: the container's descendants that take Tab, in
        the order they were made (which is the order Qt chains them in).

        Not by walking `nextInFocusChain()`: with PySide6 6.11 that walk left the viewer's
        Save-menu actions' wrappers invalid once a LoRA row it had passed was deleted
        ("Internal C++ object already deleted" on the next result shown)."""
        content = self.scroll_area.widget()
        if content is None:
            return []
        # isAncestorOf does not cross into other windows: a combo box's popup list is not
        # one of the form's stops.
        tab = Qt.FocusPolicy.TabFocus
        return [w for w in content.findChildren(QWidget)
                if w.focusPolicy() & tab and content.isAncestorOf(w)]  # fmt: skip

    def focus_first_field(self) -> None:
        """Put the cursor where people start: the first empty required field, else the top."""
        target = next((r for r in self._rows if r.spec.required and r.field.value() is None), None)
        target = target or (self._rows[0] if self._rows else None)
        if target is not None:
            target.field.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(target)

    # -- values --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The JSON body to send: typed values, optional empty fields left out. Never raises."""
        out: dict[str, Any] = {}
        for row in self._rows:
            try:
                value = row.field.value()
            except Exception:  # a field bug must not cost the person their form
                value = None
            if value is not None:
                out[row.spec.name] = value
        out.update({k: v for k, v in self._hidden.items() if v is not None})
        return out

    def set_values(self, values: Mapping[str, Any], *, reset: bool = True) -> list[str]:
        """Fill the form from `values` (a remembered form, a past task's parameters).

        Fields not in `values` go back to their defaults unless `reset` is False. Returns
        the names that could not be shown (unknown, or not valid for this model).
        """
        skipped: list[str] = []
        quiet, self._quiet = self._quiet, True
        try:
            for row in self._rows:
                if row.spec.name in values:
                    if not row.field.set_value(values[row.spec.name]):
                        skipped.append(row.spec.name)
                        if reset:
                            row.field.reset()
                elif reset:
                    row.field.reset()
                row.touched = False
                row.field.clear_notice()
                row.show_problem(None)
            for name, value in values.items():
                if name in self._hidden:
                    self._hidden[name] = value
                elif self.field(str(name)) is None:
                    skipped.append(str(name))
        finally:
            self._quiet = quiet
        if not self._quiet:
            self.changed.emit()
        return skipped

    # -- problems ------------------------------------------------------------------------

    def _row_problem(self, row: FieldRow) -> str | None:
        try:
            problem = row.field.problem()
            value = row.field.value()
        except Exception:
            return self.tr("{title}: this value cannot be read.").format(
                title=catalogue_text(row.spec.title)
            )
        if problem:
            return problem
        if value is None:
            if not row.spec.required:
                return None
            return self.tr("{title} is required.").format(title=catalogue_text(row.spec.title))
        check = row.spec.check(value)
        return _friendly(row.spec, check) if check else None

    def problems(self) -> list[str]:
        """Everything that stops the form from being sent, one sentence each."""
        if self._model is None:
            return [self.tr("Choose a model first.")]
        found = [p for row in self._rows if (p := self._row_problem(row))]
        shown = {row.spec.name for row in self._rows}
        for problem in validate_params(self._model, self.values()):
            name = problem.split(" ", 1)[0].rstrip(":")
            if name not in shown:  # hidden parameters and anything the rows cannot see
                found.append(problem)
        return found

    def show_problems(self) -> list[str]:
        """Explain every problem under its field and move to the first one."""
        first: FieldRow | None = None
        for row in self._rows:
            row.touched = True
            problem = self._row_problem(row)
            row.show_problem(problem)
            self._show_item_problems(row)
            if problem and first is None:
                first = row
        if first is not None:
            first.field.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(first, 0, 24)
        return self.problems()

    def _show_item_problems(self, row: FieldRow) -> None:
        """Problems inside rows go under their cell; the field's own line keeps the rest."""
        field = row.field
        if isinstance(field, ObjectListField):
            field.clear_item_problems()
            inner = field.item_problems()
            for path, problem in inner:
                field.show_item_problem(path, problem)
            if inner:
                row.show_problem(field.own_problem())

    def show_path_problems(self, problems: Iterable[tuple[Sequence[str | int], str]]) -> list[str]:
        """Place problems found elsewhere (a JSON Schema check: `error.absolute_path`, the
        server) under their field: ("loras", 0, "scale") lands under row 1's Scale.

        Returns the sentences that have no visible field to go under.
        """
        unplaced: list[str] = []
        for path, problem in problems:
            row = next((r for r in self._rows if path and r.spec.name == path[0]), None)
            if row is None:
                unplaced.append(problem)
                continue
            row.touched = True
            field = row.field
            inner = tuple(path[1:])
            if (
                len(inner) >= 2
                and isinstance(field, ObjectListField)
                and field.show_item_problem(inner, problem)
            ):
                continue
            row.show_problem(_friendly(row.spec, problem))
        return unplaced

    # -- reacting ------------------------------------------------------------------------

    def _on_field_changed(self, row: FieldRow) -> None:
        if row.touched:
            row.show_problem(self._row_problem(row))
            self._show_item_problems(row)
        if not self._quiet:
            self.changed.emit()

    def _row_of(self, widget: QWidget | None) -> FieldRow | None:
        while widget is not None:
            if isinstance(widget, FieldRow):
                return widget if widget in self._rows else None
            widget = widget.parentWidget()
        return None

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self._row_of(new) is not None:
            new.installEventFilter(self)  # widgets made after set_model (media chips)
        left = self._row_of(old)
        if left is not None and left is not self._row_of(new):
            left.touched = True
            left.show_problem(self._row_problem(left))
            self._show_item_problems(left)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submit_requested.emit()
            return
        super().keyPressEvent(event)
