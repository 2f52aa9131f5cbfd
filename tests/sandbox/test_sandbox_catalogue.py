"""The sandbox serves the real catalogue: every type runs, and answers with its kind of output."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from get3w_desktop.core.catalogue import ModelInfo, apply_defaults, load_bundled
from get3w_desktop.core.money import unit_price
from get3w_desktop.core.output_kinds import outputs_are_urls
from get3w_desktop.core.validation import disabled_names
from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from get3w_desktop.sandbox.kinds import read_safetensors_header, render_weights, text_output
from get3w_desktop.sandbox.outputs3d import read_glb, render_glb
from tests.sandbox.support import ManualClock

URL = "https://example.com/input.png"


def one_of_each_type() -> list[ModelInfo]:
    first: dict[str, ModelInfo] = {}
    for model in load_bundled():
        first.setdefault(model.type, model)
    return list(first.values())


def request_for(model: ModelInfo) -> dict[str, Any]:
    """The defaults and a value for each required field, as a person would fill the form."""
    params = apply_defaults(model, {})
    for spec in model.params:
        if spec.required and params.get(spec.name) is None:
            if spec.enum:
                params[spec.name] = spec.enum[0]
            elif spec.json_type == "array":
                params[spec.name] = [URL] * max(1, spec.min_items or 1)
            elif spec.json_type in ("integer", "number"):
                params[spec.name] = spec.minimum if spec.minimum is not None else 1
            else:
                params[spec.name] = URL
    return params


def check_bytes(kind: str, data: bytes, url: str) -> None:
    """The downloaded bytes are a real file of `kind`, with the extension it deserves."""
    if kind == "image":
        picture = Image.open(io.BytesIO(data))
        picture.verify()
        assert url.rsplit(".", 1)[-1] in ("png", "jpg", "webp")
    elif kind == "video":
        assert data[4:8] == b"ftyp" and url.endswith(".mp4")
    elif kind == "audio":
        with wave.open(io.BytesIO(data)) as sound:
            assert sound.getnframes() > 0
        assert url.endswith(".wav")
    elif kind == "3d":
        document = read_glb(data)
        assert document["asset"] == {"version": "2.0", "generator": "Get3W sandbox"}
        assert url.endswith(".glb")
    elif kind == "file":
        header = read_safetensors_header(data)
        assert header["lora_down.weight"]["dtype"] == "F32" and url.endswith(".safetensors")
    else:
        pytest.fail(f"{kind} outputs are not files")


def test_the_models_route_serves_the_whole_real_list(
    manual: SandboxServer, http: requests.Session
) -> None:
    reply = http.get(f"{manual.base_url}/api/v3/models", timeout=30)
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert len(data) == len(load_bundled()) == 794
    assert len({m["type"] for m in data}) == 25
    lora = next(m for m in data if m["model_id"] == "wavespeed-ai/flux-dev-lora")
    schema = lora["api_schema"]["api_schemas"][0]["request_schema"]
    assert schema["properties"]["loras"]["items"] == {"$ref": "#/components/schemas/LoraWeight"}


@pytest.fixture
def roomy(clock: ManualClock) -> Iterator[SandboxServer]:
    """Tasks take 10 s on the manual clock; 25 may run at once."""
    config = SandboxConfig(clock=clock, duration_fn=lambda _m, _p: 10.0, render_scale=0.1,
                           concurrency_limit=30)  # fmt: skip
    with SandboxServer(config) as server:
        yield server


def test_one_model_of_each_of_the_25_types_runs_and_answers_in_its_kind(
    roomy: SandboxServer, http: requests.Session, clock: ManualClock
) -> None:
    manual = roomy
    models = one_of_each_type()
    assert len(models) == 25
    assert {m.output_kind for m in models} == {"image", "video", "audio", "text", "3d", "file"}
    started: dict[str, tuple[ModelInfo, float]] = {}
    for model in models:
        params = request_for(model)
        if model.type == "content-moderation":
            params["text"] = "a red fox [flag]"  # the sandbox flags what says so
        assert not disabled_names(model) & set(params)
        reply = http.post(f"{manual.base_url}/v1/{model.model_id}", json=params, timeout=10)
        assert reply.status_code == 200, (model.model_id, reply.text)
        started[reply.json()["id"]] = (model, unit_price(model, params) or 0.0)
    clock.advance(11.0)
    for task_id, (model, price) in started.items():
        task = http.get(f"{manual.base_url}/v1/requests/{task_id}", timeout=10).json()
        assert task["status"] == "completed", model.model_id
        assert task["cost"] == pytest.approx(price) and price > 0  # from base_price
        outputs = task["outputs"]
        assert outputs and all(isinstance(o, str) and o for o in outputs)
        if not outputs_are_urls(model.output_kind):
            assert not any(o.startswith(("http://", "https://")) for o in outputs), outputs
            if model.type == "content-moderation":
                assert json.loads(outputs[0])["flagged"] is True  # the text said "[flag]"
            continue
        for url in outputs:
            download = requests.get(url, timeout=30)  # the output host: no credentials
            assert download.status_code == 200, url
            check_bytes(model.output_kind, download.content, url)


def test_text_outputs_are_plausible_for_their_type() -> None:
    catalogue = load_bundled()
    caption = catalogue.get("wavespeed-ai/molmo2/image-captioner")
    llm = catalogue.get("wavespeed-ai/molmo2/prompt-optimizer")
    assert caption is not None and llm is not None
    text = text_output(caption, {"image": URL})
    assert text.startswith("A photograph of") and text == text_output(caption, {"image": URL})
    assert text_output(caption, {"image": URL}) != text_output(caption, {"image": URL + "?2"})
    assert "a castle at night" in text_output(llm, {"prompt": "a castle at night"})


def test_3d_and_weights_files_are_valid_and_follow_the_request() -> None:
    cube, pyramid = read_glb(render_glb("a cube")), read_glb(render_glb("a pyramid"))
    assert cube["accessors"][2]["count"] == 36 and pyramid["accessors"][2]["count"] == 18
    assert render_glb("a", 1) != render_glb("a", 2)
    broken = render_glb("a cube")
    for bad in (broken[:-4], b"glTF" + broken[4:8] + b"\0" * 4, b"GLTF" + broken[4:]):
        with pytest.raises(ValueError, match="glTF"):
            read_glb(bad)
    trainer = load_bundled().get("wavespeed-ai/z-image/base-lora-trainer")
    assert trainer is not None
    weights = render_weights(trainer, {"lora_rank": 4, "trigger_word": "zfox"})
    header = read_safetensors_header(weights)
    assert header["lora_down.weight"]["shape"] == [4, 16]
    assert header["__metadata__"]["trigger_word"] == "zfox"
    with pytest.raises(ValueError, match="do not fill the file"):
        read_safetensors_header(weights[:-1])
