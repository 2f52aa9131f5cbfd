"""The real model list (`../shared/catalogue/models.json`) that a few tests read.

It lives beside the clone, not in it (it is the project's read-only source of truth). CI
always has it; a clone elsewhere may not, and then those tests skip with the reason. In CI
(`CI` set) a missing file is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "catalogue" / "models.json"


def real_models_json() -> Any:
    """The parsed file; skips (outside CI) or fails (in CI) when it is not there."""
    if not REAL.is_file():
        reason = f"the real model list is not beside this clone ({REAL})"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must have it")
        pytest.skip(reason)
    return json.loads(REAL.read_text("utf-8"))
