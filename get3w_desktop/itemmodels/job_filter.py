"""Finding a task again: search, filters and order over the task list, in memory.

`JobFilterModel` is what the task list view shows: a plain QSortFilterProxyModel (its
per-row work is C++) over `JobMatchModel` (job_matches.py), which holds the matching rows
computed in bulk. At 100,000 tasks both halves matter (issue 16): a Python callback per
row in the filter costs 0.3-5 s per keystroke, and a Python index() per row in the view's
layout 0.2 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel

from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.itemmodels.job_matches import SCAN_SLICE, JobMatchModel
from get3w_desktop.itemmodels.job_search import Period, StateGroup

__all__ = ["JobFilterModel", "Period", "StateGroup"]


class JobFilterModel(QSortFilterProxyModel):
    """Rows of a `JobListModel` that match the search text and filters, newest first.

    `sourceModel()` answers the `JobListModel` (every task: the "N of M" count, profiles);
    the match layer between them is an implementation detail.
    """

    def __init__(
        self,
        source: JobListModel,
        parent: QObject | None = None,
        *,
        display_name: Callable[[str], str] = lambda model_id: model_id,
        clock: Callable[[], float] = time.time,
        scan_slice: int = SCAN_SLICE,
    ) -> None:
        super().__init__(parent)
        self._jobs = source
        self._matches = JobMatchModel(
            source, self, display_name=display_name, clock=clock, scan_slice=scan_slice
        )
        self.setSourceModel(self._matches)

    def sourceModel(self) -> JobListModel:
        return self._jobs

    def set_text(self, text: str) -> None:
        """Every word must appear (any case) in the prompt, model, task id or English error,
        or in what the row shows in the window's language: its state, error and note."""
        self._matches.set_text(text)

    def set_model_id(self, model_id: str | None) -> None:
        self._matches.set_model_id(model_id)

    def set_group(self, group: StateGroup) -> None:
        self._matches.set_group(group)

    def set_profile(self, profile: str | None) -> None:
        self._matches.set_profile(profile)

    def set_period(self, period: Period) -> None:
        self._matches.set_period(period)

    def set_oldest_first(self, oldest_first: bool) -> None:
        self._matches.set_oldest_first(oldest_first)

    def is_filtered(self) -> bool:
        return self._matches.is_filtered()

    @property
    def search_ready(self) -> bool:
        return self._matches.search_ready

    @property
    def scanning(self) -> bool:
        """A long query is still being scanned (the rows shown are the previous query's)."""
        return self._matches.scanning

    def finish_scan(self) -> None:
        """Show a pending query's rows now instead of over the next turns of the loop."""
        self._matches.finish_scan()

    def index_of(self, local_id: str) -> QModelIndex:
        return self.mapFromSource(self._matches.index_of(local_id))

    def job_at(self, row: int) -> Job | None:
        return self._matches.job_at(self.mapToSource(self.index(row, 0)).row())
