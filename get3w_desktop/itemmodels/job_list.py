"""The live task list: one row per job, newest first, fed by the runner's snapshots."""

from __future__ import annotations

import collections
import enum
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
    Slot,
)

from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_search import RowWords

_Index = QModelIndex | QPersistentModelIndex


class JobRole(enum.IntEnum):
    JOB = Qt.ItemDataRole.UserRole + 1
    LOCAL_ID = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3
    CREATED = Qt.ItemDataRole.UserRole + 4  # epoch seconds: the sort key


def plain_display(job: Job) -> str:
    """The row as words (English; the window passes its own translated `texts`)."""
    return f"{job.state.label} · {job.model_id} · {job.prompt[:60]}"


def plain_tooltip(job: Job) -> str | None:
    return job.error or job.note or job.prompt or None


class JobListModel(QAbstractListModel):
    #: The words rows show changed (`set_texts`, the language): the search reads them again.
    words_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._display: Callable[[Job], str] = plain_display
        self._tooltip: Callable[[Job], str | None] = plain_tooltip
        self._words = RowWords()
        self._jobs: list[Job] = []
        # local id -> position key; its row is `key - self._top`. A job put on top takes
        # `_top - 1` and older ones appended take `_top + len`, so neither an insert at the
        # top nor an append renumbers the other rows (only a removal does).
        self._rows: dict[str, int] = {}
        self._top = 0
        self._active = 0  # jobs queued, submitting, running or downloading
        self._profiles: collections.Counter[str] = collections.Counter()  # jobs per profile

    def set_texts(
        self,
        display: Callable[[Job], str],
        tooltip: Callable[[Job], str | None],
        words: RowWords | None = None,
    ) -> None:
        """How rows read (display and accessible text), their tooltips and the words the
        search matches besides the prompt and model: the UI passes translated ones (this
        layer cannot import the UI's translations)."""
        self._display, self._tooltip = display, tooltip
        self._words = RowWords() if words is None else words
        self.retranslate()

    def row_words(self) -> RowWords:
        """The words rows show in the window's language, for the search (`set_texts`)."""
        return self._words

    def retranslate(self) -> None:
        """The language changed: every row's words are new (the search's too)."""
        self.words_changed.emit()
        if self._jobs:
            roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                     Qt.ItemDataRole.ToolTipRole]  # fmt: skip
            self.dataChanged.emit(self.index(0), self.index(len(self._jobs) - 1), roles)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._jobs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(job)  # what a screen reader says for the row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(job)
        if role == JobRole.JOB:
            return job
        if role == JobRole.LOCAL_ID:
            return job.local_id
        if role == JobRole.STATE:
            return job.state.value
        if role == JobRole.CREATED:
            return job.created_at
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        job = self._jobs[index.row()] if index.isValid() and index.row() < len(self._jobs) else None
        if job is not None and job.files:
            flags |= Qt.ItemFlag.ItemIsDragEnabled  # drag the outputs out to a file manager
        return flags

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rows' output files, as file URLs a file manager or editor accepts."""
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._jobs)})
        data.setUrls([QUrl.fromLocalFile(f) for row in rows for f in self._jobs[row].files])
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role, name in ((JobRole.JOB, b"job"), (JobRole.LOCAL_ID, b"localId"),
                           (JobRole.STATE, b"state"), (JobRole.CREATED, b"created")):  # fmt: skip
            names[int(role)] = QByteArray(name)
        return names

    def _row(self, local_id: str) -> int | None:
        key = self._rows.get(local_id)
        return None if key is None else key - self._top

    def job(self, local_id: str) -> Job | None:
        row = self._row(local_id)
        return None if row is None else self._jobs[row]

    def job_at(self, row: int) -> Job | None:
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def jobs_between(self, first: int, last: int) -> list[Job]:
        """The jobs of rows first..last (inclusive), one slice: the filter's bulk index."""
        return self._jobs[first : last + 1]

    def around(self, local_id: str) -> tuple[Iterator[Job], Iterator[Job]] | None:
        """(the rows above `local_id`'s, the rows below it), each nearest first and read
        lazily; None when it is not listed. Read them before the list changes."""
        row = self._row(local_id)
        if row is None:
            return None
        jobs = self._jobs
        return (jobs[i] for i in range(row - 1, -1, -1)), (
            jobs[i] for i in range(row + 1, len(jobs))
        )

    def index_of(self, local_id: str) -> QModelIndex:
        row = self._row(local_id)
        return QModelIndex() if row is None else self.index(row, 0)

    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def profiles(self) -> list[str]:
        """The profiles the listed jobs ran on, most used first."""
        return [name for name, _count in self._profiles.most_common()]

    def active_count(self) -> int:
        """Jobs still moving, kept as rows change (no scan per snapshot or per tick)."""
        return self._active

    @Slot(object)
    def upsert(self, job: Job) -> None:
        """Insert a new job at the top, or update the row of a known one."""
        row = self._row(job.local_id)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._jobs.insert(0, job)
            self._active += job.state.active
            self._profiles[job.profile] += 1
            self._top -= 1  # every other row moves down one without being renumbered
            self._rows[job.local_id] = self._top
            self.endInsertRows()
            return
        self._active += job.state.active - self._jobs[row].state.active
        self._jobs[row] = job
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def reset_jobs(self, jobs: list[Job]) -> None:
        """Replace every row at once (history loaded at start), newest first."""
        self.beginResetModel()
        self._jobs = sorted(jobs, key=lambda job: job.created_at, reverse=True)
        self._active = sum(job.state.active for job in self._jobs)
        self._profiles = collections.Counter(job.profile for job in self._jobs)
        self._reindex()
        self.endResetModel()

    def add_older(self, jobs: list[Job]) -> None:
        """Append jobs (history loaded after the first screen) that are not shown yet."""
        fresh = [job for job in jobs if job.local_id not in self._rows]
        if not fresh:
            return
        start = len(self._jobs)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._jobs.extend(fresh)
        self._active += sum(job.state.active for job in fresh)
        self._profiles.update(job.profile for job in fresh)
        base = self._top + start
        self._rows.update((job.local_id, base + offset) for offset, job in enumerate(fresh))
        self.endInsertRows()

    def remove(self, local_id: str) -> None:
        row = self._row(local_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        self._active -= self._jobs[row].state.active
        self._profiles[self._jobs[row].profile] -= 1
        self._profiles += collections.Counter()  # drop profiles with no job left
        del self._jobs[row]
        self._reindex()
        self.endRemoveRows()

    def _reindex(self) -> None:
        self._top = 0
        self._rows = {job.local_id: i for i, job in enumerate(self._jobs)}
