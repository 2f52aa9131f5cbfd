"""The model catalogue as a list model, and the filter the model browser types into.

Rows are the models grouped by type, each group after a header row (a row without
flags, so views skip it). Everything a filter needs is computed once per catalogue:
the lower-cased haystack (name, id, type, group label, description), the provider (the
id's first part). Filtering is one Python pass over plain lists per keystroke; the
proxy's `filterAcceptsRow` then only reads a precomputed list, so 800 models filter in
well under a frame (see bench/model_browser.py).
"""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from get3w_desktop.core.catalogue import ModelInfo

_Index = QModelIndex | QPersistentModelIndex
ALL = "*all"
FAVOURITES = "*favourites"
RECENT = "*recent"


class Role(enum.IntEnum):
    MODEL_ID = Qt.ItemDataRole.UserRole + 1
    IS_HEADER = Qt.ItemDataRole.UserRole + 2
    GROUP = Qt.ItemDataRole.UserRole + 3
    SECONDARY = Qt.ItemDataRole.UserRole + 4  # the model id under the name
    PRICE = Qt.ItemDataRole.UserRole + 5  # "$0.04 / run" (or "")
    HAYSTACK = Qt.ItemDataRole.UserRole + 6
    FAVOURITE = Qt.ItemDataRole.UserRole + 7
    DURATION = Qt.ItemDataRole.UserRole + 8  # "about 20 s" (or "")
    PROVIDER = Qt.ItemDataRole.UserRole + 9
    RECENT_RANK = Qt.ItemDataRole.UserRole + 10  # 0 = used last; large = never
    #: Everything a delegate draws, in one call: (name, secondary, "price · time", favourite).
    PAINT = Qt.ItemDataRole.UserRole + 11


def provider_of(model_id: str) -> str:
    return model_id.split("/", 1)[0] if "/" in model_id else ""


def _short_id(model_id: str) -> str:
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def display_name(model: ModelInfo) -> str:
    """The model's name; a server list that names models by their id gets the id without
    its maker ("flux-dev-lora"), since the maker is shown beside it."""
    return _short_id(model.model_id) if model.name == model.model_id else model.name


@dataclasses.dataclass
class _Row:
    group: str
    label: str  # the group label (headers) or the model name
    model: ModelInfo | None = None
    haystack: str = ""
    provider: str = ""
    price: str = ""
    duration: str = ""


@dataclasses.dataclass(frozen=True)
class Texts:
    """How the model shows numbers and group names, in the current language (the UI's)."""

    group_label: Callable[[str], str]
    price: Callable[[float | None], str]
    duration: Callable[[float | None], str]
    describe: Callable[[ModelInfo], str] = lambda m: m.description
    favourite: Callable[[], str] = lambda: "favourite"  # said by screen readers


class ModelListModel(QAbstractListModel):
    """Header and model rows; favourites and recent use are set from outside."""

    NEVER = 1_000_000

    def __init__(self, texts: Texts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._texts = texts
        self._rows: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self._facts: list[tuple[str, str, str | None, str]] = []
        self._favourites: set[str] = set()
        self._recent: dict[str, int] = {}
        self._estimates: dict[str, float] = {}  # the service's latest, by model id
        self.type_counts: Counter[str] = Counter()
        self.provider_counts: Counter[str] = Counter()
        self.types: list[str] = []

    # -- content -------------------------------------------------------------------------

    def set_models(self, models: Iterable[ModelInfo], type_order: Sequence[str] = ()) -> None:
        models = list(models)
        present = {m.type for m in models}
        order = [t for t in type_order if t in present]
        order += sorted(present - set(order))
        by_type: dict[str, list[ModelInfo]] = {t: [] for t in order}
        for model in models:
            by_type[model.type].append(model)
        texts = self._texts
        rows: list[_Row] = []
        for model_type in order:
            label = texts.group_label(model_type)
            rows.append(_Row(model_type, label))
            for m in by_type[model_type]:
                words = f"{m.name} {m.model_id} {m.type} {label} {m.description}"
                row = _Row(model_type, display_name(m), m, f"{words} {texts.describe(m)}".lower())
                row.provider = provider_of(m.model_id)
                row.price = texts.price(m.base_price)
                row.duration = texts.duration(
                    self._estimates.get(m.model_id) or m.estimated_duration
                )
                rows.append(row)
        self.beginResetModel()
        self._rows = rows
        self._row_of = {r.model.model_id: i for i, r in enumerate(rows) if r.model is not None}
        self._facts = [(r.group, r.provider, r.model.model_id if r.model else None, r.haystack)
                       for r in rows]  # fmt: skip
        self.types = order
        self.type_counts = Counter(m.type for m in models)
        self.provider_counts = Counter(provider_of(m.model_id) for m in models)
        self.endResetModel()

    def set_estimate(self, model_id: str, seconds: float) -> None:
        """The service estimated `seconds` for a task of `model_id`: its row says that
        rather than the model list's typical time (so it agrees with the task's)."""
        if seconds <= 0 or self._estimates.get(model_id) == seconds:
            return
        self._estimates[model_id] = seconds
        at = self._row_of.get(model_id)
        if at is None:
            return
        self._rows[at].duration = self._texts.duration(seconds)
        roles = [Role.DURATION, Role.PAINT, Qt.ItemDataRole.AccessibleTextRole]
        self.dataChanged.emit(self.index(at), self.index(at), roles)

    def set_favourites(self, model_ids: Iterable[str]) -> None:
        self._favourites = set(model_ids)
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                  [Role.FAVOURITE, Role.PAINT,
                                   Qt.ItemDataRole.AccessibleTextRole])  # fmt: skip

    def set_recent(self, model_ids: Sequence[str]) -> None:
        self._recent = {m: i for i, m in enumerate(model_ids)}
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                  [Role.RECENT_RANK])  # fmt: skip

    def is_favourite(self, model_id: str) -> bool:
        return model_id in self._favourites

    def favourites(self) -> set[str]:
        return set(self._favourites)

    def recent_rank(self, model_id: str) -> int:
        return self._recent.get(model_id, self.NEVER)

    def row_of(self, model_id: str) -> int:
        return self._row_of.get(model_id, -1)

    def model_at(self, row: int) -> ModelInfo | None:
        return self._rows[row].model if 0 <= row < len(self._rows) else None

    def row_facts(self) -> list[tuple[str, str, str | None, str]]:
        """(group, provider, model id or None for a header, haystack) per row, for filters."""
        return self._facts

    # -- QAbstractListModel --------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid() or self._rows[index.row()].model is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        model = row.model
        if role == Qt.ItemDataRole.DisplayRole:
            return row.label
        if role == Role.IS_HEADER:
            return model is None
        if role == Role.GROUP:
            return row.group
        if model is None:
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return row.label
            return None
        if role == Role.PAINT:
            secondary = model.model_id if row.label != _short_id(model.model_id) else row.provider
            facts = "  ·  ".join(t for t in (row.price, row.duration) if t)
            return (row.label, secondary, facts, model.model_id in self._favourites)
        if role == Role.MODEL_ID:
            return model.model_id
        if role == Role.SECONDARY:  # the id, unless the name already is the id
            return model.model_id if row.label != _short_id(model.model_id) else row.provider
        if role == Role.PRICE:
            return row.price
        if role == Role.DURATION:
            return row.duration
        if role == Role.HAYSTACK:
            return row.haystack
        if role == Role.PROVIDER:
            return row.provider
        if role == Role.FAVOURITE:
            return model.model_id in self._favourites
        if role == Role.RECENT_RANK:
            return self._recent.get(model.model_id, self.NEVER)
        if role == Qt.ItemDataRole.ToolTipRole:
            description = self._texts.describe(model)
            return f"{row.label}\n{model.model_id}\n\n{description}".strip()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            starred = self._texts.favourite() if model.model_id in self._favourites else ""
            parts = [row.label, row.provider, row.price, row.duration, starred]
            return ", ".join(p for p in parts if p)
        return None


class ModelFilter(QSortFilterProxyModel):
    """Search words (all must appear), a category (a type, favourites, recent) and a
    provider. Headers stay for groups with a match; the recent category is ordered by use.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._accept: list[bool] = []
        self.words: list[str] = []
        self.category = ALL
        self.provider = ""
        self.setSortRole(Role.RECENT_RANK)

    def source(self) -> ModelListModel:
        source = self.sourceModel()
        assert isinstance(source, ModelListModel)
        return source

    def set_filter(
        self, text: str | None = None, category: str | None = None, provider: str | None = None
    ) -> None:
        """Change any of the three (None keeps it) and filter again."""
        if text is not None:
            self.words = text.lower().split()
        if category is not None:
            self.category = category
        if provider is not None:
            self.provider = provider
        self.refilter()

    def refilter(self) -> None:
        source = self.source()
        words, category, provider = self.words, self.category, self.provider
        favourites = source.favourites() if category == FAVOURITES else set()
        accept: list[bool] = []
        groups: set[str] = set()
        headers: list[int] = []
        flat = category == RECENT
        for i, (group, maker, model_id, haystack) in enumerate(source.row_facts()):
            if model_id is None:
                headers.append(i)
                accept.append(False)
                continue
            ok = (
                (not provider or maker == provider)
                and (
                    category == ALL
                    or group == category
                    or (category == FAVOURITES and model_id in favourites)
                    or (flat and source.recent_rank(model_id) < source.NEVER)
                )
                and all(w in haystack for w in words)
            )
            accept.append(ok)
            if ok:
                groups.add(group)
        if not flat:
            facts = source.row_facts()
            for i in headers:
                accept[i] = facts[i][0] in groups
        self.beginFilterChange()
        self._accept = accept
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.sort(0 if flat else -1)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._accept:
            return True
        return self._accept[source_row] if source_row < len(self._accept) else True

    def lessThan(self, left: _Index, right: _Index) -> bool:
        source = self.source()
        return int(source.data(left, Role.RECENT_RANK) or 0) < int(
            source.data(right, Role.RECENT_RANK) or 0
        )

    def model_count(self) -> int:
        """How many models (not headers) pass."""
        facts = self.source().row_facts()
        if not self._accept:
            return sum(1 for f in facts if f[2] is not None)
        return sum(1 for ok, f in zip(self._accept, facts, strict=False) if ok and f[2] is not None)
