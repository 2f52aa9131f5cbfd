"""Images decoded off the GUI thread: thumbnails (cached in memory and on disk) and full views.

Every decode runs in this loader's own pool under QImageReader's allocation limit, with the
size checked before any pixel is read, so a decompression bomb or a damaged file becomes a
sentence for people instead of a frozen window or an exhausted memory. Nothing here raises
into Qt; signals arrive on the GUI thread.
"""

from __future__ import annotations

import collections
import contextlib
import enum
import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QImageReader, QImageWriter

from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.media import media_kind_of
from get3w_desktop.core.messages import Message
from get3w_desktop.storage.paths import app_paths
from get3w_desktop.workers import thumbnail_backlog
from get3w_desktop.workers.base import PoolOwner
from get3w_desktop.workers.previews import PosterHome, PreviewError, scaled_poster, waveform
from get3w_desktop.workers.thumbnail_backlog import DRAIN_BATCH, Backlog

log = logging.getLogger(__name__)

#: Megabytes one decode may allocate (an 8k x 8k RGBA image is 256 MB).
ALLOCATION_LIMIT_MB = 256
#: Thumbnails kept in memory: at most MEMORY_ENTRIES, and beyond MEMORY_MIN_ENTRIES no more
#: than MEMORY_BYTES of pixels. A square 128 px thumbnail (the task list at a device pixel
#: ratio of 1) is 64 KiB, so 8 MiB keep 128 of them; at a ratio of 2 the list asks for
#: 256 px (256 KiB), where 300 entries were 75 MiB. The task list shows ~12 rows at 900 px
#: (~30 on a 4k screen), and the gallery and strips keep their own icons, so 64 entries
#: cover what is on screen. Scrolling 100,000 tasks (bench.scale) had filled 300 entries
#: with 18 MB; now 8 MB.
MEMORY_ENTRIES = 300
MEMORY_MIN_ENTRIES = 64
MEMORY_BYTES = 8 * 1024 * 1024
#: Full-size images kept in memory, so flipping through a gallery is instant.
FULL_IMAGE_ENTRIES = 4
FULL_IMAGE_BYTES = 320 * 1024 * 1024


class MediaKind(enum.Enum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    OTHER = "other"


def media_kind(path: str) -> MediaKind:
    """What a saved output is, by its extension (the downloader names files by magic bytes)."""
    kind = media_kind_of(path)
    return MediaKind(kind) if kind is not None else MediaKind.OTHER


class DecodeError(Exception):
    """An image that cannot be shown; the message is for people (`said`: coded, when known)."""

    def __init__(self, words: str, said: Message | None = None) -> None:
        super().__init__(words)
        self.said = said if said is not None else messages.text(words)


class _NotCachedError(Exception):
    """A video's poster is not on disk yet: the GUI thread's grabber takes a frame."""


def _waveform(path: str, size: int) -> QImage:
    try:
        return waveform(path, size)
    except PreviewError as exc:
        raise DecodeError(str(exc)) from exc


def _cache_only(_path: str, _size: int) -> QImage:
    raise _NotCachedError


def read_image(path: str, max_side: int | None = None) -> QImage:
    """Decode `path`, scaled to fit `max_side` px if given. Raises DecodeError.

    Call this off the GUI thread only.
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    if not reader.canRead():
        raise _decode_error(_reason(reader, path))
    original = reader.size()
    if original.isValid():
        # Qt would refuse these too, but only after logging a warning; say it plainly first.
        if original.width() * original.height() * 4 > ALLOCATION_LIMIT_MB * 1024 * 1024:
            raise _decode_error(
                worker_messages.image_too_large(original.width(), original.height())
            )
        if max_side and (original.width() > max_side or original.height() > max_side):
            # JPEG decodes straight to the smaller size, which is much faster.
            reader.setScaledSize(
                original.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio)
            )
    image = reader.read()
    if image.isNull():
        raise _decode_error(_reason(reader, path))
    if max_side and (image.width() > max_side or image.height() > max_side):
        image = image.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)  # fmt: skip
    return image


def _reason(reader: QImageReader, path: str) -> Message:
    if not os.path.exists(path):
        return worker_messages.IMAGE_MISSING
    if reader.error() == QImageReader.ImageReaderError.UnsupportedFormatError:
        return worker_messages.IMAGE_UNSUPPORTED
    return worker_messages.IMAGE_DAMAGED


def _decode_error(said: Message) -> DecodeError:
    return DecodeError(said.fallback, said)


class _Signals(QObject):
    thumb_ready = Signal(str, int, QImage)
    thumb_failed = Signal(str, int, str)
    needs_frame = Signal(str, int)
    image_ready = Signal(str, QImage)
    image_failed = Signal(str, object)  # (path, core.messages.Message)


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


def _thumbnail(
    path: str,
    size: int,
    cache_dir: Path,
    decodes: _Counter,
    decode: Callable[[str, int], QImage] | None = None,
) -> QImage:
    """The cached thumbnail of `path`, else `decode(path, size)` (an image by default) stored.
    A decode that raises `_NotCachedError` means "only look in the cache"."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise DecodeError("The file is missing: it may have been moved or deleted.") from exc
    key = f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\0{size}"
    stem = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    for suffix in (".jpeg", ".png"):
        cached = cache_dir / f"{stem}{suffix}"
        if cached.is_file():
            try:
                image = read_image(str(cached))
                with contextlib.suppress(OSError):
                    os.utime(cached)  # recently used: pruning drops the least recent
                return image
            except DecodeError:
                cached.unlink(missing_ok=True)  # damaged: decode the original again
    image = (decode or read_image)(path, size)
    decodes.add()
    suffix = ".png" if image.hasAlphaChannel() else ".jpeg"
    _store(image, cache_dir / f"{stem}{suffix}")
    return image


def _store(image: QImage, target: Path) -> None:
    """Write atomically; a cache that cannot be written only costs a later re-decode."""
    tmp = target.with_name(f".{target.name}.{threading.get_ident()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = QImageWriter(str(tmp), QByteArray(target.suffix[1:].upper().encode()))
        writer.setQuality(88)
        if writer.write(image):
            os.replace(tmp, target)
        else:
            log.debug("thumbnail cache not written: %s", writer.errorString())
    except OSError as exc:
        log.debug("thumbnail cache not written: %s", exc)
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


class ThumbnailLoader(PoolOwner):
    """Signals:
    ready(str path, QImage thumbnail): a thumbnail asked for by `request` is available.
    failed(str path, str reason): the file cannot be shown (once per path; remembered).
    image_ready(str path, QImage image): a full image asked for by `load_image`.
    image_failed(str path, Message reason): the full image cannot be shown (the window shows
        it in the person's language; `str()` of it is the English sentence).
    """

    ready = Signal(str, QImage)
    failed = Signal(str, str)
    image_ready = Signal(str, QImage)
    image_failed = Signal(str, object)  # (path, core.messages.Message)

    def __init__(self, cache_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(2, parent)
        self._cache_dir = cache_dir or app_paths().cache / "thumbnails"
        self._signals = _Signals(self)
        self._signals.thumb_ready.connect(self._on_thumb_ready)
        self._signals.thumb_failed.connect(self._on_thumb_failed)
        self._signals.image_ready.connect(self._on_image_ready)
        self._signals.image_failed.connect(self._on_image_failed)
        self._thumbs: collections.OrderedDict[tuple[str, int], QImage] = collections.OrderedDict()
        self._thumb_bytes = 0  # the pixels in _thumbs
        self._images: collections.OrderedDict[str, QImage] = collections.OrderedDict()
        self._pending: set[tuple[str, int]] = set()
        self._backlog = Backlog()
        self._kick = QTimer(self)  # starts drains once the paint that asked is done
        self._kick.setSingleShot(True)
        self._kick.setInterval(0)
        self._kick.timeout.connect(self._start_drains)
        self._kick_settled = QTimer(self)  # ... and once painted rows' requests settled
        self._kick_settled.setSingleShot(True)
        self._kick_settled.timeout.connect(self._start_drains)
        self._pending_images: set[str] = set()
        self._broken: dict[str, str] = {}
        self._decodes = _Counter()
        self._signals.needs_frame.connect(self._grab_poster)
        self._posters: PosterHome | None = None  # started when the first poster is needed
        self._poster_sizes: dict[str, set[int]] = {}

    @property
    def cache_dir(self) -> Path:
        return self._cache_dir

    @property
    def decode_count(self) -> int:
        """Originals decoded so far (disk and memory cache hits do not count)."""
        return self._decodes.value

    def request(self, path: str, size: int = 128, *, repainted: bool = False) -> QImage | None:
        """The thumbnail (longest side <= `size`) if ready; else None and `ready`/`failed` follow.

        `repainted`: the caller asks again each time it paints (the task list), so a request
        of a row long scrolled past may be forgotten (see `Backlog`); others never are.

        Images are scaled, WAV sounds become a waveform, videos a poster frame (taken by
        QMediaPlayer once, then cached on disk); other files return None at once.
        """
        key, kind = (path, size), media_kind(path)
        cached = self._thumbs.get(key)
        if cached is not None:
            self._thumbs.move_to_end(key)
            return cached
        if (
            self.closed
            or size <= 0
            or path in self._broken
            or key in self._pending
            or kind is MediaKind.OTHER
            or (kind is MediaKind.AUDIO and not path.lower().endswith(".wav"))
        ):
            return None
        self._pending.add(key)
        signals, cache_dir, decodes = self._signals, self._cache_dir, self._decodes
        decode = _DECODERS[kind]

        def work() -> None:
            try:
                image = _thumbnail(path, size, cache_dir, decodes, decode)
            except _NotCachedError:
                signals.needs_frame.emit(path, size)
            except DecodeError as exc:
                signals.thumb_failed.emit(path, size, str(exc))
            except Exception as exc:  # never raise into the drain: say so for this file
                log.exception("thumbnail of %s crashed", path)
                signals.thumb_failed.emit(path, size, f"Cannot show this file: {exc}")
            else:
                signals.thumb_ready.emit(path, size, image)

        for dropped in self._backlog.push((key, work, repainted)):
            self._pending.discard(dropped)  # asked again when its row shows again
        if repainted:  # once the list has stayed still SETTLE_MS (see Backlog)
            self._kick_settled.start(thumbnail_backlog.SETTLE_MS)
        elif not self._kick.isActive():
            self._kick.start()
        return None

    @property
    def backlog(self) -> int:
        """Thumbnails asked for whose work has not started yet."""
        return len(self._backlog)

    def wait(self, timeout_ms: int = -1) -> bool:
        """Wait for the thumbnails asked for so far (a painted row's once it settled, see
        `Backlog`) and every running decode (tests)."""
        self._start_drains()
        return super().wait(timeout_ms)

    def _start_drains(self) -> None:
        if self.closed:
            return
        backlog = self._backlog

        def drain() -> None:
            for _ in range(DRAIN_BATCH):
                item = backlog.take()
                if item is None:
                    return
                item[1]()
            if not self.run_work(drain):  # more next turn of the pool, behind other work
                backlog.stopped()

        for _ in range(backlog.starts(self.threads())):
            if not self.run_work(drain):
                backlog.stopped()
        later = backlog.settles_in()  # a timer may fire early: come back for those
        if later is not None and not self._kick_settled.isActive():
            self._kick_settled.start(math.ceil(later * 1000) + 1)

    def load_image(self, path: str) -> QImage | None:
        """The full image if in memory; else None and `image_ready`/`image_failed` follow."""
        cached = self._images.get(path)
        if cached is not None:
            self._images.move_to_end(path)
            return cached
        if not self.closed and path not in self._pending_images:
            self._pending_images.add(path)
            signals, decodes = self._signals, self._decodes

            def work() -> None:
                decodes.add()
                try:
                    image = read_image(path)
                except DecodeError as exc:
                    signals.image_failed.emit(path, exc.said)
                else:
                    signals.image_ready.emit(path, image)

            # Ahead of queued thumbnails: the person is looking at this one.
            self.run_work(work, priority=1, crashed=lambda exc: signals.image_failed.emit(
                path, worker_messages.image_unshowable(str(exc))))  # fmt: skip
        return None

    @property
    def memory_bytes(self) -> int:
        """Bytes of pixels in the in-memory thumbnail cache."""
        return self._thumb_bytes

    def failure(self, path: str) -> str | None:
        """Why `path` cannot be shown, if a thumbnail decode failed."""
        return self._broken.get(path)

    def forget(self, path: str) -> None:
        """Try `path` again next time (e.g. after it was replaced)."""
        self._broken.pop(path, None)
        self._images.pop(path, None)
        for key in [k for k in self._thumbs if k[0] == path]:
            self._thumb_bytes -= self._thumbs.pop(key).sizeInBytes()

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Drop queued work and wait for running decodes; later requests do nothing."""
        return super().shutdown(timeout_ms)

    def _about_to_close(self) -> None:
        self._kick.stop()
        self._kick_settled.stop()
        if self._posters is not None:
            self._posters.close()
        for key, _work, _again in self._backlog.clear():  # running drains then find nothing more
            self._pending.discard(key)

    def _grab_poster(self, path: str, size: int) -> None:
        """A poster not on disk: the first one starts the poster thread (see PosterHome)."""
        if self.closed:
            return
        self._poster_sizes.setdefault(path, set()).add(size)
        if self._posters is None:
            self._posters = PosterHome(self)
            self._posters.grabbed.connect(self._on_poster)
            self._posters.failed.connect(self._on_poster_failed)
        self._posters.grab(path)

    def _on_poster(self, path: str, frame: QImage) -> None:
        signals, cache_dir, decodes = self._signals, self._cache_dir, self._decodes
        for size in self._poster_sizes.pop(path, set()):

            def poster(_path: str, side: int) -> QImage:
                return scaled_poster(frame, side)

            def work(size: int = size) -> None:
                try:
                    image = _thumbnail(path, size, cache_dir, decodes, poster)
                except (DecodeError, PreviewError) as exc:
                    signals.thumb_failed.emit(path, size, str(exc))
                else:
                    signals.thumb_ready.emit(path, size, image)

            def crashed(exc: Exception, size: int = size) -> None:
                signals.thumb_failed.emit(path, size, f"Cannot show this file: {exc}")

            self.run_work(work, crashed=crashed)

    def _on_poster_failed(self, path: str, reason: str) -> None:
        for size in self._poster_sizes.pop(path, set()):
            self._on_thumb_failed(path, size, reason)

    def _on_thumb_ready(self, path: str, size: int, image: QImage) -> None:
        self._pending.discard((path, size))
        replaced = self._thumbs.pop((path, size), None)
        if replaced is not None:
            self._thumb_bytes -= replaced.sizeInBytes()
        self._thumbs[(path, size)] = image
        self._thumb_bytes += image.sizeInBytes()
        while len(self._thumbs) > MEMORY_ENTRIES or (
            self._thumb_bytes > MEMORY_BYTES and len(self._thumbs) > MEMORY_MIN_ENTRIES
        ):
            _, dropped = self._thumbs.popitem(last=False)
            self._thumb_bytes -= dropped.sizeInBytes()
        self.ready.emit(path, image)

    def _on_thumb_failed(self, path: str, size: int, reason: str) -> None:
        self._pending.discard((path, size))
        if path not in self._broken:
            self._broken[path] = reason
            self.failed.emit(path, reason)

    def _on_image_ready(self, path: str, image: QImage) -> None:
        self._pending_images.discard(path)
        self._images[path] = image
        total = sum(i.sizeInBytes() for i in self._images.values())
        while len(self._images) > 1 and (
            len(self._images) > FULL_IMAGE_ENTRIES or total > FULL_IMAGE_BYTES
        ):
            _, dropped = self._images.popitem(last=False)
            total -= dropped.sizeInBytes()
        self.image_ready.emit(path, image)

    def _on_image_failed(self, path: str, reason: object) -> None:
        self._pending_images.discard(path)
        self.image_failed.emit(path, reason)


#: How each kind becomes a picture (None: `read_image`, looked up when called).
_DECODERS: dict[MediaKind, Callable[[str, int], QImage] | None] = {
    MediaKind.IMAGE: None,
    MediaKind.AUDIO: _waveform,
    MediaKind.VIDEO: _cache_only,
}
