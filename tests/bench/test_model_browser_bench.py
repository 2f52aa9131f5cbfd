"""The model browser benchmark runs over the real catalogue and reports consistent figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from bench import model_browser
from tests.real_catalogue import real_models_json

pytestmark = pytest.mark.slow


def test_model_browser_quick_run_reports_every_figure(qtbot: QtBot, tmp_path: Path) -> None:
    real_models_json()  # the bench reads the real list: skips (outside CI) when it is absent
    out = tmp_path / "model_browser.json"
    model_browser.main(["--quick", "--out", str(out)])
    report = json.loads(out.read_text("utf-8"))
    assert report["benchmark"] == "model_browser" and "--quick" in report["command"]
    assert (report["models"], report["types"]) == (794, 25)
    typed = sum(len(q) for q in model_browser.QUERIES)
    for name, figures in report["keystroke"].items():
        assert figures["n"] == 2 * typed, name  # each character typed, then erased
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"], name
    keystroke = report["keystroke"]
    assert {"filter_cpu", "repaint_cpu", "total_cpu", "repaint_wall"} <= keystroke.keys()
    # Filtering and repainting are each part of the whole keystroke, so neither costs more.
    for part in ("filter_wall", "repaint_wall"):
        assert keystroke[part]["max_ms"] <= keystroke["total_wall"]["max_ms"], part
    assert report["results_per_query"]["zzz"] == 0
    assert 0 < report["results_per_query"]["kling"] < report["results_per_query"]["a"] <= 794
