"""Loads the cached model list and refreshes it from the server, off the GUI thread.

`start(base_url, fetch)` (on a profile's start or switch) reads that base URL's cache and
emits it at once, then calls `fetch` (the raw `/api/v3/models` data, e.g. the client's
`model_list_data`), parses and merges the answer and writes the cache, all on the pool
thread. Starting again (another profile) makes any answer still on its way stale: it is
dropped, never shown under the wrong profile. A failed refresh keeps what is shown.

Signals (all on the GUI thread):
    loaded(object): a `LiveCatalogue` to show (from the cache, then from the server).
    changed(object): a non-empty `CatalogueDiff` after a refresh, for a quiet mention.
    failed(str): why the refresh did not happen (the shown list stays).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from get3w_desktop.core import live_catalogue
from get3w_desktop.core.errors import Get3WError, UnsupportedError
from get3w_desktop.core.live_catalogue import LiveCatalogue

log = logging.getLogger(__name__)

Fetch = Callable[[], Any]


class _Signals(QObject):
    loaded = Signal(int, object)
    refreshed = Signal(int, object)  # a live_catalogue.Refresh
    failed = Signal(int, str)
    finished = Signal(int)


class _Load(QRunnable):
    def __init__(self, ticket: int, folder: Path | None, base_url: str, fetch: Fetch | None,
                 cancel: threading.Event, signals: _Signals) -> None:  # fmt: skip
        super().__init__()
        self._ticket, self._folder, self._base_url = ticket, folder, base_url
        self._fetch, self._cancel, self._signals = fetch, cancel, signals

    def run(self) -> None:
        ticket, signals = self._ticket, self._signals
        try:
            shown = live_catalogue.current(self._folder, self._base_url)
            if self._cancel.is_set():
                return
            signals.loaded.emit(ticket, shown)
            if self._fetch is None:
                return
            data = self._fetch()
            if self._cancel.is_set():
                return
            outcome = live_catalogue.refresh(self._folder, self._base_url, data, shown)
            if outcome is None:
                signals.failed.emit(ticket, "The server's model list was empty; kept the last one.")
            else:
                signals.refreshed.emit(ticket, outcome)
        except UnsupportedError:
            signals.failed.emit(ticket, "This server does not list its models.")
        except Get3WError as exc:
            signals.failed.emit(ticket, exc.message)
        except Exception:  # a bug must not take the window down: the shown list stays
            log.exception("model list refresh crashed")
            signals.failed.emit(ticket, "The model list could not be refreshed.")
        finally:
            signals.finished.emit(ticket)


class CatalogueLoader(QObject):
    """Owns the current `LiveCatalogue` for the active profile (see the module docstring)."""

    loaded = Signal(object)
    changed = Signal(object)
    failed = Signal(str)
    # `busy` is True from start() until the pool thread is done with that start

    def __init__(self, cache_folder: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder = cache_folder
        self._tickets = itertools.count(1)
        self._ticket = 0
        self._cancel = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.refreshed.connect(self._on_refreshed)
        self._signals.failed.connect(self._on_failed)
        self._signals.finished.connect(self._on_finished)
        self.catalogue: LiveCatalogue | None = None  # the last one emitted
        self.busy = False

    def start(self, base_url: str, fetch: Fetch | None) -> int:
        """Show `base_url`'s cached list, then refresh it with `fetch` (None: cache only)."""
        self._cancel.set()
        self._cancel = threading.Event()
        self._ticket = next(self._tickets)
        self.busy = True
        self._pool.start(
            _Load(self._ticket, self._folder, base_url, fetch, self._cancel, self._signals)
        )
        return self._ticket

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        self._cancel.set()
        self._pool.clear()
        return bool(self._pool.waitForDone(timeout_ms))

    @Slot(int, object)
    def _on_loaded(self, ticket: int, catalogue: LiveCatalogue) -> None:
        if ticket == self._ticket:
            self.catalogue = catalogue
            self.loaded.emit(catalogue)

    @Slot(int, object)
    def _on_refreshed(self, ticket: int, outcome: live_catalogue.Refresh) -> None:
        if ticket != self._ticket:
            return
        self.catalogue = outcome.catalogue
        self.loaded.emit(outcome.catalogue)
        if outcome.diff:
            self.changed.emit(outcome.diff)

    @Slot(int, str)
    def _on_failed(self, ticket: int, message: str) -> None:
        if ticket == self._ticket:
            self.failed.emit(message)

    @Slot(int)
    def _on_finished(self, ticket: int) -> None:
        if ticket == self._ticket:
            self.busy = False
