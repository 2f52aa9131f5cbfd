"""Writing files so that a crash, a full disk or a kill never leaves half of one.

Every file the app writes for keeps (settings, form memory, saved outputs, sidecars,
diagnostics) goes through `write_atomically`: a temporary file in the same folder,
flushed and fsynced, then renamed over the target, then the folder fsynced so the rename
itself survives a power cut. On any failure the temporary file is removed and the old
file (if any) is untouched.

The app's own files (settings, form memory, diagnostics) stay readable by their owner only
(mkstemp's 0600). Files a person saves for themselves (outputs, sidecars) are `shared`:
they get the permissions any other program would give them, 0666 less the umask.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(target: str | os.PathLike[str], data: bytes, *, shared: bool = False) -> Path:
    """Replace `target` with `data` all at once. Raises OSError, leaving nothing behind.

    `shared`: the file follows the umask (a saved output) instead of staying private.
    """
    target = Path(target)
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as sink:
            if shared:
                follow_umask(sink.fileno())
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


def current_umask() -> int:
    """The process umask, read without changing it where the platform allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way is to set it and put it back (a brief, harmless window).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(fd: int) -> None:
    """Give an open file the mode a plain `open()` would have: 0666 less the umask."""
    if os.name != "posix":
        return
    os.fchmod(fd, 0o666 & ~current_umask())
