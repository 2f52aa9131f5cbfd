"""`get3w run` on models of other kinds, against the sandbox serving the real catalogue: a
captioner's text in the JSON line and in `<id>_<n>.txt`, a 3D model's `.glb` kept as one,
LoRAs sent as `{path, scale}` objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from get3w_desktop.cli import main
from get3w_desktop.cli.common import Exit
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.sandbox.outputs3d import read_glb
from tests.cli.support import last_json

CAPTIONER = "wavespeed-ai/molmo2/image-captioner"
MESHER = "wavespeed-ai/meshy6/image-to-3d"
LORA_MODEL = "wavespeed-ai/z-image-turbo/image-to-image-lora"
IMAGE_URL = "https://cdn.example.com/input.png"


def test_a_captioner_prints_its_text_and_writes_it_to_out(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", CAPTIONER, "-p", f"image={IMAGE_URL}", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == Exit.OK
    line = last_json(out)
    (text,) = line["texts"]
    assert isinstance(text, str) and len(text.split()) >= 3 and line["files"][-1].endswith(".txt")
    [saved] = list(tmp_path.glob("*.txt"))
    assert saved.name == f"{line['id']}_0.txt" and saved.read_text(encoding="utf-8") == text


def test_a_3d_model_saves_a_real_glb(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", MESHER, "-p", f"image={IMAGE_URL}", "--out", str(tmp_path)])
    line = last_json(capsys.readouterr().out)
    assert code == Exit.OK
    [saved] = [Path(f) for f in line["files"]]
    assert saved.suffix == ".glb" and saved.parent == tmp_path
    assert read_glb(saved.read_bytes())["asset"]["version"] == "2.0"


def test_loras_go_out_as_objects(
    env: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loras = [{"path": "strangerzonehf/Flux-Super-Realism-LoRA", "scale": 0.8}]
    code = main(["run", LORA_MODEL, "-p", f"image={IMAGE_URL}", "-p", "prompt=a fox",
                 "-p", f"loras={json.dumps(loras)}", "--out", str(tmp_path)])  # fmt: skip
    line = last_json(capsys.readouterr().out)
    assert code == Exit.OK, line
    task = env.state.tasks[line["id"]]
    assert task.params["loras"] == loras
