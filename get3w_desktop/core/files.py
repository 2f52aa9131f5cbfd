"""Writing files so that a crash, a full disk or a kill never leaves half of one.

Every file the app writes for keeps (settings, form memory, saved outputs, sidecars,
diagnostics) goes through `write_atomically`: a temporary file in the same folder,
flushed and fsynced, then renamed over the target, then the folder fsynced so the rename
itself survives a power cut. On any failure the temporary file is removed and the old
file (if any) is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(target: str | os.PathLike[str], data: bytes) -> Path:
    """Replace `target` with `data` all at once. Raises OSError, leaving nothing behind."""
    target = Path(target)
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
    fsync_dir(target.parent)
    return target


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename in `folder` durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
