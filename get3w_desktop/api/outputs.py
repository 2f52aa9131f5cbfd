"""Where outputs go: the folder checked before anything is paid for, names, leftovers, texts."""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from get3w_desktop.api.download import disk_error
from get3w_desktop.core.errors import DestinationError
from get3w_desktop.core.files import write_atomically

#: Less free space than this and a folder counts as full (one small image, about).
MIN_FREE_BYTES = 1024 * 1024
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def output_stem(task_id: str, index: int) -> str:
    """`{task}_{index}`; a task id that is not a plain token is replaced by its hash."""
    safe = task_id if _SAFE_ID.fullmatch(task_id) else hashlib.sha256(task_id.encode()).hexdigest()
    return f"{safe[:80]}_{index}"


def check_destination(folder: Path, min_free: int = MIN_FREE_BYTES) -> None:
    """Raise DestinationError unless `folder` (created if missing) can take new files.

    Called before a submit: an output folder that is a file, read-only or full is found
    before the task is paid for, not after.
    """
    if folder.exists() and not folder.is_dir():
        raise DestinationError(f"{folder} is a file, not a folder. Choose a folder for outputs.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".get3w-probe.", dir=folder)
        try:
            os.write(fd, b"\0")
            os.fsync(fd)
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(probe)
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise DestinationError(disk_error(exc, folder).message, detail=str(exc)) from None
    if free < min_free:
        full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise DestinationError(disk_error(full, folder).message, detail=f"{free} bytes free")


def remove_stale_parts(folder: Path, stem: str) -> int:
    """Delete `.part` files an interrupted download of `stem` left (a killed process).

    The downloader names them `.{stem}.<random>.part`; only this stem's are touched.
    """
    removed = 0
    for name in glob.glob(os.path.join(glob.escape(str(folder)), f".{glob.escape(stem)}.*.part")):
        with contextlib.suppress(OSError):
            os.unlink(name)
            removed += 1
    return removed


def write_text_output(folder: Path, stem: str, text: str) -> Path:
    """Save one text output as `{stem}.txt` (UTF-8, atomically)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A lone surrogate (a cut emoji) becomes U+FFFD: the file stays valid UTF-8; the
        # history keeps the text exactly as the server sent it.
        return write_atomically(folder / f"{stem}.txt", text.encode("utf-8", "replace"))
    except OSError as exc:
        raise disk_error(exc, folder) from None
