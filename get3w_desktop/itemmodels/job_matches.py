"""The task list's matching rows, as a proxy model computed in bulk (issue 16).

A QAbstractProxyModel over `JobListModel` holding the matching source rows as one sorted
list, computed by `SearchIndex` (job_search.py): no Python call per row, which is what
QSortFilterProxyModel's filterAcceptsRow costs (0.3 s at 100,000 rows per keystroke even
when it does nothing). Views do not use it directly: QListView calls index() twice per
row on every layout, so `JobFilterModel` (job_filter.py) puts a plain, C++-only
QSortFilterProxyModel over it. Oldest first is the same list read backwards (the source
is newest first). Live updates (a running task that finishes and stops matching "In
progress") move single rows, as dynamic filtering did; selections survive filter changes.
"""

from __future__ import annotations

import bisect
import itertools
import time
from array import array
from collections.abc import Callable, Sequence
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.job_list import JobListModel, JobRole
from get3w_desktop.itemmodels.job_search import Fields, Period, Search, SearchIndex, StateGroup

_Index = QModelIndex | QPersistentModelIndex

#: Rows indexed per idle slice after a load (about 5 ms each on our machines).
BUILD_SLICE = 4_000
#: Candidate rows a query scans per turn of the event loop: 0.1-0.3 us a row and word,
#: so 1-3 ms; a query with no more candidates than this is answered at once.
SCAN_SLICE = 10_000


class JobMatchModel(QAbstractProxyModel):
    """Rows of a `JobListModel` that match the search text and filters, newest first."""

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
        self._clock = clock
        self._scan_slice = scan_slice
        #: The query being scanned, while its rows are not shown yet.
        self._scan: Search | None = None
        self._scanner = QTimer(self, singleShot=True, interval=0)
        self._scanner.timeout.connect(self._scan_some)
        self._words: list[str] = []
        self._model_id: str | None = None
        self._group = StateGroup.ALL
        self._profile: str | None = None
        self._period = Period.ANY
        self._oldest_first = False
        self._source = source
        self._index = SearchIndex(display_name, source.row_words())
        #: Matching source rows, ascending; None while nothing filters (every row shows).
        self._rows: array[int] | None = None
        self._count = 0  # rows shown; kept by us, so it changes only inside our signals
        self._builder = QTimer(self, singleShot=True, interval=0)
        self._builder.timeout.connect(self._build_some)
        self._index.reset(source.jobs())
        self._set_rows(None)
        self._schedule_build()
        self.setSourceModel(source)
        source.modelAboutToBeReset.connect(self._source_about_to_reset)
        source.modelReset.connect(self._source_reset)
        source.rowsInserted.connect(self._source_inserted)
        source.rowsRemoved.connect(self._source_removed)
        source.dataChanged.connect(self._source_changed)
        source.words_changed.connect(self._words_changed)
        source.layoutAboutToBeChanged.connect(self._source_about_to_reset)
        source.layoutChanged.connect(self._source_reset)

    # -- settings ----------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Every word must appear (any case) in the prompt, model, task id or English error,
        or in what the row shows in the window's language: its state, error and note."""
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
            self.finish_scan()
            self._relayout(lambda: setattr(self, "_oldest_first", oldest_first))

    @property
    def scanning(self) -> bool:
        """A query is being scanned; the rows shown are still the previous query's."""
        return self._scan is not None

    @property
    def search_ready(self) -> bool:
        """Every row indexed (a query now scans only; before, it finishes the indexing)."""
        return self._index.complete

    def is_filtered(self) -> bool:
        return bool(
            self._words or self._model_id or self._profile
            or self._group is not StateGroup.ALL or self._period is not Period.ANY
        )  # fmt: skip

    def _fields(self) -> Fields:
        window = self._period.seconds
        states = None
        if self._group is not StateGroup.ALL:
            states = frozenset(s for s in JobState if self._group.matches(s))
        return Fields(
            model_id=self._model_id or None,
            profile=self._profile or None,
            states=states,
            created_since=None if window is None else self._clock() - window,
        )

    def _rows_changed(self) -> None:
        self._scanner.stop()
        self._scan = self._index.search(self._words, self._fields())
        if self._scan.left <= self._scan_slice:
            self.finish_scan()
        else:
            self._scan.step(self._scan_slice)
            self._scanner.start()

    def _scan_some(self) -> None:
        if self._scan is not None and not self._scan.step(self._scan_slice):
            self._scanner.start()
        else:
            self.finish_scan()

    def finish_scan(self) -> None:
        """Scan what is left of a pending query now and show its rows."""
        search, self._scan = self._scan, None
        self._scanner.stop()
        if search is None:
            return
        search.step(None)
        rows = search.rows
        # One layout change, not a row insert/remove signal per contiguous run of rows.
        self._relayout(lambda: self._set_rows(rows))

    def _set_rows(self, rows: Sequence[int] | None) -> None:
        # A copy (a memcpy of the index's array): the index patches its cached results in
        # place as jobs change, and our rows must change only inside our own signals.
        if rows is None:
            self._rows = None
        else:
            self._rows = rows[:] if isinstance(rows, array) else array("q", rows)
        self._count = len(self._index) if rows is None else len(rows)

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply `change` as a layout change that keeps selections on the same jobs."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [self._source_row(i.row()) if i.isValid() else -1 for i in persistent]
        change()
        moved = []
        for source_row in sources:
            row = self._proxy_row(source_row) if source_row >= 0 else -1
            moved.append(self.index(row, 0) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # -- mapping helpers ---------------------------------------------------------------

    def _source_row(self, row: int) -> int:
        """Source row of our `row` (which must be in range)."""
        position = self._count - 1 - row if self._oldest_first else row
        return position if self._rows is None else self._rows[position]

    def _proxy_row(self, source_row: int) -> int:
        """Our row of `source_row`, or -1 when it does not show."""
        if self._rows is None:
            position = source_row if 0 <= source_row < self._count else -1
        else:
            at = bisect.bisect_left(self._rows, source_row)
            found = at < len(self._rows) and self._rows[at] == source_row
            position = at if found else -1
        if position < 0:
            return -1
        return self._count - 1 - position if self._oldest_first else position

    def index_of(self, local_id: str) -> QModelIndex:
        return self.mapFromSource(self._source.index_of(local_id))

    def job_at(self, row: int) -> Job | None:
        if not 0 <= row < self._count:
            return None
        return self._index.job(self._source_row(row))

    # -- keeping in step with the source -------------------------------------------------

    def _source_about_to_reset(self) -> None:
        self._scanner.stop()
        self._scan = None  # the reset answers the query afresh
        self.beginResetModel()

    def _source_reset(self) -> None:
        self._index.reset(self._source.jobs())
        rows = self._index.match(self._words, self._fields()) if self.is_filtered() else None
        self._set_rows(rows)
        self.endResetModel()
        self._schedule_build()

    def _schedule_build(self) -> None:
        if not self._index.complete and not self._builder.isActive():
            self._builder.start()

    def _build_some(self) -> None:
        if self._index.build(BUILD_SLICE):
            self._builder.start()

    def _source_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        self.finish_scan()
        count = last - first + 1
        jobs = self._source.jobs_between(first, last)
        if self._rows is None:  # every row shows
            at = self._count - first if self._oldest_first else first
            self.beginInsertRows(QModelIndex(), at, at + count - 1)
            self._index.insert(first, jobs)
            self._count += count
            self.endInsertRows()
        else:
            words, fields = self._words, self._fields()
            accepts = self._index.accepts_job
            new = [first + i for i, job in enumerate(jobs) if accepts(job, words, fields)]
            at = bisect.bisect_left(self._rows, first)
            later = (r + count for r in self._rows[at:])
            rows = array("q", itertools.chain(self._rows[:at], new, later))
            if new:
                start = len(self._rows) - at if self._oldest_first else at
                self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._index.insert(first, jobs)
            self._set_rows(rows)
            if new:
                self.endInsertRows()
        self._schedule_build()

    def _source_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        self.finish_scan()
        count = last - first + 1
        if self._rows is None:
            start = self._count - 1 - last if self._oldest_first else first
            self.beginRemoveRows(QModelIndex(), start, start + count - 1)
            self._index.remove(first, last)
            self._count -= count
            self.endRemoveRows()
            return
        low, high = bisect.bisect_left(self._rows, first), bisect.bisect_right(self._rows, last)
        rows = array("q", itertools.chain(self._rows[:low], (r - count for r in self._rows[high:])))
        if high > low:
            start = len(self._rows) - high if self._oldest_first else low
            self.beginRemoveRows(QModelIndex(), start, start + high - low - 1)
            self._index.remove(first, last)
            self._set_rows(rows)
            self.endRemoveRows()
        else:
            self._index.remove(first, last)
            self._set_rows(rows)

    def _words_changed(self) -> None:
        """The rows' words changed (the language): index them again and answer the query
        afresh with the new words, from the next turn of the loop on (the window has its
        own texts to change in this one), a slice a turn like any long query."""
        self._scanner.stop()
        self._scan = None
        self._index.set_words(self._source.row_words())
        self._schedule_build()
        if self.is_filtered():
            self._scan = self._index.search(self._words, self._fields())
            self._scanner.start()

    def _source_changed(
        self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()
    ) -> None:
        if roles and JobRole.JOB not in roles:
            # The rows read differently, the jobs are the same (the language changed):
            # `_words_changed` re-indexes; here only the rows shown are repainted.
            if self._count:
                self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, 0), roles)
            return
        if self._scan is not None:
            self._changed_while_scanning(top_left.row(), bottom_right.row())
            return
        for source_row in range(top_left.row(), bottom_right.row() + 1):
            job = self._source.job_at(source_row)
            if job is None:
                continue
            row = self._proxy_row(source_row)
            self._index.replace(source_row, job)
            if self._rows is None:
                if row >= 0:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
                continue
            accepted = self._index.accepts(source_row, self._words, self._fields())
            if row >= 0 and accepted:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
            elif row >= 0:  # stopped matching (a running task finished, say)
                self.beginRemoveRows(QModelIndex(), row, row)
                self._rows.remove(source_row)
                self._count -= 1
                self.endRemoveRows()
            elif accepted:
                at = bisect.bisect_left(self._rows, source_row)
                start = len(self._rows) - at if self._oldest_first else at
                self.beginInsertRows(QModelIndex(), start, start)
                self._rows.insert(at, source_row)
                self._count += 1
                self.endInsertRows()

    def _changed_while_scanning(self, first: int, last: int) -> None:
        """The rows shown are the last query's until the scan ends (which checks these
        rows again): repaint the ones shown, leave the set as it is."""
        for source_row in range(first, last + 1):
            job = self._source.job_at(source_row)
            if job is None:
                continue
            self._index.replace(source_row, job)
            row = self._proxy_row(source_row)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    # -- Qt ----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._count > 0

    def index(self, row: int, column: int = 0, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or column != 0 or not 0 <= row < self._count:
            return QModelIndex()
        return self.createIndex(row, column)

    @overload
    def parent(self) -> QObject: ...
    @overload
    def parent(self, child: _Index) -> QModelIndex: ...
    def parent(self, child: _Index | None = None) -> Any:
        if child is None:
            return QObject.parent(self)
        return QModelIndex()

    def sibling(self, row: int, column: int, index: _Index) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxy_index: _Index) -> QModelIndex:
        # By the job's id: our row numbers follow our own signals, while the source's have
        # already moved when we hear of an insert or removal.
        job = self.job_at(proxy_index.row()) if proxy_index.isValid() else None
        return QModelIndex() if job is None else self._source.index_of(job.local_id)

    def data(self, proxy_index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source_index = self.mapToSource(proxy_index)
        return source_index.data(role) if source_index.isValid() else None

    def mapFromSource(self, source_index: _Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = self._proxy_row(source_index.row())
        return self.index(row, 0) if row >= 0 else QModelIndex()
