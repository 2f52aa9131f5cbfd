"""One PyInstaller build per session, shared by every test that needs the real bundle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[2] / "packaging" / "get3w-desktop.spec"


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The onedir bundle, built into a temporary folder (never the repository's dist/)."""
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the `build` extra")
    work = tmp_path_factory.mktemp("pyinstaller")
    built = subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC),
        ],
        cwd=work, capture_output=True, text=True, timeout=840, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-4000:]
    yield work / "dist" / "get3w-desktop"
    shutil.rmtree(work, ignore_errors=True)
