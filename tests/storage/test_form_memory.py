"""Form memory: what comes back, what is refused, and that a bad file never costs a form."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from get3w_desktop.storage.form_memory import MAX_STRING, FormMemory, is_secret_name
from get3w_desktop.storage.paths import app_paths

MODEL = "google/nano-banana-pro/text-to-image"


def test_values_and_last_model_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "form_values.json"
    memory = FormMemory(path)
    values = {"prompt": "A lighthouse", "seed": 42, "strength": 0.8, "enable": True,
              "images": ["file:///tmp/a.png"], "extra": {"scale": 1.5}}  # fmt: skip
    memory.put(MODEL, values)
    memory.set_last_model(MODEL)

    again = FormMemory(path)
    assert again.get(MODEL) == values
    assert again.last_model() == MODEL
    assert again.get("unknown/model") == {}


def test_get_returns_a_copy(tmp_path: Path) -> None:
    memory = FormMemory(tmp_path / "f.json")
    memory.put(MODEL, {"images": ["a"]})
    memory.get(MODEL)["images"].append("b")
    assert memory.get(MODEL) == {"images": ["a"]}


def test_default_location_is_the_config_folder() -> None:
    memory = FormMemory()
    memory.put(MODEL, {"prompt": "x"})
    assert memory.path == app_paths().config / "form_values.json"
    assert json.loads(memory.path.read_text("utf-8"))["models"][MODEL] == {"prompt": "x"}


def test_a_missing_file_is_an_empty_memory(tmp_path: Path) -> None:
    memory = FormMemory(tmp_path / "nope" / "form_values.json")
    assert memory.get(MODEL) == {} and memory.last_model() is None
    assert not (tmp_path / "nope").exists()  # nothing written until there is something


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2, 3]", b'{"models": 5}', b"\xff\xfe\x00"])
def test_a_corrupt_file_starts_empty_and_is_kept_as_bak(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "form_values.json"
    path.write_bytes(content)
    memory = FormMemory(path)
    assert memory.get(MODEL) == {} and memory.last_model() is None
    backup = tmp_path / "form_values.json.bak"
    assert backup.read_bytes() == content
    memory.put(MODEL, {"prompt": "fresh"})
    assert FormMemory(path).get(MODEL) == {"prompt": "fresh"}


@pytest.mark.parametrize(
    "name", ["api_key", "apiKey", "API-KEY", "key", "token", "access_token", "Authorization",
             "password", "db_password", "client_secret", "x_api_key"],
)  # fmt: skip
def test_secret_like_names_are_recognised(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["prompt", "max_tokens", "keyframes", "monkey", "seed", "images"])
def test_ordinary_names_are_not_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_secrets_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "form_values.json"
    memory = FormMemory(path)
    memory.put(MODEL, {
        "prompt": "cat", "api_key": "abc", "token": "t", "Authorization": "Bearer x",
        "password": "p", "headers": {"Authorization": "Bearer y", "Accept": "json"},
        "pasted": "sk_live_0123456789abcdef", "max_tokens": 5,
    })  # fmt: skip
    assert memory.get(MODEL) == {"prompt": "cat", "headers": {"Accept": "json"}, "max_tokens": 5}
    text = path.read_text("utf-8")
    for secret in ("abc", "Bearer", "sk_live", '"p"', "api_key", "password"):
        assert secret not in text


def test_a_hand_edited_file_with_secrets_is_cleaned_on_load(tmp_path: Path) -> None:
    path = tmp_path / "form_values.json"
    path.write_text(json.dumps({"models": {MODEL: {"prompt": "a", "api_key": "sk_x"}}}), "utf-8")
    assert FormMemory(path).get(MODEL) == {"prompt": "a"}


def test_long_strings_are_capped_and_long_data_uris_dropped(tmp_path: Path) -> None:
    memory = FormMemory(tmp_path / "f.json")
    memory.put(MODEL, {"prompt": "x" * 50_000, "image": "data:image/png;base64," + "A" * 30_000,
                       "images": ["y" * 25_000]})  # fmt: skip
    again = FormMemory(tmp_path / "f.json").get(MODEL)
    assert len(again["prompt"]) == MAX_STRING == 20_000
    assert "image" not in again
    assert [len(v) for v in again["images"]] == [MAX_STRING]


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "form_values.json"
    memory = FormMemory(path)
    memory.put(MODEL, {"prompt": "first"})
    before = path.read_bytes()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    memory.put(MODEL, {"prompt": "second"})  # logged, not raised
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form_values.json"]  # no temp left
    assert memory.get(MODEL) == {"prompt": "second"}  # the session still remembers

    monkeypatch.undo()
    memory.put(MODEL, {"prompt": "third"})
    assert FormMemory(path).get(MODEL) == {"prompt": "third"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form_values.json"]


def test_a_write_goes_through_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "form_values.json"
    seen: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append((os.path.dirname(src), os.path.basename(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    FormMemory(path).set_last_model(MODEL)
    assert len(seen) == 1
    folder, name = seen[0]
    assert folder == str(tmp_path) and name != path.name and name.endswith(".part")
    assert json.loads(path.read_text("utf-8"))["last_model"] == MODEL


def test_an_unwritable_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    memory = FormMemory(blocker / "form_values.json")  # its folder is a file
    memory.put(MODEL, {"prompt": "kept in memory"})
    assert memory.get(MODEL) == {"prompt": "kept in memory"}
