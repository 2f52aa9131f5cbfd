"""The model catalogue: models, their parameter schemas, and checking a parameter set.

The file format is WaveSpeed's model list (`/api/v3/models` data), so the bundled file
and a server's list go through the same parser. Schemas are JSON Schema with a few UI
hints (API.md section 6); each property becomes a `ParamSpec` with a `kind` that tells a
front end which input to show. Kinds, first rule that fits:

- arrays of LoRAs (`x-ui-component: loras`, items `$ref: …/LoraWeight` (never defined) or
  inline `{path, scale}`) -> LORA_LIST, rows of path + scale, with `recommend` presets
- other arrays of objects with `items.properties` -> OBJECT_LIST, rows built from the
  item schema (`items` holds one `ParamSpec` per item property)
- objects, and arrays of objects whose shape is unknown -> OBJECT (edited as JSON)
- arrays named `images`/`videos`/`audios`/`*_urls`, or uploaders -> MEDIA_LIST; other arrays
  -> STRING_LIST
- `seed` (an integer) -> SEED; booleans -> BOOLEAN
- strings named `image`/`video`/`audio`/`last_image`/`mask_image`, ending `_url`/`_image`,
  with `format: uri` or an uploader -> MEDIA (even with an enum)
- any `enum` -> CHOICE; integers -> INTEGER; numbers -> NUMBER
- `prompt`/`text` -> PROMPT; `size` -> SIZE ("W*H"); other strings (`negative_prompt`
  included) -> TEXT. Whether a TEXT box is one line or several is the front end's call.

A value of None means "leave it out" unless the property is required.

Real schemas are untidy, and parsing degrades instead of failing: `disabled: true` marks a
parameter the app never shows nor sends; a missing `type` is read from the enum; `x-enum`
stands in for `enum`; a minimum above its maximum is taken as swapped; the misspelled
`x-accpet` counts as `x-accept`; unknown `x-ui-component` values are ignored.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import gzip
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from get3w_desktop.core import output_kinds
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.core.resources import resource_path

CHANNELS: tuple[str, ...] = ("economy", "stable", "official")
DEFAULT_CHANNEL = "stable"
OUTPUT_KINDS = ("image", "video", "audio")
TYPE_ORDER = ("text-to-image", "image-to-image", "text-to-video", "image-to-video", "text-to-audio")
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[*x×]\s*(\d{1,5})\s*$")
_MEDIA_NAMES = {"image", "video", "audio", "last_image", "mask_image", "first_image"}
_MEDIA_LIST_NAMES = {"images", "videos", "audios"}
_PROMPT_NAMES = {"prompt", "text"}
_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n"}
_JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object"}
_UPLOADERS = {"uploader", "uploaders", "upload", "upload-array"}


class ParamKind(enum.Enum):
    PROMPT = "prompt"  # the main multi-line text
    TEXT = "text"  # any other string (negative prompt included)
    CHOICE = "choice"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    SEED = "seed"
    SIZE = "size"  # "W*H"
    MEDIA = "media"  # one image/video/audio URL
    MEDIA_LIST = "media_list"
    STRING_LIST = "string_list"
    OBJECT = "object"  # anything structured of unknown shape: edited as JSON
    OBJECT_LIST = "object_list"  # an array of objects whose item schema is known: rows
    LORA_LIST = "lora_list"  # an array of {path, scale}: rows, with presets


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: ParamKind
    json_type: str
    title: str
    description: str = ""
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    enum: tuple[Any, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    max_length: int | None = None
    nullable: bool = False
    hidden: bool = False
    media_kind: str | None = None
    accept: str | None = None
    placeholder: str | None = None
    ui_component: str | None = None
    size_min: int | None = None
    size_max: int | None = None
    #: Never shown nor sent (`disabled: true`: "only available through the API").
    disabled: bool = False
    #: OBJECT_LIST and LORA_LIST: one spec per property of an item.
    items: tuple[ParamSpec, ...] = ()
    #: LORA_LIST: suggested entries ({path, scale, cover?}) from the schema's `recommend`.
    recommend: tuple[Mapping[str, Any], ...] = ()

    def coerce(self, text: str) -> Any:
        """A command-line string as this parameter's JSON value."""
        raw = text.strip()
        try:
            if self.enum:
                return self._coerce_choice(raw)
            if self.kind is ParamKind.SEED and raw.lower() in ("random", "rand", ""):
                return -1
            if self.json_type == "boolean":
                if raw.lower() in _TRUE:
                    return True
                if raw.lower() in _FALSE:
                    return False
                raise ValueError("expected true or false")
            if self.json_type == "integer":
                return _parse_int(raw)
            if self.json_type == "number":
                number = float(raw)
                if not math.isfinite(number):
                    raise ValueError("expected a finite number")
                return number
            if self.json_type == "array":
                if raw.startswith(("[", "{")):
                    value = json.loads(raw)
                    if not isinstance(value, list):
                        raise ValueError("expected a list")
                    return value
                return [part.strip() for part in raw.split(",") if part.strip()]
            if self.json_type == "object":
                value = json.loads(raw)
                if not isinstance(value, dict):
                    raise ValueError("expected a JSON object")
                return value
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise InvalidParametersError(
                f"{self.name}: “{text}” is not a valid {self.json_type} ({exc}).",
                problems=(f"{self.name}: “{text}” is not a valid {self.json_type}",),
            ) from None
        if self.kind in (ParamKind.MEDIA, ParamKind.SIZE):
            return raw
        return text

    def _coerce_choice(self, raw: str) -> Any:
        """The option `raw` names: "8" and "8.0" pick 8, "TRUE" picks True, "1K" picks "1k"."""
        for option in self.enum:
            if str(option) == raw:
                return option
        for option in self.enum:
            if isinstance(option, bool):
                if raw.lower() in (_TRUE if option else _FALSE):
                    return option
            elif isinstance(option, int | float):
                try:
                    if float(raw) == option:
                        return option
                except ValueError:
                    pass
            elif isinstance(option, str) and option.lower() == raw.lower():
                return option
        return raw  # check() explains the choices

    def check(self, value: Any) -> str | None:
        """None when `value` is acceptable, else a sentence naming the field."""
        name = self.name
        if value is None:
            return None if self.nullable or not self.required else f"{name} is required"
        if self.enum:
            if value not in self.enum or isinstance(value, bool) != any(
                isinstance(o, bool) for o in self.enum
            ):
                options = ", ".join(str(o) for o in self.enum)
                return f"{name} must be one of {options} (got {value!r})"
            return None
        expected = self.json_type
        if expected == "boolean":
            return None if isinstance(value, bool) else f"{name} must be true or false"
        if expected in ("integer", "number"):
            return self._check_number(value)
        if expected == "string":
            if not isinstance(value, str):
                return f"{name} must be text"
            if self.required and not value.strip():
                return f"{name} is required"
            if self.max_length is not None and len(value) > self.max_length:
                return f"{name} is too long ({len(value)} characters; at most {self.max_length})"
            if self.kind is ParamKind.SIZE and value:
                return self._check_size(value)
            return None
        if expected == "array":
            if not isinstance(value, list):
                return f"{name} must be a list"
            if self.min_items is not None and len(value) < self.min_items:
                return f"{name} needs at least {self.min_items} item(s) (got {len(value)})"
            if self.max_items is not None and len(value) > self.max_items:
                return f"{name} takes at most {self.max_items} item(s) (got {len(value)})"
            if self.kind in (ParamKind.MEDIA_LIST, ParamKind.STRING_LIST) and not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                return f"{name} must be a list of addresses"
            return None
        if expected == "object" and not isinstance(value, dict):
            return f"{name} must be an object"
        return None

    def _check_number(self, value: Any) -> str | None:
        name = self.name
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{name} must be a finite number"
        if self.json_type == "integer" and isinstance(value, float) and not value.is_integer():
            return f"{name} must be a whole number"
        if self.minimum is not None and value < self.minimum:
            return f"{name} must be at least {_fmt(self.minimum)} (got {_fmt(value)})"
        if self.maximum is not None and value > self.maximum:
            return f"{name} must be at most {_fmt(self.maximum)} (got {_fmt(value)})"
        return None

    def _check_size(self, value: str) -> str | None:
        match = _SIZE.match(value)
        if not match:
            return f"{self.name} must look like 1024*1024 (got {value!r})"
        low, high = self.size_min or 1, self.size_max
        for side in (int(match.group(1)), int(match.group(2))):
            if side < low or (high is not None and side > high):
                limits = f"between {low} and {high}" if high is not None else f"at least {low}"
                return f"{self.name}: each side must be {limits} (got {value})"
        return None


def parse_size(value: str) -> tuple[int, int] | None:
    match = _SIZE.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _fmt(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _parse_int(raw: str) -> int:
    """Whole numbers, also when written as floats: "8" and "8.0" both give 8."""
    try:
        return int(raw)
    except ValueError:
        number = float(raw)
        if not number.is_integer():
            raise ValueError("expected a whole number") from None
        return int(number)


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """A model; `params` are parsed from `schema` on first use (800 models load in a blink)."""

    model_id: str
    name: str
    description: str
    type: str
    output_kind: str
    base_price: float | None
    estimated_duration: float | None
    schema: Mapping[str, Any]
    source: str = "bundled"

    @functools.cached_property
    def params(self) -> tuple[ParamSpec, ...]:
        return _parse_params(self.schema)

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params if p.default is not None and not p.disabled}

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.required)


class Catalogue:
    """An ordered set of models. Read-only, except that the app's one catalogue `adopt`s the
    live list (on the GUI thread) so every holder of it sees the server's models."""

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self._models: dict[str, ModelInfo] = {}
        self._retired: dict[str, ModelInfo] = {}  # found by get(), never listed
        for model in models:
            self._models.setdefault(model.model_id, model)

    def adopt(self, offered: Iterable[ModelInfo], retired: Iterable[ModelInfo] = ()) -> None:
        """Become `offered`; `retired` models (no longer offered, still in the history)
        stay resolvable by `get` so their tasks show and re-open, but are not listed."""
        models: dict[str, ModelInfo] = {}
        for model in offered:
            models.setdefault(model.model_id, model)
        self._models = models
        self._retired = {m.model_id: m for m in retired if m.model_id not in models}

    def is_offered(self, model_id: str) -> bool:
        return model_id in self._models

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        return tuple(self._models.values())

    def get(self, model_id: str) -> ModelInfo | None:
        return self._models.get(model_id) or self._retired.get(model_id)

    def __len__(self) -> int:
        return len(self._models)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._models

    def merged_over(self, base: Catalogue) -> Catalogue:
        """This catalogue's models win; models only `base` knows are kept after them."""
        return Catalogue([*self, *(m for m in base if m.model_id not in self._models)])

    def types(self) -> list[str]:
        present = {m.type for m in self}
        known = [t for t in TYPE_ORDER if t in present]
        return known + sorted(present - set(known))

    def search(self, text: str) -> list[ModelInfo]:
        words = text.lower().split()
        return [
            m for m in self
            if all(w in f"{m.model_id} {m.name} {m.description} {m.type}".lower() for w in words)
        ]  # fmt: skip


def output_kind_for(model_type: str, model_id: str = "", inputs: Iterable[str] = ()) -> str:
    """What a model of this type answers with (see core/output_kinds.py)."""
    return output_kinds.output_kind_for(model_type, model_id, inputs)


def _kind_for(name: str, prop: Mapping[str, Any], json_type: str) -> tuple[ParamKind, str | None]:
    """The input a property needs, and its media kind (the rules are in the module docstring)."""
    ui = _str(prop.get("x-ui-component"))  # a list or a number there is no component
    accept = _accept(prop)
    media_kind = None
    if isinstance(accept, str) and accept.split("/")[0] in OUTPUT_KINDS:
        media_kind = accept.split("/")[0]
    uploader = ui in _UPLOADERS
    if json_type == "array":
        items = prop.get("items")
        items = items if isinstance(items, Mapping) else {}
        if _is_lora_list(ui, items):
            return ParamKind.LORA_LIST, None
        if isinstance(items.get("properties"), Mapping):
            return ParamKind.OBJECT_LIST, None
        if items.get("type") == "object" or "$ref" in items:
            return ParamKind.OBJECT, None
        if name in _MEDIA_LIST_NAMES or name.endswith("_urls") or uploader:
            return ParamKind.MEDIA_LIST, media_kind or _media_from_name(name)
        return ParamKind.STRING_LIST, None
    if json_type == "object":
        return ParamKind.OBJECT, None
    if name == "seed" and json_type == "integer":
        return ParamKind.SEED, None
    if json_type == "boolean":
        return ParamKind.BOOLEAN, None
    if json_type == "string" and (
        name in _MEDIA_NAMES
        or name.endswith(("_url", "_image"))
        or uploader
        or prop.get("format") == "uri"
    ):
        return ParamKind.MEDIA, media_kind or _media_from_name(name)
    if _enum(prop):
        return ParamKind.CHOICE, None
    if json_type == "integer":
        return ParamKind.INTEGER, None
    if json_type == "number":
        return ParamKind.NUMBER, None
    if name in _PROMPT_NAMES:
        return ParamKind.PROMPT, None
    if name == "size":
        return ParamKind.SIZE, None
    return ParamKind.TEXT, None


def _is_lora_list(ui: Any, items: Mapping[str, Any]) -> bool:
    ref = items.get("$ref")
    if ui == "loras" or (isinstance(ref, str) and ref.endswith("/LoraWeight")):
        return True
    props = items.get("properties")
    return isinstance(props, Mapping) and set(props) == {"path", "scale"}


def _accept(prop: Mapping[str, Any]) -> str | None:
    """`x-accept`, or its misspelling `x-accpet` seen in real schemas."""
    return _str(prop.get("x-accept")) or _str(prop.get("x-accpet"))


def _enum(prop: Mapping[str, Any]) -> tuple[Any, ...]:
    """The allowed values: `enum`, else `x-enum` (used inside item schemas)."""
    for key in ("enum", "x-enum"):
        raw = prop.get(key)
        if isinstance(raw, list) and raw:
            return tuple(v for v in raw if v is None or isinstance(v, str | int | float))
    return ()


def _media_from_name(name: str) -> str:
    for kind in ("video", "audio"):
        if kind in name:
            return kind
    return "image"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range: no usable bound
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_type(prop: Mapping[str, Any]) -> tuple[str, bool]:
    """The property's type and whether null is allowed (`["string", "null"]` is both)."""
    raw = prop.get("type")
    nullable = prop.get("nullable") is True
    if isinstance(raw, list):
        nullable = nullable or "null" in raw
        raw = next((t for t in raw if isinstance(t, str) and t != "null"), None)
    if isinstance(raw, str) and raw in _JSON_TYPES:
        return raw, nullable
    options = [o for o in _enum(prop) if o is not None]
    if options and all(isinstance(o, bool) for o in options):
        return "boolean", nullable
    if options and all(isinstance(o, int) and not isinstance(o, bool) for o in options):
        return "integer", nullable
    if options and all(isinstance(o, int | float) and not isinstance(o, bool) for o in options):
        return "number", nullable
    return "string", nullable  # missing or unknown: treat as text, the server decides


_LORA_ITEM: Mapping[str, Any] = {
    "type": "object",
    "required": ["path"],
    "x-order-properties": ["path", "scale"],
    "properties": {
        "path": {"type": "string", "title": "LoRA",
                 "description": "A LoRA's Hugging Face id (owner/name) or a link to its file."},
        "scale": {"type": "number", "title": "Scale", "default": 1, "minimum": 0,
                  "maximum": 4, "step": 0.05, "x-ui-component": "slider",
                  "description": "How strongly the LoRA applies."},
    },
}  # fmt: skip
_MAX_DEPTH = 4


def _item_specs(kind: ParamKind, prop: Mapping[str, Any], depth: int) -> tuple[ParamSpec, ...]:
    """The fields of one row of an OBJECT_LIST or LORA_LIST."""
    items = prop.get("items")
    items = items if isinstance(items, Mapping) else {}
    if kind is ParamKind.LORA_LIST and not isinstance(items.get("properties"), Mapping):
        items = _LORA_ITEM  # `$ref: LoraWeight` is never defined: a LoRA is {path, scale}
    if kind not in (ParamKind.OBJECT_LIST, ParamKind.LORA_LIST):
        return ()
    return parse_properties(items, depth + 1)


def _recommend(prop: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    raw = prop.get("recommend")
    if not isinstance(raw, list):
        return ()
    return tuple(
        dict(entry) for entry in raw if isinstance(entry, Mapping) and _str(entry.get("path"))
    )


def parse_param(name: str, prop: Mapping[str, Any], required: bool, depth: int = 0) -> ParamSpec:
    json_type, nullable = _json_type(prop)
    kind, media_kind = _kind_for(name, prop, json_type)
    if depth >= _MAX_DEPTH and kind in (ParamKind.OBJECT_LIST, ParamKind.LORA_LIST):
        kind = ParamKind.OBJECT  # absurdly deep: JSON is the honest editor
    low, high = _num(prop.get("minimum")), _num(prop.get("maximum"))
    if low is not None and high is not None and low > high:  # impossible (a real quirk):
        low = high = None  # no range, as the validator's repaired schema has none
    return ParamSpec(
        name=name,
        kind=kind,
        json_type=json_type,
        title=_str(prop.get("title")) or name.replace("_", " ").capitalize(),
        description=_str(prop.get("description")) or "",
        required=required,
        default=prop.get("default"),
        minimum=low,
        maximum=high,
        step=_num(prop.get("step")),
        enum=_enum(prop),
        min_items=_int(prop.get("minItems")),
        max_items=_int(prop.get("maxItems")),
        max_length=_int(prop.get("maxLength")),
        nullable=nullable,
        hidden=prop.get("x-hidden") is True,
        media_kind=media_kind,
        accept=_accept(prop),
        placeholder=_str(prop.get("x-placeholder")),
        ui_component=_str(prop.get("x-ui-component")),
        size_min=_int(prop.get("x-size-min")),
        size_max=_int(prop.get("x-size-max")),
        disabled=prop.get("disabled") is True,
        items=_item_specs(kind, prop, depth),
        recommend=_recommend(prop) if kind is ParamKind.LORA_LIST else (),
    )


def parse_properties(schema: Mapping[str, Any], depth: int = 0) -> tuple[ParamSpec, ...]:
    """An object schema's properties as specs, in `x-order-properties` order then the rest."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return ()
    properties = {k: v for k, v in properties.items() if isinstance(k, str)}
    raw_required = schema.get("required")
    required = {r for r in raw_required if isinstance(r, str)} if isinstance(
        raw_required, list) else set()  # fmt: skip
    raw_order = schema.get("x-order-properties")
    listed = raw_order if isinstance(raw_order, list) else []
    order = list(dict.fromkeys(o for o in listed if isinstance(o, str) and o in properties))
    order += [k for k in properties if k not in order]
    return tuple(
        parse_param(name, properties[name], name in required, depth)
        for name in order
        if isinstance(properties[name], Mapping)
    )


_CHANNEL_PROP = {
    "type": "string", "title": "Channel", "enum": list(CHANNELS), "default": DEFAULT_CHANNEL,
    "x-ui-component": "select",
    "description": "Get3W service tier: economy (cheapest), stable, or official.",
}  # fmt: skip


def _request_schema(data: Mapping[str, Any]) -> Mapping[str, Any]:
    api_schema = data.get("api_schema")
    schemas = api_schema.get("api_schemas") if isinstance(api_schema, Mapping) else None
    if isinstance(schemas, list):
        for entry in schemas:
            if isinstance(entry, Mapping) and entry.get("type", "model_run") == "model_run":
                schema = entry.get("request_schema")
                if isinstance(schema, Mapping):
                    return schema
    schema = data.get("request_schema")
    if isinstance(schema, Mapping):
        return schema
    raise ValueError("it has no request schema")


def parse_model(data: Mapping[str, Any], *, source: str) -> ModelInfo:
    """One catalogue entry. Raises ValueError (with a sentence) on a broken one."""
    raw_id = data.get("model_id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ValueError("an entry has no model_id")
    model_id = raw_id.strip()
    try:
        schema = dict(_request_schema(data))
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            raise ValueError("its schema has no properties")
        properties = {k: v for k, v in properties.items() if isinstance(k, str)}
        if not isinstance(properties.get("channel"), Mapping):  # missing or broken
            properties["channel"] = {**_CHANNEL_PROP, "enum": list(CHANNELS)}  # a fresh copy
        schema["properties"] = properties
    except (ValueError, TypeError) as exc:
        raise ValueError(f"model {model_id}: {exc}") from None
    model_type = _str(data.get("type")) or "text-to-image"
    return ModelInfo(
        model_id=model_id,
        name=_str(data.get("name")) or model_id,
        description=_str(data.get("description")) or "",
        type=model_type,
        output_kind=output_kind_for(model_type, model_id, schema["properties"]),
        base_price=_num(data.get("base_price")),
        estimated_duration=_num(data.get("estimated_duration")),
        schema=schema,
        source=source,
    )


def _parse_params(schema: Mapping[str, Any]) -> tuple[ParamSpec, ...]:
    """The parameters of a schema `parse_model` normalised (parsed on first use)."""
    return parse_properties(schema)


def parse_catalogue(data: Any, *, source: str) -> tuple[Catalogue, list[str]]:
    """Tolerant: broken entries are skipped and described; never raises on bad data."""
    if isinstance(data, Mapping) and "data" in data and "models" not in data:
        data = data["data"]  # a v3 envelope
    if isinstance(data, Mapping):
        data = data.get("models")
    if not isinstance(data, list):
        return Catalogue([]), ["the model list is not a list"]
    models: list[ModelInfo] = []
    problems: list[str] = []
    for position, entry in enumerate(data):
        if not isinstance(entry, Mapping):
            problems.append(f"entry {position + 1} is not an object")
            continue
        try:
            models.append(parse_model(entry, source=source))
        except (ValueError, TypeError, RecursionError) as exc:
            problems.append(str(exc))
    return Catalogue(models), problems


@functools.cache
def load_bundled() -> Catalogue:
    """The catalogue shipped in resources/ (it must parse: a broken one is a bug)."""
    packed = resource_path("catalogue.json.gz")  # what installers ship (0.1 MB, not 1 MB)
    raw = (
        gzip.decompress(packed.read_bytes()) if packed.is_file()
        else resource_path("catalogue.json").read_bytes()
    )  # fmt: skip
    data = json.loads(raw)  # bytes: no text layer
    catalogue, problems = parse_catalogue(data, source="bundled")
    if problems:
        raise RuntimeError(f"the bundled catalogue is broken: {problems}")
    return catalogue


def validate_params(model: ModelInfo, params: Mapping[str, Any]) -> list[str]:
    """Every problem with `params`, one sentence each (empty list = fine).

    core/validation.py does the work (with paths, for placing messages under fields)."""
    from get3w_desktop.core import validation

    return [error.message for error in validation.validate(model, params)]


def check_params(model: ModelInfo, params: Mapping[str, Any]) -> None:
    problems = validate_params(model, params)
    if problems:
        raise InvalidParametersError(
            f"Please fix {len(problems)} parameter problem(s): {problems[0]}.",
            problems=tuple(problems),
        )


def apply_defaults(model: ModelInfo, params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` with the model's defaults filled in for absent keys (channel included),
    without the fields the schema marks `disabled` (API-only switches are never sent)."""
    from get3w_desktop.core import validation

    return validation.sendable(model, {**model.defaults(), **params})
