"""Builds a model's JSON Schema checker off the GUI thread as soon as the model is chosen.

The first check of a model's values compiles its repaired schema (tens of milliseconds,
up to ~0.1 s for the largest): done on the GUI thread, that is a visible stall on the
first Generate (`bench.responsiveness` caught it). Compiled here first, the form's checks
find it ready; `core.validation.compiled` is safe to call from both threads.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from get3w_desktop.core import validation
from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.workers import first_frame
from get3w_desktop.workers.base import PoolOwner


class SchemaWarmer(PoolOwner):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(1, parent)

    def warm(self, model: ModelInfo) -> None:
        """Compile `model`'s checker now, in the background (a crash is only logged: the
        form compiles it itself when it first checks)."""
        # Not before the window's first frame: importing jsonschema holds the GIL ~0.15 s.
        first_frame.after_first_frame(lambda: self.run_work(lambda: _compile(model)))


def _compile(model: ModelInfo) -> None:
    validation.compiled(model)
