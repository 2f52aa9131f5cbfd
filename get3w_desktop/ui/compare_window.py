"""The compare window: one prompt across several models and seeds, side by side.

Left, the set-up (ui/compare_setup.py): models of the current output kind with their
prices, the seeds, the prompt, and what the run will send, cost and leave out. Right, the
grid: a row per model, a column per seed, a card per task (ui/compare_card.py) with its
picture (or a video/audio glyph), progress against the estimate, then the time it took and
what it cost. Tasks go through the job book, so they also appear in its task
list and history; closing this window stops nothing.

Signals:
    open_job(str local_id): a card was clicked: show that task.
    use_params(str model_id, dict params): put the selected card's model and settings in
        the form.
    submitted(dict local_id -> Quote): tasks were sent, each with the price it was sent at.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.compare import CompareCell, ComparePlan
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.money import Quote, format_money, job_charge
from get3w_desktop.ui.compare_card import CompareCard
from get3w_desktop.ui.compare_setup import CompareSetup
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.job_delegate import TICK_MS, format_duration, format_estimate
from get3w_desktop.ui.run_confirm import ask_to_send
from get3w_desktop.ui.style import heading, muted, muted_text
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.thumbnails import ThumbnailLoader

# Cards per row when only models are compared (one seed): side by side, then wrapped.
MODELS_PER_ROW = 3
_ROW_HEADER_WIDTH = 132


class CompareWindow(QWidget):
    """A non-modal window that sends a compare grid through the job book and follows it.

    `spend_check(cost)` returns a sentence when a run costing `cost` (None: not known)
    breaks a spending limit, else None; the run is then not sent. `confirm_above()` is the
    amount above which a run asks first (None: never), read at each run as Generate does.
    """

    open_job = Signal(str)
    use_params = Signal(str, object)
    submitted = Signal(object)

    def __init__(
        self,
        catalogue: Catalogue,
        book: JobBook,
        thumbnails: ThumbnailLoader,
        model_id: str,
        params: Mapping[str, Any],
        *,
        profile: str = "sandbox",
        spend_check: Callable[[float | None], str | None] | None = None,
        confirm_above: Callable[[], float | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._catalogue, self._book, self._thumbnails = catalogue, book, thumbnails
        self._profile, self._spend_check = profile, spend_check
        self._confirm_above = confirm_above or (lambda: None)
        self._cards: dict[str, CompareCard] = {}
        self._headers: list[QLabel] = []
        self._shown: ComparePlan | None = None
        self._quotes: dict[str, Quote] = {}
        self._selected: CompareCard | None = None
        self.resize(1180, 800)
        self.setup = CompareSetup(catalogue)
        self.setup.run_requested.connect(self.run)
        self.setup.stop_requested.connect(self.stop)
        self._build_results()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.setup)
        splitter.addWidget(self._results)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([350, 830])
        splitter.setChildrenCollapsible(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(splitter)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        # A secondary window closes like one: Esc, and the platform's Close (Ctrl+W, Cmd+W).
        install_close_keys(self)
        book.changed.connect(self._on_job_changed)
        thumbnails.ready.connect(self._on_thumbnail)
        thumbnails.failed.connect(self._on_thumbnail)
        self._retranslate()
        self.setup.set_form(model_id, params)

    def _build_results(self) -> None:
        self.results_label = heading()
        self.results_status = muted(QLabel())
        self.use_button = QPushButton()
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self._use_selected)
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.results_label)
        top.addWidget(self.results_status, 1)
        top.addWidget(self.use_button)
        self.placeholder = muted(QLabel(), smaller=False)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(2, 2, 2, 2)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(14)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.grid_scroll = QScrollArea()
        self.grid_scroll.setWidgetResizable(True)
        self.grid_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.grid_scroll.setWidget(self.grid_host)
        self.grid_scroll.hide()
        self._results = QWidget()
        layout = QVBoxLayout(self._results)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.grid_scroll, 1)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Compare models and seeds"))
        self.results_label.setText(self.tr("Results"))
        self.use_button.setText(self.tr("&Use these settings"))
        self.use_button.setToolTip(
            self.tr("Put the selected card's model and settings, seed included, into the form")
        )
        self.placeholder.setText(
            self.tr(
                "Pick the models to compare and press Run.\nEach task appears here with its "
                "result, how long it took and what it cost; click one to open it."
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() is QEvent.Type.LanguageChange:
            self._retranslate()
            if self._shown is not None:
                self._fill_headers(self._shown)
                for card in self._cards.values():
                    card.set_seed_label(self._seed_label(self._shown, card.cell))
            self._update_status()
        super().changeEvent(event)

    # -- the set-up, for the main window and tests -------------------------------------

    def set_form(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Start again from the main form (its prompt, values and model kind)."""
        self.setup.set_form(model_id, params)

    def set_profile(self, profile: str) -> None:
        """Send the next run to another profile (the runner's client follows the service)."""
        self._profile = profile

    def set_checked_models(self, model_ids: list[str]) -> None:
        self.setup.set_checked_models(model_ids)

    def set_seeds(self, seeds: int | list[int]) -> None:
        self.setup.set_seeds(seeds)

    def plan(self) -> ComparePlan:
        return self.setup.plan()

    def can_run(self) -> bool:
        return self.setup.can_run()

    # -- running -------------------------------------------------------------------------

    @Slot()
    def run(self) -> list[Job]:
        """Send every cell through the job book (with its price) and show the grid; [] when
        nothing was sent."""
        self.setup.set_notice("")
        plan = self.setup.plan()
        if not self.setup.can_run():
            return []
        if self._spend_check is not None:
            refusal = self._spend_check(plan.total_cost if not plan.unpriced else None)
            if refusal:
                self.setup.set_notice(refusal)
                return []
        names = [cell.model_name for cell in plan.cells]
        if not ask_to_send(self, names, [c.quote for c in plan.cells], self._confirm_above()):
            self.setup.set_notice(self.tr("Not sent."))
            return []
        self._clear_grid()
        self._shown = plan
        jobs: list[Job] = []
        quotes: dict[str, Quote] = {}
        for cell in plan.cells:
            try:
                job = self._book.submit(cell.model_id, cell.params, self._profile, cell.quote)
            except RuntimeError as exc:  # no client yet, or quitting
                self.setup.set_notice(
                    self.tr("The tasks could not be sent: {reason}.").format(reason=str(exc))
                )
                break
            jobs.append(job)
            if cell.quote is not None:
                quotes[job.local_id] = cell.quote
            self._add_card(plan, cell, job)
        self._fill_headers(plan)
        self._quotes.update(quotes)
        if jobs:
            self.submitted.emit(quotes)
            self._timer.start()
            self.setup.new_random_seeds()
        self._update_status()
        return jobs

    @Slot()
    def stop(self) -> None:
        """Stop waiting for the cards still running. Tasks already on the server go on."""
        for card in list(self._cards.values()):
            if card.job.state.active:
                self._book.stop([card.job.local_id])

    def cards(self) -> list[CompareCard]:
        """The grid's cards, model by model, seed by seed."""
        return list(self._cards.values())

    @staticmethod
    def _models_only(plan: ComparePlan) -> bool:
        return plan.columns == 1 and plan.rows > 1

    def _add_card(self, plan: ComparePlan, cell: CompareCell, job: Job) -> None:
        models_only = self._models_only(plan)
        card = CompareCard(cell, job, self._thumbnails, self._charge, self._seed_label(plan, cell),
                           self.grid_host, labelled=models_only)  # fmt: skip
        card.clicked.connect(lambda c=card: self._on_card_clicked(c))
        self._cards[job.local_id] = card
        if models_only:  # side by side, then wrapped; each card names its model
            row, column = divmod(cell.row, MODELS_PER_ROW)
            self.grid.addWidget(card, row, column)
        else:  # a header row of seeds, a header column of models
            self.grid.addWidget(card, cell.row + 1, cell.column + 1)
        self.placeholder.hide()
        self.grid_scroll.show()

    def _fill_headers(self, plan: ComparePlan) -> None:
        for label in self._headers:
            self.grid.removeWidget(label)
            label.deleteLater()
        self._headers.clear()
        if self._models_only(plan):
            return
        for column in range(plan.columns):
            label = QLabel(html.escape(self._column_title(plan, column)))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._add_header(label, 0, column + 1)
        for row, model_id in enumerate(plan.model_ids):
            first = plan.cell(row, 0)
            model = self._catalogue.get(model_id)
            if first is None or model is None:
                continue
            facts = [format_money(first.price) if first.price is not None else ""]
            if model.estimated_duration:
                facts.append(format_estimate(model.estimated_duration))
            grey = muted_text(self.palette()).name()
            lines = [" · ".join(f for f in facts if f)]
            if plan.takes_seeds and first.seed is None:
                lines.append(self.tr("takes no seed"))
            muted_lines = "<br>".join(html.escape(line) for line in lines)
            label = QLabel(
                f"<b>{html.escape(model.name)}</b><br>"
                f"<span style='color: {grey};'>{muted_lines}</span>"
            )
            label.setWordWrap(True)
            label.setFixedWidth(_ROW_HEADER_WIDTH)
            label.setToolTip(model_id)
            self._add_header(label, row + 1, 0)

    def _add_header(self, label: QLabel, row: int, column: int) -> None:
        label.setTextFormat(Qt.TextFormat.RichText)
        self._headers.append(label)
        align = Qt.AlignmentFlag.AlignVCenter if column == 0 else Qt.AlignmentFlag.AlignBottom
        self.grid.addWidget(label, row, column, align)

    def _column_title(self, plan: ComparePlan, column: int) -> str:
        if plan.takes_seeds:
            return self.tr("Seed {seed}").format(seed=plan.seeds[column])
        return self.tr("Run {n}").format(n=column + 1)

    def _seed_label(self, plan: ComparePlan, cell: CompareCell) -> str:
        if cell.seed is not None:
            return self.tr("Seed {seed}").format(seed=cell.seed)
        if plan.columns == 1:
            return self.tr("No seed")
        return self.tr("Run {n} · no seed").format(n=cell.column + 1)

    def _clear_grid(self) -> None:
        for card in self._cards.values():
            self.grid.removeWidget(card)
            card.deleteLater()
        self._cards.clear()
        self._select(None)

    def _charge(self, job: Job) -> tuple[float, bool] | None:
        charge = job_charge(job, self._catalogue, self._quotes)
        return None if charge is None else (charge.amount, charge.estimated)

    # -- following -----------------------------------------------------------------------

    @Slot(object)
    def _on_job_changed(self, job: Job) -> None:
        card = self._cards.get(job.local_id)
        if card is None:
            return
        card.set_job(job)
        if job.state.active and not self._timer.isActive():
            self._timer.start()
        self._update_status()

    @Slot(str)
    def _on_thumbnail(self, path: str, *_rest: object) -> None:
        for card in self._cards.values():
            if card.shows_file(path):
                card.update()

    @Slot()
    def _tick(self) -> None:
        active = [c for c in self._cards.values() if c.job.state.active]
        for card in active:
            card.update()
        if not active:
            self._timer.stop()
        self._update_status()

    def _update_status(self) -> None:
        jobs = [card.job for card in self._cards.values()]
        active = sum(1 for j in jobs if j.state.active)
        self.setup.set_running(active > 0)
        if not jobs:
            self.results_status.setText("")
            return
        done = sum(1 for j in jobs if j.state is JobState.COMPLETED)
        if active:
            text = self.tr("{done} of {total} done").format(done=done, total=len(jobs))
        else:
            started = min(j.submitted_at or j.created_at for j in jobs)
            ended = max(j.finished_at or j.created_at for j in jobs)
            text = self.tr("{done} of {total} done in {time}").format(
                done=done, total=len(jobs), time=format_duration(max(0.0, ended - started))
            )
        trouble = len(jobs) - done - active
        if trouble:
            text += self.tr(" · {n} did not finish").format(n=trouble)
        charges = [c for c in (self._charge(j) for j in jobs) if c is not None]
        if charges:
            total = format_money(sum(amount for amount, _estimated in charges))
            if active:
                text += self.tr(" · about {cost} so far").format(cost=total)
            elif any(estimated for _amount, estimated in charges):
                text += self.tr(" · about {cost} in all").format(cost=total)
            else:
                text += self.tr(" · {cost} in all").format(cost=total)
        self.results_status.setText(text)

    # -- choosing ------------------------------------------------------------------------

    def _on_card_clicked(self, card: CompareCard) -> None:
        self._select(card)
        self.open_job.emit(card.job.local_id)

    def _select(self, card: CompareCard | None) -> None:
        if self._selected is not None and self._selected is not card:
            self._selected.set_selected(False)
        self._selected = card
        if card is not None:
            card.set_selected(True)
            card.setFocus(Qt.FocusReason.MouseFocusReason)
        self.use_button.setEnabled(card is not None)

    def selected_card(self) -> CompareCard | None:
        return self._selected

    @Slot()
    def _use_selected(self) -> None:
        card = self._selected
        if card is not None:
            self.use_params.emit(card.cell.model_id, dict(card.job.params))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides the grid; its tasks go on in the main window's list."""
        self._timer.stop()
        super().closeEvent(event)
