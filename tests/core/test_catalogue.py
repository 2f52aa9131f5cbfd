from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.core.catalogue import (
    CHANNELS,
    Catalogue,
    ParamKind,
    apply_defaults,
    check_params,
    load_bundled,
    parse_catalogue,
    parse_model,
    validate_params,
)
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.core.resources import resource_path

EXPECTED = {
    "google/nano-banana-pro/text-to-image": "text-to-image",
    "google/nano-banana-pro/edit": "image-edit",
    "google/nano-banana-2/text-to-image": "text-to-image",
    "bytedance/seedream-v4.5": "text-to-image",
    "bytedance/seedream-v4.5/edit": "image-edit",
    "wavespeed-ai/flux-dev": "text-to-image",
    "google/veo3.1-fast/text-to-video": "text-to-video",
    "google/veo3.1-fast/image-to-video": "image-to-video",
    "bytedance/seedance-v1.5-pro/text-to-video": "text-to-video",
    "alibaba/wan-2.6/text-to-video": "text-to-video",
    "kwaivgi/kling-v2.1-i2v-pro": "image-to-video",
    "openai/sora-2/text-to-video": "text-to-video",
    "minimax/speech-02-hd": "text-to-audio",
}
NANO = "google/nano-banana-pro/text-to-image"


def test_the_bundled_catalogue_has_every_model_of_the_contract() -> None:
    catalogue = load_bundled()
    assert {m.model_id: m.type for m in catalogue} == EXPECTED
    for model in catalogue:
        channel = model.param("channel")
        assert channel is not None and channel.enum == CHANNELS and channel.default == "stable"
        assert model.params[-1].name == "channel"
        first = model.params[0]
        assert first.kind is ParamKind.PROMPT and first.required
        assert model.base_price and model.estimated_duration
        assert model.output_kind == {"text-to-audio": "audio"}.get(
            model.type, "video" if "video" in model.type else "image"
        )


def test_the_generator_script_and_the_file_agree() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", "scripts/build_catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    on_disk = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    assert on_disk["models"] == json.loads(json.dumps(module.MODELS))


def test_nano_banana_pro_matches_the_documented_parameters() -> None:
    model = load_bundled().get(NANO)
    assert model is not None
    assert model.required_names == ("prompt",)
    aspect = model.param("aspect_ratio")
    assert aspect is not None and aspect.kind is ParamKind.CHOICE
    assert aspect.enum == ("1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
    assert model.defaults() == {"aspect_ratio": "1:1", "resolution": "1k",
                                "output_format": "png", "channel": "stable"}  # fmt: skip


@pytest.mark.parametrize(
    ("model_id", "name", "kind", "media"),
    [
        (NANO, "prompt", ParamKind.PROMPT, None),
        ("google/veo3.1-fast/text-to-video", "negative_prompt", ParamKind.TEXT, None),
        ("wavespeed-ai/flux-dev", "seed", ParamKind.SEED, None),
        ("bytedance/seedream-v4.5", "size", ParamKind.SIZE, None),
        ("wavespeed-ai/flux-dev", "image", ParamKind.MEDIA, "image"),
        ("google/nano-banana-pro/edit", "images", ParamKind.MEDIA_LIST, "image"),
        ("google/veo3.1-fast/image-to-video", "last_image", ParamKind.MEDIA, "image"),
        ("alibaba/wan-2.6/text-to-video", "audio", ParamKind.MEDIA, "audio"),
        ("google/veo3.1-fast/text-to-video", "duration", ParamKind.CHOICE, None),
        ("bytedance/seedance-v1.5-pro/text-to-video", "duration", ParamKind.INTEGER, None),
        ("wavespeed-ai/flux-dev", "guidance_scale", ParamKind.NUMBER, None),
        ("wavespeed-ai/flux-dev", "enable_safety_checker", ParamKind.BOOLEAN, None),
        ("minimax/speech-02-hd", "text", ParamKind.PROMPT, None),
    ],
)
def test_kinds_follow_the_schema_conventions(
    model_id: str, name: str, kind: ParamKind, media: str | None
) -> None:
    model = load_bundled().get(model_id)
    assert model is not None
    spec = model.param(name)
    assert spec is not None
    assert (spec.kind, spec.media_kind) == (kind, media)


def spec_of(model_id: str, name: str) -> Any:
    model = load_bundled().get(model_id)
    assert model is not None
    return model.param(name)


@pytest.mark.parametrize(
    ("model_id", "name", "text", "value"),
    [
        (NANO, "aspect_ratio", "16:9", "16:9"),
        ("google/veo3.1-fast/text-to-video", "duration", "8", 8),
        ("google/veo3.1-fast/text-to-video", "generate_audio", "no", False),
        ("wavespeed-ai/flux-dev", "enable_safety_checker", "TRUE", True),
        ("wavespeed-ai/flux-dev", "num_inference_steps", "30", 30),
        ("wavespeed-ai/flux-dev", "strength", "0.5", 0.5),
        ("google/nano-banana-pro/edit", "images", "https://a/1.png, https://a/2.png",
         ["https://a/1.png", "https://a/2.png"]),
        ("google/nano-banana-pro/edit", "images", '["https://a/1.png"]', ["https://a/1.png"]),
        (NANO, "prompt", "  spaced  ", "  spaced  "),
    ],
)  # fmt: skip
def test_command_line_values_become_typed(model_id: str, name: str, text: str, value: Any) -> None:
    assert spec_of(model_id, name).coerce(text) == value


@pytest.mark.parametrize(
    ("model_id", "name", "text"),
    [
        ("wavespeed-ai/flux-dev", "num_inference_steps", "many"),
        ("wavespeed-ai/flux-dev", "strength", "half"),
        ("wavespeed-ai/flux-dev", "enable_safety_checker", "perhaps"),
        ("google/nano-banana-pro/edit", "images", '{"a": 1}'),
    ],
)
def test_bad_command_line_values_are_explained(model_id: str, name: str, text: str) -> None:
    with pytest.raises(InvalidParametersError) as caught:
        spec_of(model_id, name).coerce(text)
    assert name in caught.value.message


def test_validation_names_every_problem() -> None:
    flux = load_bundled().get("wavespeed-ai/flux-dev")
    assert flux is not None
    problems = validate_params(flux, {
        "prompt": "  ", "strength": 1.5, "num_inference_steps": 2.5, "size": "4000*10",
        "output_format": "gif", "enable_safety_checker": "yes", "seed": -2, "bogus": 1,
    })  # fmt: skip
    joined = "\n".join(problems)
    for fragment in ("prompt is required", "strength must be at most 1",
                     "num_inference_steps must be a whole",
                     "size: each side must be between 256 and 1536", "output_format must be one of",
                     "enable_safety_checker must be true or false", "seed must be at least -1",
                     "unknown parameter 'bogus'"):  # fmt: skip
        assert fragment in joined
    assert len(problems) == 8


def test_array_bounds_and_sizes() -> None:
    edit = load_bundled().get("bytedance/seedream-v4.5/edit")
    assert edit is not None
    base = {"prompt": "x", "size": "2048*2048"}
    assert "images needs at least 1" in " ".join(validate_params(edit, {**base, "images": []}))
    assert "at most 10" in " ".join(validate_params(edit, {**base, "images": ["u"] * 11}))
    assert validate_params(edit, {**base, "images": ["https://a/1.png"]}) == []
    assert "must look like" in " ".join(
        validate_params(edit, {**base, "images": ["u"], "size": "big"})
    )
    assert "images is required" in validate_params(edit, {"prompt": "x"})


def test_check_params_raises_with_all_problems_and_defaults_fill_in() -> None:
    model = load_bundled().get(NANO)
    assert model is not None
    with pytest.raises(InvalidParametersError) as caught:
        check_params(model, {"aspect_ratio": "7:3"})
    assert len(caught.value.problems) == 2
    filled = apply_defaults(model, {"prompt": "x", "resolution": "4k"})
    assert filled == {"prompt": "x", "aspect_ratio": "1:1", "resolution": "4k",
                      "output_format": "png", "channel": "stable"}  # fmt: skip
    check_params(model, filled)


def test_parsing_tolerates_junk_and_envelopes() -> None:
    good = {"model_id": "a/b", "type": "text-to-video", "api_schema": {"api_schemas": [
        {"type": "model_run", "request_schema": {"properties": {"prompt": {"type": "string"}},
                                                 "required": ["prompt"]}}]}}  # fmt: skip
    data = {"code": 200, "message": "success",
            "data": [good, 5, {"model_id": "c/d"}, {"name": "nameless"}]}  # fmt: skip
    catalogue, problems = parse_catalogue(data, source="remote")
    assert [m.model_id for m in catalogue] == ["a/b"]
    assert len(problems) == 3
    model = catalogue.get("a/b")
    assert model is not None and model.output_kind == "video" and model.source == "remote"
    assert model.param("channel") is not None  # added where the server left it out
    assert parse_catalogue("nonsense", source="remote")[0].models == ()


def test_remote_models_win_over_bundled_ones_and_search_finds_by_words() -> None:
    bundled = load_bundled()
    remote_nano = parse_model({"model_id": NANO, "name": "Remote Nano", "request_schema": {
        "properties": {"prompt": {"type": "string"}}}}, source="remote")  # fmt: skip
    merged = Catalogue([remote_nano]).merged_over(bundled)
    assert len(merged) == len(bundled)
    nano = merged.get(NANO)
    assert nano is not None and nano.name == "Remote Nano"
    assert [m.model_id for m in bundled.search("seedream EDIT")] == ["bytedance/seedream-v4.5/edit"]
    assert bundled.types()[:2] == ["text-to-image", "image-edit"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


@given(JSON)
def test_parse_catalogue_never_raises(data: Any) -> None:
    catalogue, problems = parse_catalogue(data, source="remote")
    assert isinstance(problems, list)
    assert len(catalogue) >= 0


@settings(max_examples=200)
@given(
    st.dictionaries(st.sampled_from(["prompt", "size", "seed", "images", "duration", "x"]), JSON)
)
def test_validate_params_never_raises(params: dict[str, Any]) -> None:
    for model in load_bundled():
        assert all(isinstance(p, str) for p in validate_params(model, params))
