"""GET /api/v3/models: the answer is encoded once, a model at a time, and it is exactly the
JSON a whole-list `json.dumps` writes (issue 16: in the app's own sandbox, one dumps of the
~1 MB list held the interpreter lock the window needs for ~13-25 ms)."""

from __future__ import annotations

import json

import pytest
import requests

from get3w_desktop.core import pacing
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.sandbox import server as sandbox_server


def test_the_model_list_is_encoded_once_a_model_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    class CountingPacer(pacing.Pacer):
        def __call__(self) -> None:
            calls.append(1)
            super().__call__()

    monkeypatch.setattr(sandbox_server, "Pacer", CountingPacer)
    with SandboxServer(SandboxConfig()) as sandbox:
        url = f"{sandbox.base_url}/api/v3/models"
        headers = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}
        first = requests.get(url, headers=headers, timeout=30)
        second = requests.get(url, headers=headers, timeout=30)
        models = sandbox.catalogue_json()
    assert first.status_code == second.status_code == 200
    whole = {"code": 200, "message": "success", "data": models}
    assert first.content == second.content == json.dumps(whole).encode()
    assert len(models) > 700 and len(calls) == len(models)  # paced per model, encoded once
