"""The generate panel: the model picker, the model's form, its price, Generate and Batch….

It sends tasks through the job book (with the price they were shown at) and asks the
window only for what it cannot know itself: which service is in use, whether a spending
limit allows a run, and where the person last saved files.

Signals:
    sent(list[Job]): tasks were sent (the window selects the newest).
    message(str text, int ms): a line for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.batch import variations
from get3w_desktop.core.catalogue import Catalogue, ModelInfo
from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Message
from get3w_desktop.core.money import Quote, estimate_cost
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.storage.settings import DEFAULT_CONFIRM_ABOVE
from get3w_desktop.ui.batch_bar import BatchBar
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.model_picker import ModelPicker
from get3w_desktop.ui.param_form import ParamForm
from get3w_desktop.ui.run_confirm import ask_to_send
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.ui.style import muted
from get3w_desktop.ui.texts import batch_text, quote_text
from get3w_desktop.workers.batch import BatchTracker
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.pricing import PriceQuoter
from get3w_desktop.workers.schema_warmer import SchemaWarmer

MAX_VARIATIONS = 16


class GeneratePanel(QWidget):
    sent = Signal(list)
    message = Signal(str, int)

    def __init__(
        self,
        catalogue: Catalogue,
        book: JobBook,
        memory: FormMemory,
        *,
        service: Callable[[], ServiceInfo],
        caps_message: Callable[[float | None], str | None],
        last_folder: Callable[[], Path],
        batch_bar: BatchBar,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue, self._book, self._memory = catalogue, book, memory
        self._schemas = SchemaWarmer(self)  # each chosen model's checker, compiled off-thread
        self._service, self._caps_message, self._last_folder = service, caps_message, last_folder
        self._batch_bar = batch_bar
        self._batches: list[BatchTracker] = []
        self._quoter: PriceQuoter | None = None
        self.model: ModelInfo | None = None
        #: A run whose total is above this asks first (None: never). Set from Settings.
        self.confirm_above: float | None = DEFAULT_CONFIRM_ABOVE
        self.picker = ModelPicker()  # the window places it in its own column
        self.picker.set_catalogue(catalogue)
        self.form = ParamForm()
        self.count = QSpinBox()
        self.count.setRange(1, MAX_VARIATIONS)
        self.count.setPrefix("× ")
        self.generate_button = QPushButton()
        self.generate_button.setDefault(True)
        self.generate_button.setMinimumHeight(34)
        self.price_label = muted(QLabel(""), smaller=False)
        self.batch_button = QPushButton()
        self.batch_button.setMinimumHeight(34)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 12, 6, 12)
        layout.setSpacing(10)
        layout.addWidget(self.form, 1)
        # Two rows, so the button's total ("Generate 3 · about $3.60") is never cut: the
        # count and the unit price, then the buttons at the panel's whole width.
        amount = QHBoxLayout()
        amount.setSpacing(8)
        amount.addWidget(self.count)
        amount.addWidget(self.price_label, 1)
        layout.addLayout(amount)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.generate_button, 1)
        bar.addWidget(self.batch_button)
        layout.addLayout(bar)

        self.picker.model_chosen.connect(self.choose_model)
        self.picker.model_activated.connect(lambda _id: self.form.focus_first_field())
        self.form.submit_requested.connect(self.generate)
        self.form.rebuilt.connect(self._order_tabs)
        book.changed.connect(self._on_job_changed)
        self.generate_button.clicked.connect(self.generate)
        self.form.changed.connect(self._request_price)
        self.count.valueChanged.connect(lambda _n: self.show_price())
        self.batch_button.clicked.connect(self.batch)

        first = memory.last_model() or (catalogue.models[0].model_id if len(catalogue) else None)
        if first and catalogue.get(first):
            self.picker.select(first)
            self.choose_model(first)

    def retranslate(self) -> None:
        self.count.setToolTip(self.tr("How many variations to generate (each with its own seed)"))
        self.batch_button.setText(self.tr("Batch…"))
        self.batch_button.setToolTip(
            self.tr("Many prompts at once, typed or from a .txt/.csv file (Ctrl+Shift+B)")
        )
        self.price_label.setAccessibleName(self.tr("Price of this run"))
        self.count.setAccessibleName(self.tr("Variations"))
        self.count.setAccessibleDescription(self.count.toolTip())
        self._show_offered()
        self.show_price()

    # -- the model and its form --------------------------------------------------------

    @Slot(str)
    def choose_model(self, model_id: str) -> None:
        model = self._catalogue.get(model_id)
        if model is None or model is self.model:
            return
        prompt = self.form.values().get("prompt") if self.model is not None else None
        self.remember()
        self.model = model
        self._schemas.warm(model)
        # A count chosen for a cheap model must not multiply an expensive one: each model
        # starts at one task (a remembered ×3 per model would set the same trap on return).
        self.count.setValue(1)
        self._memory.set_last_model(model_id)
        self.form.set_model(model, self._memory.get(model_id) or None)
        field = self.form.field("prompt")
        if isinstance(prompt, str) and prompt and field is not None:
            # One prompt across models: what was typed follows; other parameters stay per model.
            field.set_value(prompt)
        self._show_offered()
        self._request_price()
        self.show_price()

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        if job.estimated_duration:  # the service answered: its estimate is the one shown
            self.form.learn_estimate(job.model_id, job.estimated_duration)
            self.picker.source.set_estimate(job.model_id, job.estimated_duration)

    def _order_tabs(self) -> None:
        """Tab goes from the form's last field to the count, Generate and Batch (the form's
        fields are made after them, so Qt put them last in the window's chain)."""
        stops = self.form.tab_stops()
        if not stops:
            return
        QWidget.setTabOrder(stops[-1], self.count)
        QWidget.setTabOrder(self.count, self.generate_button)
        QWidget.setTabOrder(self.generate_button, self.batch_button)

    def models_changed(self) -> None:
        """The catalogue adopted a new list (the server's): show it; a form whose model's
        schema changed is rebuilt with its values; a model no longer offered stays shown but
        cannot be sent."""
        self.picker.set_catalogue(self._catalogue)
        if self.model is None:
            return
        fresh = self._catalogue.get(self.model.model_id)
        if fresh is not None and fresh != self.model:
            values = self.form.values()
            self.model = fresh
            self.form.set_model(fresh, values)
        self._show_offered()

    def _show_offered(self) -> None:
        offered = self.model is None or self._catalogue.is_offered(self.model.model_id)
        self.generate_button.setEnabled(offered)
        self.batch_button.setEnabled(offered)
        self.generate_button.setToolTip(
            self.tr("Generate (Ctrl+Enter)") if offered
            else self.tr("This model is no longer offered by the service: its settings are "
                         "shown for reference, and cannot be sent.")
        )  # fmt: skip

    def load(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Show `model_id` with `params` in the form (re-run, remix, compare)."""
        self.picker.select(model_id)
        self.choose_model(model_id)
        self.form.set_values(dict(params))

    def remember(self) -> None:
        """Keep the form's values for the next time this model is chosen."""
        if self.model is not None:
            self._memory.put(self.model.model_id, self.form.values())

    # -- sending -----------------------------------------------------------------------

    @Slot()
    def generate(self) -> list[Job]:
        """Submit the form (× N variations). Invalid input is explained in the form."""
        model = self.model
        if model is None or not self._catalogue.is_offered(model.model_id):
            return []
        problems = self.form.problems()
        if problems:
            self.form.show_problems()
            self.message.emit(self.tr("Check the form: {problem}").format(problem=problems[0]),
                              6000)  # fmt: skip
            return []
        params = self.form.values()
        unit = self.unit_price(model.model_id, params)
        count = self.count.value()
        if self._refused_by_caps(unit.amount * count if unit else None):
            return []
        if not self._confirmed(model, count, unit):
            return []
        self._memory.put(model.model_id, params)
        self.picker.note_used(model.model_id)  # the browser's "Recently used"
        profile = self._service().profile
        jobs = [
            self._book.submit(model.model_id, variation, profile, unit)
            for variation in variations(params, count, model.param("seed") is not None)
        ]
        self.sent.emit(jobs)
        return jobs

    @Slot()
    def batch(self) -> list[Job]:
        """Many prompts (typed, or from a .txt/.csv) × N variations, followed as one batch."""
        model = self.model
        if model is None:
            return []
        from get3w_desktop.ui.batch_dialog import BatchDialog  # loads when first used

        plan = BatchDialog.ask(model, self.form.values(), variations=self.count.value(),
                               start_dir=str(self._last_folder()), parent=self)  # fmt: skip
        if plan is None or not plan.ok or self._refused_by_caps(plan.cost):
            return []
        unit_price = None if plan.unit_price is None else Quote(plan.unit_price, estimated=True)
        if not self._confirmed(model, plan.count, unit_price):
            return []
        self._memory.put(model.model_id, self.form.values())
        tracker = BatchTracker(self._book.runner, self)
        for done in [b for b in self._batches if b.counts().finished]:
            self._batches.remove(done)
            done.deleteLater()
        self._batches.append(tracker)
        jobs = tracker.start(plan.model_id, plan.params, self._service().profile)
        self._batch_bar.bind(tracker)
        tracker.finished.connect(lambda counts: self.message.emit(batch_text(counts), 8000))
        self.sent.emit(jobs)
        return jobs

    def _refused_by_caps(self, cost: float | None) -> bool:
        """True (and the person told why) when a run of `cost` breaks a spending limit."""
        message = self._caps_message(cost)
        if message is None:
            return False
        self.message.emit(message, 15000)
        QMessageBox.information(self, self.tr("Spending limit"), message)
        return True

    def may_send(self, models: Sequence[str], units: Sequence[Quote | None]) -> bool:
        """May a run of these tasks (Re-run: any models, one price each) go? The spending
        limits, then one question above the threshold, as for Generate."""
        known = [unit.amount for unit in units if unit is not None]
        if self._refused_by_caps(sum(known) if len(known) == len(units) else None):
            return False
        return self._asked(models, units)

    def _confirmed(self, model: ModelInfo, count: int, unit: Quote | None) -> bool:
        """True when `count` tasks of `model` may go (see `_asked`)."""
        return self._asked([model.name or model.model_id] * count, [unit] * count)

    def _asked(self, models: Sequence[str], units: Sequence[Quote | None]) -> bool:
        """True when the run may go: at or below the threshold, or the person pressed Send
        (`ask_to_send`: one question for the whole run; an unknown price asks too)."""
        if ask_to_send(self, models, units, self.confirm_above):
            return True
        self.message.emit(self.tr("Not sent."), 4000)
        return False

    # -- the price ---------------------------------------------------------------------

    def set_quoter(self, quoter: PriceQuoter | None) -> None:
        """Where prices come from (the live service's pricing route, or estimates)."""
        if self._quoter is not None and shiboken6.isValid(self._quoter):
            self._quoter.quoted.disconnect(self.show_price)
            self._quoter.unavailable.disconnect(self._on_price_unavailable)
        self._quoter = quoter
        if quoter is not None:
            quoter.quoted.connect(self.show_price)
            quoter.unavailable.connect(self._on_price_unavailable)
        self._request_price()

    def unit_price(self, model_id: str, params: Mapping[str, Any]) -> Quote | None:
        """The server's price when known (cached), else the catalogue's estimate."""
        cached = self._quoter.cached(model_id, params) if self._quoter else None
        model = self._catalogue.get(model_id)
        return cached or (estimate_cost(model, dict(params)) if model else None)

    def _request_price(self) -> None:
        if self._quoter is not None and self.model is not None:
            self._quoter.request(self.model.model_id, self.form.values())

    @Slot(object)
    def _on_price_unavailable(self, reason: Message) -> None:
        self.price_label.setText("")
        self.price_label.setToolTip(render(reason))

    @Slot(object)
    def show_price(self, quote: Quote | None = None) -> None:
        if quote is None and self.model is not None:
            quote = self.unit_price(self.model.model_id, self.form.values())
        count = self.count.value()
        self._show_total(count, quote)
        if quote is None:
            self.price_label.setText("")
            return
        self.price_label.setText(self.tr("{price} each").format(price=quote_text(quote)))
        source = (
            self.tr("an estimate from the model list")
            if quote.estimated
            else self.tr("Get3W's price")
        )
        tip = (
            self.tr("{price} per task × {count} ({source}). Nothing is charged in the sandbox.")
            if self._service().is_sandbox
            else self.tr("{price} per task × {count} ({source}).")
        )
        self.price_label.setToolTip(tip.format(price=quote_text(quote), count=count, source=source))

    def _show_total(self, count: int, unit: Quote | None) -> None:
        """Generate says what pressing it costs: "Generate 3 · $3.60", "Generate · $0.14"."""
        if unit is None:
            text = self.tr("Generate {count}") if count > 1 else self.tr("Generate")
            text = text.format(count=count)
        else:
            total = quote_text(unit.times(count))
            text = (
                self.tr("Generate {count} · {total}")
                if count > 1
                else self.tr("Generate · {total}")
            )
            text = text.format(count=count, total=total)
        self.generate_button.setText(text)
