"""Reading what `get3w` printed."""

from __future__ import annotations

import json
from typing import Any


def last_json(out: str) -> dict[str, Any]:
    """The JSON line a command prints last on stdout (its result)."""
    data = json.loads(out.strip().splitlines()[-1])
    assert isinstance(data, dict)
    return data
