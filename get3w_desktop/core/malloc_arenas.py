"""Fewer C heaps (glibc malloc arenas) for the app's many short-lived threads.

glibc gives each thread that allocates its own arena, up to 8 per core, and memory freed in
an arena stays with it. The app's threads come and go: the thumbnail pool (2), the history
loader, the network pool, QtMultimedia's FFmpeg threads for video posters. Each of them
kept a few MB freed but resident. In bench.scale (100,000 tasks, scrolling 1,500 pages on 2
cores) the process held 16 arenas and peaked (VmHWM) at 392-403 MB; with 2 arenas, 370-375
MB, and 320-327 MB instead of 329-332 MB after loading. The process's CPU time while
scrolling stayed the same (41-50 s either way), with about a third fewer page faults.

Two arenas: the GUI thread allocates in the main one, other threads mostly share the
second. On other C libraries this does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: glibc's `M_ARENA_MAX` option for mallopt().
M_ARENA_MAX = -8
#: The arenas the app keeps: the GUI thread's and one for the rest.
ARENAS = 2


def limit_arenas(count: int = ARENAS) -> bool:
    """Let glibc's malloc use at most `count` arenas; True if it took the setting.

    Call it first thing, before threads start: a thread keeps the arena it first got.
    Where $MALLOC_ARENA_MAX is set, the person's setting stays.
    """
    if not sys.platform.startswith("linux") or count < 1:
        return False
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        # The process's own symbols (dlopen(NULL)), which hold the C library's: quicker
        # than ctypes.util.find_library, which runs ldconfig (~30 ms before the first frame).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))


def malloc_info() -> str:
    """glibc's malloc_info(0) report (XML: one <heap> per arena, with its sizes and free
    chunks), for diagnostics: bench.scale's --memory-trace and the tests. Linux/glibc only."""
    import tempfile  # here: the app imports this module before its first frame
    from pathlib import Path

    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        stream = libc.fopen(out.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        return Path(out.name).read_text(encoding="utf-8")
