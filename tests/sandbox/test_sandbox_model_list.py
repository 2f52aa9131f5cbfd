"""GET /api/v3/models is made once and holds the interpreter lock as little as it can
(issue 16: in the app's own sandbox, parsing and re-encoding the ~1 MB list held the lock
the window needs ~20-40 ms while it painted its first rows)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from get3w_desktop.core import pacing
from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.resources import resource_path
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from get3w_desktop.sandbox import server as sandbox_server

HEADERS = {"Authorization": f"Bearer {SANDBOX_API_KEY}"}


def fetch_twice(sandbox: SandboxServer) -> bytes:
    url = f"{sandbox.base_url}/api/v3/models"
    first = requests.get(url, headers=HEADERS, timeout=30)
    second = requests.get(url, headers=HEADERS, timeout=30)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    return first.content


def test_the_bundled_list_is_served_as_the_files_own_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No parse and no encode: the bundled file's "models" text, whole and unchanged."""
    encoded: list[Any] = []
    dumps = json.dumps

    def counting(value: Any, **options: Any) -> str:
        encoded.append(value)
        return dumps(value, **options)

    monkeypatch.setattr(json, "dumps", counting)  # the sandbox module's json too
    with SandboxServer(SandboxConfig()) as sandbox:
        answer = fetch_twice(sandbox)
        models = sandbox.catalogue_json()
    assert json.loads(answer) == {"code": 200, "message": "success", "data": models}
    assert len(models) > 700
    text = sandbox_server._models_text(resource_path("catalogue.json").read_bytes())
    assert text is not None and text in answer
    assert encoded == [{"code": 200, "message": "success", "data": None}]  # the head only


def test_a_given_list_is_encoded_once_a_model_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    class CountingPacer(pacing.Pacer):
        def __call__(self) -> None:
            calls.append(1)
            super().__call__()

    monkeypatch.setattr(sandbox_server, "Pacer", CountingPacer)
    given = load_bundled()
    with SandboxServer(SandboxConfig(), catalogue=given) as sandbox:
        answer = fetch_twice(sandbox)
        models = sandbox.catalogue_json()
    whole = {"code": 200, "message": "success", "data": models}
    assert answer == json.dumps(whole).encode()
    assert len(calls) == len(models) == len(given)  # paced per model, encoded once


@pytest.mark.parametrize(
    "document",
    [b'{"models":[1],"x":2}', b'{"version":1}', b'{"models":{"a":1}}', b'{"models" 1}'],
)
def test_a_file_laid_out_otherwise_is_parsed_instead(document: bytes) -> None:
    assert sandbox_server._models_text(document) is None


def test_the_models_text_is_found_whatever_the_spacing() -> None:
    document = b'{"version": 1, "note": "a \\"models\\": note",\n "models" : [ {"a": 1} ]\n}\n'
    assert sandbox_server._models_text(document) == b'[ {"a": 1} ]'
