"""Fixtures shared by the sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from get3w_desktop.sandbox import SandboxConfig, SandboxServer
from tests.sandbox.support import AUTH, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(AUTH)
        yield session


@pytest.fixture
def manual(clock: ManualClock) -> Iterator[SandboxServer]:
    """Tasks take exactly 10 s on the manual clock."""
    with SandboxServer(
        SandboxConfig(clock=clock, duration_fn=lambda _m, _p: 10.0, render_scale=0.1)
    ) as server:
        yield server
