"""Start-up steps run one after another; a step that fails or never says it is done does
not hold the rest back."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from get3w_desktop.workers.start_steps import StartSteps

Done = Callable[[], None]


def recorder(
    log: list[str], name: str, keep: dict[str, Done] | None = None
) -> Callable[[Done], None]:
    """A step that records its start; done at once, or later by the test (`keep`)."""

    def start(done: Done) -> None:
        log.append(name)
        if keep is None:
            done()
        else:
            keep[name] = done

    return start


def test_steps_run_in_order_each_after_the_one_before_says_done(qtbot: QtBot) -> None:
    steps, log, held = StartSteps(), list[str](), dict[str, Done]()
    steps.add("first", recorder(log, "first", held))
    steps.add("second", recorder(log, "second", held))
    steps.add("third", recorder(log, "third"))
    assert log == []  # nothing before run()
    steps.run()
    assert log == ["first"]
    qtbot.wait(50)
    assert log == ["first"]  # the second waits for the first's done
    with qtbot.waitSignal(steps.all_done, timeout=5000):
        held["first"]()
        qtbot.waitUntil(lambda: log == ["first", "second"])
        held["second"]()
    assert log == ["first", "second", "third"]
    assert steps.outcomes == [("first", "done"), ("second", "done"), ("third", "done")]
    assert steps.finished


def test_done_may_come_from_a_pool_thread(qtbot: QtBot) -> None:
    steps, log = StartSteps(), list[str]()

    def threaded(done: Done) -> None:
        log.append("threaded")
        threading.Thread(target=done).start()

    steps.add("threaded", threaded)
    steps.add("after", recorder(log, "after"))
    with qtbot.waitSignal(steps.all_done, timeout=5000):
        steps.run()
    assert log == ["threaded", "after"]
    assert steps.outcomes == [("threaded", "done"), ("after", "done")]


def test_a_step_that_fails_to_start_does_not_stop_the_rest(qtbot: QtBot) -> None:
    steps, log = StartSteps(), list[str]()

    def broken(_done: Done) -> None:
        log.append("broken")
        raise RuntimeError("a bug in one step")

    steps.add("broken", broken)
    steps.add("next", recorder(log, "next"))
    with qtbot.waitSignal(steps.all_done, timeout=5000):
        steps.run()
    assert log == ["broken", "next"]
    assert steps.outcomes == [("broken", "failed"), ("next", "done")]


def test_a_step_that_never_finishes_holds_the_next_only_until_its_limit(qtbot: QtBot) -> None:
    steps, log, held = StartSteps(), list[str](), dict[str, Done]()
    steps.add("hung server", recorder(log, "hung server", held), limit_ms=100)
    steps.add("pages", recorder(log, "pages"))
    steps.run()
    qtbot.wait(20)
    assert log == ["hung server"]
    qtbot.waitUntil(lambda: steps.finished, timeout=5000)
    assert log == ["hung server", "pages"]
    assert steps.outcomes == [("hung server", "late"), ("pages", "done")]
    held["hung server"]()  # its answer comes at last: nothing runs twice
    held["hung server"]()
    qtbot.wait(50)
    assert log == ["hung server", "pages"] and len(steps.outcomes) == 2


def test_a_step_done_twice_begins_the_next_once(qtbot: QtBot) -> None:
    steps, log = StartSteps(), list[str]()

    def twice(done: Done) -> None:
        log.append("twice")
        done()
        done()

    steps.add("twice", twice)
    steps.add("a", recorder(log, "a", {}))
    steps.add("b", recorder(log, "b"))
    steps.run()
    qtbot.waitUntil(lambda: log == ["twice", "a"])
    qtbot.wait(50)
    assert log == ["twice", "a"]  # the second done() did not skip "a"


def test_stop_begins_no_further_step(qtbot: QtBot) -> None:
    steps, log, held = StartSteps(), list[str](), dict[str, Done]()
    steps.add("first", recorder(log, "first", held), limit_ms=50)
    steps.add("second", recorder(log, "second"))
    steps.run()
    steps.stop()  # the app quits
    held["first"]()
    qtbot.wait(120)  # past the limit too
    assert log == ["first"]
    steps.run()  # and it does not start over
    assert log == ["first"]
