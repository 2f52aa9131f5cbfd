"""Layering rules import-linter cannot express: which Qt modules each layer may use."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "get3w_desktop"
QT_FREE = ("core", "api", "storage", "sandbox", "cli")
WIDGET_FREE = ("workers", "itemmodels")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def files_of(*layers: str) -> list[Path]:
    found = [p for layer in layers for p in (PACKAGE / layer).rglob("*.py")]
    assert found, f"no files found for {layers}"
    return found


def test_qtwidgets_only_in_ui_and_the_composition_root() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in files_of(*WIDGET_FREE, *QT_FREE)
        if any(m.startswith("PySide6.QtWidgets") for m in imported_modules(path))
    ]
    assert offenders == []


def test_the_core_layers_import_no_qt_at_all() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in files_of(*QT_FREE)
        if any(m.split(".")[0] in ("PySide6", "shiboken6") for m in imported_modules(path))
    ]
    assert offenders == []


def test_the_check_itself_sees_qt_imports() -> None:
    ui_imports = set().union(*(imported_modules(p) for p in files_of("ui")))
    assert any(m.startswith("PySide6.QtWidgets") for m in ui_imports)
