"""Finding a task again: search, filters and sort over the task list, in memory.

A proxy over `JobListModel`: the list keeps every job (newest first); this shows the ones
that match. Matching is plain attribute checks on immutable snapshots, so 10,000 rows
filter in a few milliseconds without touching the disk.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole

_Index = QModelIndex | QPersistentModelIndex


class StateGroup(enum.Enum):
    """What people filter by: four groups rather than nine internal states."""

    ALL = "All statuses"
    ACTIVE = "In progress"
    DONE = "Done"
    PROBLEM = "Failed or not saved"
    STOPPED = "Stopped"

    def matches(self, state: JobState) -> bool:
        if self is StateGroup.ALL:
            return True
        if self is StateGroup.ACTIVE:
            return state.active
        if self is StateGroup.DONE:
            return state is JobState.COMPLETED
        if self is StateGroup.STOPPED:
            return state is JobState.CANCELLED
        return state in (JobState.FAILED, JobState.NOT_SAVED, JobState.UNCERTAIN)


class Period(enum.Enum):
    ANY = "Any time"
    DAY = "Last 24 hours"
    WEEK = "Last 7 days"
    MONTH = "Last 30 days"

    @property
    def label(self) -> str:
        return str(self.value)

    @property
    def seconds(self) -> float | None:
        return _PERIOD_SECONDS[self]


_PERIOD_SECONDS: dict[Period, float | None] = {
    Period.ANY: None, Period.DAY: 86_400.0, Period.WEEK: 7 * 86_400.0,
    Period.MONTH: 30 * 86_400.0,
}  # fmt: skip


class JobFilterModel(QSortFilterProxyModel):
    """Rows of a `JobListModel` that match the search text and filters, newest first."""

    def __init__(
        self,
        source: JobListModel,
        parent: QObject | None = None,
        *,
        display_name: Callable[[str], str] = lambda model_id: model_id,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._display_name = display_name
        self._clock = clock
        self._words: list[str] = []
        self._model_id: str | None = None
        self._group = StateGroup.ALL
        self._profile: str | None = None
        self._period = Period.ANY
        self._oldest_first = False
        self._source = source
        #: local id -> (the snapshot, its casefolded search text): built once per snapshot.
        self._haystacks: dict[str, tuple[Job, str]] = {}
        self.setSourceModel(source)
        self.setDynamicSortFilter(True)  # a running job that stops matching leaves the view
        self.setSortRole(JobRole.CREATED)
        # The source is newest first already (new jobs go on top, history is appended
        # newest first), so "newest first" is its own order: sorting would call `data()`
        # ~15 times per row (0.6 s for 10,000 rows on every insert or filter change).

    # -- settings ----------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Every word must appear in the prompt, model, task id or error (any case)."""
        words = text.casefold().split()
        if words != self._words:
            self._words = words
            self._rows_changed()

    def set_model_id(self, model_id: str | None) -> None:
        if model_id != self._model_id:
            self._model_id = model_id
            self._rows_changed()

    def set_group(self, group: StateGroup) -> None:
        if group is not self._group:
            self._group = group
            self._rows_changed()

    def set_profile(self, profile: str | None) -> None:
        if profile != self._profile:
            self._profile = profile
            self._rows_changed()

    def set_period(self, period: Period) -> None:
        if period is not self._period:
            self._period = period
            self._rows_changed()

    def set_oldest_first(self, oldest_first: bool) -> None:
        if oldest_first != self._oldest_first:
            self._oldest_first = oldest_first
            if oldest_first:
                self.sort(0, Qt.SortOrder.AscendingOrder)
            else:
                self.sort(-1)  # back to the source's order: newest first

    def _rows_changed(self) -> None:
        # One layout change, not a row insert/remove signal per contiguous run of rows
        # (thousands when a search widens over 10,000 rows, each reaching every view and
        # slot): the fine-grained way costs 0.1-0.9 s on the GUI thread, this ~30 ms.
        self.invalidate()

    def is_filtered(self) -> bool:
        return bool(
            self._words or self._model_id or self._profile
            or self._group is not StateGroup.ALL or self._period is not Period.ANY
        )  # fmt: skip

    # -- mapping helpers ---------------------------------------------------------------

    def index_of(self, local_id: str) -> QModelIndex:
        source = self.sourceModel()
        assert isinstance(source, JobListModel)
        return self.mapFromSource(source.index_of(local_id))

    def job_at(self, row: int) -> Job | None:
        job = self.index(row, 0).data(JobRole.JOB)
        return job if isinstance(job, Job) else None

    # -- Qt ----------------------------------------------------------------------------

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        job = self._source.job_at(source_row)
        return job is not None and self.accepts(job)

    def accepts(self, job: Job) -> bool:
        if self._model_id and job.model_id != self._model_id:
            return False
        if self._profile and job.profile != self._profile:
            return False
        if not self._group.matches(job.state):
            return False
        window = self._period.seconds
        if window is not None and job.created_at < self._clock() - window:
            return False
        if self._words:
            haystack = self._haystack(job)
            return all(word in haystack for word in self._words)
        return True

    def _haystack(self, job: Job) -> str:
        cached = self._haystacks.get(job.local_id)
        if cached is not None and cached[0] is job:
            return cached[1]
        haystack = " ".join((
            job.prompt, job.model_id, self._display_name(job.model_id),
            job.remote_id or "", job.error or "",
        )).casefold()  # fmt: skip
        self._haystacks[job.local_id] = (job, haystack)
        return haystack
