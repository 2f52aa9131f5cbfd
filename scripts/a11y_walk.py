#!/usr/bin/python3
"""Read a running Get3W Desktop as a screen reader does, through AT-SPI, and act on it.

Runs with Debian's python3 and `python3-pyatspi` (not the project's venv), on the same
D-Bus session as the app (started with QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1):

    /usr/bin/python3 scripts/a11y_walk.py '[{"dump": "start"},
        {"type": {"role": "text", "name": "Prompt", "text": "a fox"}},
        {"press": {"role": "push button", "name": "Generate"}},
        {"wait": {"role": "list item", "contains": "Done", "timeout": 60}},
        {"dump": "done"}, {"key": "Escape"}, {"sleep": 1}]'

Prints one JSON object: {"dumps": {label: [node, ...]}, "error": null or a sentence}. A
node is {"path", "role", "name", "description", "text", "value", "showing", "focusable",
"actions"}. Steps run in order; the first that fails stops the walk and says why.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import pyatspi  # type: ignore[import-not-found]

APP_NAME = "Get3W Desktop"
MAX_DEPTH = 60
#: The keys a walk may press ("key" steps), by X keysym.
KEYSYMS = {"Escape": 0xFF1B, "Return": 0xFF0D, "Tab": 0xFF09, "Down": 0xFF54}


def find_app(timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and app.name == APP_NAME and app.childCount:
                return app
        if time.monotonic() > deadline:
            raise LookupError(f"no application named {APP_NAME!r} on the accessibility bus")
        time.sleep(0.25)


def describe(node: Any, path: list[int]) -> dict[str, Any] | None:
    try:
        states = node.getState()
        info: dict[str, Any] = {
            "path": path,
            "role": node.getRoleName(),
            "name": node.name or "",
            "description": node.description or "",
            "showing": states.contains(pyatspi.STATE_SHOWING),
            "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
            "text": "",
            "value": None,
            "actions": [],
        }
    except Exception:  # a widget that vanished while we looked
        return None
    try:
        text = node.queryText()
        info["text"] = text.getText(0, min(text.characterCount, 2000))
    except NotImplementedError:
        pass
    except Exception:
        pass
    try:
        info["value"] = node.queryValue().currentValue
    except NotImplementedError:
        pass
    except Exception:
        pass
    try:
        action = node.queryAction()
        info["actions"] = [action.getName(i) for i in range(action.nActions)]
    except NotImplementedError:
        pass
    except Exception:
        pass
    return info


def nodes(app: Any) -> Iterator[tuple[dict[str, Any], Any]]:
    """Every node under `app`, depth first, described as it is reached (a search can stop
    at the first match instead of reading the whole tree over D-Bus)."""

    def visit(node: Any, path: list[int]) -> Iterator[tuple[dict[str, Any], Any]]:
        info = describe(node, path)
        if info is None:
            return
        yield info, node
        if len(path) > MAX_DEPTH:
            return
        try:
            count = node.childCount
        except Exception:
            return
        for index in range(count):
            try:
                child = node.getChildAtIndex(index)
            except Exception:
                continue
            if child is not None:
                yield from visit(child, [*path, index])

    yield from visit(app, [])


def walk(app: Any) -> list[tuple[dict[str, Any], Any]]:
    return list(nodes(app))


def matches(info: dict[str, Any], spec: dict[str, Any]) -> bool:
    if not info["showing"]:
        return False
    if "role" in spec and info["role"] != spec["role"]:
        return False
    if "name" in spec and info["name"] != spec["name"]:
        return False
    haystack = f"{info['name']}\n{info['description']}\n{info['text']}"
    return "contains" not in spec or spec["contains"] in haystack


def find(app: Any, spec: dict[str, Any]) -> Any:
    for info, node in nodes(app):
        if matches(info, spec):
            return node
    raise LookupError(f"nothing showing matches {spec}")


def run(steps: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"dumps": {}, "error": None}
    try:
        app = find_app(timeout=30)
        for step in steps:
            if "dump" in step:
                out["dumps"][step["dump"]] = [info for info, _node in walk(app)]
            elif "type" in step:
                spec = step["type"]
                node = find(app, spec)
                editable = node.queryEditableText()
                editable.setTextContents(spec["text"])
            elif "press" in step:
                node = find(app, step["press"])
                action = node.queryAction()
                names = [action.getName(i) for i in range(action.nActions)]
                wanted = step["press"].get("action", "Press")
                index = names.index(wanted) if wanted in names else 0
                action.doAction(index)
            elif "key" in step:  # a key by its X keysym name ("Escape"), as if typed
                keysym = KEYSYMS[step["key"]]
                pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
                time.sleep(0.5)
            elif "sleep" in step:
                time.sleep(float(step["sleep"]))
            elif "wait" in step:
                spec = step["wait"]
                deadline = time.monotonic() + float(spec.get("timeout", 30))
                while not any(matches(info, spec) for info, _node in nodes(app)):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"waited {spec.get('timeout', 30)} s for {spec}")
                    time.sleep(0.5)
            else:
                raise ValueError(f"unknown step {step}")
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


if __name__ == "__main__":
    json.dump(run(json.loads(sys.argv[1])), sys.stdout)
    sys.stdout.write("\n")
