"""Save outputs to where the person chose, off the GUI thread, atomically.

One pool thread, so saves happen in the order asked. PNGs get the prompt and parameters
as text chunks (core/export.py); nothing half-written is ever left under a chosen name.

Signals:
    copied(str destination): one file saved.
    saved_all(int count, str folder): a "Save all" finished with `count` files saved.
    failed(Message): why, for people (disk full, read-only folder, …); the window shows it
        in the person's language, `str()` of it is the English sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from get3w_desktop.api.download import disk_error
from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.export import save_output
from get3w_desktop.core.job import Job
from get3w_desktop.core.remix import write_sidecar
from get3w_desktop.workers.base import PoolOwner

#: (source, destination, metadata, job for a JSON sidecar or None) for one file.
SaveItem = tuple[str, str, Mapping[str, str] | None, Job | None]


class _Signals(QObject):
    copied = Signal(str)
    saved_all = Signal(int, str)
    failed = Signal(object)  # core.messages.Message


def _save(items: Sequence[SaveItem], signals: _Signals, batch: bool) -> None:
    saved = 0
    for source, destination, metadata, sidecar_job in items:
        dest = Path(destination)
        try:
            save_output(source, dest, metadata)
            if sidecar_job is not None:
                write_sidecar(sidecar_job, dest)
        except OSError as exc:
            signals.failed.emit(messages.for_error(disk_error(exc, dest.parent)))
            break  # a full disk or a read-only folder will not improve for the next one
        saved += 1
        if not batch:
            signals.copied.emit(str(dest))
    if batch and items:
        signals.saved_all.emit(saved, str(Path(items[0][1]).parent))


class FileCopier(PoolOwner):
    copied = Signal(str)
    saved_all = Signal(int, str)
    failed = Signal(object)  # core.messages.Message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(1, parent)  # one thread: saves happen in the order asked
        self._signals = _Signals(self)
        self._signals.copied.connect(self.copied)
        self._signals.saved_all.connect(self.saved_all)
        self._signals.failed.connect(self.failed)

    def copy(self, source: str, destination: str, metadata: Mapping[str, str] | None = None,
             sidecar_job: Job | None = None) -> None:  # fmt: skip
        """Save one file; with `sidecar_job`, also `<destination>.json` (how it was made)."""
        item: SaveItem = (source, destination, metadata, sidecar_job)
        self._start([item], batch=False)

    def save_all(self, items: Sequence[SaveItem]) -> None:
        """Save several files as one operation, reported once through `saved_all`."""
        self._start(list(items), batch=True)

    def _start(self, items: list[SaveItem], *, batch: bool) -> None:
        signals = self._signals

        def crashed(exc: Exception) -> None:  # not only OSError: any failure is said
            signals.failed.emit(worker_messages.save_unexpected(type(exc).__name__))

        self.run_work(lambda: _save(items, signals, batch), crashed=crashed)

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Saves already asked for are finished, never dropped."""
        self._closed = True
        return self.wait(timeout_ms)
