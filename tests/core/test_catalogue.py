"""The model catalogue: the bundled file against API.md §6, kinds, coercion, validation, parsing."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.core.catalogue import (
    CHANNELS,
    DEFAULT_CHANNEL,
    Catalogue,
    ModelInfo,
    ParamKind,
    ParamSpec,
    apply_defaults,
    check_params,
    load_bundled,
    parse_catalogue,
    parse_model,
    validate_params,
)
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.core.output_kinds import KINDS
from get3w_desktop.core.resources import resource_path
from tests.real_catalogue import real_models_json

NANO = "google/nano-banana-pro/text-to-image"
NANO_EDIT = "google/nano-banana-pro/edit"
NANO_2 = "google/nano-banana-2/text-to-image"
SEEDREAM = "bytedance/seedream-v4.5"
SEEDREAM_EDIT = "bytedance/seedream-v4.5/edit"
FLUX = "wavespeed-ai/flux-dev"
VEO_T2V = "google/veo3.1-fast/text-to-video"
VEO_I2V = "google/veo3.1-fast/image-to-video"
SEEDANCE = "bytedance/seedance-v1.5-pro/text-to-video"
WAN = "alibaba/wan-2.6/text-to-video"
KLING = "kwaivgi/kling-v2.1-i2v-pro"
SORA = "openai/sora-2/text-to-video"
SPEECH = "minimax/speech-02-hd"

# API.md §6: model -> (type, required parameters). The audio model is WaveSpeed's, required as
# its docs say. Types are the real list's (the edit models are "image-to-image" there).
EXPECTED: dict[str, tuple[str, set[str]]] = {
    NANO: ("text-to-image", {"prompt"}),
    NANO_EDIT: ("image-to-image", {"images", "prompt"}),
    NANO_2: ("text-to-image", {"prompt"}),
    SEEDREAM: ("text-to-image", {"prompt"}),
    SEEDREAM_EDIT: ("image-to-image", {"images", "prompt"}),
    FLUX: ("text-to-image", {"prompt"}),
    VEO_T2V: ("text-to-video", {"prompt"}),
    VEO_I2V: ("image-to-video", {"image", "prompt"}),
    SEEDANCE: ("text-to-video", {"prompt"}),
    WAN: ("text-to-video", {"prompt"}),
    KLING: ("image-to-video", {"image", "prompt"}),
    SORA: ("text-to-video", {"prompt"}),
    SPEECH: ("text-to-audio", {"text", "voice_id"}),
}
# API.md §6: every parameter each model must offer (channel is added to all).
EXPECTED_PARAMS: dict[str, set[str]] = {
    NANO: {"prompt", "aspect_ratio", "resolution", "output_format"},
    NANO_EDIT: {"images", "prompt", "aspect_ratio", "resolution", "output_format"},
    NANO_2: {"prompt", "aspect_ratio", "resolution", "output_format"},
    SEEDREAM: {"prompt", "size"},
    SEEDREAM_EDIT: {"images", "prompt", "size"},
    FLUX: {"prompt", "image", "mask_image", "strength", "size", "num_inference_steps", "seed",
           "guidance_scale", "num_images", "output_format", "enable_safety_checker"},
    VEO_T2V: {"prompt", "aspect_ratio", "duration", "resolution", "generate_audio",
              "negative_prompt", "seed"},
    VEO_I2V: {"image", "prompt", "last_image", "aspect_ratio", "duration", "resolution",
              "generate_audio", "negative_prompt", "seed"},
    SEEDANCE: {"prompt", "aspect_ratio", "duration", "resolution", "generate_audio",
               "camera_fixed", "seed"},
    WAN: {"prompt", "negative_prompt", "audio", "size", "duration", "shot_type",
          "enable_prompt_expansion", "seed"},
    KLING: {"image", "prompt", "negative_prompt", "guidance_scale", "duration"},
    SORA: {"prompt", "duration", "size"},
    SPEECH: {"text", "voice_id", "speed", "volume", "pitch", "emotion", "english_normalization"},
}  # fmt: skip
ASPECTS = ("1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


def model_of(model_id: str) -> ModelInfo:
    model = load_bundled().get(model_id)
    assert model is not None, model_id
    return model


def spec_of(model_id: str, name: str) -> ParamSpec:
    spec = model_of(model_id).param(name)
    assert spec is not None, (model_id, name)
    return spec


def raw_file() -> dict[str, Any]:
    data = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- the bundled file ------------------------------------------------------------------------


def curated() -> list[ModelInfo]:
    """The models API.md documents: the bundled catalogue opens with them."""
    return list(load_bundled())[: len(EXPECTED)]


def test_the_bundled_catalogue_has_every_model_of_the_contract() -> None:
    assert {m.model_id: (m.type, set(m.required_names)) for m in curated()} == EXPECTED
    for model in curated():
        assert {p.name for p in model.params} == EXPECTED_PARAMS[model.model_id] | {"channel"}
        channel = model.param("channel")
        assert channel is not None and channel.enum == CHANNELS and channel.default == "stable"
        assert channel.kind is ParamKind.CHOICE
        assert model.params[-1].name == "channel"
        first = model.params[0]
        assert first.kind is ParamKind.PROMPT and first.required and first.placeholder
        # then the required media, then the rest
        media_required = [p.name for p in model.params[1:] if p.required]
        assert [p.name for p in model.params[1 : 1 + len(media_required)]] == media_required
        assert model.base_price is not None and 0 < model.base_price < 5
        assert model.estimated_duration is not None
        low, high = (45, 300) if model.output_kind == "video" else (5, 30)
        assert low <= model.estimated_duration <= high
        assert model.source == "bundled"
        for spec in model.params:
            assert spec.title and spec.description, (model.model_id, spec.name)
            if spec.enum:
                assert spec.ui_component == "select", (model.model_id, spec.name)
            if spec.kind in (ParamKind.MEDIA, ParamKind.MEDIA_LIST):
                assert spec.ui_component == "uploader" and spec.accept == f"{spec.media_kind}/*"


def test_output_kinds_follow_the_type() -> None:
    kinds = {m.model_id: m.output_kind for m in load_bundled()}
    assert kinds[NANO_EDIT] == "image" and kinds[VEO_I2V] == "video" and kinds[SPEECH] == "audio"
    assert {m.output_kind for m in load_bundled()} == {"image", "video", "audio", "text", "3d",
                                                      "file"}  # fmt: skip


def test_the_bundle_is_the_whole_real_list() -> None:
    catalogue = load_bundled()
    assert len(catalogue) == 794 and len(catalogue.types()) == 25
    assert catalogue.types()[:5] == ["text-to-image", "image-to-image", "text-to-video",
                                     "image-to-video", "text-to-audio"]  # fmt: skip
    # published names are the ids; curated ones are written for people
    assert catalogue.get("wavespeed-ai/framepack") is not None
    assert model_of(NANO).name == "Nano Banana Pro"


def test_the_file_says_where_each_model_comes_from_and_that_prices_are_estimates() -> None:
    data = raw_file()
    assert data["version"] == 1 and "estimate" in data["note"]
    sources = {m["model_id"]: m["x-source"] for m in data["models"]}
    assert sources[NANO] == "G1"
    assert all(sources[m] == "WS" for m in EXPECTED if m != NANO)
    assert {sources[m] for m in sources if m not in EXPECTED} == {"WS-list"}


def test_the_generator_script_and_the_file_agree() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", "scripts/build_catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    real_models_json()  # skips outside CI when the real list is not beside the clone
    text = module.render(module.build())
    assert text == resource_path("catalogue.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("model_id", "name", "options", "default"),
    [
        (NANO, "aspect_ratio", ASPECTS, "1:1"),
        (NANO, "resolution", ("1k", "2k", "4k"), "1k"),
        (NANO, "output_format", ("png", "jpeg"), "png"),
        (NANO_EDIT, "aspect_ratio", ASPECTS, "1:1"),
        (NANO_2, "aspect_ratio", (*ASPECTS, "1:4", "4:1", "1:8", "8:1"), "1:1"),
        (FLUX, "output_format", ("jpeg", "png"), "jpeg"),
        (VEO_T2V, "aspect_ratio", ("16:9", "9:16"), "16:9"),
        (VEO_T2V, "duration", (4, 6, 8), 8),
        (VEO_T2V, "resolution", ("720p", "1080p", "4k"), "1080p"),
        (VEO_I2V, "duration", (4, 6, 8), 8),
        (SEEDANCE, "aspect_ratio", ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"), "16:9"),
        (SEEDANCE, "resolution", ("480p", "720p", "1080p"), "720p"),
        (WAN, "size", ("1280*720", "720*1280", "1920*1080", "1080*1920"), "1280*720"),
        (WAN, "duration", (5, 10, 15), 5),
        (WAN, "shot_type", ("single", "multi"), "single"),
        (KLING, "duration", (5, 10), 5),
        (SORA, "duration", (4, 8, 12), 4),
        (SORA, "size", ("720*1280", "1280*720"), "1280*720"),
        (SPEECH, "emotion", ("happy", "sad", "angry", "fearful", "disgusted", "surprised",
                             "neutral"), "happy"),
    ],
)  # fmt: skip
def test_choices_match_the_contract(
    model_id: str, name: str, options: tuple[Any, ...], default: Any
) -> None:
    spec = spec_of(model_id, name)
    assert spec.kind is ParamKind.CHOICE
    assert spec.enum == options
    assert spec.default == default and type(spec.default) is type(options[0])


@pytest.mark.parametrize(
    ("model_id", "name", "low", "high", "default"),
    [
        (FLUX, "strength", 0, 1, 0.8),
        (FLUX, "num_inference_steps", 1, 50, 28),
        (FLUX, "guidance_scale", 0, 10, 3.5),
        (FLUX, "seed", -1, 2147483647, -1),
        (VEO_T2V, "seed", -1, 2147483647, -1),
        (SEEDANCE, "duration", 4, 12, 5),
        (WAN, "seed", -1, 2147483647, -1),
        (KLING, "guidance_scale", 0, 1, 0.5),
        (SPEECH, "speed", 0.5, 2, 1),
        (SPEECH, "pitch", -12, 12, 0),
    ],
)
def test_ranges_match_the_contract(
    model_id: str, name: str, low: float, high: float, default: float
) -> None:
    spec = spec_of(model_id, name)
    assert (spec.minimum, spec.maximum, spec.default) == (low, high, default)
    if name not in ("seed",):
        assert spec.ui_component == "slider"


def test_sizes_images_and_booleans_match_the_contract() -> None:
    for model_id, low, high, default in ((SEEDREAM, 1024, 4096, "2048*2048"),
                                         (SEEDREAM_EDIT, 1024, 4096, "2048*2048"),
                                         (FLUX, 256, 1536, "1024*1024")):  # fmt: skip
        size = spec_of(model_id, "size")
        assert (size.kind, size.size_min, size.size_max, size.default) == (
            ParamKind.SIZE, low, high, default)  # fmt: skip
    for model_id, most in ((NANO_EDIT, 14), (SEEDREAM_EDIT, 10)):
        images = spec_of(model_id, "images")
        assert (images.min_items, images.max_items, images.json_type) == (1, most, "array")
    flags = {(m, n): spec_of(m, n).default for m, n in [
        (FLUX, "enable_safety_checker"), (VEO_T2V, "generate_audio"),
        (SEEDANCE, "generate_audio"), (SEEDANCE, "camera_fixed"),
        (WAN, "enable_prompt_expansion"), (SPEECH, "english_normalization")]}  # fmt: skip
    assert list(flags.values()) == [True, True, True, False, False, False]


# --- kinds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "name", "kind", "media"),
    [
        (NANO, "prompt", ParamKind.PROMPT, None),
        (VEO_T2V, "negative_prompt", ParamKind.TEXT, None),
        (WAN, "negative_prompt", ParamKind.TEXT, None),
        (FLUX, "seed", ParamKind.SEED, None),
        (SEEDREAM, "size", ParamKind.SIZE, None),
        (SORA, "size", ParamKind.CHOICE, None),
        (FLUX, "image", ParamKind.MEDIA, "image"),
        (FLUX, "mask_image", ParamKind.MEDIA, "image"),
        (NANO_EDIT, "images", ParamKind.MEDIA_LIST, "image"),
        (VEO_I2V, "last_image", ParamKind.MEDIA, "image"),
        (WAN, "audio", ParamKind.MEDIA, "audio"),
        (VEO_T2V, "duration", ParamKind.CHOICE, None),
        (SEEDANCE, "duration", ParamKind.INTEGER, None),
        (FLUX, "num_inference_steps", ParamKind.INTEGER, None),
        (FLUX, "guidance_scale", ParamKind.NUMBER, None),
        (FLUX, "enable_safety_checker", ParamKind.BOOLEAN, None),
        (SEEDANCE, "camera_fixed", ParamKind.BOOLEAN, None),
        (SPEECH, "text", ParamKind.PROMPT, None),
        (SPEECH, "voice_id", ParamKind.CHOICE, None),
        (SPEECH, "pitch", ParamKind.INTEGER, None),
    ],
)
def test_kinds_follow_the_schema_conventions(
    model_id: str, name: str, kind: ParamKind, media: str | None
) -> None:
    spec = spec_of(model_id, name)
    assert (spec.kind, spec.media_kind) == (kind, media)


def one_param(name: str, prop: dict[str, Any], *, required: bool = False) -> ParamSpec:
    schema: dict[str, Any] = {"properties": {name: prop}}
    if required:
        schema["required"] = [name]
    spec = parse_model({"model_id": "t/m", "request_schema": schema}, source="remote").param(name)
    assert spec is not None
    return spec


@pytest.mark.parametrize(
    ("name", "prop", "kind", "media"),
    [
        ("reference_video_url", {"type": "string"}, ParamKind.MEDIA, "video"),
        ("style_image", {"type": "string"}, ParamKind.MEDIA, "image"),
        ("clip", {"type": "string", "x-ui-component": "uploader", "x-accept": "audio/*"},
         ParamKind.MEDIA, "audio"),
        ("image", {"type": "string", "enum": ["a", "b"], "x-ui-component": "uploader"},
         ParamKind.MEDIA, "image"),
        ("image_urls", {"type": "array", "items": {"type": "string"}}, ParamKind.MEDIA_LIST,
         "image"),
        ("videos", {"type": "array", "items": {"type": "string"}}, ParamKind.MEDIA_LIST, "video"),
        ("tags", {"type": "array", "items": {"type": "string"}}, ParamKind.STRING_LIST, None),
        ("loras", {"type": "array", "items": {"type": "object"}, "x-ui-component": "loras"},
         ParamKind.LORA_LIST, None),
        ("loras", {"type": "array", "items": {"$ref": "#/components/schemas/LoraWeight"}},
         ParamKind.LORA_LIST, None),
        ("speakers", {"type": "array", "items": {"type": "object", "properties": {
            "speaker": {"type": "string"}}}}, ParamKind.OBJECT_LIST, None),
        ("shapes", {"type": "array", "items": {"type": "object"}}, ParamKind.OBJECT, None),
        ("reference_images", {"type": "array", "items": {"type": "string"},
                              "x-ui-component": "uploaders"}, ParamKind.MEDIA_LIST, "image"),
        ("clip", {"type": "string", "x-accpet": "video/*", "x-ui-component": "uploader"},
         ParamKind.MEDIA, "video"),
        ("aspect_ratio", {"enum": ["16:9", "1:1"]}, ParamKind.CHOICE, None),
        ("extra", {"type": "object"}, ParamKind.OBJECT, None),
        ("seed", {"type": "number"}, ParamKind.NUMBER, None),
        ("watermark", {"type": "boolean", "enum": [True, False]}, ParamKind.BOOLEAN, None),
        ("style", {"type": "string", "enum": "not-a-list"}, ParamKind.TEXT, None),
        ("style", {"type": "string", "enum": []}, ParamKind.TEXT, None),
        ("untyped", {}, ParamKind.TEXT, None),
        ("size", {"type": "string"}, ParamKind.SIZE, None),
    ],
)  # fmt: skip
def test_kinds_of_properties_a_server_may_send(
    name: str, prop: dict[str, Any], kind: ParamKind, media: str | None
) -> None:
    spec = one_param(name, prop)
    assert (spec.kind, spec.media_kind) == (kind, media)


def test_nullable_hidden_and_titles_are_read() -> None:
    spec = one_param("note", {"type": ["string", "null"], "x-hidden": True})
    assert (spec.json_type, spec.nullable, spec.hidden, spec.title) == (
        "string", True, True, "Note")  # fmt: skip
    assert spec.check(None) is None
    assert one_param("note", {"type": "string"}, required=True).check(None) == "note is required"


# --- coercion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "name", "text", "value"),
    [
        (NANO, "aspect_ratio", "16:9", "16:9"),
        (NANO, "resolution", "4K", "4k"),
        (NANO, "prompt", "  spaced  ", "  spaced  "),
        (VEO_T2V, "duration", "8", 8),
        (VEO_T2V, "duration", "8.0", 8),
        (VEO_T2V, "duration", "7", "7"),  # left for check() to explain
        (VEO_T2V, "generate_audio", "no", False),
        (FLUX, "enable_safety_checker", "TRUE", True),
        (FLUX, "enable_safety_checker", "1", True),
        (SEEDANCE, "camera_fixed", "yes", True),
        (SEEDANCE, "camera_fixed", "0", False),
        (FLUX, "num_inference_steps", "30", 30),
        (FLUX, "num_inference_steps", "30.0", 30),
        (FLUX, "strength", "0.5", 0.5),
        (FLUX, "seed", "42", 42),
        (FLUX, "seed", "random", -1),
        (FLUX, "size", " 800*600 ", "800*600"),
        (FLUX, "image", " https://a/1.png ", "https://a/1.png"),
        (NANO_EDIT, "images", "https://a/1.png, https://a/2.png",
         ["https://a/1.png", "https://a/2.png"]),
        (NANO_EDIT, "images", '["https://a/1.png"]', ["https://a/1.png"]),
        (SPEECH, "voice_id", "Calm_Woman", "Calm_Woman"),
        (SPEECH, "pitch", "-3", -3),
    ],
)  # fmt: skip
def test_command_line_values_become_typed(model_id: str, name: str, text: str, value: Any) -> None:
    result = spec_of(model_id, name).coerce(text)
    assert result == value and type(result) is type(value)


def test_objects_and_plain_lists_coerce() -> None:
    loras = one_param("loras", {"type": "array", "items": {"type": "object"}})
    assert loras.coerce('[{"path": "a", "scale": 1}]') == [{"path": "a", "scale": 1}]
    extra = one_param("extra", {"type": "object"})
    assert extra.coerce('{"a": [1]}') == {"a": [1]}
    tags = one_param("tags", {"type": "array", "items": {"type": "string"}})
    assert tags.coerce("a,,b ,") == ["a", "b"]


@pytest.mark.parametrize(
    ("model_id", "name", "text"),
    [
        (FLUX, "num_inference_steps", "many"),
        (FLUX, "num_inference_steps", "2.5"),
        (FLUX, "strength", "half"),
        (FLUX, "strength", "nan"),
        (FLUX, "strength", "inf"),
        (FLUX, "seed", "lucky"),
        (FLUX, "enable_safety_checker", "perhaps"),
        (NANO_EDIT, "images", '{"a": 1}'),
        (NANO_EDIT, "images", "[broken"),
    ],
)
def test_bad_command_line_values_are_explained(model_id: str, name: str, text: str) -> None:
    with pytest.raises(InvalidParametersError) as caught:
        spec_of(model_id, name).coerce(text)
    assert name in caught.value.message and text in caught.value.message
    assert caught.value.problems and name in caught.value.problems[0]


def test_a_bad_object_is_explained() -> None:
    with pytest.raises(InvalidParametersError, match="extra"):
        one_param("extra", {"type": "object"}).coerce("[1, 2]")


# --- validation ------------------------------------------------------------------------------


def test_validation_names_every_problem() -> None:
    problems = validate_params(model_of(FLUX), {
        "prompt": "  ", "strength": 1.5, "num_inference_steps": 2.5, "size": "4000*10",
        "output_format": "gif", "enable_safety_checker": "yes", "seed": -2, "bogus": 1,
        "guidance_scale": math.nan, "num_images": "2", "image": 5,
    })  # fmt: skip
    expected = [
        "prompt is required",
        "strength must be at most 1 (got 1.5)",
        "num_inference_steps must be a whole number",
        "size: each side must be between 256 and 1536 (got 4000*10)",
        "output_format must be one of jpeg, png (got 'gif')",
        "enable_safety_checker must be true or false",
        "seed must be at least -1 (got -2)",
        "unknown parameter 'bogus' for wavespeed-ai/flux-dev",
        "guidance_scale must be a finite number",
        "num_images must be a number",
        "image must be text",
    ]
    assert sorted(problems) == sorted(expected)


def test_choices_do_not_confuse_booleans_with_numbers() -> None:
    duration = spec_of(VEO_T2V, "duration")
    assert duration.check(8) is None and duration.check(8.0) is None
    assert duration.check(True) == "duration must be one of 4, 6, 8 (got True)"
    assert duration.check("8") == "duration must be one of 4, 6, 8 (got '8')"


def test_array_bounds_and_sizes() -> None:
    edit = model_of(SEEDREAM_EDIT)
    base = {"prompt": "x", "size": "2048*2048"}
    assert validate_params(edit, {**base, "images": []}) == [
        "images needs at least 1 item(s) (got 0)"
    ]
    assert validate_params(edit, {**base, "images": ["u"] * 11}) == [
        "images takes at most 10 item(s) (got 11)"
    ]
    assert validate_params(edit, {**base, "images": ["https://a/1.png"]}) == []
    assert validate_params(edit, {**base, "images": "https://a/1.png"}) == ["images must be a list"]
    assert validate_params(edit, {**base, "images": ["ok", 3]}) == [
        "images must be a list of addresses"
    ]
    assert validate_params(edit, {**base, "images": ["u"], "size": "big"}) == [
        "size must look like 1024*1024 (got 'big')"
    ]
    assert validate_params(edit, {**base, "images": ["u"], "size": "1000*2048"}) == [
        "size: each side must be between 1024 and 4096 (got 1000*2048)"
    ]
    assert validate_params(edit, {"prompt": "x"}) == ["images is required"]


def test_required_values_and_text_limits() -> None:
    speech = model_of(SPEECH)
    assert validate_params(speech, {"text": "hello"}) == ["voice_id is required"]
    assert validate_params(speech, {"text": None, "voice_id": "Abbess"}) == ["text is required"]
    assert validate_params(speech, {"text": "x" * 10_001, "voice_id": "Abbess"}) == [
        "text is too long (10001 characters; at most 10000)"
    ]
    assert validate_params(speech, {"text": "hi", "voice_id": "Abbess", "pitch": 1.5}) == [
        "pitch must be a whole number"
    ]
    assert validate_params(speech, apply_defaults(speech, {"text": "hi"})) == []


def test_check_params_raises_with_all_problems_and_defaults_fill_in() -> None:
    model = model_of(NANO)
    with pytest.raises(InvalidParametersError) as caught:
        check_params(model, {"aspect_ratio": "7:3"})
    assert caught.value.problems == (
        "prompt is required",
        "aspect_ratio must be one of 1:1, 3:2, 2:3, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9"
        " (got '7:3')",
    )
    assert "2 parameter problem(s)" in caught.value.message
    given_params = {"prompt": "x", "resolution": "4k"}
    filled = apply_defaults(model, given_params)
    assert filled == {"prompt": "x", "aspect_ratio": "1:1", "resolution": "4k",
                      "output_format": "png", "channel": DEFAULT_CHANNEL}  # fmt: skip
    assert given_params == {"prompt": "x", "resolution": "4k"}  # not modified
    check_params(model, filled)


def test_defaults_keep_the_random_seed_and_every_default_is_valid() -> None:
    assert apply_defaults(model_of(FLUX), {"prompt": "x"})["seed"] == -1
    assert apply_defaults(model_of(FLUX), {"prompt": "x", "seed": 7})["seed"] == 7
    for model in curated():
        assert "channel" in model.defaults()
        assert all(spec.check(value) is None for spec in model.params
                   if (value := model.defaults().get(spec.name)) is not None)  # fmt: skip


# --- parsing ---------------------------------------------------------------------------------


GOOD = {"model_id": "a/b", "type": "text-to-video", "api_schema": {"api_schemas": [
    {"type": "model_run", "request_schema": {"properties": {"prompt": {"type": "string"}},
                                             "required": ["prompt"]}}]}}  # fmt: skip


def test_parsing_tolerates_junk_and_envelopes() -> None:
    data = {"code": 200, "message": "success",
            "data": [GOOD, 5, {"model_id": "c/d"}, {"name": "nameless"}]}  # fmt: skip
    catalogue, problems = parse_catalogue(data, source="remote")
    assert [m.model_id for m in catalogue] == ["a/b"]
    assert problems == [
        "entry 2 is not an object",
        "model c/d: it has no request schema",
        "an entry has no model_id",
    ]
    model = catalogue.get("a/b")
    assert model is not None and model.output_kind == "video" and model.source == "remote"
    assert [p.name for p in model.params] == ["prompt", "channel"]  # added where missing
    nothing, why_not = parse_catalogue("nonsense", source="remote")
    assert nothing.models == () and why_not == ["the model list is not a list"]
    empty, why = parse_catalogue({"code": 500, "message": "down", "data": None}, source="r")
    assert len(empty) == 0 and why == ["the model list is not a list"]


def test_bare_lists_and_models_objects_parse_alike() -> None:
    bare, _ = parse_catalogue([GOOD], source="remote")
    wrapped, _ = parse_catalogue({"version": 1, "models": [GOOD]}, source="remote")
    assert [m.model_id for m in bare] == [m.model_id for m in wrapped] == ["a/b"]


def test_hostile_schemas_are_read_as_far_as_they_make_sense() -> None:
    schema = {
        "properties": {
            "prompt": {"type": "string"},
            "steps": {"type": "integer", "minimum": 10**400, "maximum": "ten", "default": 4},
            "channel": "broken",
            "junk": 7,
        },
        "required": ["prompt", 3, ["x"], "ghost"],
        "x-order-properties": [["unhashable"], "steps", "steps", {"a": 1}, "prompt"],
    }
    model = parse_model({"model_id": " x/y ", "request_schema": schema}, source="remote")
    assert model.model_id == "x/y" and model.name == "x/y" and model.type == "text-to-image"
    assert [p.name for p in model.params] == ["steps", "prompt", "channel"]
    assert model.required_names == ("prompt",)
    steps = model.param("steps")
    assert steps is not None and steps.minimum is None and steps.maximum is None
    channel = model.param("channel")
    assert channel is not None and channel.enum == CHANNELS
    assert validate_params(model, {"prompt": "p", "steps": 10**400}) == []


def test_the_run_schema_is_picked_among_others() -> None:
    entry = {"model_id": "a/b", "api_schema": {"api_schemas": [
        {"type": "model_result", "request_schema": {"properties": {"wrong": {}}}},
        {"type": "model_run", "request_schema": {"properties": {"prompt": {}}}}]}}  # fmt: skip
    assert [p.name for p in parse_model(entry, source="remote").params] == ["prompt", "channel"]
    with pytest.raises(ValueError, match="model a/b: its schema has no properties"):
        parse_model({"model_id": "a/b", "request_schema": {"properties": []}}, source="remote")


def test_remote_models_win_over_bundled_ones() -> None:
    bundled = load_bundled()
    remote_nano = parse_model({"model_id": NANO, "name": "Remote Nano", "request_schema": {
        "properties": {"prompt": {"type": "string"}}}}, source="remote")  # fmt: skip
    remote_new = parse_model(GOOD, source="remote")
    merged = Catalogue([remote_nano, remote_new]).merged_over(bundled)
    assert len(merged) == len(bundled) + 1
    assert [m.model_id for m in merged][:2] == [NANO, "a/b"]
    nano = merged.get(NANO)
    assert nano is not None and nano.name == "Remote Nano" and nano.source == "remote"
    assert SPEECH in merged and merged.get(SPEECH) is bundled.get(SPEECH)
    assert "nope" not in merged and merged.get("nope") is None


def test_duplicates_keep_the_first_and_order_is_stable() -> None:
    first = parse_model({**GOOD, "name": "first"}, source="remote")
    second = parse_model({**GOOD, "name": "second"}, source="remote")
    catalogue = Catalogue([first, second])
    assert len(catalogue) == 1 and [m.name for m in catalogue] == ["first"]
    assert [m.model_id for m in curated()] == list(EXPECTED)


def test_search_and_types() -> None:
    bundled = load_bundled()
    found = [m.model_id for m in bundled.search("seedream EDIT")]
    assert SEEDREAM_EDIT in found and SEEDREAM not in found
    assert all("seedream" in m and "edit" in m for m in found)
    audio = bundled.search("text-to-audio")
    assert SPEECH in {m.model_id for m in audio} and {m.type for m in audio} == {"text-to-audio"}
    assert [m.model_id for m in bundled.search("17 ready-made voices")] == [SPEECH]  # description
    assert KLING in {m.model_id for m in bundled.search("Kling 2.1 Pro")}  # name
    assert bundled.search("no such thing") == []
    assert len(bundled.search("  ")) == len(bundled)


# --- properties ------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
SCHEMA_KEYS = ["type", "enum", "minimum", "maximum", "step", "items", "minItems", "maxItems",
               "maxLength", "default", "nullable", "format", "title", "x-ui-component",
               "x-accept", "x-size-min", "x-size-max", "x-hidden"]  # fmt: skip
PROP_VALUES = JSON | st.sampled_from(
    ["string", "integer", "number", "boolean", "array", "object", "uploader", "image/*", "uri"]
)
NAMES = st.sampled_from(["prompt", "text", "seed", "size", "image", "images", "x_url", "channel",
                         "duration", "loras"]) | st.text(max_size=6)  # fmt: skip
PROPERTY = st.dictionaries(st.sampled_from(SCHEMA_KEYS), PROP_VALUES, max_size=6)
MODEL_LIKE = st.fixed_dictionaries(
    {"model_id": st.text(max_size=6) | JSON,
     "api_schema": st.fixed_dictionaries({"api_schemas": st.lists(st.fixed_dictionaries({
         "type": st.just("model_run") | JSON,
         "request_schema": st.fixed_dictionaries({
             "properties": st.dictionaries(NAMES, PROPERTY | JSON, max_size=5),
             "required": st.lists(NAMES, max_size=3) | JSON,
             "x-order-properties": st.lists(NAMES | JSON, max_size=4) | JSON})}), max_size=2)})},
    optional={"type": JSON | st.sampled_from(["text-to-video", "text-to-audio"]),
              "base_price": JSON, "name": JSON},
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(JSON | st.lists(MODEL_LIKE | JSON, max_size=3))
def test_parse_catalogue_never_raises(data: Any) -> None:
    catalogue, problems = parse_catalogue(data, source="remote")
    assert all(isinstance(p, str) and p for p in problems)
    if isinstance(data, list):
        assert len(problems) >= sum(not isinstance(entry, dict) for entry in data)
    for model in catalogue:  # whatever got through is usable
        channel = model.param("channel")
        assert channel is not None  # the server's own `channel` (any type) or Get3W's tier
        assert model.output_kind in KINDS


@settings(max_examples=200, deadline=None)
@given(st.lists(MODEL_LIKE, min_size=1, max_size=2), st.dictionaries(NAMES, JSON), st.text())
def test_parsed_models_validate_and_coerce_without_crashing(
    entries: list[Any], params: dict[str, Any], text: str
) -> None:
    catalogue, _ = parse_catalogue(entries, source="remote")
    for model in catalogue:
        assert all(isinstance(p, str) for p in validate_params(model, params))
        assert all(isinstance(p, str) for p in validate_params(model, apply_defaults(model, {})))
        for spec in model.params:
            problem = coerce_problem(spec, text)
            assert problem is None or spec.name in problem


def coerce_problem(spec: ParamSpec, text: str) -> str | None:
    """The message coerce() raises, if any (any other exception fails the test)."""
    try:
        spec.coerce(text)
    except InvalidParametersError as exc:
        return exc.message
    return None


BUNDLED_NAMES = sorted({p.name for m in load_bundled() for p in m.params})


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(BUNDLED_NAMES) | st.text(max_size=8), JSON))
def test_validate_params_never_raises(params: dict[str, Any]) -> None:
    # the curated models and every 40th of the rest (all 794 are in tests/core/test_validation.py)
    for model in [*curated(), *list(load_bundled())[len(EXPECTED) :: 40]]:
        problems = validate_params(model, params)
        assert all(isinstance(p, str) and p for p in problems)
        for name in params:
            if model.param(name) is None:
                assert f"unknown parameter {name!r} for {model.model_id}" in problems
