"""One app start on a prepared history, measured from inside: run by bench/scale.py only.

    python bench/scale_child.py --expect N [--interact] [--search WORDS] [--limit S]

Runs the real app (`get3w_desktop.app.main(["--sandbox"])`) on $GET3W_HOME and marks,
in seconds since $BENCH_T0 (the parent's CLOCK_MONOTONIC just before the spawn):
first_paint and idle (as bench/startup_child.py), history_loaded / history_added (the
GUI thread's `MainWindow.add_history` entered and returned for the first page),
history_shown (the task list first painted with rows of the history: the window shown with
its newest tasks), history_painted (the task list painted with >= N rows: every page in)
and history_idle (the event loop about to block after that). A 10 ms heartbeat runs from
the first paint, so a stall while the rows go in is seen too. Memory (VmRSS, VmHWM) is
read at history_idle.

With --interact it then scrolls the list from top to bottom a page per frame (16 ms) (or
only --scroll-pages pages: on a busy machine 100,000 rows take longer than --limit),
waits for the last page's thumbnails, types WORDS into the search field a key at a time
(slower than the search delay, so every key filters) and deletes them again, with the
heartbeat and a sampler of the GUI thread's stack running. One `SCALE {json}` line goes
to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.stalls import GapWatch, label_pool_threads

T0 = float(os.environ.get("BENCH_T0", "nan"))
MARKS: dict[str, float] = {"python": time.monotonic() - T0}
SPANS: dict[str, float] = {}
INFO: dict[str, Any] = {}
HEARTBEAT_MS = 10
FRAME_MS = 16
KEY_MS = 220  # a key every 220 ms: above the search delay (150 ms), so each key filters


def mark(name: str) -> None:
    MARKS.setdefault(name, time.monotonic() - T0)


def memory() -> dict[str, float]:
    """VmRSS and VmHWM (peak) of this process, in MB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


class StallSampler(threading.Thread):
    """Samples the GUI thread's Python stack while the heartbeat is overdue (> 30 ms)."""

    def __init__(self, gui_thread: int) -> None:
        super().__init__(name="bench-stall-sampler", daemon=True)
        self.gui_thread = gui_thread
        self.last_beat = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.005):
            if time.perf_counter() - self.last_beat < 0.03:
                continue
            frame = sys._current_frames().get(self.gui_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f for f in stack if "get3w_desktop" in f.filename or "bench" in f.filename]
            where = (ours[-3:] if ours else []) + [stack[-1]]
            self.samples[" <- ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}"
                                     for f in reversed(where))] += 1  # fmt: skip


class Heartbeat:
    """A precise 10 ms timer; each gap between two beats, labelled with the phase it ended in,
    with how long the GUI thread ran and waited for a core meanwhile (the rest of a gap it
    was blocked: mostly on the GIL, held by another thread)."""

    def __init__(self, sampler: StallSampler | None = None, watch: GapWatch | None = None) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.phase = "load"
        self.watch = watch
        self.gaps: list[tuple[str, float, float, float]] = []  # phase, gap, ran, waited (ms)
        self.sampler = sampler
        self._schedstat = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        self._last = time.perf_counter()
        self._last_sched = self._sched()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _sched(self) -> tuple[float, float]:
        """(ms on a core, ms runnable but waiting for one) of the GUI thread so far."""
        try:
            running, waiting = self._schedstat.read_text(encoding="ascii").split()[:2]
        except (OSError, ValueError):
            return 1000 * time.thread_time(), 0.0
        return int(running) / 1e6, int(waiting) / 1e6

    def _beat(self) -> None:
        now, sched = time.perf_counter(), self._sched()
        ran, waited = sched[0] - self._last_sched[0], sched[1] - self._last_sched[1]
        self.gaps.append((self.phase, 1000 * (now - self._last), ran, waited))
        self._last, self._last_sched = now, sched
        if self.sampler is not None:
            self.sampler.last_beat = now
        if self.watch is not None:
            self.watch.beat(now, self.phase)

    def summary(self) -> dict[str, dict[str, Any]]:
        phases: dict[str, list[tuple[str, float, float, float]]] = {}
        for gap in self.gaps:
            phases.setdefault(gap[0], []).append(gap)
        result: dict[str, dict[str, Any]] = {}
        for phase, gaps in phases.items():
            ordered = sorted(g[1] for g in gaps)
            late = [max(0.0, g - HEARTBEAT_MS) for g in ordered]
            long = [g for g in gaps if g[1] > 50]
            total = sum(g[1] for g in long)
            result[phase] = {
                "beats": len(gaps), "worst_gap_ms": ordered[-1],
                # Past its 10 ms, the time a beat was neither run nor waiting for a core:
                # the GUI thread was blocked (mostly on the GIL), summed over the phase.
                "blocked_ms": sum(max(0.0, g[1] - HEARTBEAT_MS - g[2] - g[3]) for g in gaps),
                "late_p50_ms": late[len(late) // 2], "late_p99_ms": late[int(len(late) * 0.99)],
                "gaps_over_50ms": len(long),
                "in_gaps_over_50ms": {
                    "ran": sum(g[2] for g in long) / total if total else 0.0,
                    "waited_for_a_core": sum(g[3] for g in long) / total if total else 0.0,
                },
                "worst": [{"gap_ms": g[1], "ran_ms": g[2], "waited_ms": g[3]}
                          for g in sorted(gaps, key=lambda g: -g[1])[:5]],
            }  # fmt: skip
        return result


class Probe:
    """Marks the start-up moments, then runs the interaction (if asked) and quits."""

    def __init__(self, args: argparse.Namespace) -> None:
        from PySide6.QtCore import QAbstractEventDispatcher, QObject
        from PySide6.QtWidgets import QApplication

        self.args = args
        self.app = QApplication.instance() or QApplication([sys.argv[0]])
        mark("qapplication")
        self.window: Any = None
        self.heartbeat: Heartbeat | None = None
        self.sampler: StallSampler | None = None
        self.watch: GapWatch | None = None
        self.added = False
        probe = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: Any) -> bool:  # noqa: N802 - Qt
                probe.on_event(watched, event)
                return False

        self.filter = Filter()
        self.app.installEventFilter(self.filter)
        dispatcher = QAbstractEventDispatcher.instance()
        assert dispatcher is not None
        dispatcher.aboutToBlock.connect(self.about_to_block)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(round(args.limit * 1000), self.finish)  # never hang the parent

    def on_event(self, watched: Any, event: Any) -> None:
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QListView, QMainWindow, QWidget

        if event.type() != QEvent.Type.Paint or not isinstance(watched, QWidget):
            return
        window = watched.window()
        if not isinstance(window, QMainWindow):
            return
        if "first_paint" not in MARKS:
            mark("first_paint")  # the start-up shell (ui/shell.py) paints first
        if self.window is None and hasattr(window, "list_view"):
            # The app's window: the heartbeat starts here, as it did before the shell, so
            # "while loading" is the history going in, not the window being built.
            self.window = window
            mark("window_paint")
            if self.args.interact:
                self.sampler = StallSampler(threading.get_ident())
                self.sampler.start()
            self.watch = GapWatch(threading.get_ident())  # every thread, in gaps > 50 ms
            self.watch.start()
            self.heartbeat = Heartbeat(self.sampler, self.watch)
        view = watched.parent()
        if (
            self.added
            and "history_shown" not in MARKS
            and isinstance(view, QListView)
            and view.viewport() is watched
            and view.model().rowCount() > 0
        ):
            mark("history_shown")
        if (
            self.added
            and self.args.expect > 0  # an empty history has no painted rows to wait for
            and isinstance(view, QListView)
            and view.viewport() is watched
            and view.model().rowCount() >= self.args.expect
        ):
            mark("history_painted")
            self.app.removeEventFilter(self.filter)

    def about_to_block(self) -> None:
        if "first_paint" in MARKS:
            mark("idle")
        if (
            self.added
            and "history_idle" not in MARKS
            and ("history_painted" in MARKS or self.args.expect == 0)
        ):
            mark("history_idle")
            INFO["memory_after_load"] = memory()
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.interact if self.args.interact else self.finish)

    def finish(self) -> None:
        from PySide6.QtCore import QCoreApplication

        if "finished" in MARKS:
            return
        mark("finished")
        if self.heartbeat is not None:
            self.heartbeat.timer.stop()
            INFO["heartbeat"] = self.heartbeat.summary()
        if self.sampler is not None:
            self.sampler.stopping.set()
            self.sampler.join(2)
            INFO["stall_samples"] = dict(self.sampler.samples.most_common(15))
        if self.watch is not None:
            INFO["gaps_explained"] = self.watch.stop()
        QCoreApplication.quit()

    # -- interaction -------------------------------------------------------------------

    def interact(self) -> None:
        from PySide6.QtCore import QTimer

        # The size the app picks on a desktop screen (offscreen's screen is 800 x 600).
        self.window.resize(1480, 900)
        QTimer.singleShot(200, self.start_scroll)

    def start_scroll(self) -> None:
        from PySide6.QtCore import QTimer

        window = self.window
        self.view = window.list_view
        self.bar = self.view.verticalScrollBar()
        self.thumbs = window._thumbnails
        self.decodes_before = self.thumbs.decode_count
        self.scroll_started = time.perf_counter()
        self.steps = 0
        assert self.heartbeat is not None
        self.heartbeat.phase = "scroll"
        INFO["rows"] = self.view.model().rowCount()
        INFO["scroll_range_px"] = self.bar.maximum()
        INFO["page_px"] = self.bar.pageStep()
        self.memory_trace = (MemoryTrace(window, self.args.memory_trace == "python")
                             if self.args.memory_trace else None)  # fmt: skip
        self.ticker = QTimer()
        self.ticker.setInterval(FRAME_MS)
        self.ticker.timeout.connect(self.scroll_step)
        self.ticker.start()

    def scroll_step(self) -> None:
        bar = self.bar
        enough = 0 < self.args.scroll_pages <= self.steps
        if bar.value() >= bar.maximum() or enough:
            self.ticker.stop()
            INFO["scroll_seconds"] = time.perf_counter() - self.scroll_started
            INFO["scroll_steps"] = self.steps
            INFO["thumbnails_pending_at_bottom"] = len(self.thumbs._pending)
            INFO["decodes_while_scrolling"] = self.thumbs.decode_count - self.decodes_before
            self.bottom_reached = time.perf_counter()
            assert self.heartbeat is not None
            self.heartbeat.phase = "bottom"
            self.ticker = self._every(50, self.wait_for_bottom_thumbnails)
            return
        bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        self.steps += 1

    def _every(self, ms: int, slot: Any) -> Any:
        from PySide6.QtCore import QTimer

        timer = QTimer()
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        timer.start()
        return timer

    def visible_thumbnail_paths(self) -> list[str]:
        from get3w_desktop.core.job import Job
        from get3w_desktop.itemmodels.job_list import JobRole
        from get3w_desktop.workers.thumbnails import MediaKind, media_kind

        paths = []
        top = self.view.indexAt(self.view.viewport().rect().topLeft()).row()
        for row in range(max(0, top), self.view.model().rowCount()):
            index = self.view.model().index(row, 0)
            if not self.view.visualRect(index).intersects(self.view.viewport().rect()):
                break
            job = index.data(JobRole.JOB)
            if isinstance(job, Job) and job.files and media_kind(job.files[0]) is MediaKind.IMAGE:
                paths.append(job.files[0])
        return paths

    def wait_for_bottom_thumbnails(self) -> None:
        paths = self.visible_thumbnail_paths()
        ready = [p for p in paths if (p, 128) in self.thumbs._thumbs or self.thumbs.failure(p)]
        waited = time.perf_counter() - self.bottom_reached
        if len(ready) < len(paths) and waited < self.args.limit / 3:
            return
        self.ticker.stop()
        decoded = self.thumbs.decode_count - self.decodes_before
        INFO["bottom_thumbnails"] = {"visible": len(paths), "ready": len(ready),
                                     "seconds": waited, "decodes_since_bottom":
                                     decoded - INFO["decodes_while_scrolling"]}  # fmt: skip
        INFO["memory_after_scroll"] = memory()
        if self.memory_trace is not None:
            INFO["memory_trace"] = self.memory_trace.report()
        self.start_search()

    def start_search(self) -> None:
        bar = self.window.filter_bar
        proxy = bar._proxy
        original = proxy.set_text
        self.filter_ms: list[dict[str, Any]] = []

        def timed_set_text(text: str) -> None:
            start = time.perf_counter()
            original(text)
            took = 1000 * (time.perf_counter() - start)
            key = {"text": text, "typed_ms": took, "turns_ms": [], "started": start}
            if not proxy.scanning:  # answered at once
                key["ready_ms"] = took
                key["rows"] = proxy.rowCount()
            self.filter_ms.append(key)

        def scan_turn(took_ms: float) -> None:
            if not self.filter_ms:
                return
            key = self.filter_ms[-1]
            key["turns_ms"].append(took_ms)
            if not proxy.scanning and "ready_ms" not in key:
                key["ready_ms"] = 1000 * (time.perf_counter() - key["started"])
                key["rows"] = proxy.rowCount()

        SCAN_TURN_HOOKS.append(scan_turn)
        proxy.set_text = timed_set_text
        bar.search.setFocus()
        text = self.args.search
        self.keys = [text[: i + 1] for i in range(len(text))]  # typed ...
        self.keys += [text[:i] for i in range(len(text) - 1, -1, -1)]  # ... then deleted
        assert self.heartbeat is not None
        self.heartbeat.phase = "search"
        self.ticker = self._every(KEY_MS, self.type_key)

    def type_key(self) -> None:
        if not self.keys:
            self.ticker.stop()
            from PySide6.QtCore import QTimer

            QTimer.singleShot(400, self.end_search)  # the last filter after the delay
            return
        self.window.filter_bar.search.setText(self.keys.pop(0))

    def end_search(self) -> None:
        # A key's "ms" is the longest the search held the GUI thread for it: the typing
        # itself or one turn of a long scan; "ready_ms" is when its answer showed.
        INFO["filters"] = [
            {"text": k["text"], "ms": max([k["typed_ms"], *k["turns_ms"]]),
             "typed_ms": k["typed_ms"], "turns": len(k["turns_ms"]),
             "ready_ms": k.get("ready_ms"), "rows": k.get("rows")}
            for k in self.filter_ms
        ]  # fmt: skip
        INFO["memory_after_search"] = memory()
        self.finish()


class MemoryTrace:
    """Where memory goes while the list scrolls (--memory-trace): tracemalloc's growth by
    traceback, Python objects by type, /proc/self/smaps_rollup and the mappings that grew
    (anonymous heap against libraries), and what malloc_trim(0) gives back afterwards.
    Started just before the scroll, so the load is not slowed; the scroll is (tracing)."""

    def __init__(self, window: Any, python: bool, frames: int = 12) -> None:
        import gc
        import tracemalloc

        self.window, self.python = window, python
        self.types_before = self._types(gc.get_objects())
        self.maps_before = self._mappings()
        self.rollup_before = self._rollup()
        self.arenas_before = self._arenas()
        self.caches_before = self._caches()
        self.cpu_before = self._cpu()
        self.snapshot = None
        if python:
            tracemalloc.start(frames)
            self.snapshot = tracemalloc.take_snapshot()

    @staticmethod
    def _types(objects: list[Any]) -> Counter[str]:
        return Counter(type(o).__qualname__ for o in objects)

    @staticmethod
    def _cpu() -> dict[str, float]:
        """This process's CPU seconds (user, system, all threads) and page faults so far."""
        fields = Path("/proc/self/stat").read_text(encoding="ascii").rpartition(")")[2].split()
        tick = os.sysconf("SC_CLK_TCK")
        return {"user_s": int(fields[11]) / tick, "system_s": int(fields[12]) / tick,
                "minor_faults": int(fields[7]), "major_faults": int(fields[9])}  # fmt: skip

    @staticmethod
    def _rollup() -> dict[str, float]:
        """smaps_rollup's fields in MB (Rss, Anonymous, Private_Dirty, ...)."""
        found: dict[str, float] = {}
        for line in Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines()[1:]:
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                found[name] = int(value.split()[0]) / 1024
        return found

    @staticmethod
    def _mappings() -> dict[str, float]:
        """Resident MB by mapping name (a library's path, [heap], or [anon])."""
        rss: dict[str, float] = {}
        name = ""
        for line in Path("/proc/self/smaps").read_text(encoding="utf-8").splitlines():
            head = line.split()
            if head and "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else "[anon]"
            elif head and head[0] == "Rss:":
                rss[name] = rss.get(name, 0.0) + int(head[1]) / 1024
        return rss

    @staticmethod
    def _arenas() -> list[dict[str, float]]:
        """glibc's malloc_info per arena: MB in use (system - free) and held (system)."""
        import re

        from get3w_desktop.core.malloc_arenas import malloc_info

        xml = malloc_info()
        arenas = []
        for heap in re.findall(r'<heap nr="\d+">(.*?)</heap>', xml, re.S):
            free = sum(int(v) for v in re.findall(r'<total type="(?:fast|rest)" count="\d+" '
                                                  r'size="(\d+)"', heap))  # fmt: skip
            system = int(re.search(r'<system type="current" size="(\d+)"', heap).group(1))  # type: ignore[union-attr]
            arenas.append({"system_mb": round(system / 2**20, 1),
                           "free_mb": round(free / 2**20, 1)})  # fmt: skip
        return arenas

    def _caches(self) -> dict[str, Any]:
        """The app's own caches that hold pixels, and its thread count."""
        from PySide6.QtGui import QPixmapCache

        thumbs = self.window._thumbnails
        tiles = self.window.tasks.delegate.tiles
        return {
            "threads": len(list(Path("/proc/self/task").iterdir())),
            "thumbnails": len(thumbs._thumbs),
            "thumbnails_mb": round(sum(i.sizeInBytes() for i in thumbs._thumbs.values())
                                   / 2**20, 1),
            "thumbnail_formats": dict(Counter(str(i.format()).rsplit(".", 1)[-1]
                                              for i in thumbs._thumbs.values())),
            "thumbnails_pending": len(thumbs._pending), "broken": len(thumbs._broken),
            "full_images_mb": round(sum(i.sizeInBytes() for i in thumbs._images.values())
                                    / 2**20, 1),
            "poster_grabber": thumbs._posters is not None,
            "tiles": len(tiles),
            "tiles_mb": round(sum(t.width() * t.height() * t.depth() // 8
                                  for t in tiles._tiles.values()) / 2**20, 1),
            "pixmap_cache_limit_kb": QPixmapCache.cacheLimit(),
        }  # fmt: skip

    def report(self) -> dict[str, Any]:
        import ctypes
        import gc
        import tracemalloc

        python: dict[str, Any] = {}
        if self.snapshot is not None:
            after = tracemalloc.take_snapshot()
            traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            growth = after.compare_to(self.snapshot, "traceback")
            python = {
                "traced_growth_mb": round(sum(s.size_diff for s in growth) / 2**20, 2),
                "traced_peak_mb": round(traced[1] / 2**20, 2),
                "top_growth_by_traceback": [
                    {"mb": round(s.size_diff / 2**20, 2), "count": s.count_diff,
                     "where": [f"{Path(f.filename).name}:{f.lineno}"
                               for f in list(s.traceback)[-6:]]} for s in growth[:20]],
                "top_growth_by_line": [
                    {"mb": round(s.size_diff / 2**20, 2), "count": s.count_diff,
                     "where": str(s.traceback[0])}
                    for s in after.compare_to(self.snapshot, "lineno")[:15]],
            }  # fmt: skip
        types = self._types(gc.get_objects()) - self.types_before
        rollup = self._rollup()
        maps = self._mappings()
        grown = {k: round(maps[k] - self.maps_before.get(k, 0.0), 1) for k in maps}
        arenas = self._arenas()  # before the trim below
        trimmed: dict[str, float] = {}
        before_trim = memory()["VmRSS"]
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            trimmed["returned_mb"] = before_trim - memory()["VmRSS"]
        except OSError:
            pass
        cpu = {k: round(v - self.cpu_before[k], 2) for k, v in self._cpu().items()}
        return {
            "python": python,
            "cpu_while_scrolling": cpu,
            "caches_before": self.caches_before,
            "caches": self._caches(),
            "arenas_before": self.arenas_before,
            "arenas_after": arenas,
            "object_types_grown": dict(types.most_common(15)),
            "smaps_rollup_growth_mb": {k: round(v - self.rollup_before.get(k, 0.0), 1)
                                       for k, v in rollup.items() if k in (
                                           "Rss", "Anonymous", "Private_Dirty", "Shared_Clean",
                                           "Private_Clean", "Pss_File", "Pss_Anon")},
            "mappings_grown_mb": dict(sorted(((k, v) for k, v in grown.items() if abs(v) >= 0.5),
                                             key=lambda kv: -kv[1])[:20]),
            "malloc_trim": trimmed,
        }  # fmt: skip


def instrument() -> None:
    """Time the steps of main() that grow with the history."""
    import get3w_desktop.app as app_module
    import get3w_desktop.ui.main_window as ui

    open_history = app_module.open_history

    def timed_open(*args: Any) -> Any:
        start = time.monotonic()
        try:
            return open_history(*args)
        finally:
            SPANS["open_history (GUI thread, before the window)"] = time.monotonic() - start

    app_module.open_history = timed_open  # type: ignore[assignment]
    # The quick check runs after the first page, off the GUI thread (HistoryChecker).
    from get3w_desktop.storage.history import HistoryStore

    check_integrity = HistoryStore.check_integrity

    def timed_check(self: Any) -> Any:
        start = time.monotonic()
        try:
            return check_integrity(self)
        finally:
            SPANS["quick_check (own thread, after the newest page)"] = time.monotonic() - start

    HistoryStore.check_integrity = timed_check  # type: ignore[method-assign]
    add_history = ui.MainWindow.add_history

    def timed_add(self: Any, loaded: Any) -> None:
        mark("history_loaded")
        INFO["loader_seconds"] = INFO.get("loader_seconds", 0.0) + loaded.elapsed
        INFO["loaded_jobs"] = INFO.get("loaded_jobs", 0) + len(loaded.jobs)
        INFO["history_pages"] = INFO.get("history_pages", 0) + 1
        start = time.monotonic()
        add_history(self, loaded)
        took = time.monotonic() - start
        SPANS.setdefault("add_history, first page (GUI thread)", took)
        worst = "add_history, worst page (GUI thread)"
        SPANS[worst] = max(SPANS.get(worst, 0.0), took)
        mark("history_added")
        PROBE.added = True

    ui.MainWindow.add_history = timed_add  # type: ignore[method-assign]

    # A long query is scanned over turns of the event loop (job_matches.py): time each,
    # patched before the window connects its timer.
    from get3w_desktop.itemmodels.job_matches import JobMatchModel

    scan_some = JobMatchModel._scan_some

    def timed_scan_some(self: Any) -> None:
        start = time.perf_counter()
        scan_some(self)
        took = 1000 * (time.perf_counter() - start)
        for hook in SCAN_TURN_HOOKS:
            hook(took)

    JobMatchModel._scan_some = timed_scan_some  # type: ignore[method-assign]


PROBE: Probe
SCAN_TURN_HOOKS: list[Callable[[float], None]] = []


def main() -> int:
    global PROBE
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--interact", action="store_true")
    parser.add_argument("--search", default="lighthouse")
    parser.add_argument("--limit", type=float, default=240.0)
    parser.add_argument("--scroll-pages", type=int, default=0, help="0: to the bottom")
    parser.add_argument("--memory-trace", nargs="?", const="native", choices=("native", "python"),
                        help="report where memory grows while scrolling (python: tracemalloc "
                             "too, which slows the scroll 5x)")  # fmt: skip
    args = parser.parse_args()
    PROBE = Probe(args)
    instrument()
    label_pool_threads()
    mark("imports")
    from get3w_desktop.app import main as app_main

    code = app_main(["--sandbox"])
    mark("exited_loop")
    INFO.setdefault("memory_at_exit", memory())
    print("SCALE " + json.dumps({"marks": MARKS, "spans": SPANS, "info": INFO}), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
