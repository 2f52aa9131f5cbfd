"""Prices for the form as it changes: asked off the GUI thread, debounced, cached.

The form changes with every keystroke, so a request waits `delay_ms` of quiet before it
goes out, and only the latest (model, parameters) is ever answered. Server quotes are
cached by (model, parameters). When the server has no pricing route, or asking fails,
the catalogue's price is used instead, marked as an estimate (a failure is not cached,
so the next change asks the server again; a missing route is remembered).

Signals:
    quoted(object): a `Quote` for the latest request (`estimated` when from the catalogue).
    unavailable(Message): no price is known for the latest request; why, for a tooltip.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from get3w_desktop.core import messages, worker_messages
from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.core.errors import Get3WError
from get3w_desktop.core.messages import Message
from get3w_desktop.core.money import Quote, estimate_cost
from get3w_desktop.workers.base import PoolOwner

#: Quiet time before a changed form is priced.
DEFAULT_DELAY_MS = 350
CACHE_SIZE = 256

Fetch = Callable[[str, Mapping[str, Any]], Quote | None]
Key = tuple[str, str]


def price_key(model_id: str, params: Mapping[str, Any]) -> Key:
    """A stable key for (model, parameters): key order does not matter."""
    return model_id, json.dumps(dict(params), sort_keys=True, default=str, ensure_ascii=False)


class _Signals(QObject):
    # (key, quote or None, route absent, error Message or None)
    done = Signal(object, object, bool, object)


class PriceQuoter(PoolOwner):
    quoted = Signal(object)
    unavailable = Signal(object)  # core.messages.Message: why there is no price

    def __init__(
        self,
        fetch: Fetch | None,
        model_lookup: Callable[[str], ModelInfo | None],
        *,
        delay_ms: int = DEFAULT_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        """`fetch` asks the server (e.g. `Get3WClient.price`); None to use estimates only."""
        super().__init__(1, parent)
        self._fetch = fetch
        self._lookup = model_lookup
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._ask)
        self._cache: collections.OrderedDict[Key, Quote] = collections.OrderedDict()
        self._latest: tuple[Key, dict[str, Any]] | None = None
        self._in_flight: Key | None = None
        self._route_absent = fetch is None
        self.fetches = 0  # server requests made: debouncing and caching are observable

    @property
    def route_absent(self) -> bool:
        return self._route_absent

    def cached(self, model_id: str, params: Mapping[str, Any]) -> Quote | None:
        return self._cache.get(price_key(model_id, params))

    @Slot(str, object)
    def request(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Price `params` for `model_id` once the form has been quiet for a moment."""
        if self.closed:
            return
        self._latest = (price_key(model_id, params), dict(params))
        self._timer.start()

    def _ask(self) -> None:
        if self._latest is None or self.closed:
            return
        key, params = self._latest
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.quoted.emit(hit)
            return
        if self._route_absent or self._fetch is None:
            self._fall_back(key, None)
            return
        if self._in_flight is not None:
            return  # asked again when the current answer arrives
        self._in_flight = key
        self.fetches += 1
        fetch, signals = self._fetch, self._signals

        def work() -> None:
            try:
                quote = fetch(key[0], params)
            except Get3WError as exc:
                signals.done.emit(key, None, False, messages.for_error(exc))
            else:
                signals.done.emit(key, quote, quote is None, None)

        # A bug must not take the app down from a price label.
        self.run_work(work, crashed=lambda _exc: signals.done.emit(
            key, None, False, worker_messages.PRICE_UNREADABLE))  # fmt: skip

    @Slot(object, object, bool, object)
    def _on_done(self, key: Key, quote: Quote | None, absent: bool, error: Message | None) -> None:
        self._in_flight = None
        if self.closed:
            return
        if quote is not None:
            self._remember(key, quote)
        elif absent:
            self._route_absent = True
        latest = self._latest[0] if self._latest else None
        if key != latest:
            self._ask()  # the form moved on while this was asked: price the newest
            return
        if quote is not None:
            self.quoted.emit(quote)
        else:
            self._fall_back(key, error)

    def _fall_back(self, key: Key, error: Message | None) -> None:
        model = self._lookup(key[0])
        params = self._latest[1] if self._latest and self._latest[0] == key else {}
        estimate = estimate_cost(model, params) if model is not None else None
        if estimate is None:
            self.unavailable.emit(error or worker_messages.PRICE_NONE)
            return
        if error is None:
            self._remember(key, estimate)  # a missing route stays missing
        self.quoted.emit(estimate)

    def _remember(self, key: Key, quote: Quote) -> None:
        self._cache[key] = quote
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _about_to_close(self) -> None:
        self._timer.stop()
