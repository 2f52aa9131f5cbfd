"""Local media inputs: the form gives `file://` URLs; the server needs something it can fetch.

Uploaded through the v3 upload route when the server offers it, otherwise sent inline as
a `data:` URI (with a size ceiling, since it travels inside the JSON body).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from get3w_desktop.core.errors import InvalidParametersError, UnsupportedError
from get3w_desktop.core.media import MAX_INLINE_BYTES, media_type


def local_path(value: str) -> Path | None:
    """The local path of a `file://` URL, or None for anything else."""
    parts = urlsplit(value)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(unquote(parts.path)))


def to_data_uri(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_INLINE_BYTES:
        raise InvalidParametersError(
            f"{path.name} is {size / 1024**2:.1f} MB; without an upload route files over "
            f"{MAX_INLINE_BYTES // 1024**2} MB cannot be sent. Use a smaller file or a URL."
        )
    return f"data:{media_type(path)};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def resolve_local_inputs(
    params: Mapping[str, Any], upload: Callable[[Path], str]
) -> dict[str, Any]:
    """A copy of `params` with every `file://` value (also inside lists) made sendable."""
    done: dict[Path, str] = {}
    can_upload = True

    def resolve(value: Any) -> Any:
        nonlocal can_upload
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if not isinstance(value, str):
            return value
        path = local_path(value)
        if path is None:
            return value
        if path in done:
            return done[path]
        if not path.is_file():
            raise InvalidParametersError(f"The file {path} no longer exists.")
        sendable: str | None = None
        if can_upload:
            try:
                sendable = upload(path)
            except UnsupportedError:
                can_upload = False
        if sendable is None:
            sendable = to_data_uri(path)
        done[path] = sendable
        return sendable

    try:
        return {key: resolve(value) for key, value in params.items()}
    except OSError as exc:
        raise InvalidParametersError(
            f"Could not read an input file: {exc.strerror or exc}."
        ) from None
