"""Favourite and recent models: kept across runs, tolerant of a damaged file."""

from __future__ import annotations

import json
from pathlib import Path

from get3w_desktop.storage.model_prefs import MAX_RECENT, ModelPrefs


def test_favourites_and_recents_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    prefs = ModelPrefs(path)
    prefs.set_favourite("a/one", True)
    prefs.set_favourite("b/two", True)
    prefs.set_favourite("a/one", False)
    for model_id in ("x/1", "x/2", "x/1"):
        prefs.note_used(model_id)
    again = ModelPrefs(path)
    assert again.favourites() == ("b/two",)
    assert again.recent() == ("x/1", "x/2")  # newest first, no duplicates
    for i in range(MAX_RECENT + 5):
        again.note_used(f"m/{i}")
    assert len(again.recent()) == MAX_RECENT and again.recent()[0] == f"m/{MAX_RECENT + 4}"


def test_a_damaged_file_starts_empty_and_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    path.write_text("{not json", encoding="utf-8")
    prefs = ModelPrefs(path)
    assert prefs.favourites() == () and prefs.recent() == ()
    assert (tmp_path / "prefs.json.bak").read_text(encoding="utf-8") == "{not json"
    path.write_text(json.dumps({"favourites": ["ok/one", 3, "", "ok/one"], "recent": "x"}))
    assert ModelPrefs(path).favourites() == ("ok/one",)
    assert ModelPrefs(path).recent() == ()


def test_an_unwritable_folder_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    prefs = ModelPrefs(blocker / "prefs.json")  # its folder cannot be made
    prefs.set_favourite("a/one", True)  # logged, not raised
    assert prefs.is_favourite("a/one")
