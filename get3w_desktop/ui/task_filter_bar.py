"""The row above the task list: search text, status, model, profile, period and order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from get3w_desktop.core.catalogue import Catalogue, ModelInfo
from get3w_desktop.itemmodels.job_filter import JobFilterModel, Period, StateGroup
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.ui.a11y import clearable
from get3w_desktop.ui.texts import filter_label

# Typing pauses this long before the list is filtered again (keeps typing smooth at 10k).
SEARCH_DELAY_MS = 150
#: The model filter is this many characters wide (its popup shows whole names): sizing it
#: to the longest of ~800 names would read every name while the first frame is laid out.
MODEL_FILTER_CHARS = 22


class ModelChoices(QAbstractListModel):
    """The model filter's rows: "All models" (data None), then each model (data its id).

    A read-only view of the list, so start-up does not add ~800 combo items one by one
    (~30 ms) for a filter that is mostly left on "All models"."""

    def __init__(self, models: list[ModelInfo], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models = models
        self._all = ""

    def set_all_label(self, text: str) -> None:
        self._all = text
        self.dataChanged.emit(self.index(0), self.index(0))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._models) + 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row <= len(self._models):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._all if row == 0 else self._models[row - 1].name
        if role == Qt.ItemDataRole.UserRole:
            return None if row == 0 else self._models[row - 1].model_id
        return None


class TaskFilterBar(QWidget):
    def __init__(self, proxy: JobFilterModel, catalogue: Catalogue) -> None:
        super().__init__()
        self._proxy = proxy
        self.search = QLineEdit()
        clearable(self.search, self.tr("search"))
        self.status = QComboBox()
        for group in StateGroup:
            self.status.addItem(group.value, group)
        self.model = QComboBox()
        self._model_choices = ModelChoices(list(catalogue.models), self.model)
        self.model.setModel(self._model_choices)
        self.profile = QComboBox()  # shown once there is more than one profile
        self.profile.addItem("", None)
        self.profile.hide()
        self.period = QComboBox()
        for period in Period:
            self.period.addItem(period.label, period)
        self.order = QComboBox()
        self.order.addItem("", False)
        self.order.addItem("", True)
        for combo in (self.status, self.profile, self.period, self.order):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model.setMinimumContentsLength(MODEL_FILTER_CHARS)
        self.count = QLabel()
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(6)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(6)
        for combo in (self.status, self.model, self.profile, self.period, self.order):
            filters.addWidget(combo)
        filters.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(top)
        column.addLayout(filters)

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(SEARCH_DELAY_MS)
        self._typing.timeout.connect(self._apply_text)
        self.search.textChanged.connect(lambda _text: self._typing.start())
        self.search.returnPressed.connect(self._apply_text)
        self.status.currentIndexChanged.connect(
            lambda _i: proxy.set_group(self.status.currentData())
        )
        self.model.currentIndexChanged.connect(
            lambda _i: proxy.set_model_id(self.model.currentData())
        )
        self.profile.currentIndexChanged.connect(
            lambda _i: proxy.set_profile(self.profile.currentData())
        )
        self.period.currentIndexChanged.connect(
            lambda _i: proxy.set_period(self.period.currentData())
        )
        self.order.currentIndexChanged.connect(
            lambda _i: proxy.set_oldest_first(bool(self.order.currentData()))
        )
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset,
                       proxy.layoutChanged):  # fmt: skip
            signal.connect(self.update_count)
        source = proxy.sourceModel()
        for signal in (source.rowsInserted, source.rowsRemoved, source.modelReset):
            signal.connect(self.update_count)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search prompts, models, task ids…"))
        self.search.setToolTip(self.tr("Search the tasks (Ctrl+F); every word must match"))
        self.search.setAccessibleName(self.tr("Search tasks"))
        for i, group in enumerate(StateGroup):
            self.status.setItemText(i, filter_label(group.value))
        self.status.setToolTip(self.tr("Show tasks with this status"))
        self._model_choices.set_all_label(self.tr("All models"))
        self.model.setToolTip(self.tr("Show tasks of one model"))
        self.profile.setItemText(0, self.tr("All profiles"))
        self.profile.setToolTip(self.tr("Show tasks that ran on one profile"))
        for i, period in enumerate(Period):
            self.period.setItemText(i, filter_label(period.label))
        self.period.setToolTip(self.tr("Show tasks created in this period"))
        self.order.setItemText(0, self.tr("Newest first"))
        self.order.setItemText(1, self.tr("Oldest first"))
        self.order.setToolTip(self.tr("Order of the list"))
        self.update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _apply_text(self) -> None:
        self._typing.stop()
        self._proxy.set_text(self.search.text())
        self.update_count()

    def clear(self) -> None:
        """Back to every task, newest first."""
        with QSignalBlocker(self.search):
            self.search.clear()
        self._proxy.set_text("")
        for combo in (self.status, self.model, self.profile, self.period, self.order):
            combo.setCurrentIndex(0)
        self.update_count()

    def set_profiles(self, names: list[str]) -> None:
        """The profiles to filter by; the filter shows only when there is a choice."""
        chosen = self.profile.currentData()
        with QSignalBlocker(self.profile):
            while self.profile.count() > 1:
                self.profile.removeItem(1)
            for name in names:
                self.profile.addItem(self.tr("Sandbox") if name == "sandbox" else name, name)
            index = self.profile.findData(chosen)
            self.profile.setCurrentIndex(max(0, index))
        if self.profile.currentData() != chosen:
            self._proxy.set_profile(self.profile.currentData())
        self._update_profile_filter()

    def _update_profile_filter(self) -> None:
        """Shown only when the listed tasks ran on more than one profile."""
        source = self._proxy.sourceModel()
        used = source.profiles() if isinstance(source, JobListModel) else []
        for name in used:
            if self.profile.findData(name) < 0:
                self.profile.addItem(self.tr("Sandbox") if name == "sandbox" else name, name)
        self.profile.setVisible(len(used) > 1 or self.profile.currentIndex() > 0)

    def update_count(self) -> None:
        self._update_profile_filter()
        shown, total = self._proxy.rowCount(), self._proxy.sourceModel().rowCount()
        if shown != total:
            text = self.tr("{shown} of {total}").format(shown=f"{shown:,}", total=f"{total:,}")
        elif total == 1:
            text = self.tr("1 task")
        else:
            text = self.tr("{count} tasks").format(count=f"{total:,}")
        self.count.setText(text)
