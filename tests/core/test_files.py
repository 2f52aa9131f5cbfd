"""Atomic writes: private by default, following the umask for files a person keeps."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from get3w_desktop.core.export import save_output
from get3w_desktop.core.files import current_umask, write_atomically
from get3w_desktop.core.job import Job
from get3w_desktop.core.remix import write_sidecar
from get3w_desktop.core.task import Task

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def umask() -> Iterator[None]:
    """Put the umask back after a test changes it."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_saved_outputs_and_sidecars_follow_the_umask(
    tmp_path: Path, mask: int, expected: int
) -> None:
    os.umask(mask)
    assert current_umask() == mask
    source = tmp_path / "cache.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n not a real png")
    os.chmod(source, 0o600)  # the app's own cache copy is private
    saved = save_output(source, tmp_path / "fox.png")
    job = Job(model_id="m/x", params={"prompt": "fox"}, task=Task(id="t1", status="completed"))
    sidecar = write_sidecar(job, saved)
    assert _mode(saved) == expected
    assert _mode(sidecar) == expected


@pytest.mark.usefixtures("umask")
def test_the_apps_own_files_stay_private_whatever_the_umask(tmp_path: Path) -> None:
    os.umask(0o000)
    target = write_atomically(tmp_path / "settings.json", b"{}")
    assert _mode(target) == 0o600
    shared = write_atomically(tmp_path / "out.txt", b"x", shared=True)
    assert _mode(shared) == 0o666
