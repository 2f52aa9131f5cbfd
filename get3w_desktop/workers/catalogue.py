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
    finished(): the current start's work is over (shown, refreshed, failed or dropped).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from get3w_desktop.core import live_catalogue
from get3w_desktop.core.errors import Get3WError, UnsupportedError
from get3w_desktop.core.live_catalogue import LiveCatalogue
from get3w_desktop.core.pacing import Pacer
from get3w_desktop.workers.base import PoolOwner

log = logging.getLogger(__name__)

Fetch = Callable[[], Any]


class _Signals(QObject):
    loaded = Signal(int, object)
    refreshed = Signal(int, object)  # a live_catalogue.Refresh
    failed = Signal(int, str)
    finished = Signal(int)


def _load(ticket: int, folder: Path | None, base_url: str, fetch: Fetch | None,
          cancel: threading.Event, signals: _Signals) -> None:  # fmt: skip
    try:
        shown = live_catalogue.current(folder, base_url)
        if cancel.is_set():
            return
        signals.loaded.emit(ticket, shown)
        if fetch is None:
            return
        data = fetch()
        if cancel.is_set():
            return
        outcome = live_catalogue.refresh(folder, base_url, data, shown, Pacer())
        if outcome is None:
            signals.failed.emit(ticket, "The server's model list was empty; kept the last one.")
        else:
            signals.refreshed.emit(ticket, outcome)
    except UnsupportedError:
        signals.failed.emit(ticket, "This server does not list its models.")
    except Get3WError as exc:
        signals.failed.emit(ticket, exc.message)
    finally:
        signals.finished.emit(ticket)


class SchemaWarmer(PoolOwner):
    """Compiles the JSON Schema checkers (`core.validation.warm_up`, ~0.1 s: importing
    jsonschema) on a pool thread of its own, so it never queues behind a model list
    fetch that waits on the network."""

    def warm(self, done: Callable[[], None] = lambda: None) -> None:
        """Start the warm-up; `done()` is called on the pool thread when it is over."""
        from get3w_desktop.core import validation

        def work() -> None:
            try:
                validation.warm_up()
            finally:
                done()

        self.run_work(work)


class CatalogueLoader(PoolOwner):
    """Owns the current `LiveCatalogue` for the active profile (see the module docstring)."""

    loaded = Signal(object)
    changed = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, cache_folder: Path | None, parent: QObject | None = None) -> None:
        super().__init__(1, parent)
        self._folder = cache_folder
        self._tickets = itertools.count(1)
        self._ticket = 0
        self._cancel = threading.Event()
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
        self._signals.refreshed.connect(self._on_refreshed)
        self._signals.failed.connect(self._on_failed)
        self._signals.finished.connect(self._on_finished)
        self.warmer = SchemaWarmer(parent=self)  # on its own pool: never behind a slow fetch
        self.catalogue: LiveCatalogue | None = None  # the last one emitted
        self.busy = False  # True from start() until the pool thread is done with that start

    def start(self, base_url: str, fetch: Fetch | None) -> int:
        """Show `base_url`'s cached list, then refresh it with `fetch` (None: cache only)."""
        self._cancel.set()
        self._cancel = threading.Event()
        self._ticket = ticket = next(self._tickets)
        self.busy = True
        folder, cancel, signals = self._folder, self._cancel, self._signals

        def crashed(_exc: Exception) -> None:  # a bug must not take the window down
            signals.failed.emit(ticket, "The model list could not be refreshed.")
            signals.finished.emit(ticket)

        started = self.run_work(
            lambda: _load(ticket, folder, base_url, fetch, cancel, signals), crashed=crashed
        )
        if not started:
            self.busy = False
            self.finished.emit()
        return ticket

    def _about_to_close(self) -> None:
        self._cancel.set()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        warmed = self.warmer.shutdown(timeout_ms)
        return super().shutdown(timeout_ms) and warmed

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
            self.finished.emit()
