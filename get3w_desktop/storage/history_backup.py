"""Copies of a history file kept beside it: before anything changes a damaged or newer
file, and when the person starts over (see history.py)."""

from __future__ import annotations

import contextlib
import filecmp
import glob
import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger("get3w_desktop.storage.history")

#: Hold committed data that is not in the main file yet.
SIDECARS = ("-wal", "-journal")


def kept(backup: Path | None) -> str:
    if backup is None:
        return " A backup copy could not be made; the file was left untouched."
    return f" A copy was kept as {backup.name}."


def backup(path: Path, kind: str) -> Path | None:
    """Copy `path` (and its journal files) next to it, before anything changes it.

    When an earlier backup already holds exactly these bytes, that one is returned: every
    command run on a damaged file would otherwise add one more copy of it.
    """
    same = same_backup(path, kind)
    if same is not None:
        log.warning("history: %s file already kept as %s", kind, same)
        return same
    target = backup_name(path, kind)
    try:
        for suffix in SIDECARS:
            side = Path(f"{path}{suffix}")
            if side.exists():
                shutil.copy2(side, f"{target}{suffix}")
        shutil.copy2(path, target)
    except OSError as exc:
        log.error("history: could not back up %s: %s", path, exc)
        return None
    log.warning("history: %s file kept as %s", kind, target)
    return target


def same_backup(path: Path, kind: str) -> Path | None:
    """An existing backup of `path` of this kind with the same bytes (journals included)."""
    try:
        candidates = sorted(path.parent.glob(f"{glob.escape(path.name)}.{kind}-*.bak"))
        for candidate in candidates:
            if filecmp.cmp(path, candidate, shallow=False) and all(
                same_sidecar(Path(f"{path}{suffix}"), Path(f"{candidate}{suffix}"))
                for suffix in SIDECARS
            ):
                return candidate
    except OSError:
        return None
    return None


def same_sidecar(side: Path, copy: Path) -> bool:
    if not side.exists():
        return not copy.exists()
    return copy.exists() and filecmp.cmp(side, copy, shallow=False)


def backup_name(path: Path, kind: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{kind}-{stamp}.bak")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.{kind}-{stamp}-{number}.bak")
    return target


def move_aside(path: Path) -> Path | None:
    """Move the file at `path` (and its journals) to a "replaced" backup; its name, or
    None when there was no file. Raises OSError."""
    if not path.exists():
        return None
    target = backup_name(path, "replaced")
    for suffix in SIDECARS:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    os.replace(path, target)
    with contextlib.suppress(FileNotFoundError):
        Path(f"{path}-shm").unlink()
    return target
