"""Is a downloaded file whole? Its kind from its bytes, and a check of its format.

A body that ends early looks complete when the server sent no Content-Length, and a
server can send the right signature followed by garbage. So a file counts as finished
only when its length or its format says it is whole:

- images are decoded in full by Pillow (on the download's thread, never the GUI's);
- containers are walked to their end: MP4/MOV boxes, Matroska/WebM elements, RIFF
  (WAV), Ogg pages, FLAC metadata, the glTF binary header and chunks, ZIP's central
  directory (with every member's CRC), gzip's trailer, the safetensors header;
- anything else is whole only when its length was announced (or chunked) and matched.

The kind of a file comes from these bytes (and the model's expected kind), never from
the server's file name or Content-Type.
"""

from __future__ import annotations

import gzip
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

#: Pictures larger than this many pixels are refused rather than decoded (a 16k x 16k
#: output is already far above any model's size).
MAX_PIXELS = 16384 * 16384

# (magic, offset, extension, media type)
_MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png", "image/png"),
    (b"\xff\xd8\xff", 0, ".jpg", "image/jpeg"),
    (b"GIF8", 0, ".gif", "image/gif"),
    (b"WEBP", 8, ".webp", "image/webp"),
    (b"WAVE", 8, ".wav", "audio/wav"),
    (b"ftyp", 4, ".mp4", "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, ".webm", "video/webm"),
    (b"OggS", 0, ".ogg", "audio/ogg"),
    (b"fLaC", 0, ".flac", "audio/flac"),
    (b"ID3", 0, ".mp3", "audio/mpeg"),
    (b"glTF", 0, ".glb", "model/gltf-binary"),
    (b"PK\x03\x04", 0, ".zip", "application/zip"),
    (b"PK\x05\x06", 0, ".zip", "application/zip"),
    (b"\x1f\x8b", 0, ".gz", "application/gzip"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, media type) from a file's first bytes, or None when unrecognised."""
    for magic, offset, ext, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if magic == b"ftyp" and head[8:12] in (b"M4A ", b"M4B "):
                return ".m4a", "audio/mp4"
            if magic == b"ftyp" and head[8:10] == b"qt":
                return ".mov", "video/quicktime"
            if magic == b"\x1a\x45\xdf\xa3" and b"matroska" in head[:64]:
                return ".mkv", "video/x-matroska"
            return ext, media_type
    if len(head) >= 10 and head[8:9] == b"{":
        size = struct.unpack("<Q", head[:8])[0]
        if 2 <= size <= 100 * 1024**2:
            return ".safetensors", "application/x-safetensors"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return ".mp3", "audio/mpeg"
    return None


def kind_matches(media_type: str, expected_kind: str | None) -> bool:
    """Whether a file of `media_type` is what a model of `expected_kind` produces.

    "image", "video" and "audio" match by media type; "3d" takes glTF binaries and
    archives; any other kind (or None) takes whatever the bytes are.
    """
    if expected_kind in ("image", "video", "audio"):
        return media_type.startswith(expected_kind + "/")
    if expected_kind == "3d":
        return media_type.startswith("model/") or media_type in ("application/zip",)
    return True


def incomplete_reason(path: Path, media_type: str, *, length_known: bool) -> str | None:
    """Why the file at `path` is not whole, or None when it is.

    `length_known`: the body's length was announced (Content-Length or chunked framing)
    and matched, so a format with nothing to check is trusted.
    """
    checker = _CHECKERS.get(media_type)
    if checker is None:
        return None if length_known else "its length was not announced and its format is unknown"
    try:
        with path.open("rb") as stream:
            return checker(path, stream, path.stat().st_size)
    except (OSError, ValueError, EOFError, struct.error, zlib.error, zipfile.BadZipFile) as exc:
        return f"it cannot be read ({type(exc).__name__})"


def _image(path: Path, _stream: BinaryIO, _size: int) -> str | None:
    from PIL import Image  # here: Pillow costs ~50 ms to import, not needed at start-up

    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it (and raises above): we decide.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"it is too large to open ({width} x {height} pixels)"
                image.load()  # decodes every pixel: a cut or corrupt image raises
                frames = int(getattr(image, "n_frames", 1))
                if frames > 1:  # an animation: its last frame must decode too
                    image.seek(frames - 1)
                    image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        reason = str(exc).replace(f"'{path}'", "").replace(str(path), "").strip()
        return f"the picture does not decode: {reason or type(exc).__name__}"[:200]
    return None


def _boxes(stream: BinaryIO, size: int) -> str | None:
    """ISO base media (MP4, MOV, M4A): top-level boxes must tile the file exactly."""
    offset, seen = 0, set()
    while offset < size:
        stream.seek(offset)
        header = stream.read(16)
        if len(header) < 8:
            return f"a box header is cut at byte {offset:,}"
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1:
            if len(header) < 16:
                return f"a box header is cut at byte {offset:,}"
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - offset  # "to the end of the file"
        if length < 8:
            return f"a box at byte {offset:,} has an impossible size"
        if offset + length > size:
            return (
                f"the {kind.decode('latin-1')!r} box needs {offset + length:,} bytes, got {size:,}"
            )
        seen.add(kind)
        offset += length
    if b"moov" not in seen:
        return "it has no 'moov' box (the index of a movie)"
    return None


def _mp4(_path: Path, stream: BinaryIO, size: int) -> str | None:
    return _boxes(stream, size)


def _vint(stream: BinaryIO, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-size integer: (value, its length in bytes); None at the end."""
    first = stream.read(1)
    if not first:
        return None
    byte = first[0]
    width = 1
    mask = 0x80
    while width <= 8 and not byte & mask:
        width += 1
        mask >>= 1
    if width > 8:
        raise ValueError("bad EBML integer")
    rest = stream.read(width - 1)
    if len(rest) < width - 1:
        raise EOFError("cut EBML integer")
    value = byte if keep_marker else byte & (mask - 1)
    for extra in rest:
        value = (value << 8) | extra
    return value, width


def _ebml(_path: Path, stream: BinaryIO, size: int) -> str | None:
    """Matroska / WebM: top-level elements (EBML header, Segment) must fit the file."""
    offset = 0
    while offset < size:
        stream.seek(offset)
        element = _vint(stream, keep_marker=True)
        length = _vint(stream, keep_marker=False)
        if element is None or length is None:
            return f"an element header is cut at byte {offset:,}"
        value, width = length
        start = offset + element[1] + width
        if value == (1 << (7 * width)) - 1:
            return None  # "unknown size" (a live stream): it runs to the end by definition
        if start + value > size:
            return f"an element needs {start + value:,} bytes, got {size:,}"
        offset = start + value
    return None


def _riff(_path: Path, stream: BinaryIO, size: int) -> str | None:
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF":
        return "the RIFF header is cut"
    declared = struct.unpack("<I", header[4:8])[0] + 8
    if declared > size:
        return f"the RIFF header announces {declared:,} bytes, got {size:,}"
    return None


def _ogg(_path: Path, stream: BinaryIO, size: int) -> str | None:
    offset = 0
    last_flags = 0
    while offset < size:
        stream.seek(offset)
        header = stream.read(27)
        if len(header) < 27 or header[:4] != b"OggS":
            return f"an Ogg page is cut or damaged at byte {offset:,}"
        last_flags = header[5]
        table = stream.read(header[26])
        if len(table) < header[26]:
            return f"an Ogg page is cut at byte {offset:,}"
        offset += 27 + len(table) + sum(table)
        if offset > size:
            return f"the last Ogg page needs {offset:,} bytes, got {size:,}"
    if not last_flags & 0x04:
        return "the Ogg stream has no end-of-stream page"
    return None


def _flac(_path: Path, stream: BinaryIO, size: int) -> str | None:
    offset = 4
    while True:
        stream.seek(offset)
        header = stream.read(4)
        if len(header) < 4:
            return "the FLAC metadata is cut"
        offset += 4 + int.from_bytes(header[1:4], "big")
        if offset > size:
            return "the FLAC metadata is cut"
        if header[0] & 0x80:
            return None if offset < size else "the FLAC file has no audio frames"


def _glb(_path: Path, stream: BinaryIO, size: int) -> str | None:
    header = stream.read(12)
    if len(header) < 12:
        return "the glTF header is cut"
    _magic, _version, declared = struct.unpack("<4sII", header)
    if declared != size:
        return f"the glTF header announces {declared:,} bytes, got {size:,}"
    offset = 12
    while offset < size:
        stream.seek(offset)
        chunk = stream.read(8)
        if len(chunk) < 8:
            return f"a glTF chunk header is cut at byte {offset:,}"
        offset += 8 + struct.unpack("<I", chunk[:4])[0]
    return None if offset == size else "the glTF chunks do not fill the file"


def _zip(path: Path, _stream: BinaryIO, _size: int) -> str | None:
    with zipfile.ZipFile(path) as archive:  # no central directory at the end: BadZipFile
        bad = archive.testzip()
    return f"the archive member {bad!r} is damaged" if bad is not None else None


def _gzip(path: Path, _stream: BinaryIO, _size: int) -> str | None:
    with gzip.open(path, "rb") as unpacked:  # a cut stream raises EOFError at its end
        while unpacked.read(1024 * 1024):
            pass
    return None


def _safetensors(_path: Path, stream: BinaryIO, size: int) -> str | None:
    header_size = struct.unpack("<Q", stream.read(8))[0]
    if 8 + header_size > size:
        return "the safetensors header is cut"
    header = json.loads(stream.read(header_size).decode("utf-8"))
    if not isinstance(header, dict):
        return "the safetensors header is not an object"
    end = 0
    for name, entry in header.items():
        if name == "__metadata__" or not isinstance(entry, dict):
            continue
        offsets = entry.get("data_offsets")
        if isinstance(offsets, list) and len(offsets) == 2 and isinstance(offsets[1], int):
            end = max(end, offsets[1])
    if 8 + header_size + end != size:
        return f"the tensors need {8 + header_size + end:,} bytes, got {size:,}"
    return None


_Checker = Callable[[Path, BinaryIO, int], str | None]
_CHECKERS: dict[str, _Checker] = {
    "image/png": _image,
    "image/jpeg": _image,
    "image/gif": _image,
    "image/webp": _image,
    "audio/wav": _riff,
    "video/mp4": _mp4,
    "video/quicktime": _mp4,
    "audio/mp4": _mp4,
    "video/webm": _ebml,
    "video/x-matroska": _ebml,
    "audio/ogg": _ogg,
    "audio/flac": _flac,
    "model/gltf-binary": _glb,
    "application/zip": _zip,
    "application/gzip": _gzip,
    "application/x-safetensors": _safetensors,
}
