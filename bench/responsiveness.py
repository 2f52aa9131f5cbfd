"""Responsiveness: how late a 10 ms GUI-thread heartbeat runs while 200 tasks run at once.

The real MainWindow, TaskRunner, JobListModel and ThumbnailLoader (wired as app.py does)
against a sandbox on a short time scale: tasks are submitted through the window's form,
outputs download, and the window follows each finished task (it is selected, so the
viewer decodes and shows it, and its row's thumbnail decodes). A watchdog thread samples
the GUI thread's Python stack whenever a heartbeat is overdue, which says what a stall was.

The sandbox runs either in this process (as in the app's sandbox mode) or in its own
(`get3w sandbox`, like a remote API): `--sandbox both` measures the two.

    .venv/bin/python -m bench.responsiveness [--tasks 200] [--sandbox both]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from bench.common import RESULTS, SandboxProcess, percentile, table, write_result
from bench.stalls import GapWatch, label_pool_threads
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.app import SANDBOX_RENDER_SLOTS
from get3w_desktop.core import validation
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.job import Job
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_filter import JobFilterModel
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

MODEL = "google/nano-banana-pro/text-to-image"
HEARTBEAT_MS = 10
STALL_MS = 50.0


class StallSampler(threading.Thread):
    """Samples the GUI thread's stack while the heartbeat is overdue (> `after` seconds)."""

    def __init__(self, gui_thread: int, after: float = 0.03, every: float = 0.005) -> None:
        super().__init__(name="bench-stall-sampler", daemon=True)
        self.gui_thread = gui_thread
        self.after, self.every = after, every
        self.last_beat = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            if time.perf_counter() - self.last_beat < self.after:
                continue
            frame = sys._current_frames().get(self.gui_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f for f in stack if "get3w_desktop" in f.filename or "bench" in f.filename]
            where = ours[-3:] if ours else stack[-3:]
            self.samples[" <- ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}"
                                     for f in reversed(where))] += 1  # fmt: skip


class Heartbeat:
    """A 10 ms precise timer; records every gap between two timeouts, and when it ended."""

    def __init__(self, sampler: StallSampler | None, watch: GapWatch | None = None) -> None:
        self.watch = watch
        self.gaps: list[float] = []
        self.ends: list[float] = []
        self.cpu: list[float] = []  # GUI-thread time on a core during each gap
        self.runq: list[float] = []  # ... and waiting for a core (machine load)
        self._schedstat = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        self.started = self._last = time.perf_counter()
        self._last_sched = self._sched()
        self._sampler = sampler
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.started = self._last = time.perf_counter()
        self._last_sched = self._sched()
        self.timer.start()

    def _sched(self) -> tuple[float, float]:
        """(seconds on a core, seconds runnable but waiting for one) of the GUI thread."""
        try:
            running, waiting = self._schedstat.read_text(encoding="ascii").split()[:2]
        except (OSError, ValueError):
            return time.thread_time(), 0.0
        return int(running) / 1e9, int(waiting) / 1e9

    def _beat(self) -> None:
        now, sched = time.perf_counter(), self._sched()
        self.gaps.append(now - self._last)
        self.ends.append(now - self.started)
        self.cpu.append(sched[0] - self._last_sched[0])
        self.runq.append(sched[1] - self._last_sched[1])
        self._last, self._last_sched = now, sched
        if self._sampler is not None:
            self._sampler.last_beat = now
        if self.watch is not None:
            self.watch.beat(now)

    def worst(self, count: int) -> list[dict[str, float]]:
        """The longest gaps: how long, when they ended (seconds into the run), how much of
        it the GUI thread ran and waited for a core; the rest it was blocked (the GIL)."""
        order = sorted(range(len(self.gaps)), key=lambda i: -self.gaps[i])[:count]
        return [{"gap_ms": 1000 * self.gaps[i], "at_s": self.ends[i],
                 "gui_cpu_ms": 1000 * self.cpu[i], "core_wait_ms": 1000 * self.runq[i]}
                for i in order]  # fmt: skip

    def stall_shares(self, over: float) -> dict[str, float]:
        """Of all time in gaps longer than `over` s: the share the GUI thread ran, waited
        for a core (other processes), and was blocked (mostly the GIL, held by workers)."""
        long = [i for i, gap in enumerate(self.gaps) if gap > over]
        total = sum(self.gaps[i] for i in long)
        if not total:
            return {"running": 0.0, "waiting_for_a_core": 0.0, "blocked": 0.0}
        running = sum(self.cpu[i] for i in long) / total
        waiting = sum(self.runq[i] for i in long) / total
        return {"running": running, "waiting_for_a_core": waiting,
                "blocked": max(0.0, 1.0 - running - waiting)}  # fmt: skip


@contextlib.contextmanager
def private_home(path: Path) -> Iterator[None]:
    """Anything that falls back to the default folders writes under `path`, not $HOME."""
    previous = os.environ.get("GET3W_HOME")
    os.environ["GET3W_HOME"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("GET3W_HOME", None)
        else:
            os.environ["GET3W_HOME"] = previous


@contextlib.contextmanager
def sandbox_at(where: str, time_scale: float, render_scale: float) -> Iterator[str]:
    if where == "process":
        options = ["--time-scale", str(time_scale), "--render-scale", str(render_scale),
                   "--concurrency-limit", "100000", "--seed", "7"]  # fmt: skip
        with SandboxProcess(options) as process:
            yield process.base_url
    else:
        config = SandboxConfig(time_scale=time_scale, render_scale=render_scale,
                               concurrency_limit=100_000, seed=7, keys={SANDBOX_API_KEY: 1e9},
                               render_slots=SANDBOX_RENDER_SLOTS)  # as the app's  # fmt: skip
        with SandboxServer(config) as server:
            yield server.base_url


def run(
    tasks: int, where: str, time_scale: float, render_scale: float, concurrency: int,
    follow: bool = True, deadline: float = 300.0,
) -> dict[str, Any]:  # fmt: skip
    """Run `tasks` at once through the window; heartbeat gaps and what stalled."""
    app = QApplication.instance() or QApplication([sys.argv[0]])
    load_before = list(os.getloadavg())
    catalogue = load_bundled()
    sampler = StallSampler(threading.get_ident())
    unlabel = label_pool_threads()
    watch = GapWatch(threading.get_ident())  # every thread's CPU and stack in gaps > 50 ms
    heartbeat = Heartbeat(sampler, watch)
    finished: dict[str, Job] = {}
    with tempfile.TemporaryDirectory(prefix="get3w-bench-") as tmp, \
            private_home(Path(tmp) / "home"), \
            sandbox_at(where, time_scale, render_scale) as base_url:  # fmt: skip
        client = Get3WClient(base_url, SANDBOX_API_KEY)
        runner = TaskRunner(
            client, Path(tmp) / "outputs", max_concurrency=concurrency,
            schedule=ScheduleParams().scaled(time_scale),
            expected_kind=lambda m: model.output_kind if (model := catalogue.get(m)) else None,
        )  # fmt: skip
        thumbnails = ThumbnailLoader(Path(tmp) / "thumbs")
        jobs = JobListModel()
        service = ServiceInfo("sandbox", "Sandbox", "Benchmark sandbox.", is_sandbox=True)
        copier = FileCopier()
        window = MainWindow(catalogue, JobBook(runner, jobs, catalogue=catalogue), thumbnails,
                            FormMemory(Path(tmp) / "form.json"), service, copier)  # fmt: skip
        loop = QEventLoop()

        def on_job(job: Job) -> None:
            if job.state.active or job.local_id in finished:
                return
            finished[job.local_id] = job
            if follow:  # like a person watching: show each result as it lands
                shown = window.list_view.model()  # the filtered list, as the window shows it
                index = (
                    shown.index_of(job.local_id) if isinstance(shown, JobFilterModel)
                    else jobs.index_of(job.local_id)
                )  # fmt: skip
                window.list_view.setCurrentIndex(index)
            if len(finished) >= tasks:
                QTimer.singleShot(500, loop.quit)  # let the last decodes land

        runner.job_changed.connect(on_job)
        window.set_spending(None, None, False, confirm_above=None)  # no question: a bench
        window.show()
        window.picker.select(MODEL)
        window.generate_panel.choose_model(MODEL)
        prompt = window.form.field("prompt")
        assert prompt is not None
        prompt.set_value("A lighthouse in a storm, benchmark")
        # The form's checker, ready before the first click as in the app: jsonschema is
        # imported by the start-up steps and the model's checker compiled (SchemaWarmer)
        # when it is chosen, seconds before a person has typed a prompt and clicked.
        chosen = catalogue.get(MODEL)
        assert chosen is not None
        validation.warm_up()
        validation.compiled(chosen)
        guard = QTimer()  # the deadline; stopped when done (a pending timer is a leak in tests)
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(round(deadline * 1000))
        sampler.start()
        watch.start()
        heartbeat.start()
        started = time.perf_counter()
        submitted: list[Job] = []
        marks: dict[str, float] = {}

        def click_generate() -> None:  # through the form, as a person would (x16 per click)
            window.count.setValue(min(16, tasks - len(submitted)))
            submitted.extend(window.generate())
            if len(submitted) < tasks:
                QTimer.singleShot(0, click_generate)  # the event loop runs between clicks
            else:
                marks["all_submitted"] = time.perf_counter() - started

        QTimer.singleShot(0, click_generate)
        try:
            loop.exec()
        finally:
            elapsed = time.perf_counter() - started
            heartbeat.timer.stop()
            guard.stop()
            sampler.stopping.set()
            sampler.join(5)
            explained = watch.stop()
            unlabel()
            window.close()
            runner.shutdown()
            thumbnails.shutdown()
            copier.shutdown()
            client.close()
            decodes = thumbnails.decode_count
            window.deleteLater()
            app.processEvents()
    gaps_ms = [g * 1000 for g in heartbeat.gaps]
    late_ms = [max(0.0, g - HEARTBEAT_MS) for g in gaps_ms]
    states = Counter(job.state.value for job in finished.values())
    return {
        "sandbox": where, "concurrency": concurrency, "tasks": tasks, "finished": len(finished),
        "states": dict(states), "seconds": elapsed, "heartbeats": len(gaps_ms),
        "decodes": decodes,
        "lateness_ms": {"p50": percentile(late_ms, 0.5), "p99": percentile(late_ms, 0.99),
                        "max": max(late_ms, default=0.0)},
        "worst_gap_ms": max(gaps_ms, default=0.0),
        "worst_gaps": heartbeat.worst(5), "all_submitted_at_s": marks.get("all_submitted"),
        "gaps_over_50ms": sum(1 for g in gaps_ms if g > STALL_MS),
        # The GUI thread's own work, whatever the machine's load: all of it, per task,
        # and in the worst gap (a stall is only ours when this part is large).
        "gui_thread_cpu_s": sum(heartbeat.cpu),
        "gui_thread_cpu_ms_per_task": 1000 * sum(heartbeat.cpu) / max(1, len(finished)),
        "gui_cpu_in_worst_gap_ms": max((g["gui_cpu_ms"] for g in heartbeat.worst(1)),
                                       default=0.0),
        "gui_thread_in_stalls": heartbeat.stall_shares(STALL_MS / 1000),
        "load_average_before": load_before, "load_average_after": list(os.getloadavg()),
        "stall_samples": dict(sampler.samples.most_common(12)),
        "gaps_explained": explained,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--sandbox", choices=("inproc", "process", "both"), default="both")
    parser.add_argument("--time-scale", type=float, default=0.02,
                        help="sandbox time scale (0.02: a 20 s image takes 0.4 s)")  # fmt: skip
    parser.add_argument("--render-scale", type=float, default=1.0,
                        help="output picture size (1 = full size, as the real models)")  # fmt: skip
    parser.add_argument("--concurrency", type=int, nargs="+", default=[200, 4],
                        help="pool threads: 200 = all at once; 4 = the app's")  # fmt: skip
    parser.add_argument("--no-follow", action="store_true",
                        help="do not select each finished task (no full-size decodes)")  # fmt: skip
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval (Python default: 0.005 s)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="10 small tasks: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "responsiveness.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.render_scale, args.concurrency = 10, 0.1, [4]
        args.sandbox = "inproc" if args.sandbox == "both" else args.sandbox
    places = ("inproc", "process") if args.sandbox == "both" else (args.sandbox,)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    results = [run(args.tasks, where, args.time_scale, args.render_scale, threads,
                   follow=not args.no_follow)
               for threads in args.concurrency for where in places]  # fmt: skip
    rows = [[f"{r['sandbox']} x{r['concurrency']}", f"{r['finished']}/{r['tasks']}",
             r["seconds"], r["heartbeats"], r["lateness_ms"]["p50"], r["lateness_ms"]["p99"],
             r["worst_gap_ms"], r["gaps_over_50ms"], r["gui_cpu_in_worst_gap_ms"],
             r["gui_thread_cpu_ms_per_task"]] for r in results]  # fmt: skip
    print(table(["sandbox x threads", "done", "run s", "beats", "late p50 ms", "late p99 ms",
                 "worst gap ms", "gaps > 50 ms", "GUI CPU in it ms", "GUI CPU/task ms"],
                rows))  # fmt: skip
    for r in results:
        worst = ", ".join(f"{g['gap_ms']:.0f} ms at {g['at_s']:.1f} s" for g in r["worst_gaps"])
        shares = r["gui_thread_in_stalls"]
        print(
            f"\n{r['sandbox']} sandbox x{r['concurrency']}: worst gaps {worst}; all submitted "
            f"at {r['all_submitted_at_s'] or 0:.1f} s; load average "
            f"{r['load_average_before'][0]:.1f} -> {r['load_average_after'][0]:.1f}"
        )
        print(
            f"during gaps over {STALL_MS:.0f} ms the GUI thread ran {shares['running']:.0%}, "
            f"waited for a core {shares['waiting_for_a_core']:.0%}, was blocked (GIL) "
            f"{shares['blocked']:.0%}"
        )
        for gap in r["gaps_explained"][:3]:
            print(
                f"{gap['gap_ms']:.0f} ms gap: CPU ms by thread over {gap['watched_ms']:.0f} ms "
                f"{gap['cpu_ms']}; collections {gap['gc']}; stack tops "
                f"{ {name: next(iter(tops)) for name, tops in gap['stacks'].items()} }"
            )
        if r["stall_samples"]:
            print("where the GUI thread was while a beat was 30+ ms late (5 ms samples):")
            for where, count in r["stall_samples"].items():
                print(f"{count:5d}  {where}")
    path = write_result("responsiveness", {
        "settings": {"tasks": args.tasks, "time_scale": args.time_scale,
                     "render_scale": args.render_scale, "concurrency": args.concurrency,
                     "follow": not args.no_follow, "heartbeat_ms": HEARTBEAT_MS,
                     "switch_interval": sys.getswitchinterval()},
        "goal": "worst stall under 50 ms", "results": results,
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
