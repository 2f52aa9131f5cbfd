"""Tray notifications: what is said, when, coalesced, and where a click leads."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.ui.notifier import Notifier, default_icon

MODEL = "google/nano-banana-pro/text-to-image"


def done(prompt: str = "A red fox in snow") -> Job:
    return Job(model_id=MODEL, params={"prompt": prompt}, state=JobState.COMPLETED)


def failed(error: str = "Content moderation: the prompt was refused.") -> Job:
    return Job(model_id="bytedance/seedream-v4.5", params={"prompt": "x"},
               state=JobState.FAILED, error=error)  # fmt: skip


class Window:
    """Stands in for the main window's isActiveWindow()."""

    def __init__(self) -> None:
        self.active = False
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.active


_SHOWN: dict[int, list[tuple[str, str]]] = {}


def make(qtbot: QtBot, window: Window | None = None, **kwargs: object) -> Notifier:
    kwargs.setdefault("tray_available", False)
    kwargs.setdefault("coalesce_ms", 50)
    notifier = Notifier(window or Window(), **kwargs)  # type: ignore[arg-type]
    shown: list[tuple[str, str]] = []
    notifier.shown.connect(lambda title, text: shown.append((title, text)))
    _SHOWN[id(notifier)] = shown
    return notifier


def shown_of(notifier: Notifier) -> list[tuple[str, str]]:
    """Every (title, text) the notifier's `shown` signal carried, in order."""
    return _SHOWN[id(notifier)]


def test_one_finished_task_says_done_with_its_model_and_prompt(qtbot: QtBot) -> None:
    notifier = make(qtbot, model_label=lambda model_id: model_id.split("/")[1])
    with qtbot.waitSignal(notifier.shown, timeout=5000) as blocker:
        notifier.notify_job(done())
    assert blocker.args == ["Done: nano-banana-pro", "A red fox in snow"]
    assert notifier.recorded == [("Done: nano-banana-pro", "A red fox in snow")]
    assert notifier.tray is None  # no tray offscreen: recorded, nothing else


def test_one_failed_task_says_failed_with_the_reason(qtbot: QtBot) -> None:
    notifier = make(qtbot)
    notifier.notify_job(failed())
    notifier.flush()
    assert shown_of(notifier) == [
        ("Failed: bytedance/seedream-v4.5", "Content moderation: the prompt was refused.")
    ]


def test_a_finishing_queue_becomes_one_message(qtbot: QtBot) -> None:
    notifier = make(qtbot)
    jobs = [done(f"prompt {i}") for i in range(12)]
    jobs.insert(5, failed("The server timed out."))
    for job in jobs:
        notifier.notify_job(job)
    notifier.notify_job(jobs[0])  # the same task reported twice counts once
    assert notifier.pending_count == 13
    qtbot.waitUntil(lambda: bool(shown_of(notifier)), timeout=5000)
    qtbot.wait(150)  # longer than the coalescing window: nothing else follows
    assert shown_of(notifier) == [
        ("12 tasks finished, 1 failed", "bytedance/seedream-v4.5 — The server timed out.")
    ]


def test_queue_wording_without_failures_and_with_only_failures(qtbot: QtBot) -> None:
    notifier = make(qtbot)
    for job in (done(), done()):
        notifier.notify_job(job)
    notifier.flush()
    for job in (failed(), failed(), failed()):
        notifier.notify_job(job)
    notifier.flush()
    assert [title for title, _ in shown_of(notifier)] == ["2 tasks finished", "3 tasks failed"]
    assert shown_of(notifier)[0][1] == "Click to see the results."


def test_a_steady_trickle_is_still_shown_by_the_cap(qtbot: QtBot) -> None:
    """Each job restarts the wait for company, but never past max_wait_ms."""
    notifier = make(qtbot, coalesce_ms=60_000, max_wait_ms=100)
    with qtbot.waitSignal(notifier.shown, timeout=5000):
        notifier.notify_job(done())
        notifier.notify_job(done())
    assert shown_of(notifier)[0][0] == "2 tasks finished"


def test_nothing_while_the_window_is_active_or_when_disabled(qtbot: QtBot) -> None:
    window = Window()
    notifier = make(qtbot, window)
    window.active = True
    notifier.notify_job(done())
    notifier.flush()
    assert window.asked == 1 and shown_of(notifier) == []
    window.active = False
    notifier.set_enabled(False)
    notifier.notify_job(done())
    notifier.flush()
    assert notifier.pending_count == 0 and shown_of(notifier) == []
    notifier.set_enabled(True)
    notifier.notify_job(done())
    notifier.flush()
    assert [title for title, _ in shown_of(notifier)] == [f"Done: {MODEL}"]


def test_stops_and_running_jobs_are_not_news(qtbot: QtBot) -> None:
    notifier = make(qtbot)
    for state in (JobState.RUNNING, JobState.QUEUED, JobState.CANCELLED):
        notifier.notify_job(done().evolve(state=state))
    assert notifier.pending_count == 0
    notifier.notify_job(done().evolve(state=JobState.UNCERTAIN, error=None))
    notifier.flush()
    assert shown_of(notifier) == [(f"Failed: {MODEL}", "Submission uncertain")]


def test_long_texts_are_shortened_to_one_line(qtbot: QtBot) -> None:
    notifier = make(qtbot)
    notifier.notify_job(done("word\n" * 200))
    notifier.flush()
    text = shown_of(notifier)[0][1]
    assert "\n" not in text and len(text) <= 160 and text.endswith("…")


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_clicking_the_message_opens_that_task(qtbot: QtBot) -> None:
    notifier = make(qtbot, tray_available=True)
    assert notifier.tray is not None
    first, problem = done(), failed()
    notifier.notify_job(first)
    notifier.flush()
    with qtbot.waitSignal(notifier.activated, timeout=1000) as blocker:
        notifier.tray.messageClicked.emit()
    assert blocker.args == [first.local_id]
    notifier.notify_job(done())
    notifier.notify_job(problem)
    notifier.flush()  # a queue with a failure leads to the failure
    with qtbot.waitSignal(notifier.activated, timeout=1000) as blocker:
        notifier.tray.messageClicked.emit()
    assert blocker.args == [problem.local_id]
    assert notifier.recorded == []  # with a tray, messages go to the tray
    notifier.close()
    assert not notifier.tray.isVisible()


def test_the_generated_icon_is_not_empty(qtbot: QtBot) -> None:
    image = default_icon(32).pixmap(32, 32).toImage()
    assert image.pixelColor(16, 16).alpha() == 255 and image.pixelColor(0, 0).alpha() == 0


def test_per_queue_waits_until_nothing_runs_then_says_it_once(qtbot: QtBot) -> None:
    running = [True]
    notifier = make(qtbot)
    notifier.set_per_queue(True, lambda: running[0])
    notifier.notify_job(done("one"))
    notifier.notify_job(failed())
    qtbot.wait(200)  # well past the coalescing delay: still quiet while tasks run
    assert shown_of(notifier) == [] and notifier.pending_count == 2
    running[0] = False
    with qtbot.waitSignal(notifier.shown, timeout=5000) as blocker:
        notifier.queue_idle()
    assert blocker.args[0] == "1 task finished, 1 failed"  # one message for the queue
    notifier.set_per_queue(False)
    notifier.queue_idle()  # per task again: idle says nothing by itself
    assert len(shown_of(notifier)) == 1
