"""The one table of media: which file suffixes are images, videos or audio, what each kind
may weigh when uploaded, and how large a file may travel inline.

Every layer asks here: the form's file pickers, the thumbnail loader, the remix reader,
the upload and the inline data URI. (Outputs are named by their magic bytes, not by this
table: api/download.py.)
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

#: Suffixes (lower case, with the dot) per kind, most common first.
MEDIA_SUFFIXES: dict[str, tuple[str, ...]] = {
    "image": (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif"),
    "video": (".mp4", ".mov", ".webm", ".mkv", ".m4v", ".avi"),
    "audio": (".mp3", ".wav", ".m4a", ".aac", ".ogg", ".flac", ".opus"),
}
#: Bytes Get3W accepts per upload, by kind (API.md section 5).
UPLOAD_LIMITS: dict[str, int] = {"image": 20 * 1024**2, "video": 100 * 1024**2,
                                 "audio": 50 * 1024**2}  # fmt: skip
#: Largest file sent inline as a data URI (it travels inside the JSON body).
MAX_INLINE_BYTES = 10 * 1024**2

_KIND_OF_SUFFIX = {suffix: kind for kind, suffixes in MEDIA_SUFFIXES.items()
                   for suffix in suffixes}  # fmt: skip


def media_kind_of(path: str | PurePath) -> str | None:
    """ "image", "video" or "audio" by the file's suffix; None for anything else."""
    return _KIND_OF_SUFFIX.get(PurePath(path).suffix.lower())


def media_type(path: str | PurePath) -> str:
    """The file's MIME type by its name (application/octet-stream when unknown)."""
    return mimetypes.guess_type(PurePath(path).name)[0] or "application/octet-stream"


def upload_limit(path: str | PurePath) -> int | None:
    """The upload ceiling in bytes for this file's kind (None: no published limit)."""
    return UPLOAD_LIMITS.get(media_type(path).split("/")[0])
