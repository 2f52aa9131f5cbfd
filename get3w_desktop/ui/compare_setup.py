"""The compare window's set-up panel: which models, which seeds, which prompt, and what the
run will send, cost and leave out, checked at every change (core.compare does the work).

Only models that can run from the form can be picked: those of its output kind that take
its prompt and its input (a picture, for an edit) and need nothing it does not give. The
others sit, greyed and folded, under one last row that counts them; each says why in its
tooltip and accessible description, so nothing can be picked and then refused.

Signals:
    run_requested(): Run was pressed (only while the plan can run).
    stop_requested(): Stop was pressed.
"""

from __future__ import annotations

import html
import random
import secrets
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import Catalogue, ModelInfo
from get3w_desktop.core.compare import (
    MAX_MODELS,
    MAX_SEEDS,
    ComparePlan,
    ModelNote,
    Offer,
    offer,
    parse_seeds,
    plan_compare,
    prompt_name,
)
from get3w_desktop.core.money import format_money, unit_price
from get3w_desktop.ui.job_delegate import format_estimate
from get3w_desktop.ui.style import error_color, heading, muted, muted_text, rule
from get3w_desktop.ui.texts import catalogue_text

_ModelId = Qt.ItemDataRole.UserRole
_Reason = Qt.ItemDataRole.UserRole + 1  # why an unavailable model cannot run
# Inputs named by what they are ("needs an input image"), not by their parameter.
_MEDIA_WORDS = frozenset({"image", "images", "video", "videos", "audio", "audios"})
# Rows the model list shows at least (it takes the panel's spare height).
_VISIBLE_MODELS = 7


class CompareSetup(QWidget):
    run_requested = Signal()
    stop_requested = Signal()

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._base: dict[str, Any] = {}
        self._kind = ""
        self._has_prompt = True
        self._notice = ""
        self._rng_seed = secrets.randbits(32)
        self._plan: ComparePlan | None = None
        self._seed_problems: list[str] = []
        self._just_toggled = False
        self._unavailable: QTreeWidgetItem | None = None  # the folded group of the others
        self._build()
        self._retranslate()

    def _build(self) -> None:
        self.models_label, self.prompt_label, self.seeds_label = heading(), heading(), heading()
        self.models_hint = muted(QLabel())
        self.models_hint.setWordWrap(True)
        self.model_list = QTreeWidget()
        self.model_list.setColumnCount(3)
        self.model_list.setHeaderHidden(True)
        self.model_list.setRootIsDecorated(False)
        self.model_list.setUniformRowHeights(True)
        self.model_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.model_list.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        header = self.model_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.model_list.setIndentation(14)
        self.model_list.itemChanged.connect(self._on_item_changed)
        self.model_list.itemClicked.connect(self._toggle_item)
        self.model_list.itemExpanded.connect(self._name_group)
        self.model_list.itemCollapsed.connect(self._name_group)

        self.prompt_edit = QPlainTextEdit()
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.prompt_edit.textChanged.connect(self.refresh)

        self.count_radio, self.list_radio = QRadioButton(), QRadioButton()
        group = QButtonGroup(self)
        group.addButton(self.count_radio)
        group.addButton(self.list_radio)
        self.count_radio.setChecked(True)
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, MAX_SEEDS)
        self.count_spin.setValue(2)
        self.seeds_edit = QLineEdit()
        self.seeds_edit.setEnabled(False)
        self.seeds_hint = muted(QLabel())
        self.seeds_hint.setWordWrap(True)
        self.count_radio.toggled.connect(self._on_seed_mode)
        self.count_spin.valueChanged.connect(self._on_count_changed)
        self.seeds_edit.textChanged.connect(lambda _text: self.refresh())

        self.summary_label = QLabel()
        bold = QFont(self.summary_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.summary_label.setFont(bold)
        self.summary_label.setWordWrap(True)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.problems_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.run_button, self.stop_button = QPushButton(), QPushButton()
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.setEnabled(False)
        self._lay_out()

    def _lay_out(self) -> None:
        seeds = QGridLayout()
        seeds.setHorizontalSpacing(10)
        seeds.setVerticalSpacing(6)
        seeds.addWidget(self.count_radio, 0, 0)
        seeds.addWidget(self.count_spin, 0, 1, Qt.AlignmentFlag.AlignLeft)
        seeds.addWidget(self.list_radio, 1, 0)
        seeds.addWidget(self.seeds_edit, 1, 1)
        seeds.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 14, 14)
        layout.setSpacing(6)
        layout.addWidget(self.models_label)
        layout.addWidget(self.models_hint)
        layout.addWidget(self.model_list, 1)  # the spare height shows more models
        layout.addSpacing(10)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.prompt_edit)
        layout.addSpacing(10)
        layout.addWidget(self.seeds_label)
        layout.addLayout(seeds)
        layout.addWidget(self.seeds_hint)
        layout.addWidget(rule())
        layout.addSpacing(2)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_label)
        layout.addSpacing(4)
        layout.addLayout(buttons)

    def _retranslate(self) -> None:
        self.models_label.setText(self.tr("Models"))
        self.models_hint.setText(
            self.tr(
                "Up to {n} that can run from this form: the same kind of result, its prompt "
                "and its inputs. Prices are estimates."
            ).format(n=MAX_MODELS)
        )
        self.model_list.setAccessibleName(self.tr("Models to compare"))
        self.prompt_label.setText(self.tr("Prompt"))
        self.prompt_edit.setAccessibleName(self.tr("Prompt"))
        self.prompt_edit.setPlaceholderText(self.tr("What every model should make"))
        self.seeds_label.setText(self.tr("Seeds"))
        self.count_radio.setText(self.tr("&Count:"))
        self.list_radio.setText(self.tr("&These:"))
        self._suffix()
        self.seeds_edit.setPlaceholderText(self.tr("for example 1, 2, 42"))
        self.seeds_edit.setAccessibleName(self.tr("Seeds, separated by commas"))
        self.stop_button.setText(self.tr("&Stop"))
        self.stop_button.setToolTip(
            self.tr("Stop waiting for the tasks still running (those already sent may be charged)")
        )

    @Slot(int)
    def _on_count_changed(self, _value: int) -> None:
        self._suffix()
        self.refresh()

    def _suffix(self) -> None:
        one = self.count_spin.value() == 1
        self.count_spin.setSuffix(self.tr(" seed") if one else self.tr(" seeds"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() is QEvent.Type.LanguageChange:
            self._retranslate()
            if self.model_list.topLevelItemCount():  # tooltips and estimates, in the new words
                self._fill_models(set(self.checked_models()))
            self.refresh()
        super().changeEvent(event)

    # -- what is compared ----------------------------------------------------------------

    def set_form(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Start from the main form: its prompt and values, models of its output kind that
        can run from it. Models already picked stay picked when they still can."""
        model = self._catalogue.get(model_id)
        kind = model.output_kind if model is not None else "image"
        keep = set(self.checked_models()) if kind == self._kind else set()
        self._kind, self._base = kind, dict(params)
        self._has_prompt = model is None or prompt_name(model) is not None
        prompt = next((v for k in ("prompt", "text") if isinstance(v := params.get(k), str)), "")
        self.prompt_edit.blockSignals(True)
        self.prompt_edit.setPlainText(prompt)
        self.prompt_edit.blockSignals(False)
        self._fill_models(keep or {model_id})
        self._notice = ""
        self.refresh()

    def _offers(self) -> list[tuple[ModelInfo, Offer]]:
        return [
            (model, offer(model, self._base, has_prompt=self._has_prompt))
            for model in self._catalogue
            if model.output_kind == self._kind
        ]

    def _fill_models(self, checked: set[str]) -> None:
        expanded = self._unavailable is not None and self._unavailable.isExpanded()
        self.model_list.blockSignals(True)
        self.model_list.clear()
        self._unavailable = None
        muted_brush = self.palette().placeholderText()
        others: list[tuple[ModelInfo, Offer]] = []
        for model, found in self._offers():
            if not found.runnable:
                others.append((model, found))
                continue
            price = unit_price(model, found.mapped.params)
            estimate = model.estimated_duration
            item = QTreeWidgetItem([
                model.name,
                format_money(price) if price is not None else "—",
                format_estimate(estimate) if estimate else "",
            ])  # fmt: skip
            item.setData(0, _ModelId, model.model_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, _check(model.model_id in checked))
            item.setToolTip(0, _model_tip(model))
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                item.setForeground(column, muted_brush)
            self.model_list.addTopLevelItem(item)
        if others:
            self._add_unavailable(others, expanded)
        self.model_list.blockSignals(False)
        rows = min(max(self.model_list.topLevelItemCount(), 3), _VISIBLE_MODELS)
        row_height = (
            self.model_list.sizeHintForRow(0) if self.model_list.topLevelItemCount() else 24
        )
        self.model_list.setMinimumHeight(rows * row_height + 2 * self.model_list.frameWidth() + 4)

    def _add_unavailable(self, others: list[tuple[ModelInfo, Offer]], expanded: bool) -> None:
        """One folded row counting the models this form cannot run; each, inside, greyed
        and not checkable, says why (tooltip, accessible description, and after its name)."""
        group = QTreeWidgetItem()
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setForeground(0, self.palette().placeholderText())
        self.model_list.addTopLevelItem(group)
        group.setFirstColumnSpanned(True)
        for model, found in others:
            short, reason = self._reason(found)
            item = QTreeWidgetItem(
                [self.tr("{model} · {reason}").format(model=model.name, reason=short)]
            )
            item.setData(0, _ModelId, model.model_id)
            item.setData(0, _Reason, reason)
            item.setFlags(Qt.ItemFlag.NoItemFlags)  # greyed: neither checkable nor selectable
            item.setToolTip(0, _model_tip(model, reason))
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, model.name)
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole,
                         self.tr("Cannot be compared from this form: {reason}").format(
                             reason=reason))  # fmt: skip
            group.addChild(item)
            item.setFirstColumnSpanned(True)
        self._unavailable = group
        group.setExpanded(expanded)
        self._name_group(group)

    @Slot(QTreeWidgetItem)
    def _name_group(self, group: QTreeWidgetItem) -> None:
        if group is not self._unavailable:
            return
        count = group.childCount()
        arrow = "▾" if group.isExpanded() else "▸"
        text = self.tr("%n more cannot run from this form", "", count)
        group.setText(0, f"{arrow} {text}")
        group.setToolTip(0, self.tr("Models of this kind that need an input this form does not "
                                    "give, or cannot take its prompt or input; click to show "
                                    "them and why"))  # fmt: skip
        group.setData(0, Qt.ItemDataRole.AccessibleTextRole, text)

    def _reason(self, found: Offer) -> tuple[str, str]:
        """Why a model cannot run from this form, in the person's language: a few words
        for its row, and the whole sentence (tooltip, screen reader)."""
        if found.missing:
            media = [n for n in found.missing if n in _MEDIA_WORDS]
            if media and len(media) == len(found.missing):
                short = self.tr("needs {inputs}").format(
                    inputs=self.tr(" and ").join(self._media_word(n) for n in media))  # fmt: skip
                return short, self.tr("{reason}, which this form does not have").format(
                    reason=short)  # fmt: skip
            short = self.tr("needs {names}").format(names=", ".join(found.missing))
            return short, self.tr("{reason}, which this form does not give").format(reason=short)
        if found.drops:
            short = self.tr("cannot take this form's {inputs}").format(
                inputs=self.tr(" and ").join(self._media_word(n) for n in found.drops))  # fmt: skip
            return short, short
        if found.no_prompt:
            return self.tr("takes no prompt"), self.tr("takes no prompt")
        short = self.tr("refuses this form's values")
        return short, self.tr("{reason}: {problems}").format(
            reason=short, problems="; ".join(found.refused))  # fmt: skip

    def _media_word(self, name: str) -> str:
        words = {
            "image": self.tr("an input image"), "images": self.tr("input images"),
            "video": self.tr("an input video"), "videos": self.tr("input videos"),
            "audio": self.tr("input audio"), "audios": self.tr("input audio"),
        }  # fmt: skip
        return words.get(name, name)

    def unavailable_models(self) -> dict[str, str]:
        """The models of this kind that cannot run from the form, with why."""
        group = self._unavailable
        if group is None:
            return {}
        children = (group.child(i) for i in range(group.childCount()))
        return {
            str(child.data(0, _ModelId)): str(child.data(0, _Reason))
            for child in children
            if child is not None
        }

    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return  # the folded group's count, not a pick
        self._just_toggled = True  # until the click that did it (if any) has been handled
        QTimer.singleShot(0, self._forget_toggle)
        self.refresh()

    @Slot()
    def _forget_toggle(self) -> None:
        self._just_toggled = False

    def _toggle_item(self, item: QTreeWidgetItem, _column: int) -> None:
        """A click anywhere on the row, not only on its box, picks the model (a click on
        the row of models this form cannot run folds or unfolds it)."""
        if item is self._unavailable:
            item.setExpanded(not item.isExpanded())
            return
        if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        if self._just_toggled:  # the box itself was clicked: Qt has toggled it already
            self._just_toggled = False
            return
        item.setCheckState(0, _check(item.checkState(0) is not Qt.CheckState.Checked))
        self._just_toggled = False

    def _items(self) -> list[QTreeWidgetItem]:
        """The rows that can be picked."""
        found = (
            self.model_list.topLevelItem(i) for i in range(self.model_list.topLevelItemCount())
        )
        return [
            item
            for item in found
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable
        ]

    def listed_models(self) -> list[str]:
        """The models that can be picked (those this form can run)."""
        return [str(item.data(0, _ModelId)) for item in self._items()]

    def checked_models(self) -> list[str]:
        return [
            str(item.data(0, _ModelId))
            for item in self._items()
            if item.checkState(0) is Qt.CheckState.Checked
        ]

    def set_checked_models(self, model_ids: list[str]) -> None:
        self.model_list.blockSignals(True)
        for item in self._items():
            item.setCheckState(0, _check(item.data(0, _ModelId) in model_ids))
        self.model_list.blockSignals(False)
        self.refresh()

    def set_seeds(self, seeds: int | list[int]) -> None:
        """A count, or the seeds themselves (as if typed)."""
        if isinstance(seeds, int):
            self.count_radio.setChecked(True)
            self.count_spin.setValue(seeds)
        else:
            self.list_radio.setChecked(True)
            self.seeds_edit.setText(", ".join(str(s) for s in seeds))
        self.refresh()

    @Slot(bool)
    def _on_seed_mode(self, count: bool) -> None:
        self.count_spin.setEnabled(count)
        self.seeds_edit.setEnabled(not count)
        if not count:
            self.seeds_edit.setFocus()
        self.refresh()

    # -- the plan ------------------------------------------------------------------------

    def plan(self) -> ComparePlan:
        """The run as it stands (check `can_run()` before sending it)."""
        if self.count_radio.isChecked():
            seeds: int | list[int] = self.count_spin.value()
            self._seed_problems = []
        else:
            seeds, self._seed_problems = parse_seeds(self.seeds_edit.text())
        rng = random.Random(self._rng_seed)  # noqa: S311 - seeds, steady while typing
        prompt = self.prompt_edit.toPlainText()
        return plan_compare(self._catalogue, prompt, self._base, self.checked_models(), seeds,
                            rng=rng)  # fmt: skip

    def can_run(self) -> bool:
        return self._plan is not None and self._plan.ok and not self._seed_problems

    def new_random_seeds(self) -> None:
        """After a run: the next one gets fresh random seeds (fixed ones stay)."""
        self._rng_seed = secrets.randbits(32)
        self.refresh()

    def set_notice(self, text: str) -> None:
        """A sentence shown above the plan's problems (a spending limit, a send failure)."""
        self._notice = text
        self.refresh()

    def _note_text(self, note: ModelNote) -> str:
        """A model's note in the person's language (parameter keys stay as they are)."""
        parts: list[str] = []
        if note.left_out:
            parts.append(self.tr("has no {names} (left out)").format(
                names=", ".join(note.left_out)))  # fmt: skip
        if note.replaced:
            parts.append(self.tr("does not offer {names} (its default is used)").format(
                names=", ".join(note.replaced)))  # fmt: skip
        if note.no_seed:
            parts.append(self.tr("takes no seed (each of its runs varies by itself)"))
        if note.no_price:
            parts.append(self.tr("has no price in the model list (the total leaves it out)"))
        return self.tr("{model}: {details}.").format(
            model=note.model_name, details=self.tr("; ").join(parts))  # fmt: skip

    def set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)

    @Slot()
    def refresh(self) -> None:
        """Plan again and show what the run will send, cost and leave out."""
        self._plan = plan = self.plan()
        self.summary_label.setText(self._summary(plan))
        red = error_color(self.palette())
        lines = [_html_line(self._notice, red)] if self._notice else []
        lines += [_html_line(e, red) for e in (*self._seed_problems, *plan.errors)]
        grey = muted_text(self.palette()).name()
        by_model = {note.text(): self._note_text(note) for note in plan.model_notes}
        lines += [_html_line(by_model.get(n, n), grey) for n in plan.notes]
        self.problems_label.setText("".join(lines))
        self.problems_label.setVisible(bool(lines))
        ready = self.can_run()
        self.run_button.setEnabled(ready)
        if ready and plan.count == 1:
            self.run_button.setText(self.tr("&Run 1 task"))
        elif ready:
            self.run_button.setText(self.tr("&Run {count} tasks").format(count=plan.count))
        else:
            self.run_button.setText(self.tr("&Run"))
        self.seeds_hint.setText(self._seeds_hint(plan))

    def _summary(self, plan: ComparePlan) -> str:
        if not plan.cells:
            return self.tr("Nothing to compare yet")
        models = self.tr("1 model") if plan.rows == 1 else self.tr("{n} models")
        if plan.takes_seeds:
            seeds = self.tr("1 seed") if plan.columns == 1 else self.tr("{n} seeds")
        else:
            seeds = self.tr("1 run") if plan.columns == 1 else self.tr("{n} runs")
        tasks = self.tr("1 task") if plan.count == 1 else self.tr("{n} tasks")
        text = self.tr("{models} × {seeds} = {tasks}").format(
            models=models.format(n=plan.rows), seeds=seeds.format(n=plan.columns),
            tasks=tasks.format(n=plan.count),
        )  # fmt: skip
        total = plan.total_cost
        if total is not None:
            text += self.tr(" · about {cost}").format(cost=format_money(total))
            if plan.unpriced:
                text += self.tr(" + {n} without a price").format(n=plan.unpriced)
        return text

    def _seeds_hint(self, plan: ComparePlan) -> str:
        if not plan.seeds or not plan.cells:
            return self.tr("Every model gets the same seeds, so a column compares like with like.")
        if not plan.takes_seeds:
            return self.tr("None of these models takes a seed: each run varies by itself.")
        shown = ", ".join(str(s) for s in plan.seeds)
        return self.tr("Seeds {seeds}, the same for every model.").format(seeds=shown)


def _check(on: bool) -> Qt.CheckState:
    return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked


def _model_tip(model: ModelInfo, reason: str = "") -> str:
    parts = [f"<b>{html.escape(model.name)}</b> <code>{html.escape(model.model_id)}</code>"]
    if reason:
        parts.append(f"<i>{html.escape(reason)}</i>")
    if model.description:
        parts.append(html.escape(catalogue_text(model.description)))
    return "<br>".join(parts)


def _html_line(text: str, color: str) -> str:
    return f'<p style="margin: 0 0 4px 0; color: {color};">{html.escape(text)}</p>'
