"""File-system conditions tests need, made real even when the suite runs as root."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody may write into, root included (root ignores mode bits, so as root
    the folder is made immutable with chattr, which binds root too)."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: no way to make a folder read-only")
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o700)
