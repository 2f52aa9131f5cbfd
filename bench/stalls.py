"""Who held the GUI thread up: every thread's CPU and stack, and the collector, in long gaps.

A heartbeat on the GUI thread calls `GapWatch.beat()`. While a beat is overdue (more than
`after` seconds), the watch thread samples every thread's Python stack every `every`
seconds and, once per gap, each thread's CPU time (`/proc/self/task/*/schedstat`). When
the late beat comes, a gap longer than `over` keeps: each thread's CPU (ms, from the first
overdue sample to the beat) and its most common stack top, and the cyclic collector's
passes that overlapped it. A thread with much CPU while the GUI thread was blocked held
the interpreter lock (or a core); the same frame sample after sample is one long C call.

Threads are named by Python's `threading` name, or for a worker pool thread by the class
of the `PoolOwner` whose `Work` it runs (`label_pool_threads()` wraps `Work.run`).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: ident -> label of threads that ran a worker's `Work` (set by `label_pool_threads`).
POOL_LABELS: dict[int, str] = {}
#: ident -> native id, for the threads in POOL_LABELS.
POOL_NATIVE: dict[int, int] = {}


def label_pool_threads() -> Callable[[], None]:
    """Name each pool thread by what it runs (`pool:HistoryLoader`, `pool:JobWorker`, ...);
    returns what undoes it."""
    from get3w_desktop.workers import base, job_worker

    runs: dict[type, Callable[[Any], None]] = {
        base.Work: base.Work.run,
        job_worker.JobWorker: job_worker.JobWorker.run,
    }

    def labelled(run: Callable[[Any], None]) -> Callable[[Any], None]:
        def labelled_run(self: Any) -> None:
            ident = threading.get_ident()
            POOL_LABELS[ident] = getattr(self, "_label", type(self).__name__)
            POOL_NATIVE[ident] = threading.get_native_id()
            run(self)

        return labelled_run

    for cls, run in runs.items():
        setattr(cls, "run", labelled(run))  # noqa: B010 - a method replaced for the bench

    def undo() -> None:
        for cls, run in runs.items():
            setattr(cls, "run", run)  # noqa: B010

    return undo


class _ThreadClocks:
    """Each thread's ms on a core so far (`/proc/self/task/*/schedstat`), read through open
    files (a few microseconds a thread, so it can run every few ms)."""

    def __init__(self) -> None:
        self._files: dict[int, int] = {}

    def read(self) -> dict[int, float]:
        tasks = {int(t) for t in os.listdir("/proc/self/task")}
        for gone in set(self._files) - tasks:
            os.close(self._files.pop(gone))
        found: dict[int, float] = {}
        for task in tasks:
            try:
                if task not in self._files:
                    self._files[task] = os.open(f"/proc/self/task/{task}/schedstat", os.O_RDONLY)
                found[task] = int(os.pread(self._files[task], 100, 0).split()[0]) / 1e6
            except (OSError, ValueError, IndexError):
                continue
        return found


def _where(frame: Any) -> str:
    """The innermost frame, and the innermost of the app's own if that is another."""
    top = f"{Path(frame.f_code.co_filename).stem}.{frame.f_code.co_name}:{frame.f_lineno}"
    ours = frame
    while ours is not None and "get3w_desktop" not in ours.f_code.co_filename:
        ours = ours.f_back
    if ours is None or ours is frame:
        return top
    return f"{top} <- {Path(ours.f_code.co_filename).stem}.{ours.f_code.co_name}:{ours.f_lineno}"


class GapWatch(threading.Thread):
    def __init__(self, gui_thread: int, after: float = 0.02, over: float = 0.05,
                 every: float = 0.005, keep: int = 8) -> None:  # fmt: skip
        super().__init__(name="bench-gap-watch", daemon=True)
        self.gui_thread, self.after, self.over, self.every, self.keep = (
            gui_thread, after, over, every, keep)  # fmt: skip
        self.last_beat = time.perf_counter()
        self.phase = ""
        self.gaps: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._clocks = _ThreadClocks()
        self._readings: list[tuple[float, dict[int, float]]] = []  # the last second's
        self._open: dict[str, Any] | None = None  # the gap being watched
        self._closed: list[dict[str, Any]] = []  # gaps over, to finish off
        self._collections: list[tuple[float, float, int, str]] = []  # start, end, gen, thread
        self._gc_start: dict[int, float] = {}
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, event: str, info: dict[str, int]) -> None:
        now, ident = time.perf_counter(), threading.get_ident()
        if event == "start":
            self._gc_start[ident] = now
        elif ident in self._gc_start:
            took = now - self._gc_start.pop(ident)
            if took > 0.002:
                self._collections.append((now - took, now, info["generation"], self._label(ident)))
                del self._collections[:-200]

    def _label(self, ident: int) -> str:
        if ident == self.gui_thread:
            return "GUI"
        if ident in POOL_LABELS:
            return f"pool:{POOL_LABELS[ident]}"
        thread = threading._active.get(ident)  # type: ignore[attr-defined]
        return thread.name if thread is not None else f"thread-{ident}"

    def _native_names(self) -> dict[int, str]:
        names = {native: self._label(ident) for ident, native in POOL_NATIVE.items()}
        for thread in threading.enumerate():
            if thread.native_id is not None:
                names[thread.native_id] = self._label(thread.ident or 0)
        return names

    def beat(self, now: float, phase: str = "") -> None:
        """Called by the heartbeat on the GUI thread (cheap: no I/O)."""
        with self._lock:
            gap, started = self._open, self.last_beat
            self._open, self.last_beat, self.phase = None, now, phase
            if now - started > self.over:
                gap = gap or {"phase": phase, "stacks": {}}  # the watch never got to run
                gap.update(start=started, end=now, gap_ms=1000 * (now - started))
                self._closed.append(gap)  # finished off (CPU, GC) on the watch thread

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self._readings.append((time.perf_counter(), self._clocks.read()))
            del self._readings[:-200]
            self._finish_closed()
            with self._lock:
                overdue = time.perf_counter() - self.last_beat > self.after
                if overdue and self._open is None:
                    self._open = {"phase": self.phase, "stacks": {}}
                gap = self._open
            if not overdue or gap is None:
                continue
            me = threading.get_ident()
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    gap["stacks"].setdefault(self._label(ident), Counter())[_where(frame)] += 1

    def _finish_closed(self) -> None:
        with self._lock:
            closed, self._closed = self._closed, []
        for gap in closed:
            if not self._readings or self._readings[-1][0] < gap["end"]:
                with self._lock:  # no reading after it yet: the next round
                    self._closed.append(gap)
                continue
            before = [r for r in self._readings if r[0] <= gap["start"]]
            (t0, cpu0), (t1, cpu1) = (before or self._readings[:1])[-1], self._readings[-1]
            names, span = self._native_names(), 1000 * (t1 - t0)
            used = {names.get(t, f"native-{t}"): round(cpu1[t] - cpu0[t], 1)
                    for t in cpu1 if t in cpu0 and cpu1[t] - cpu0[t] >= 1.0}  # fmt: skip
            gap["watched_ms"] = round(span, 1)  # CPU below is over this span (holds the gap)
            gap["cpu_ms"] = dict(sorted(used.items(), key=lambda kv: -kv[1]))
            gap["stacks"] = {name: dict(c.most_common(2)) for name, c in gap["stacks"].items()
                             if name in used or name == "GUI"}  # fmt: skip
            gap["gc"] = [{"gen": g, "ms": round(1000 * (e - s), 1), "thread": t}
                         for s, e, g, t in self._collections
                         if e > gap["start"] and s < gap["end"]]  # fmt: skip
            gap["gap_ms"] = round(gap["gap_ms"], 1)
            for key in ("start", "end"):
                gap.pop(key)
            self.gaps.append(gap)
        self.gaps.sort(key=lambda g: -g["gap_ms"])
        del self.gaps[self.keep * 4 :]

    def stop(self) -> list[dict[str, Any]]:
        """Stop watching; the longest gaps, worst first."""
        self.stopping.set()
        self.join(2)
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        self._readings.append((time.perf_counter(), self._clocks.read()))
        self._finish_closed()
        return self.gaps[: self.keep]
