"""Each benchmark runs end to end in its --quick form and writes a valid, complete report.

No timing is asserted: only that the figures exist, are consistent with each other and
with facts that hold on any machine (a schedule that polls every 3 s polls more than ours).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from bench import (
    common,
    history_actions,
    polling,
    profile_switch,
    responsiveness,
    scale,
    startup,
    throughput,
)
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.workers import thumbnails

pytestmark = pytest.mark.slow


def load(path: Path, name: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))  # strict JSON
    assert report["benchmark"] == name
    assert report["machine"]["cores"] >= 1 and report["machine"]["cpu"]
    assert "--quick" in report["command"]
    return report


def test_percentile_and_spread_use_nearest_rank() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert common.percentile(values, 0.5) == 3.0
    assert common.percentile(values, 0.9) == 5.0
    assert common.percentile(values, 0.0) == 1.0
    assert math.isnan(common.percentile([], 0.5))
    assert common.spread(values) == {"n": 5, "median": 3.0, "min": 1.0, "p90": 5.0, "max": 5.0}


def test_reports_are_strict_json_even_with_missing_figures(tmp_path: Path) -> None:
    path = common.write_result("demo", {"value": math.nan, "where": tmp_path}, tmp_path / "d.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["value"] is None and report["where"] == str(tmp_path)


def test_the_floor_matches_its_closed_form_for_a_log_uniform_spread() -> None:
    # K/E = 1/2 (sqrt(2)/U * integral_0^U sqrt(u) e^(-u/2) du)^2 with U = ln 4, and the
    # integral is 2^(3/2) * lower_gamma(3/2, U/2).
    u = math.log(4.0)
    x = u / 2
    lower_gamma = 0.5 * math.sqrt(math.pi) * math.erf(math.sqrt(x)) - math.sqrt(x) * math.exp(-x)
    expected = 0.5 * (math.sqrt(2.0) / u * 2**1.5 * lower_gamma) ** 2
    assert polling.floor_constant("normal") == pytest.approx(expected, rel=1e-3)
    # A heavier tail can only raise the floor; a narrower spread lowers it.
    assert polling.floor_constant("tail") > polling.floor_constant("normal")
    assert polling.floor_constant("fast") < polling.floor_constant("normal")


def test_a_learned_window_covers_the_history_it_came_from() -> None:
    history = polling.factors("fast", polling.HISTORY, seed=3)
    low, high = polling.learned_window(history)
    assert low < min(history) and high > max(history)
    assert low > 0.2 and high < 0.75  # near the true [0.25, 0.6], far from the prior


def test_polling_quick(tmp_path: Path) -> None:
    path = tmp_path / "polling.json"
    assert polling.main(["--quick", "--json", str(path)]) == 0
    report = load(path, "polling")
    runs = report["runs"]
    assert {(r["estimate"], r["spread"]) for r in runs} == {
        (e, s) for e in (10.0, 52.0) for s in polling.SPREADS
    }
    for run in runs:
        assert set(run["results"]) == {"ours", "ours_learned", "seed_tip", "seed_sample"}
        for figures in run["results"].values():
            assert figures["polls_per_task"] >= 1
            assert figures["latency_p95"] >= figures["latency_p50"] >= 0
    normal_52 = next(r for r in runs if r["estimate"] == 52.0 and r["spread"] == "normal")
    ours, sample = normal_52["results"]["ours"], normal_52["results"]["seed_sample"]
    assert ours["polls_per_task"] < sample["polls_per_task"]
    sweep = report["lambda_sweep"]
    assert [s["lam"] for s in sweep] == [0.3, 1.0]
    assert sweep[0]["polls_per_task"] >= sweep[1]["polls_per_task"]  # higher lambda, fewer polls


def test_startup_quick(tmp_path: Path) -> None:
    path = tmp_path / "startup.json"
    assert startup.main(["--quick", "--json", str(path)]) == 0
    report = load(path, "startup")
    for variant in ("bare", "app"):
        samples = report["samples"]["offscreen"][variant]
        assert len(samples) == 2
        for marks in samples:
            assert 0 < marks["python"] < marks["qapplication"] <= marks["first_paint"]
            assert marks["first_paint"] <= marks["idle"] <= marks["exited_loop"]
    assert report["summary"]["offscreen"]["app"]["ratio_to_bare"] > 0
    assert "MainWindow()" in report["breakdown"]  # (a first run no longer waits for the keyring)
    assert "catalogue load" in report["breakdown"]
    assert report["importtime"]["top_imports"] and report["importtime"]["by_package"]


def test_responsiveness_quick(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "responsiveness.json"
    assert responsiveness.main(["--quick", "--json", str(path)]) == 0
    result = load(path, "responsiveness")["results"][0]
    assert result["finished"] == result["tasks"] == 10
    assert result["states"] == {"completed": 10}
    assert result["heartbeats"] > 0 and result["decodes"] > 0
    late = result["lateness_ms"]
    assert 0 <= late["p50"] <= late["p99"] <= late["max"]
    assert result["worst_gap_ms"] >= responsiveness.HEARTBEAT_MS * 0.5
    # The GUI thread's own CPU: some, and never more than the wall time it was measured in.
    assert 0 < result["gui_thread_cpu_s"] <= result["seconds"] + 1
    assert 0 <= result["gui_cpu_in_worst_gap_ms"] <= result["worst_gap_ms"] + 1
    assert all(g["gap_ms"] > 50 and "cpu_ms" in g for g in result["gaps_explained"])
    from get3w_desktop.workers.base import Work

    assert Work.run.__qualname__ == "Work.run"  # the bench's thread labels are undone


def test_history_actions_quick(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "history_actions.json"
    assert history_actions.main(["--quick", "--json", str(path)]) == 0
    report = load(path, "history_actions")
    assert report["small"]["tasks"] == 1_000 and report["large"]["tasks"] == 2_000
    for size in ("small", "large"):
        actions = report[size]["actions"]
        assert set(history_actions.CLICKS) | {history_actions.WINDOW} <= set(actions)
        assert all(0 < a["median_ms"] <= a["max_ms"] and a["runs"] >= 1
                   for a in actions.values())  # fmt: skip
    assert set(report["verdict"]["met"]) == {"clicks_within_50ms", "window_does_not_grow"}


def test_throughput_quick(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "throughput.json"
    assert throughput.main(["--quick", "--json", str(path)]) == 0
    results = load(path, "throughput")["results"]
    assert [(r["client"], r["concurrency"]) for r in results] == [
        ("threads", 1), ("threads", 4), ("runner", 1), ("runner", 4)
    ]  # fmt: skip
    for r in results:
        assert r["completed"] == r["tasks"] == 20, r["errors"]
        assert r["api_requests_per_task"] >= 2  # a submit and at least one poll
        assert r["tasks_per_second"] > 0 and r["sandbox_cpu_share"] >= 0


def test_scale_quick(tmp_path: Path) -> None:
    path = tmp_path / "scale.json"
    home = tmp_path / "home"
    argv = ["--quick", "--home", str(home), "--json", str(path), "--memory-trace"]
    assert scale.main(argv) == 0
    report = load(path, "scale")
    history = report["history"]
    assert history["tasks"] == 300 and history["files"] >= history["states"]["completed"]
    with HistoryStore.open(home / "data" / "history.sqlite3") as store:
        entries = store.list()
    assert len(entries) == 300 and len({e.job.local_id for e in entries}) == 300
    files = [f for e in entries for f in e.job.files]
    assert len(set(files)) == len(files) == history["files"]  # a path of its own per output
    assert all(Path(f).is_file() for f in files)
    for name in ("empty", "full"):
        [sample] = report["samples"][name]
        marks = sample["marks"]
        assert 0 < marks["python"] < marks["first_paint"] <= marks["history_idle"]
        assert marks["history_added"] <= marks["history_idle"]
        assert sample["memory"]["VmHWM"] >= sample["memory"]["VmRSS"] > 0
        assert (name == "full") == ("history_painted" in marks)
    info = report["interaction"]["info"]
    assert info["loaded_jobs"] == info["rows"] == 300
    assert info["scroll_steps"] >= 2 and info["decodes_while_scrolling"] > 0
    bottom = info["bottom_thumbnails"]
    assert bottom["ready"] == bottom["visible"]  # the last page's thumbnails were shown
    trace = info["memory_trace"]  # where the scroll's memory went (--memory-trace)
    assert trace["caches"]["thumbnails"] >= bottom["ready"]
    assert trace["caches"]["thumbnails_mb"] <= thumbnails.MEMORY_BYTES / 2**20 + 0.1
    assert trace["arenas_after"] and trace["arenas_after"][0]["system_mb"] > 0
    assert set(trace["smaps_rollup_growth_mb"]) >= {"Rss", "Anonymous"}
    typed = [f["text"] for f in info["filters"]]
    assert typed[-1] == "" and len(typed) >= 2  # typed, then deleted back to every row
    assert info["filters"][-1]["rows"] == 300
    assert all(f["rows"] <= 300 for f in info["filters"])
    for phase in ("scroll", "search"):
        beats = info["heartbeat"][phase]
        assert beats["beats"] > 0 and beats["worst_gap_ms"] >= beats["late_p50_ms"]
    # Every goal gets a verdict (whether it is met depends on the machine: not asserted).
    met = report["verdict"]["met"]
    assert set(met) == {
        "shown_within_1s_of_empty", "under_400mb", "no_stall_over_50ms", "search_p95_within_16ms"
    } and all(isinstance(v, bool) for v in met.values())  # fmt: skip


def test_profile_switch_quick(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "profile_switch.json"
    assert profile_switch.main(["--quick", "--json", str(path)]) == 0
    report = load(path, "profile_switch")
    result = report["result"]
    assert result["switches"] == 2 and result["slow_requests"] >= 2
    assert len(result["worst_gap_per_switch_ms"]) == 2
    # The slow host holds each request 2 s: a switch that waited for it would show that.
    assert max(result["worst_gap_per_switch_ms"]) < 1000
    assert result["heartbeats"] > 0 and result["worst_gap_ms"] >= result["lateness_ms"]["p50"]
    shares = result["gui_thread_in_stalls"]  # what the GUI thread did during long gaps
    assert set(shares) == {"running", "waiting_for_a_core", "blocked"}
    assert all(0 <= share <= 1 for share in shares.values())
    assert isinstance(result["stall_samples"], dict)


def test_gap_watch_names_the_threads_that_ran_in_a_long_gap() -> None:
    import threading
    import time

    from bench.stalls import GapWatch

    watch = GapWatch(threading.get_ident(), after=0.01, over=0.04)
    watch.start()
    stop = threading.Event()

    def spin() -> None:  # another thread's Python work, as a loader's
        while not stop.is_set():
            sum(range(1000))

    spinner = threading.Thread(target=spin, name="spinner")
    spinner.start()
    try:
        for _ in range(3):
            watch.beat(time.perf_counter(), "busy")
            started = time.thread_time()
            while time.thread_time() - started < 0.06:  # 60 ms of the "GUI" thread's own CPU
                sum(range(1000))
        watch.beat(time.perf_counter(), "busy")
        time.sleep(0.05)  # a reading after the last gap
    finally:
        stop.set()
        spinner.join()
        gaps = [g for g in watch.stop() if g["phase"] == "busy"]  # not the one before
    assert len(gaps) == 3 and all(g["gap_ms"] >= 60 for g in gaps)
    assert all(gap["cpu_ms"].get("GUI", 0) > 0 for gap in gaps)  # its own CPU (schedstat)
    # The other thread, by its name, with its CPU and where it was (on a busy machine it
    # may get no core in one gap, not in all three).
    assert any("spinner" in gap["cpu_ms"] for gap in gaps)
    assert any("spin" in top for gap in gaps for top in gap["stacks"].get("spinner", {}))
