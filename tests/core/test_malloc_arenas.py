"""The app limits glibc's malloc arenas before its threads start (core/malloc_arenas.py).

Each check runs in a fresh interpreter: the limit is process-wide and a thread keeps the
arena it first got, so this test process (with its own threads) cannot be the subject.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from get3w_desktop.core import malloc_arenas

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc arenas are glibc's",
)

# Eight threads each allocate (bytearrays of 100 kB come from malloc, not Python's own
# allocator), all alive at once; then glibc's malloc_info says how many heaps exist.
PROBE = """
import json, re, sys, threading
from get3w_desktop.core.malloc_arenas import limit_arenas, malloc_info
took = limit_arenas() if sys.argv[1] == "limit" else None
go, hold = threading.Barrier(9), []
def work():
    hold.append([bytearray(100_000) for _ in range(20)])
    go.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
go.wait()
heaps = len(re.findall(r'<heap nr="', malloc_info()))
for t in threads:
    t.join()
print(json.dumps({"took": took, "heaps": heaps}))
"""


def run_probe(mode: str, **env: str) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                          env=environment, timeout=60, check=True)  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_threads_share_two_arenas_once_limited() -> None:
    unlimited = run_probe("none")
    assert isinstance(unlimited["heaps"], int) and unlimited["heaps"] > malloc_arenas.ARENAS
    limited = run_probe("limit")
    assert limited["took"] is True
    assert limited["heaps"] == malloc_arenas.ARENAS


def test_a_persons_own_setting_is_kept() -> None:
    kept = run_probe("limit", MALLOC_ARENA_MAX="4")
    assert kept["took"] is False
    assert kept["heaps"] == 4


def test_the_app_limits_the_arenas_before_anything_else() -> None:
    from get3w_desktop import app

    calls: list[str] = []

    class StopError(Exception):
        pass

    def limit_arenas() -> bool:
        calls.append("limit_arenas")
        return True

    def parse_args(_argv: object) -> object:
        calls.append("parse_args")
        raise StopError

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "limit_arenas", limit_arenas)
        patch.setattr(app, "parse_args", parse_args)
        with pytest.raises(StopError):
            app.main([])
    assert calls == ["limit_arenas", "parse_args"]
