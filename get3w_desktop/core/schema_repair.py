"""Repairing a real model schema so a JSON Schema library can read it (core/validation.py).

The live data has quirks (SOURCES.md beside models.json): `$ref: LoraWeight` that is never
defined, `nullable`, a `minimum` above the `maximum`, enums that contradict their `type`,
keywords with values of the wrong kind. `repair_schema` returns a fixed copy and one
sentence per change; it never raises on any JSON value.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any, TypeGuard

#: A LoRA as the real list's `recommend` and `default` values show it (the `LoraWeight`
#: component the schemas name is never defined).
LORA_WEIGHT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "minLength": 1, "title": "Path"},
        "scale": {"type": "number", "title": "Scale"},
    },
    "required": ["path"],
}
_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
_INT_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties",
                 "maxProperties")  # fmt: skip
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def repair_schema(schema: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of `schema` the library can read, and what was changed (one sentence each).

    Disabled fields are removed (they are never sent). Never raises on any JSON value.
    """
    notes: list[str] = []
    root = copy.deepcopy(dict(schema)) if isinstance(schema, Mapping) else {}
    properties = root.get("properties")
    if isinstance(properties, Mapping):
        disabled = {
            k for k, v in properties.items() if isinstance(v, Mapping) and v.get("disabled") is True
        }
        root["properties"] = {k: v for k, v in properties.items() if k not in disabled}
        required = root.get("required")
        if isinstance(required, list):
            root["required"] = [r for r in required if isinstance(r, str) and r not in disabled]
    _repair(root, root, (), notes, depth=0)
    known = root.get("properties")
    if isinstance(root.get("required"), list) and isinstance(known, dict):
        # a required name with no field could never be filled in: the server may say more
        root["required"] = [r for r in root["required"] if r in known]
    return root, notes


def _repair(
    node: Any, root: Mapping[str, Any], where: tuple[str, ...], notes: list[str], depth: int
) -> Any:
    """Repair one subschema in place (and return it, or a replacement)."""
    if depth > 40 or not isinstance(node, dict):
        return {} if not isinstance(node, bool) else node
    ref = node.get("$ref")
    if ref is not None and not _resolvable(root, ref):
        name = str(ref).rsplit("/", 1)[-1]
        node.pop("$ref")
        if name == "LoraWeight":
            node.update(copy.deepcopy(LORA_WEIGHT))
            notes.append(f"{'.'.join(where) or 'schema'}: LoraWeight read as {{path, scale}}")
        else:
            notes.append(f"{'.'.join(where) or 'schema'}: undefined {ref} left for the server")
    _repair_type(node, where, notes)
    _repair_bounds(node, where, notes)
    for key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
        children = node.get(key)
        if key in node and not isinstance(children, dict):
            node.pop(key)
        elif isinstance(children, dict):
            for name in list(children):
                children[name] = _repair(children[name], root, (*where, str(name)), notes,
                                         depth + 1)  # fmt: skip
    for key in (
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "additionalItems",
        "unevaluatedItems",
        "unevaluatedProperties",
    ):
        if key in node:
            node[key] = _repair(node[key], root, (*where, key), notes, depth + 1)
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        if key in node:
            parts = node[key]
            if not isinstance(parts, list) or not parts:
                node.pop(key)
                continue
            node[key] = [_repair(p, root, (*where, key), notes, depth + 1) for p in parts]
    required = node.get("required")
    if "required" in node and not isinstance(required, list):
        node.pop("required")
    elif isinstance(required, list):
        node["required"] = list(dict.fromkeys(r for r in required if isinstance(r, str)))
    return node


def _resolvable(root: Mapping[str, Any], ref: Any) -> bool:
    if not isinstance(ref, str) or not ref.startswith("#"):
        return False
    target: Any = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        if not part:
            continue
        if not isinstance(target, Mapping) or part not in target:
            return False
        target = target[part]
    return isinstance(target, Mapping | bool)


def _repair_type(node: dict[str, Any], where: tuple[str, ...], notes: list[str]) -> None:
    raw = node.get("type")
    if raw is not None:
        kinds = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        kinds = [k for k in kinds if isinstance(k, str) and k in _TYPES]
        if not kinds:
            node.pop("type")
            notes.append(f"{'.'.join(where)}: unknown type {raw!r} ignored")
        else:
            node["type"] = kinds[0] if len(kinds) == 1 else kinds
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    options = node.get("enum")
    if "enum" in node and (not isinstance(options, list) or not options):
        node.pop("enum")
        return
    if isinstance(options, list) and "type" in node:
        allowed = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if not all(_has_type(o, allowed) for o in options):
            node.pop("type")  # the options are the truth: an enum mixing 1 and 0.5 types "integer"
            notes.append(f"{'.'.join(where)}: the choices decide, not the type")


def _has_type(value: Any, kinds: list[str]) -> bool:
    for kind in kinds:
        if kind == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
            if float(value).is_integer():
                return True
        elif kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        elif (kind, type(value)) in (
            ("string", str),
            ("boolean", bool),
            ("array", list),
            ("object", dict),
        ) or (kind == "null" and value is None):
            return True  # fmt: skip
    return False


def _repair_bounds(node: dict[str, Any], where: tuple[str, ...], notes: list[str]) -> None:
    for key in _INT_KEYWORDS:
        value = node.get(key)
        if key in node and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            node.pop(key)
    for key in _NUMBER_KEYWORDS:
        value = node.get(key)
        if key in node and not (_finite(value) and (key != "multipleOf" or value > 0)):
            node.pop(key)
    low, high = node.get("minimum"), node.get("maximum")
    if _finite(low) and _finite(high) and low > high:
        node.pop("minimum")
        node.pop("maximum")
        notes.append(f"{'.'.join(where)}: minimum {low} above maximum {high}: range ignored")
    if "minItems" in node and "maxItems" in node and node["minItems"] > node["maxItems"]:
        node.pop("maxItems")


def _finite(value: Any) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
