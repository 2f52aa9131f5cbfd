"""Copy saved outputs to where the person chose, off the GUI thread, atomically.

Signals:
    copied(str destination)
    failed(str message): a sentence for people (disk full, read-only folder, …)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from get3w_desktop.api.download import disk_error


class _Signals(QObject):
    copied = Signal(str)
    failed = Signal(str)


class _CopyJob(QRunnable):
    def __init__(self, source: str, destination: str, signals: _Signals) -> None:
        super().__init__()
        self._source, self._destination, self._signals = source, destination, signals

    def run(self) -> None:
        dest = Path(self._destination)
        part: str | None = None
        try:
            fd, part = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
            with os.fdopen(fd, "wb") as sink, open(self._source, "rb") as source:
                shutil.copyfileobj(source, sink, 1024 * 1024)
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(part, dest)
            part = None
            self._signals.copied.emit(str(dest))
        except OSError as exc:
            self._signals.failed.emit(disk_error(exc, dest.parent).message)
        finally:
            if part is not None:
                with contextlib.suppress(OSError):
                    os.unlink(part)


class FileCopier(QObject):
    copied = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.copied.connect(self.copied)
        self._signals.failed.connect(self.failed)

    def copy(self, source: str, destination: str) -> None:
        self._pool.start(_CopyJob(source, destination, self._signals))

    def shutdown(self) -> None:
        self._pool.waitForDone()
