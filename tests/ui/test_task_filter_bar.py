"""The task list's filter row: the model filter lists every model of the catalogue through
a read-only list model (no ~800 combo items added one by one at start-up)."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.itemmodels.job_filter import JobFilterModel
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.ui.task_filter_bar import ModelChoices, TaskFilterBar


def test_the_model_filter_offers_every_model_and_filters_by_it(qtbot: QtBot) -> None:
    catalogue = Catalogue(load_bundled())
    models = list(catalogue.models)
    source = JobListModel()
    first, second = models[0], models[-1]
    source.reset_jobs([
        Job(model_id=first.model_id, params={"prompt": "a"}, state=JobState.COMPLETED),
        Job(model_id=second.model_id, params={"prompt": "b"}, state=JobState.COMPLETED),
        Job(model_id=second.model_id, params={"prompt": "c"}, state=JobState.COMPLETED),
    ])  # fmt: skip
    proxy = JobFilterModel(source)
    bar = TaskFilterBar(proxy, catalogue)
    qtbot.addWidget(bar)
    combo = bar.model
    assert combo.count() == len(models) + 1
    assert combo.itemText(0) == "All models" and combo.itemData(0) is None
    assert [combo.itemText(i) for i in (1, len(models))] == [first.name, second.name]
    combo.setCurrentIndex(combo.findData(second.model_id))
    assert combo.currentText() == second.name
    assert proxy.rowCount() == 2
    combo.setCurrentIndex(combo.findData(first.model_id))
    assert proxy.rowCount() == 1
    combo.setCurrentIndex(0)
    assert proxy.rowCount() == 3


def test_the_model_choices_pass_qt_model_checks(qtmodeltester: ModelTester) -> None:
    choices = ModelChoices(list(Catalogue(load_bundled()).models)[:5])
    choices.set_all_label("All models")
    qtmodeltester.check(choices)
    assert choices.rowCount() == 6
