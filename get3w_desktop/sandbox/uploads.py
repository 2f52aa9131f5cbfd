"""`POST /api/v3/files/upload`: a multipart body's "file" field, its kind and size limit."""

from __future__ import annotations

import dataclasses
import email.message
import email.parser
import mimetypes
import re

# API.md section 5: images up to 20 MB, video 100 MB, audio 50 MB (the app's own table).
from get3w_desktop.core.media import UPLOAD_LIMITS

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF8", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"ftyp", 4, "video/mp4"),
    (b"WAVE", 8, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
)


@dataclasses.dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str
    filename: str


class UploadError(ValueError):
    """A sentence for the 400 answer."""


def parse_upload(content_type: str, body: bytes) -> Upload:
    """The "file" field of a multipart/form-data body, checked against the size limits."""
    header = email.message.Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise UploadError("Invalid parameters: expected multipart/form-data with a 'file' field")
    for headers, data in _parts(body, boundary.encode("latin-1")):
        if headers.get_param("name", header="content-disposition") != "file":
            continue
        filename = headers.get_filename() or "upload"
        kind_type = _media_type(headers.get_content_type(), filename, data)
        if not data:
            raise UploadError("Invalid parameters: the file is empty")
        limit = UPLOAD_LIMITS.get(kind_type.split("/")[0]) if kind_type else None
        if kind_type is None or limit is None:
            raise UploadError("Invalid parameters: only image, video and audio files are accepted")
        if len(data) > limit:
            kind = kind_type.split("/")[0]
            raise UploadError(
                f"Invalid parameters: {kind} files are limited to {limit // 1024**2} MB"
            )
        safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename.rsplit("/", 1)[-1])[-80:] or "upload"
        return Upload(data, kind_type, safe_name)
    raise UploadError("Invalid parameters: multipart field 'file' is required")


def _parts(body: bytes, boundary: bytes) -> list[tuple[email.message.Message, bytes]]:
    """Split a multipart body without copying it line by line (uploads can be 100 MB)."""
    delimiter = b"--" + boundary
    import email.policy  # here: its header registry is slow to import, the app starts us early

    parser = email.parser.BytesHeaderParser(policy=email.policy.HTTP)
    parts: list[tuple[email.message.Message, bytes]] = []
    chunks = body.split(delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        chunk = chunk.removeprefix(b"\r\n")
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        message = parser.parsebytes(head + b"\r\n\r\n")
        parts.append((message, data.removesuffix(b"\r\n")))
    return parts


def _media_type(declared: str, filename: str, data: bytes) -> str | None:
    """The declared type when it is a media type, else a guess from the name or content."""
    if declared.split("/")[0] in UPLOAD_LIMITS:
        return declared
    guessed = mimetypes.guess_type(filename)[0]
    if guessed and guessed.split("/")[0] in UPLOAD_LIMITS:
        return guessed
    for magic, offset, media_type in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return media_type
    return None
