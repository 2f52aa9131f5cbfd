"""The Qt-free lifecycle against the sandbox: what it records, when, and how it stops."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.lifecycle import Lifecycle, Plan, Reports
from get3w_desktop.api.outputs import check_destination, remove_stale_parts
from get3w_desktop.api.parse import is_url_output, parse_task, split_outputs
from get3w_desktop.core.errors import DestinationError, WaitTimeoutError
from get3w_desktop.core.job import Job, JobState, TextOutput
from get3w_desktop.core.messages import Code
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

MODEL = "google/nano-banana-pro/text-to-image"
SCHEDULE = ScheduleParams(jitter=0.0).scaled(0.02)


class Journal:
    """A durable history stand-in that remembers every write (and can refuse them)."""

    def __init__(self, refuse: bool = False) -> None:
        self.writes: list[Job] = []
        self.refuse = refuse

    def __call__(self, job: Job) -> None:
        if self.refuse:
            raise OSError(28, "No space left on device")
        self.writes.append(job)


def slow_sandbox() -> SandboxServer:
    """Tasks that take several polls (each image about 2 s of sandbox time x 0.1)."""
    config = SandboxConfig(time_scale=0.1, render_scale=0.1, duration_fn=lambda _m, _p: 3.0)
    return SandboxServer(config)


def test_the_history_is_written_before_the_submit_and_then_only_on_change(
    tmp_path: Path,
) -> None:
    journal = Journal()
    seen: list[Job] = []
    with slow_sandbox() as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        job = Job(MODEL, {"prompt": "a harbour"})
        plan = Plan(tmp_path, schedule=SCHEDULE)
        outcome = Lifecycle(client, job, plan, Reports(seen.append, journal)).run()
    assert outcome.error is None and outcome.job.state is JobState.COMPLETED
    states = [j.state for j in journal.writes]
    assert states[0] is JobState.SUBMITTING and journal.writes[0].remote_id is None
    assert states.count(JobState.SUBMITTING) == 1
    assert states[-1] is JobState.COMPLETED and journal.writes[-1].files == outcome.job.files
    running = [j for j in journal.writes if j.state is JobState.RUNNING]
    statuses = [j.task.status for j in running if j.task]
    assert statuses == sorted(set(statuses), key=statuses.index)  # each status once
    polls = [j for j in seen if j.state is JobState.RUNNING]
    assert len(polls) > len(running)  # polls that changed nothing were not written
    for before, after in zip(journal.writes, journal.writes[1:], strict=False):
        assert before != after


def test_nothing_is_sent_when_the_history_cannot_be_written(tmp_path: Path) -> None:
    seen: list[Job] = []
    with SandboxServer(SandboxConfig(time_scale=0.02)) as server:
        with Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
            job = Job(MODEL, {"prompt": "x"})
            outcome = Lifecycle(
                client, job, Plan(tmp_path), Reports(seen.append, Journal(refuse=True))
            ).run()
        assert server.stats.submits == 0
    assert outcome.job.state is JobState.FAILED and outcome.error is not None
    assert outcome.job.error_message is not None
    assert outcome.job.error_message.code is Code.NOT_SENT_HISTORY
    assert "No space left" in (outcome.job.error or "")
    assert seen[-1] == outcome.job


@pytest.mark.parametrize("quitting", [True, False])
def test_quitting_leaves_the_job_resumable_and_stop_ends_it(tmp_path: Path, quitting: bool) -> None:
    journal = Journal()
    cancel = threading.Event()
    with slow_sandbox() as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:

        def on_change(job: Job) -> None:
            if job.state is JobState.RUNNING and job.task is not None:
                cancel.set()  # quit (or Stop) as soon as the task is known

        plan = Plan(tmp_path, schedule=SCHEDULE)
        job = Job(MODEL, {"prompt": "x"})
        lifecycle = Lifecycle(client, job, plan, Reports(on_change, journal), cancel)
        lifecycle.quitting = quitting
        outcome = lifecycle.run()
        assert server.stats.submits == 1
    if quitting:
        assert outcome.job.state is JobState.RUNNING and outcome.job.remote_id
        assert journal.writes[-1].state is JobState.RUNNING  # resumable from the history
    else:
        assert outcome.job.state is JobState.CANCELLED
        assert journal.writes[-1].state is JobState.CANCELLED


def test_a_timeout_leaves_the_task_running_and_resumable(tmp_path: Path) -> None:
    journal = Journal()
    with slow_sandbox() as server, Get3WClient(server.base_url, SANDBOX_API_KEY) as client:
        plan = Plan(tmp_path, schedule=SCHEDULE, timeout=0.05)
        outcome = Lifecycle(
            client, Job(MODEL, {"prompt": "x"}), plan, Reports(record=journal)
        ).run()
        assert isinstance(outcome.error, WaitTimeoutError)
        assert outcome.job.state is JobState.RUNNING and outcome.job.remote_id
        # The same job, resumed: finished without a second submit.
        again = Lifecycle(client, outcome.job, Plan(tmp_path, schedule=SCHEDULE),
                          Reports(record=journal)).run()  # fmt: skip
        assert again.job.state is JobState.COMPLETED and len(again.job.files) == 1
        assert server.stats.submits == 1


# -- text outputs and destinations ---------------------------------------------------------


def test_parse_accepts_text_outputs_and_tells_them_from_addresses() -> None:
    outputs = ["A fox in the snow.", "https://cdn.example.com/a.png"]
    task = parse_task({"id": "t", "status": "completed", "outputs": outputs})
    assert task.outputs == ("A fox in the snow.", "https://cdn.example.com/a.png")
    urls, texts = split_outputs(task.outputs, text_expected=False)
    assert urls == ((1, "https://cdn.example.com/a.png"),)
    assert texts == (TextOutput(0, "A fox in the snow."),)
    _urls, all_text = split_outputs(task.outputs, text_expected=True)
    assert [t.index for t in all_text] == [0, 1] and _urls == ()
    for address in ("https://[::1", "javascript://x", "data:image/png;base64,AAAA"):
        assert is_url_output(address)  # addresses, however bad: checked strictly on download
    for words in ("see https://example.com", "http: is a scheme", "safe", ""):
        assert not is_url_output(words)


def test_the_destination_check_refuses_files_and_full_disks(tmp_path: Path) -> None:
    check_destination(tmp_path / "new" / "folder")
    assert (tmp_path / "new" / "folder").is_dir()
    assert list((tmp_path / "new" / "folder").iterdir()) == []  # the probe is gone
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DestinationError, match="is a file"):
        check_destination(blocker)
    with pytest.raises(DestinationError, match="The disk is full"):
        check_destination(tmp_path, min_free=2**62)


def test_only_the_stems_own_part_files_are_removed(tmp_path: Path) -> None:
    mine = [tmp_path / ".t-1_0.abc.part", tmp_path / ".t-1_0.def.part"]
    others = [tmp_path / ".t-1_01.abc.part", tmp_path / "t-1_0.png", tmp_path / ".t-2_0.x.part"]
    for path in (*mine, *others):
        path.write_bytes(b"x")
    assert remove_stale_parts(tmp_path, "t-1_0") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in others)
