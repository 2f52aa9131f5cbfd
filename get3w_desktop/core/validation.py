"""Checking a parameter set against a model's real JSON Schema before it is sent.

Two passes, one list of `FieldError`s (a path to the field and a sentence for a person):

1. each top-level field on its own (`ParamSpec.check`: types, choices, ranges, sizes, list
   lengths), with the wording the form and the command line have always shown;
2. the whole schema with `jsonschema` (Draft 7: the schemas' dialect, and checking a schema
   is 6x quicker than with 2020-12): nested items (a LoRA's `scale`), conditional rules
   (`allOf`/`if`/`then`/`else`), `not`, and every keyword pass 1 does not know. Errors on a
   field pass 1 already faulted are not repeated.

Real schemas are messy (see SOURCES.md beside models.json), so the schema is repaired first
(core/schema_repair.py): undefined `$ref`s (`LoraWeight`) become `{path, scale}` objects,
`nullable` becomes a `null` type, an impossible `minimum > maximum` range and enums that
contradict their `type` are dropped, broken keywords are removed. What still cannot be read
is left for the server: validation degrades, it never raises and never blocks a run.

`disabled: true` fields ("only available through the API", like `enable_sync_mode`) are
never sent and never checked; `sendable` removes them from a request.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from get3w_desktop.core.schema_repair import LORA_WEIGHT, repair_schema

__all__ = ["LORA_WEIGHT", "FieldError", "compiled", "disabled_names", "path_text",
           "repair_schema", "sendable", "validate", "warm_up"]  # fmt: skip

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

    from get3w_desktop.core.catalogue import ModelInfo, ParamSpec

_CACHE_SIZE = 2048  # more than the real list holds: each model is compiled once


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One problem: `path` leads from the request to the value (`("loras", 0, "scale")`);
    an empty path is the request as a whole."""

    path: tuple[str | int, ...]
    message: str

    @property
    def field(self) -> str:
        """The top-level field the message belongs under ("" for the whole request)."""
        return str(self.path[0]) if self.path else ""


def disabled_names(model: ModelInfo) -> frozenset[str]:
    """Fields the schema marks `disabled` (API-only switches): never shown, never sent."""
    properties = model.schema.get("properties")
    if not isinstance(properties, Mapping):
        return frozenset()
    return frozenset(
        name for name, prop in properties.items()
        if isinstance(prop, Mapping) and prop.get("disabled") is True
    )  # fmt: skip


def sendable(model: ModelInfo, params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` without the disabled fields (a copy)."""
    disabled = disabled_names(model)
    return {k: v for k, v in params.items() if k not in disabled}


def path_text(path: Iterable[str | int]) -> str:
    """`loras[0].scale` for ("loras", 0, "scale")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- the validator, cached per schema ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Compiled:
    schema: Mapping[str, Any]  # the model's own (kept alive so its id stays unique)
    repaired: dict[str, Any]
    validator: Validator | None  # None: the library cannot read it; the server decides
    notes: tuple[str, ...]


_compiled: OrderedDict[int, _Compiled] = OrderedDict()
_lock = threading.Lock()


def compiled(model: ModelInfo) -> _Compiled:
    """The repaired schema and its validator for `model` (built once per schema)."""
    key = id(model.schema)
    with _lock:
        entry = _compiled.get(key)
        if entry is not None and entry.schema is model.schema:
            _compiled.move_to_end(key)
            return entry
    entry = _compile(model.schema)
    with _lock:
        _compiled[key] = entry
        while len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    return entry


def is_compiled(model: ModelInfo) -> bool:
    """Whether `model`'s checker is built already (the first check will not build it)."""
    with _lock:
        entry = _compiled.get(id(model.schema))
    return entry is not None and entry.schema is model.schema


def _compile(schema: Mapping[str, Any]) -> _Compiled:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import SchemaError

    repaired, notes = repair_schema(schema)
    repaired.pop("$schema", None)
    for _attempt in range(25):
        try:
            Draft7Validator.check_schema(repaired)
        except SchemaError as exc:
            if not _drop_keyword(repaired, list(exc.path)):
                notes.append(f"unreadable schema left for the server: {exc.message}")
                return _Compiled(schema, repaired, None, tuple(notes))
            notes.append(f"broken keyword {path_text(exc.path)} removed")
            continue
        except RecursionError:
            break
        return _Compiled(schema, repaired, Draft7Validator(repaired), tuple(notes))
    notes.append("unreadable schema left for the server")
    return _Compiled(schema, repaired, None, tuple(notes))


def _drop_keyword(schema: dict[str, Any], path: list[Any]) -> bool:
    """Remove the keyword a SchemaError points at (the last name on its path)."""
    if not path:
        return False
    parent: Any = schema
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        parent.pop(last)
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        parent.pop(last)
        return True
    return False


# --- validating ----------------------------------------------------------------------------


def validate(model: ModelInfo, params: Mapping[str, Any]) -> list[FieldError]:
    """Every problem with `params` for `model` (empty: fine to send). Never raises."""
    errors: list[FieldError] = []
    disabled = disabled_names(model)
    specs = {p.name: p for p in model.params if p.name not in disabled}
    faulted: set[str] = set()
    for name, spec in specs.items():
        if name not in params:
            if spec.required:
                errors.append(FieldError((name,), f"{name} is required"))
                faulted.add(name)
            continue
        problem = _check_field(spec, params[name], _prop(model, name))
        if problem:
            errors.append(FieldError((name,), problem))
            faulted.add(name)
    for name in params:
        if str(name) not in specs and str(name) not in disabled:
            errors.append(
                FieldError((str(name),), f"unknown parameter {name!r} for {model.model_id}")
            )
            faulted.add(str(name))
    instance = {
        k: v for k, v in params.items()
        if isinstance(k, str) and k in specs and (v is not None or specs[k].nullable)
    }  # fmt: skip
    seen = {(e.path, e.message) for e in errors}
    for error in _schema_errors(model, instance):
        if error.field in faulted or (error.path, error.message) in seen:
            continue
        seen.add((error.path, error.message))
        errors.append(error)
    return errors


def _prop(model: ModelInfo, name: str) -> Mapping[str, Any]:
    properties = model.schema.get("properties")
    prop = properties.get(name) if isinstance(properties, Mapping) else None
    return prop if isinstance(prop, Mapping) else {}


def _check_field(spec: ParamSpec, value: Any, prop: Mapping[str, Any]) -> str | None:
    """`spec.check`, with the real list's quirks softened (never raises)."""
    from get3w_desktop.core.catalogue import ParamKind

    if isinstance(value, float) and not math.isfinite(value) and not spec.enum:
        return f"{spec.name} must be a finite number"
    relaxed = spec
    items = prop.get("items")
    if spec.json_type == "array" and not (
        isinstance(items, Mapping) and items.get("type") == "string"
    ):
        # lists of objects (LoRAs, speakers): the schema pass checks each item and its fields
        relaxed = dataclasses.replace(relaxed, kind=ParamKind.OBJECT)
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and low > high:  # an impossible range: ignore it
        relaxed = dataclasses.replace(relaxed, minimum=None, maximum=None)
    if spec.kind is ParamKind.SIZE and spec.size_min is None and low is not None:
        # real schemas put a size's per-side bounds in minimum/maximum
        size_max = int(high) if high is not None and high >= low else None
        relaxed = dataclasses.replace(relaxed, size_min=int(low), size_max=size_max)
    try:
        return relaxed.check(value)
    except Exception:  # a spec we cannot apply must never block a run
        return None


def _schema_errors(model: ModelInfo, instance: Mapping[str, Any]) -> list[FieldError]:
    """The library's findings; anything it cannot do is left for the server."""
    try:
        entry = compiled(model)
        if entry.validator is None:
            return []
        found: list[FieldError] = []
        for error in entry.validator.iter_errors(dict(instance)):
            found.extend(_describe(error, entry.repaired, instance))
        return found
    except Exception:  # e.g. an unresolvable reference: never block a run
        return []


def _describe(
    error: ValidationError, schema: Mapping[str, Any], instance: Mapping[str, Any]
) -> list[FieldError]:
    """The error as sentences under the fields they concern."""
    path = tuple(p for p in error.absolute_path if isinstance(p, str | int))
    where = path_text(path) or "the request"
    value = error.instance
    keyword = str(error.validator)
    wanted: Any = error.validator_value
    condition = _condition(schema, list(error.absolute_schema_path))
    suffix = f" {condition}" if condition else ""
    if keyword == "required":
        present = value if isinstance(value, Mapping) else {}
        missing = [n for n in wanted if isinstance(n, str) and n not in present]
        return [FieldError((*path, n), f"{path_text((*path, n))} is required{suffix}")
                for n in missing]  # fmt: skip
    if keyword == "not":
        names = _names_in(wanted)
        if names:
            listed = " and ".join(names)
            return [FieldError((*path, n), f"{listed} cannot be used together") for n in names
                    if isinstance(instance, Mapping) and n in instance] or [
                FieldError(path, f"{listed} cannot be used together")]  # fmt: skip
        return [FieldError(path, f"{where} is not allowed here{suffix}")]
    message = _sentence(keyword, wanted, value, where)
    if message is None:
        message = f"{where}: {error.message}"
    return [FieldError(path, message + suffix)]


def _sentence(keyword: str, wanted: Any, value: Any, where: str) -> str | None:
    shown = repr(value) if not isinstance(value, dict | list) else "that"
    if keyword == "type":
        kinds = wanted if isinstance(wanted, list) else [wanted]
        names = {"string": "text", "integer": "a whole number", "number": "a number",
                 "boolean": "true or false", "array": "a list", "object": "an object",
                 "null": "empty"}  # fmt: skip
        return f"{where} must be {' or '.join(names.get(str(k), str(k)) for k in kinds)}"
    if keyword == "enum" and isinstance(wanted, list):
        options = ", ".join(str(o) for o in wanted[:12]) + (", …" if len(wanted) > 12 else "")
        return f"{where} must be one of {options} (got {shown})"
    if keyword == "const":
        return f"{where} must be {wanted!r}"
    bounds = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
              "exclusiveMaximum": "less than"}  # fmt: skip
    if keyword in bounds:
        return f"{where} must be {bounds[keyword]} {_fmt(wanted)} (got {shown})"
    if keyword == "multipleOf":
        return f"{where} must be a multiple of {_fmt(wanted)}"
    count = len(value) if isinstance(value, list | str | dict) else 0
    if keyword == "minItems":
        return f"{where} needs at least {wanted} item(s) (got {count})"
    if keyword == "maxItems":
        return f"{where} takes at most {wanted} item(s) (got {count})"
    if keyword == "minLength":
        if wanted == 1:
            return f"{where} is required"
        return f"{where} is too short (at least {wanted} characters)"
    if keyword == "maxLength":
        return f"{where} is too long ({count} characters; at most {wanted})"
    if keyword == "uniqueItems":
        return f"{where} must not repeat an item"
    if keyword == "pattern":
        return f"{where} does not have the expected form"
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        return f"{where} has a field it does not take"
    if keyword in ("anyOf", "oneOf"):
        return f"{where} does not match any allowed form"
    return None


def _fmt(number: Any) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _names_in(schema: Any) -> list[str]:
    if isinstance(schema, Mapping) and isinstance(schema.get("required"), list):
        return [n for n in schema["required"] if isinstance(n, str)]
    return []


def _condition(schema: Mapping[str, Any], schema_path: list[Any]) -> str:
    """ "when resolution is 1080p" for an error found under an `if`'s `then` (or `else`)."""
    node: Any = schema
    rule: Any = None
    branch = ""
    for part in schema_path:
        if part in ("then", "else") and isinstance(node, Mapping) and "if" in node:
            rule, branch = node["if"], str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if not isinstance(rule, Mapping):
        return ""
    described = _describe_rule(rule)
    if not described:
        return "under the model's rules"
    return f"when {described}" if branch == "then" else f"unless {described}"


def _describe_rule(rule: Mapping[str, Any]) -> str:
    parts: list[str] = []
    properties = rule.get("properties")
    if isinstance(properties, Mapping):
        for name, prop in properties.items():
            if not isinstance(prop, Mapping):
                continue
            if "const" in prop:
                parts.append(f"{name} is {prop['const']}")
            elif isinstance(prop.get("enum"), list):
                parts.append(f"{name} is {' or '.join(str(o) for o in prop['enum'])}")
            elif prop.get("minLength") == 1 or prop.get("type"):
                parts.append(f"{name} is set")
    if not parts:
        parts = [f"{n} is set" for n in _names_in(rule)]
    return " and ".join(parts)


def warm_up() -> None:
    """Import the library now (about 0.1-0.2 s), e.g. on a pool thread after the window
    shows, so the first check before a run does not pay for it on the GUI thread."""
    import jsonschema  # noqa: F401


@functools.cache
def library_version() -> str:
    """The JSON Schema library in use (for diagnostics)."""
    from importlib.metadata import version

    return f"jsonschema {version('jsonschema')}"
