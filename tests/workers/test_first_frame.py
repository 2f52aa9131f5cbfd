"""Work held back until the window's first frame: queued while held, run in order on the
first paint, at once when nothing holds the gate, forgotten when the app quits first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from get3w_desktop.workers import first_frame


@pytest.fixture(autouse=True)
def open_gate() -> Iterator[None]:
    yield
    first_frame.drop()  # whatever a test left held


def test_without_a_hold_work_runs_at_once(qtbot: QtBot) -> None:
    ran: list[str] = []
    first_frame.after_first_frame(lambda: ran.append("now"))
    assert ran == ["now"]
    assert not first_frame.waiting()


def test_held_work_waits_for_the_first_paint_then_runs_in_order(qtbot: QtBot) -> None:
    ran: list[str] = []
    first_frame.hold()
    assert first_frame.waiting()
    first_frame.after_first_frame(lambda: ran.append("first"))
    first_frame.after_first_frame(lambda: ran.append("second"))
    qtbot.wait(50)  # an event loop without any paint does not open the gate
    assert ran == []
    label = QLabel("the first frame")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitUntil(lambda: ran == ["first", "second"], timeout=5000)
    assert not first_frame.waiting()
    first_frame.after_first_frame(lambda: ran.append("later"))  # the gate stays open
    assert ran == ["first", "second", "later"]


def test_one_failing_start_does_not_keep_the_rest_waiting(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    first_frame.hold()
    first_frame.after_first_frame(broken)
    first_frame.after_first_frame(lambda: ran.append("after"))
    label = QLabel("paint")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitUntil(lambda: ran == ["after"], timeout=5000)
    assert "work started after the first frame failed" in caplog.text


def test_the_gate_opens_after_its_fallback_when_nothing_paints(qtbot: QtBot) -> None:
    ran: list[str] = []
    first_frame.hold(fallback_ms=30)
    first_frame.after_first_frame(lambda: ran.append("late"))
    assert ran == []
    qtbot.waitUntil(lambda: ran == ["late"], timeout=5000)


def test_quitting_before_the_first_frame_forgets_the_waiting_work(qtbot: QtBot) -> None:
    ran: list[str] = []
    first_frame.hold()
    first_frame.after_first_frame(lambda: ran.append("never"))
    first_frame.drop()
    assert not first_frame.waiting()
    label = QLabel("paint")
    qtbot.addWidget(label)
    label.show()
    qtbot.wait(50)
    assert ran == []
