"""The task list's search index: per-row search text and fields, matched in bulk.

Issue 16: at 100,000 tasks a per-row Python callback (QSortFilterProxyModel's
filterAcceptsRow, or data() for its filterRole) costs 0.3-5 s per keystroke, however
little it does; bench/scale.py measured it. Here a query runs as a handful of C-level
passes (`map(operator.contains, texts, repeat(word))` fed to `itertools.compress`) over
lists aligned with the source rows, so Python code runs per query, not per row. Typing
narrows: a query that refines an earlier one (each word extends the earlier word) scans
only the earlier result, and recent results are kept, so deleting back is a lookup.

A row's text is what a person can type to find it: the prompt, the model (its id and
name), the task id and the error's English words (as logs and the `get3w` command write
them), plus the words the row shows in the window's language (`RowWords`: the state's
label, the error and note as rendered), which the UI passes in and which are read again
when the language changes (`SearchIndex.set_words`).

Rows are indexed lazily (`build(limit)`, a slice at a time from the proxy's idle timer),
so loading a long history pays nothing here; a query indexes the rows it reaches.

Even C-level passes cost 0.1-0.3 us a row, so a one- or two-letter query over 100,000
rows (which matches most of them, and narrows nothing) takes 10-25 ms: more than a
frame. A query is therefore a `Search` that scans its candidates a slice at a time
(`step`), so the caller can spread a long scan over several turns of the event loop.
"""

from __future__ import annotations

import bisect
import collections
import enum
import itertools
import operator
import weakref
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import Any

from get3w_desktop.core.job import Job, JobState


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


#: Recent query results kept for deleting back and narrowing (cleared when rows shift),
#: as compact arrays (8 bytes a row), at most this many results and rows in all (~8 MB).
CACHE_SIZE = 64
CACHE_ROWS = 1_000_000


@dataclass(frozen=True)
class Fields:
    """The non-text filters; None (or an empty set of states) means "any"."""

    model_id: str | None = None
    profile: str | None = None
    states: frozenset[JobState] | None = None
    created_since: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.model_id or self.profile or self.states is not None) or (
            self.created_since is not None
        )


_Key = tuple[tuple[str, ...], Fields]


@dataclass(frozen=True)
class RowWords:
    """The words a row shows beside its prompt and model, in the window's language.

    The UI passes its own (`ui/search_words.py`): this layer cannot import its
    translations. Both are called on the GUI thread while rows are indexed: `state_label`
    once per state whenever the words are (re)read, `messages` once per job that has an
    error or a note (its error and note as the row shows them). None: no such words (the
    English error is matched in any case).
    """

    state_label: Callable[[JobState], str] | None = None
    messages: Callable[[Job], str] | None = None

    def labels(self) -> dict[JobState, str]:
        """Each state's label, casefolded ("" for each when there is none)."""
        label = self.state_label
        return {state: "" if label is None else label(state).casefold() for state in JobState}


class SearchIndex:
    """Search text and filter fields of every source row, in source row order."""

    def __init__(self, display_name: Callable[[str], str], words: RowWords | None = None) -> None:
        self._display_name = display_name
        self._set_labels(RowWords() if words is None else words)
        self._jobs: list[Job] = []
        # Aligned with _jobs; None until the row is built.
        self._texts: list[str | None] = []
        self._models: list[str | None] = []
        self._profiles: list[str | None] = []
        self._states: list[JobState | None] = []
        self._created: list[float] = []
        self._unbuilt = 0
        self._cache: collections.OrderedDict[_Key, array[int]] = collections.OrderedDict()
        self._cached_rows = 0
        #: Bumped when rows come or go; a `Search` started before is stale. (A row whose
        #: job changes is re-checked by the searches still running, `_searching`.)
        self.generation = 0
        self._searching: weakref.WeakSet[Search] = weakref.WeakSet()

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def complete(self) -> bool:
        return self._unbuilt == 0

    def job(self, row: int) -> Job:
        return self._jobs[row]

    # -- keeping in step with the source ---------------------------------------------------

    def reset(self, jobs: Sequence[Job]) -> None:
        self.generation += 1
        self._jobs, self._unbuilt = [], 0
        for column in self._columns():
            column.clear()
        self._created.clear()
        self.insert(0, jobs)

    def insert(self, first: int, jobs: Sequence[Job]) -> None:
        count = len(jobs)
        self._jobs[first:first] = jobs
        for column in self._columns():
            column[first:first] = repeat(None, count)
        self._created[first:first] = [job.created_at for job in jobs]
        self._unbuilt += count
        self.generation += 1
        self._clear_cache()  # row numbers shifted

    def remove(self, first: int, last: int) -> None:
        self._unbuilt -= self._texts[first : last + 1].count(None)
        del self._jobs[first : last + 1]
        del self._created[first : last + 1]
        for column in self._columns():
            del column[first : last + 1]
        self.generation += 1
        self._clear_cache()

    def replace(self, row: int, job: Job) -> None:
        """A row's job changed (its state, error…): rebuild it and patch cached results."""
        self._unbuilt -= self._texts[row] is None
        self._jobs[row] = job
        self._created[row] = job.created_at
        self._build_row(row)
        for (words, fields), rows in self._cache.items():
            self._cached_rows += _patch(rows, row, self.accepts(row, words, fields))
        for search in self._searching:
            search.changed.add(row)

    def set_words(self, words: RowWords) -> None:
        """The words rows show changed (the language, say): every row is indexed again,
        lazily, as after a load; kept results and running searches are dropped."""
        self._set_labels(words)
        count = len(self._jobs)
        self._texts = [None] * count
        self._unbuilt = count
        self.generation += 1
        self._clear_cache()

    def _set_labels(self, words: RowWords) -> None:
        """Plain ASCII state labels (English) go into each row's text. Others (Chinese)
        are matched through the states column instead (`_label_hits`): one wide character
        makes a row's text a wider string, and every scan of it with a plain word then
        converts the word first (about 1.3x the cost of the pass)."""
        self._words = words
        labels = words.labels()
        self._labels = {state: label if label.isascii() else "" for state, label in labels.items()}
        self._wide_labels = {state: label for state, label in labels.items() if not label.isascii()}

    def _label_hits(self, word: str) -> frozenset[JobState]:
        """The states whose label (not in the rows' text) contains `word`."""
        return frozenset(state for state, label in self._wide_labels.items() if word in label)

    def _clear_cache(self) -> None:
        self._cache.clear()
        self._cached_rows = 0

    def _columns(self) -> tuple[list[Any], ...]:
        """The lazily built columns (None until built)."""
        return (self._texts, self._models, self._profiles, self._states)

    # -- building ----------------------------------------------------------------------

    def _text(self, job: Job) -> str:
        return self._texts_of([job])[0]

    def _texts_of(self, jobs: Sequence[Job]) -> list[str]:
        """The search text of each job: its English words, then what its row shows."""
        name, labels, shown = self._display_name, self._labels, self._words.messages
        if shown is None:
            return [
                f"{j.prompt} {j.model_id} {name(j.model_id)} {j.remote_id or ''} {j.error or ''}"
                f" {labels[j.state]}".casefold() for j in jobs
            ]  # fmt: skip
        return [
            f"{j.prompt} {j.model_id} {name(j.model_id)} {j.remote_id or ''} {j.error or ''}"
            f" {labels[j.state]} {shown(j) if j.error or j.note else ''}".casefold()
            for j in jobs
        ]  # fmt: skip

    def _build_row(self, row: int) -> None:
        job = self._jobs[row]
        self._texts[row] = self._text(job)
        self._models[row] = job.model_id
        self._profiles[row] = job.profile
        self._states[row] = job.state

    def build(self, limit: int | None = None) -> int:
        """Build up to `limit` unbuilt rows (all when None); returns how many are left."""
        return self._build(0, len(self._texts), limit)

    def build_between(self, first: int, stop: int, limit: int | None = None) -> int:
        """Build up to `limit` unbuilt rows among `first`..`stop - 1`, in order; returns
        the first row from `first` on that is still unbuilt (`stop` when none is)."""
        if self._unbuilt:
            self._build(first, stop, limit)
        if not self._unbuilt:
            return stop
        try:
            return self._texts.index(None, first, stop)
        except ValueError:
            return stop

    def _build(self, start: int, stop: int, limit: int | None) -> int:
        budget = self._unbuilt if limit is None else min(limit, self._unbuilt)
        texts = self._texts
        while budget > 0:
            try:
                start = texts.index(None, start, stop)
            except ValueError:
                break
            end = start
            while end < stop and texts[end] is None and end - start < budget:
                end += 1
            jobs = self._jobs[start:end]
            self._texts[start:end] = self._texts_of(jobs)
            self._models[start:end] = [j.model_id for j in jobs]
            self._profiles[start:end] = [j.profile for j in jobs]
            self._states[start:end] = [j.state for j in jobs]
            self._unbuilt -= end - start
            budget -= end - start
            start = end
        return self._unbuilt

    # -- matching ----------------------------------------------------------------------

    def accepts_job(self, job: Job, words: Sequence[str], fields: Fields) -> bool:
        """Whether a job not (yet) in the index would match."""
        if fields.model_id and job.model_id != fields.model_id:
            return False
        if fields.profile and job.profile != fields.profile:
            return False
        if fields.states is not None and job.state not in fields.states:
            return False
        if fields.created_since is not None and job.created_at < fields.created_since:
            return False
        text = self._text(job) if words else ""
        return all(word in text or job.state in self._label_hits(word) for word in words)

    def accepts(self, row: int, words: Sequence[str], fields: Fields) -> bool:
        if self._texts[row] is None:
            self._build_row(row)
            self._unbuilt -= 1
        return len(self._filter([row], words, fields)) > 0

    def match(self, words: Sequence[str], fields: Fields) -> Sequence[int] | None:
        """Source rows that match, ascending; None when nothing filters (every row)."""
        search = self.search(words, fields)
        search.step(None)
        return search.rows

    def search(self, words: Sequence[str], fields: Fields) -> Search:
        """A query to answer with `Search.step`: at once when a kept result answers it."""
        if not words and not fields.active:
            return Search(self, None, None, None)
        key = (tuple(words), fields)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return Search(self, key, None, cached)
        return Search(self, key, self._narrowest(key[0], fields), None)

    def _remember(self, key: _Key, rows: array[int]) -> None:
        self._cache[key] = rows
        self._cached_rows += len(rows)
        while len(self._cache) > CACHE_SIZE or self._cached_rows > CACHE_ROWS:
            _key, dropped = self._cache.popitem(last=False)
            self._cached_rows -= len(dropped)
            if dropped is rows:
                break

    def _narrowest(self, words: tuple[str, ...], fields: Fields) -> array[int] | None:
        """The smallest cached result this query can only narrow (None: all rows)."""
        best: array[int] | None = None
        for (old_words, old_fields), rows in self._cache.items():
            if old_fields != fields or len(old_words) > len(words):
                continue
            if all(old in new for old, new in zip(old_words, words, strict=False)) and (
                best is None or len(rows) < len(best)
            ):
                best = rows
        return best

    def _filter(
        self, rows: Sequence[int] | range, words: Iterable[str], fields: Fields
    ) -> array[int]:
        """`rows` (ascending) that pass `fields` and contain every word, in C-level passes,
        each over the survivors of the one before (a range of rows reads column slices).
        A word in a state's label that is not in the text (`_set_labels`) passes a row in
        that state too."""
        checks: list[tuple[tuple[Sequence[Any], ...], Callable[..., Iterable[bool]]]] = []
        if fields.model_id:
            checks.append(((self._models,), partial(_equal, fields.model_id)))
        if fields.profile:
            checks.append(((self._profiles,), partial(_equal, fields.profile)))
        if fields.states is not None:
            checks.append(((self._states,), partial(map, fields.states.__contains__)))
        if fields.created_since is not None:
            checks.append(((self._created,), partial(_at_least, fields.created_since)))
        for word in words:
            hits = self._label_hits(word)
            if hits:
                checks.append(((self._texts, self._states), partial(_containing_or, word, hits)))
            else:
                checks.append(((self._texts,), partial(_containing, word)))
        result: Sequence[int] = rows
        for values, check in checks:
            columns: list[Iterable[Any]]
            if isinstance(result, range):
                columns = [c[result.start : result.stop] for c in values]
            else:
                columns = [map(c.__getitem__, result) for c in values]
            result = array("q", itertools.compress(result, check(*columns)))
        return result if isinstance(result, array) else array("q", result)


class Search:
    """One query's answer, computed a slice of candidate rows at a time.

    The candidates are every row, or the kept result of a query this one narrows. `step`
    scans the next slice; `rows` is the answer once `done` (None: every row). A search
    is answered against the rows as they were when it started: it raises once rows come
    or go (`SearchIndex.generation`), so callers finish or drop it before that. Rows whose
    job changes meanwhile (`SearchIndex.replace`) are checked again when it ends.
    """

    def __init__(
        self,
        index: SearchIndex,
        key: _Key | None,
        candidates: array[int] | None,
        answer: array[int] | None,
    ) -> None:
        self._index = index
        self._key = key
        self._generation = index.generation
        # A copy: a kept result is patched in place when a job changes (`replace`).
        self._candidates = None if candidates is None else candidates[:]
        self._total = len(index) if candidates is None else len(candidates)
        self._next = 0
        self._found = array("q")
        self._answer = answer
        self.done = key is None or answer is not None
        #: Rows whose job changed while the search ran (re-checked when it ends).
        self.changed: set[int] = set()
        if not self.done:
            index._searching.add(self)

    @property
    def rows(self) -> array[int] | None:
        """The matching rows, ascending (None: every row); only once `done`."""
        if not self.done:
            raise RuntimeError("the search has not finished")
        return self._answer

    @property
    def left(self) -> int:
        """Candidate rows still to scan."""
        return 0 if self.done else self._total - self._next

    def step(self, budget: int | None) -> bool:
        """Scan up to `budget` more candidates (all when None); True once done."""
        if self.done:
            return True
        index = self._index
        if index.generation != self._generation:
            raise RuntimeError("the rows changed while the search ran")
        assert self._key is not None
        start = self._next
        stop = self._total if budget is None else min(self._total, start + budget)
        if self._candidates is None:
            # Indexing a row costs about five times scanning it: a slice of unindexed rows
            # indexes a quarter of its budget and scans those.
            limit = None if budget is None else max(1, (stop - start) // 4)
            stop = index.build_between(start, stop, limit)
            chunk: Sequence[int] | range = range(start, stop)
        else:
            # A kept result's rows were indexed when it was found (an insert drops it).
            chunk = self._candidates[start:stop]
        words, fields = self._key
        self._found.extend(index._filter(chunk, words, fields))
        self._next = stop
        if stop >= self._total:
            for row in sorted(self.changed):  # scanned before its job changed, maybe
                _patch(self._found, row, index.accepts(row, words, fields))
            self._answer, self.done = self._found, True
            index._searching.discard(self)
            index._remember(self._key, self._found)
        return self.done


def _patch(rows: array[int], row: int, accepted: bool) -> int:
    """Put `row` into or out of the ascending `rows`; returns how their length changed."""
    at = bisect.bisect_left(rows, row)
    present = at < len(rows) and rows[at] == row
    if accepted and not present:
        rows.insert(at, row)
        return 1
    if present and not accepted:
        del rows[at]
        return -1
    return 0


def _equal(value: object, column: Iterable[Any]) -> Iterable[bool]:
    return map(operator.eq, column, repeat(value))


def _at_least(since: float, column: Iterable[Any]) -> Iterable[bool]:
    return map(operator.le, repeat(since), column)


def _containing(word: str, column: Iterable[Any]) -> Iterable[bool]:
    return map(operator.contains, column, repeat(word))


def _containing_or(
    word: str, states: frozenset[JobState], texts: Iterable[Any], row_states: Iterable[Any]
) -> Iterable[bool]:
    """Rows whose text contains `word` or whose state is one of `states`."""
    return map(operator.or_, map(operator.contains, texts, repeat(word)),
               map(states.__contains__, row_states))  # fmt: skip
