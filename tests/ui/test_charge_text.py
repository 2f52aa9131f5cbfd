"""Every finished task's row and details say charged, refunded or free (against the sandbox
for a real task, and for failures shaped like the server's)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.task import Task
from get3w_desktop.ui.charge_text import charge_text
from get3w_desktop.ui.details_panel import DetailsPanel


def finished(code: int = 0, cost: float | None = None, remote: str | None = "t1") -> Job:
    task = None
    if remote is not None:
        extra = {} if cost is None else {"cost": cost}
        status = "failed" if code else "completed"
        task = Task(id=remote, status=status, model="m", code=code, extra=extra)
    state = JobState.FAILED if code or remote is None else JobState.COMPLETED
    return Job(model_id="m", params={"prompt": "x"}, profile="sandbox", state=state, task=task)


def test_rows_and_details_say_what_a_task_cost(qtbot: QtBot) -> None:
    assert charge_text(finished(cost=0.14)) == "Charged $0.14"
    assert charge_text(finished()) == "Charged"
    assert charge_text(finished(code=5003)) == "Refunded"
    assert charge_text(finished(cost=0)) == "Free"
    assert charge_text(finished(remote=None)) == "Not charged"
    assert charge_text(Job(model_id="m", params={}, profile="sandbox")) == ""  # still queued
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.set_job(finished(code=5003), "Model")
    assert panel.cost.text() == "Refunded"
    panel.set_job(finished(cost=0.28), "Model")
    assert panel.cost.text() == "Charged $0.28"
