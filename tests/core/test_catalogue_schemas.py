"""Real schemas are untidy: what the parser makes of their quirks (see SOURCES.md)."""

from __future__ import annotations

from typing import Any

from get3w_desktop.core.catalogue import ParamKind, ParamSpec, parse_model, parse_param


def model_with(properties: dict[str, Any], **schema: Any) -> Any:
    return parse_model(
        {"model_id": "a/b", "type": "text-to-image",
         "request_schema": {"type": "object", "properties": properties, **schema}},
        source="test",
    )  # fmt: skip


def test_disabled_parameters_are_parsed_but_never_defaults() -> None:
    model = model_with({
        "prompt": {"type": "string"},
        "enable_base64_output": {"type": "boolean", "default": False, "disabled": True},
    })  # fmt: skip
    spec = model.param("enable_base64_output")
    assert spec is not None and spec.disabled
    assert "enable_base64_output" not in model.defaults()
    assert model.defaults() == {"channel": "stable"}


def test_a_lora_weight_reference_becomes_path_and_scale_rows_with_presets() -> None:
    spec = parse_param("loras", {
        "type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/LoraWeight"},
        "default": [{"path": "Remade-AI/Squish", "scale": 1}],
        "recommend": [{"path": "Remade-AI/Rotate", "scale": 1, "cover": "https://c/r.webp"},
                      {"cover": "https://c/no-path.webp"}, "junk"],
    }, required=False)  # fmt: skip
    assert spec.kind is ParamKind.LORA_LIST
    assert [(p.name, p.kind, p.required) for p in spec.items] == [
        ("path", ParamKind.TEXT, True), ("scale", ParamKind.NUMBER, False)]  # fmt: skip
    assert spec.items[1].default == 1
    assert spec.recommend == ({"path": "Remade-AI/Rotate", "scale": 1,
                               "cover": "https://c/r.webp"},)  # fmt: skip
    assert spec.check([{"path": "x", "scale": 0.5}]) is None


def test_arrays_of_objects_keep_their_item_schema_in_order() -> None:
    spec = parse_param("products", {
        "type": "array", "default": [{}],
        "items": {"type": "object", "required": ["image", "x"],
                  "x-order-properties": ["image", "x", "ghost"],
                  "properties": {"x": {"type": "integer"},
                                 "image": {"type": "string", "x-ui-component": "uploader"},
                                 "voice": {"type": "string", "x-enum": ["Kore", "Puck"]}}},
    }, required=False)  # fmt: skip
    assert spec.kind is ParamKind.OBJECT_LIST
    assert [(p.name, p.kind, p.required) for p in spec.items] == [
        ("image", ParamKind.MEDIA, True), ("x", ParamKind.INTEGER, True),
        ("voice", ParamKind.CHOICE, False)]  # fmt: skip
    assert spec.items[2].enum == ("Kore", "Puck")  # x-enum stands in for enum


def test_quirks_degrade_to_something_usable() -> None:
    swapped = parse_param("seed", {"type": "integer", "minimum": 2147483647, "maximum": 0},
                          required=False)  # fmt: skip
    # An impossible range is no range (as in the validator's repaired schema): any seed.
    assert (swapped.minimum, swapped.maximum) == (None, None)
    assert swapped.check(5) is None and swapped.check(2**40) is None
    untyped = parse_param("aspect_ratio", {"enum": ["16:9", "1:1"]}, required=False)
    assert (untyped.json_type, untyped.kind) == ("string", ParamKind.CHOICE)
    numbers = parse_param("quality", {"enum": [0.25, 0.5, 1, 2]}, required=False)
    assert numbers.json_type == "number" and numbers.check(1) is None
    assert numbers.check(3) is not None
    huge = parse_param("seed", {"type": "integer", "maximum": 6553500000}, required=False)
    assert huge.kind is ParamKind.SEED and huge.maximum == 6553500000
    misspelt = parse_param("first_image", {"type": "string", "x-accpet": "image/png"},
                           required=False)  # fmt: skip
    assert misspelt.accept == "image/png"
    odd = parse_param("mode", {"type": "string", "x-ui-component": "free text"}, required=False)
    assert odd.kind is ParamKind.TEXT


def test_stray_root_keys_are_ignored() -> None:
    model = model_with({"prompt": {"type": "string"}}, seed={"type": "integer"},
                       allOf=[{"if": {}, "then": {}}])  # fmt: skip
    assert [p.name for p in model.params] == ["prompt", "channel"]


def test_nesting_is_bounded() -> None:
    prop: dict[str, Any] = {"type": "string"}
    for _ in range(10):
        prop = {"type": "array", "items": {"type": "object", "properties": {"inner": prop}}}
    spec: ParamSpec | None = parse_param("deep", prop, required=False)
    depth = 0
    while spec is not None and spec.kind is ParamKind.OBJECT_LIST:
        spec = spec.items[0] if spec.items else None
        depth += 1
    assert spec is not None and spec.kind is ParamKind.OBJECT and depth == 4
