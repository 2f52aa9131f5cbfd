"""Preview images for LoRA presets, fetched lazily from their CDN with no API key.

The schema's `recommend` entries carry a `cover` URL on the model maker's CDN. Covers are
fetched only when a LoRA field is first shown, through the output session (no
credentials; every redirect hop checked, plain HTTP only on loopback), one small file at
a time on this loader's own pool (the worker base: a crash is logged and counts as a
failure), cached on disk under the app's cache folder and decoded there to a thumbnail.
Failures are remembered and shown as the plain tile.

Signals:
    ready(str url, QImage image): a cover is available.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from get3w_desktop.api.download import download
from get3w_desktop.api.http import make_output_session
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.proxy import ProxyConfig
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.workers.base import PoolOwner

COVER_SIDE = 96
MAX_COVER_BYTES = 5 * 1024 * 1024
_IMAGE_SUFFIXES = (".png", ".jpg", ".gif", ".webp")


class _Signals(QObject):
    done = Signal(str, QImage)  # an empty QImage: it failed


def _decode(path: Path) -> QImage:
    reader = QImageReader(str(path))
    reader.setAllocationLimit(64)
    size = reader.size()
    if size.isValid():
        expand = Qt.AspectRatioMode.KeepAspectRatioByExpanding
        reader.setScaledSize(size.scaled(QSize(COVER_SIDE, COVER_SIDE), expand))
    return reader.read()


def _fetch(url: str, folder: Path, cancel: threading.Event, proxy: ProxyConfig | None) -> QImage:
    """The cover at `url`, from the disk cache or its CDN; an empty QImage when it failed."""
    stem = hashlib.sha256(url.encode()).hexdigest()[:32]
    found = next((p for s in _IMAGE_SUFFIXES if (p := folder / f"{stem}{s}").is_file()), None)
    try:
        if found is None and not cancel.is_set():
            with make_output_session(proxy) as session:
                found = download(
                    session, url, folder, stem, expected_kind="image", cancel=cancel,
                    max_bytes=MAX_COVER_BYTES, timeout=(5.0, 10.0), head_deadline=10.0,
                    total_deadline=20.0,
                ).path  # fmt: skip
    except (Get3WError, OSError):
        return QImage()
    return _decode(found) if found is not None else QImage()


class CoverLoader(PoolOwner):
    """Covers by URL: `request(url)` answers at once when known, else later by `ready`."""

    ready = Signal(str, QImage)

    def __init__(
        self,
        folder: Path | None = None,
        parent: QObject | None = None,
        *,
        proxy: ProxyConfig | None = None,
    ) -> None:
        super().__init__(2, parent)
        self._folder = folder
        self.proxy = proxy  # the profile's proxy, like the output downloads
        self._cancel = threading.Event()
        self._images: dict[str, QImage] = {}
        self._pending: set[str] = set()
        self._failed: set[str] = set()
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def folder(self) -> Path:
        return self._folder or app_paths().cache / "lora-covers"

    def request(self, url: str) -> QImage | None:
        if url in self._images:
            return self._images[url]
        if url not in self._pending and url not in self._failed and not self.closed:
            self._pending.add(url)
            folder, cancel, proxy, done = self.folder, self._cancel, self.proxy, self._signals.done
            self.run_work(lambda: done.emit(url, _fetch(url, folder, cancel, proxy)),
                          crashed=lambda _exc: done.emit(url, QImage()))  # fmt: skip
        return None

    def failed(self, url: str) -> bool:
        return url in self._failed

    def pending(self) -> int:
        return len(self._pending)

    def _about_to_close(self) -> None:
        # A fetch notices the cancel between chunks; a stuck connect gives up within 10 s.
        self._cancel.set()

    def _on_done(self, url: str, image: QImage) -> None:
        self._pending.discard(url)
        if image.isNull():
            self._failed.add(url)
            return
        self._images[url] = image
        self.ready.emit(url, image)


_shared: CoverLoader | None = None


def shared_loader() -> CoverLoader:
    """The app's one cover loader (made on first use, stopped when the app quits).

    The composition root may set `shared_loader().proxy` to the profile's proxy.
    """
    global _shared
    if _shared is None or _shared.closed:
        _shared = CoverLoader(parent=QCoreApplication.instance())
    return _shared
