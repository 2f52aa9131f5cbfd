"""Model browser: how long one keystroke in the search box takes over the real 794 models.

The real ModelPicker, shown (offscreen) with ../shared/catalogue/models.json, is fed the
queries people type, one character at a time (and deleted again with Backspace, which
widens the result). Each keystroke is timed in two parts: "filter", from the key event
until the list model is filtered and the highlight and empty state are updated (what the
keystroke itself costs), then "repaint", until the repaint it causes has drawn the
visible rows (the list's relayout included); "total" is both. Each in wall time and in
this thread's CPU time (the machine may be busy with other work). Also timed: switching
the kind and maker lists. A frame at 60 Hz is 16.7 ms.

    .venv/bin/python -m bench.model_browser [--quick] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/x.py` too

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox

from bench.common import ROOT, percentile, table, write_result
from get3w_desktop.core.catalogue import parse_catalogue
from get3w_desktop.storage.model_prefs import ModelPrefs
from get3w_desktop.ui.model_picker import ModelPicker

REAL = ROOT.parent / "shared" / "catalogue" / "models.json"
QUERIES = ("video", "flux lora", "kling", "image to 3d", "upscale", "google veo", "speech",
           "wan 2.2", "seedream edit", "qwen", "a", "portrait", "zzz")  # fmt: skip
FRAME_MS = 1000 / 60
Series = dict[str, list[float]]


def _series() -> Series:
    return {"filter_wall": [], "filter_cpu": [], "repaint_wall": [], "repaint_cpu": [],
            "total_wall": [], "total_cpu": []}  # fmt: skip


def _timed(app: QApplication, picker: ModelPicker, action: Callable[[], Any], into: Series) -> None:
    """Run `action` (a keystroke, a list choice), then repaint; time both, wall and CPU."""
    wall, cpu = time.perf_counter(), time.thread_time()
    action()  # the filter runs synchronously inside the key event
    wall_f, cpu_f = time.perf_counter(), time.thread_time()
    picker.repaint()  # the visible rows are drawn now, not at some later tick
    app.processEvents()
    wall_p, cpu_p = time.perf_counter(), time.thread_time()
    into["filter_wall"].append((wall_f - wall) * 1000)
    into["filter_cpu"].append((cpu_f - cpu) * 1000)
    into["repaint_wall"].append((wall_p - wall_f) * 1000)
    into["repaint_cpu"].append((cpu_p - cpu_f) * 1000)
    into["total_wall"].append((wall_p - wall) * 1000)
    into["total_cpu"].append((cpu_p - cpu) * 1000)


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
        "max_ms": round(max(values), 3),
    }


def _type(picker: ModelPicker, char: str) -> Callable[[], None]:
    return lambda: QTest.keyClicks(picker.search, char)


def _erase(picker: ModelPicker) -> Callable[[], None]:
    return lambda: QTest.keyClick(picker.search, Qt.Key.Key_Backspace)


def _choose(combo: QComboBox, index: int) -> Callable[[], None]:
    return lambda: combo.setCurrentIndex(index)


def run(catalogue_path: Path, rounds: int) -> dict[str, Any]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    data = json.loads(catalogue_path.read_text("utf-8"))
    catalogue, problems = parse_catalogue(data, source="bench")
    keys, switches = _series(), _series()
    shown: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        picker = ModelPicker(prefs=ModelPrefs(Path(folder) / "prefs.json"))
        picker.resize(300, 800)
        picker.show()
        started = time.perf_counter()
        picker.set_catalogue(catalogue)
        app.processEvents()
        fill_ms = (time.perf_counter() - started) * 1000
        picker.focus_search()
        for _ in range(rounds):
            for query in QUERIES:
                for char in query:
                    _timed(app, picker, _type(picker, char), keys)
                shown[query] = picker.proxy.model_count()
                for _char in query:
                    _timed(app, picker, _erase(picker), keys)
        for _ in range(rounds):
            for combo in (picker.kind, picker.maker):
                for i in range(combo.count()):
                    _timed(app, picker, _choose(combo, i), switches)
                combo.setCurrentIndex(0)
        picker.close()
    return {
        "models": len(catalogue),
        "types": len(catalogue.types()),
        "catalogue_problems": len(problems),
        "fill_ms": round(fill_ms, 1),
        "keystroke": {name: _stats(values) for name, values in keys.items()},
        "kind_or_maker_switch": {name: _stats(values) for name, values in switches.items()},
        "frame_ms": round(FRAME_MS, 1),
        "keystroke_filters_over_a_frame_cpu": sum(1 for v in keys["filter_cpu"] if v > FRAME_MS),
        "results_per_query": shown,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of five")
    parser.add_argument("--catalogue", type=Path, default=REAL)
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON report")
    options = parser.parse_args(argv)
    report = run(options.catalogue, 1 if options.quick else 5)
    rows = [
        (f"{what} {name}", block[name]["n"], block[name]["p50_ms"], block[name]["p95_ms"],
         block[name]["max_ms"])
        for what, block in (("keystroke", report["keystroke"]),
                            ("switch", report["kind_or_maker_switch"]))
        for name in block
    ]  # fmt: skip
    print(f"{report['models']} models, {report['types']} types; first fill {report['fill_ms']} ms")
    print(table(("action", "n", "p50 ms", "p95 ms", "max ms"), rows))
    print(f"keystroke filters over a frame ({report['frame_ms']} ms of CPU): "
          f"{report['keystroke_filters_over_a_frame_cpu']}")  # fmt: skip
    path = write_result("model_browser", report, options.out, argv)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
