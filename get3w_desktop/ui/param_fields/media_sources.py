"""Where a media input's files come from, and whether they belong: drags, the clipboard,
and the kind of a file decided from its bytes (never from a server's name alone)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData, QUrl
from PySide6.QtGui import QImage

from get3w_desktop.api.integrity import sniff
from get3w_desktop.core.catalogue import ParamSpec
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.ui.param_fields.media_chips import (
    MEDIA_SUFFIXES,
    as_local_path,
    kind_words,
    media_kind_of,
)

# Pasted pictures older than this are removed when the next one is pasted.
PASTED_KEEP_SECONDS = 7 * 24 * 3600

_OTHER_SUFFIXES = {
    "3d": (".glb", ".gltf", ".obj", ".fbx", ".usdz", ".stl", ".ply"),
    "text": (".txt", ".md", ".json", ".srt", ".vtt"),
}


def _kind_of_suffix(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    for kind, names in (*MEDIA_SUFFIXES.items(), *_OTHER_SUFFIXES.items()):
        if suffix in names:
            return kind
    return None


def file_kind(path: str) -> str:
    """ "image", "video", "audio", "3d", "text" or "other": from the file's first bytes
    (api/integrity's sniffing), else its suffix; never from the name alone when the bytes
    say otherwise (a video saved as `.png` is a video)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(64)
    except OSError:
        head = b""
    sniffed = sniff(head) if head else None
    if sniffed is not None:
        top = sniffed[1].split("/", 1)[0]
        if top in MEDIA_SUFFIXES:
            return top
        return "3d" if top == "model" else "other"
    return _kind_of_suffix(path) or "other"


def link_kind(link: str) -> str | None:
    """The kind a web link's path names (".../cat.mp4" is a video), None when it says none."""
    return _kind_of_suffix(QUrl(link).path())


def refusal(spec: ParamSpec, kind: str, name: str) -> str | None:
    """Why a file of `kind` does not belong in this field, for people; None when it does."""
    wanted = media_kind_of(spec)
    if kind == wanted:
        return None
    translate = QCoreApplication.translate
    takes = kind_words(wanted)[0]
    given = {
        "image": translate("Media", "an image"),
        "video": translate("Media", "a video"),
        "audio": translate("Media", "an audio file"),
        "3d": translate("Media", "a 3D model"),
        "text": translate("Media", "a text file"),
    }.get(kind)
    if given is None:
        return translate("Media", "This field takes {a_kind}; “{name}” is not one.").format(
            a_kind=takes, name=name
        )
    return translate("Media", "This field takes {a_kind}; “{name}” is {a_given}.").format(
        a_kind=takes, name=name, a_given=given
    )


def mime_items(mime: QMimeData) -> tuple[list[str], list[str]]:
    """(local files, web links) carried by a drag or the clipboard."""
    files: list[str] = []
    links: list[str] = []
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile() and os.path.isfile(url.toLocalFile()):
            files.append(url.toLocalFile())
        elif url.scheme() in ("http", "https"):
            links.append(url.toString())
    if not files and not links and mime.hasText():
        text = mime.text().strip()
        if (path := as_local_path(text)) is not None:
            files.append(path)
        elif text.lower().startswith(("http://", "https://")):
            links.append(text)
    return files, links


def pasted_folder() -> Path:
    return app_paths().data / "pasted"


def save_pasted_image(image: QImage) -> str | None:
    """Keep a pasted picture as a PNG file (the task uploads files); None if it cannot be."""
    if image.isNull():
        return None
    folder = pasted_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        for old in folder.glob("pasted-*.png"):
            if now - old.stat().st_mtime > PASTED_KEEP_SECONDS:
                old.unlink(missing_ok=True)
    except OSError:
        return None
    path = folder / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.png"
    partial = path.with_name(f".{path.stem}.part.png")  # the suffix names the format
    if not image.save(str(partial)):
        partial.unlink(missing_ok=True)
        return None
    try:
        os.replace(partial, path)
    except OSError:
        return None
    return str(path)


def clipboard_items(mime: QMimeData | None) -> tuple[list[str], list[str]]:
    """(files, links) to paste: files and links first, else picture data saved as a PNG."""
    if mime is None:
        return [], []
    files, links = mime_items(mime)
    if files or links:
        return files, links
    if mime.hasImage():
        data = mime.imageData()
        image = data if isinstance(data, QImage) else QImage(data)
        saved = save_pasted_image(image)
        if saved is not None:
            return [saved], []
    return [], []


def nothing_to_paste(spec: ParamSpec) -> str:
    return QCoreApplication.translate(
        "Media", "The clipboard holds no file, picture or link to use as {a_kind}."
    ).format(a_kind=kind_words(media_kind_of(spec))[0])
