"""The `get3w` command's tests: the environment that points it at the test's sandbox."""

from __future__ import annotations

import pytest

from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer


@pytest.fixture
def env(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """`get3w` talks to this test's sandbox with its key (as a script would set them)."""
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("GET3W_API_KEY", SANDBOX_API_KEY)
    return sandbox
