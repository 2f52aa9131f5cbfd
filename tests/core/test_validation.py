"""Checking parameters against the real schemas (core/validation.py), over all 794 models."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.core.catalogue import (
    ModelInfo,
    apply_defaults,
    check_params,
    load_bundled,
    parse_model,
    validate_params,
)
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.core.validation import (
    FieldError,
    compiled,
    disabled_names,
    path_text,
    repair_schema,
    sendable,
    validate,
)

FLUX_LORA = "wavespeed-ai/flux-dev-lora"
PIXVERSE_T2V = "pixverse/pixverse-v5.5/text-to-video"
PIXVERSE_I2V = "pixverse/pixverse-v5.5/image-to-video"
KLING_O1 = "kwaivgi/kling-video-o1-std/image-to-video"
MINIMAX_VIDEO = "minimax/video-01"
FRAMEPACK = "wavespeed-ai/framepack"
KONTEXT_PRO = "wavespeed-ai/flux-kontext-pro"
NANO = "google/nano-banana-pro/text-to-image"
URL = "https://example.com/a.png"
#: Models whose defaults alone are not enough, and why (the data says so, not a bug):
#: `lyrics` is required with an empty default; `products` defaults to one empty object
#: whose fields are required.
NEEDS_INPUT = {
    "wavespeed-ai/ace-step-1.5": [("lyrics",)],
    "minimax/music-02": [("lyrics",)],
    "minimax/music-2.5": [("lyrics",)],
    "bria/embed-product": [("products", 0, f) for f in ("image", "x", "y", "width", "height")],
}


def model(model_id: str) -> ModelInfo:
    found = load_bundled().get(model_id)
    assert found is not None, model_id
    return found


def filled(info: ModelInfo) -> dict[str, Any]:
    """The defaults, plus what a person would type into each required field without one."""
    params = apply_defaults(info, {})
    for spec in info.params:
        if not spec.required or params.get(spec.name) is not None:
            continue
        if spec.enum:
            params[spec.name] = spec.enum[0]
        elif spec.json_type == "array":
            params[spec.name] = [URL] * max(1, spec.min_items or 1)
        elif spec.json_type in ("integer", "number"):
            params[spec.name] = spec.minimum if spec.minimum is not None else 1
        elif spec.json_type == "boolean":
            params[spec.name] = True
        elif spec.json_type == "object":
            params[spec.name] = {}
        else:
            params[spec.name] = URL
    return params


def test_every_real_model_validates_its_defaults_without_an_exception() -> None:
    catalogue = load_bundled()
    assert len(catalogue) == 794
    needing_input: dict[str, list[tuple[str | int, ...]]] = {}
    for info in catalogue:
        assert compiled(info).validator is not None, info.model_id  # every schema is readable
        bare = validate(info, apply_defaults(info, {}))  # defaults only: required ones missing
        assert all(isinstance(e, FieldError) and e.message for e in bare)
        names = set(info.schema["properties"])
        assert all(e.field in names for e in bare), info.model_id
        errors = validate(info, filled(info))
        if errors:
            needing_input[info.model_id] = [e.path for e in errors]
        assert not disabled_names(info) & set(apply_defaults(info, {})), info.model_id
    assert needing_input == NEEDS_INPUT


def test_disabled_fields_are_never_sent_nor_checked() -> None:
    info = model(FLUX_LORA)
    assert disabled_names(info) == {"enable_base64_output", "enable_sync_mode"}
    assert "enable_sync_mode" not in apply_defaults(info, {"prompt": "x"})
    given = {"prompt": "x", "enable_sync_mode": True, "enable_base64_output": "junk"}
    assert validate(info, given) == []  # not "unknown", not checked: simply not sent
    assert sendable(info, given) == {"prompt": "x"}
    # SOURCES.md counts 400; the 13 curated schemas (API.md's parameters only) hold none
    assert sum(len(disabled_names(m)) for m in load_bundled()) == 400 - 13
    assert disabled_names(model(NANO)) == frozenset()


def test_loras_are_objects_of_path_and_scale() -> None:
    info = model(FLUX_LORA)
    assert any("LoraWeight" in note for note in compiled(info).notes)
    loras = compiled(info).repaired["properties"]["loras"]["items"]
    assert loras["required"] == ["path"] and loras["properties"]["scale"]["type"] == "number"
    base = {"prompt": "a fox"}
    assert validate(info, {**base, "loras": [{"path": "a/b", "scale": 0.7}]}) == []
    assert validate(info, apply_defaults(info, base)) == []  # the published default list
    errors = validate(info, {**base, "loras": [{"path": "a/b", "scale": "big"}, {"scale": 1}]})
    assert [(e.path, e.message) for e in errors] == [
        (("loras", 0, "scale"), "loras[0].scale must be a number"),
        (("loras", 1, "path"), "loras[1].path is required"),
    ]
    assert all(e.field == "loras" for e in errors)
    too_many = validate(info, {**base, "loras": [{"path": "p"}] * 5})
    assert [e.message for e in too_many] == ["loras takes at most 4 item(s) (got 5)"]
    assert validate(info, {**base, "loras": ["a/b"]})[0].path == ("loras", 0)  # a string


def test_conditional_rules_are_checked_with_the_condition_named() -> None:
    pixverse = model(PIXVERSE_T2V)
    base = {"prompt": "a fox"}
    assert validate(pixverse, {**base, "resolution": "720p", "duration": 10}) == []
    errors = validate(pixverse, {**base, "resolution": "1080p", "duration": 10})
    assert [(e.path, e.message) for e in errors] == [
        (("duration",), "duration must be one of 5, 8 (got 10) when resolution is 1080p")
    ]
    kling = model(KLING_O1)
    base = {"prompt": "a fox", "image": URL}
    assert validate(kling, {**base, "duration": 3, "last_image": URL}) == []
    (error,) = validate(kling, {**base, "duration": 3})
    assert error.field == "duration" and "unless last_image is set" in error.message


def test_not_rules_name_the_fields_that_clash() -> None:
    # the real rule names fields the model does not have: it can never fire
    info = model(MINIMAX_VIDEO)
    assert set(info.schema["not"]["required"]).isdisjoint(info.schema["properties"])
    assert validate(info, {"prompt": "a fox"}) == []
    schema = {"properties": {"prompt": {"type": "string"}, "image": {"type": "string"},
                             "reference": {"type": "string"}},
              "not": {"required": ["image", "reference"]}}  # fmt: skip
    info = parse_model({"model_id": "x/not", "request_schema": schema}, source="remote")
    assert validate(info, {"prompt": "p", "image": URL}) == []
    errors = validate(info, {"prompt": "p", "image": URL, "reference": URL})
    assert {e.field for e in errors} == {"image", "reference"}
    assert {e.message for e in errors} == {"image and reference cannot be used together"}


def test_real_quirks_degrade_instead_of_blocking() -> None:
    # a seed range with minimum 2147483647 above maximum 0: ignored, any seed passes
    pixverse = model(PIXVERSE_I2V)
    assert any("range ignored" in n for n in compiled(pixverse).notes)
    base = apply_defaults(pixverse, filled(pixverse))
    assert validate(pixverse, {**base, "seed": 12345}) == []
    # a seed maximum past 2^32 is a number like any other
    framepack = model(FRAMEPACK)
    ok = filled(framepack)
    assert validate(framepack, {**ok, "seed": 6_553_500_000}) == []
    assert [e.path for e in validate(framepack, {**ok, "seed": 6_553_500_001})] == [("seed",)]
    # an enum with no type: the choices decide
    kontext = model(KONTEXT_PRO)
    fine = filled(kontext)
    assert validate(kontext, {**fine, "aspect_ratio": "9:21"}) == []
    assert [e.field for e in validate(kontext, {**fine, "aspect_ratio": "7:5"})] == ["aspect_ratio"]


HOSTILE: dict[str, Any] = {
    "type": "object",
    "seed": {"type": "integer"},  # a stray root key, as in 28 real schemas
    "properties": {
        "prompt": {"type": "string"},
        "steps": {"type": "integer", "minimum": "ten", "maximum": 10**400, "x-accpet": "x"},
        "mode": {"type": "strng", "enum": [1, 0.5, "a"], "x-ui-component": "wheel"},
        "pattern": {"type": "string", "pattern": "("},  # not a regular expression
        "things": {"type": "array", "items": {"$ref": "#/components/schemas/Nope"}},
        "pairs": {"type": "array", "items": {"type": "object", "required": "x",
                                            "properties": {"n": {"type": "integer"}}}},
    },
    "required": ["prompt", 7],
    "allOf": [],
    "not": {"required": ["ghost", "phantom"]},
}  # fmt: skip


def test_hostile_schemas_are_repaired_or_left_for_the_server() -> None:
    info = parse_model({"model_id": "x/y", "request_schema": HOSTILE}, source="remote")
    entry = compiled(info)
    assert entry.validator is not None
    assert "pattern" not in entry.repaired["properties"]["pattern"]
    assert entry.repaired["properties"]["things"]["items"] == {}
    assert "allOf" not in entry.repaired and "type" not in entry.repaired["properties"]["mode"]
    params = {"prompt": "p", "steps": 10**12, "mode": 0.5, "pattern": "((", "things": [1, "a"],
              "pairs": [{"n": 1}, {"n": "one"}]}  # fmt: skip
    errors = validate(info, params)
    assert [(e.path, e.message) for e in errors] == [
        (("pairs", 1, "n"), "pairs[1].n must be a whole number")
    ]
    assert validate(info, {**params, "pairs": []}) == []
    assert [e.message for e in validate(info, {"mode": "b"})] == [
        "prompt is required",
        "mode must be one of 1, 0.5, a (got 'b')",
    ]


def test_a_schema_the_library_cannot_read_never_blocks_a_run() -> None:
    # a reference loop the repair keeps: whatever the library does with it, no exception
    looping = {"properties": {"a": {"$ref": "#/properties/a"}, "prompt": {"type": "string"}}}
    info = parse_model({"model_id": "x/loop", "request_schema": looping}, source="remote")
    assert all(isinstance(e, FieldError) for e in validate(info, {"prompt": "p", "a": 1}))
    repaired, notes = repair_schema({"properties": "nope", "required": {"a": 1}})
    assert "properties" not in repaired and "required" not in repaired and notes == []
    assert repair_schema("not a schema")[0] == {}  # type: ignore[arg-type]


def test_check_params_delegates_and_keeps_paths_in_its_problems() -> None:
    info = model(FLUX_LORA)
    with pytest.raises(InvalidParametersError) as caught:
        check_params(info, {"prompt": "x", "loras": [{"path": ""}]})
    assert caught.value.problems == ("loras[0].path is required",)
    assert validate_params(info, {"prompt": "x"}) == []


def test_path_text() -> None:
    assert path_text(("loras", 0, "scale")) == "loras[0].scale"
    assert path_text(()) == "" and path_text(("a",)) == "a"
    assert FieldError(("loras", 0), "m").field == "loras" and FieldError((), "m").field == ""


ROOT_KEYS = ["allOf", "anyOf", "oneOf", "if", "then", "else", "not", "$ref", "required",
             "properties", "items", "minimum", "maximum", "enum", "type", "dependencies",
             "additionalProperties", "pattern", "$schema", "definitions"]  # fmt: skip
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(ROOT_KEYS) | st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ROOT_KEYS), JSONISH, max_size=5),
    st.dictionaries(st.sampled_from(["prompt", "steps", "mode", "x"]), JSONISH, max_size=4),
)
def test_validation_never_raises_on_any_root_rules(rules: dict[str, Any], params: Any) -> None:
    schema = {**rules, "properties": {"prompt": {"type": "string"}, "steps": {"type": "integer"},
                                      "mode": rules}}  # fmt: skip
    info = parse_model({"model_id": "x/h", "request_schema": schema}, source="remote")
    errors = validate(info, params)
    assert all(isinstance(e, FieldError) and isinstance(e.message, str) for e in errors)
    assert all(e.message for e in errors)
