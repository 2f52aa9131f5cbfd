"""The model list a window or `get3w run` works with: the server's, cached per base URL.

At start the last cached list is used at once (or the bundled snapshot when there is none);
a refresh from `GET /api/v3/models` replaces it. Merging: the server wins, model by model,
and the bundled entry fills the gaps the server leaves (a description, a typical duration,
a readable name where the server repeats the id). Models the server no longer lists are
*retired*: not offered, but still resolvable, so a task in history keeps its model and
re-opens read-only. The cache file keeps retired entries too, so this survives a restart.

Everything here is plain Python and safe to call off the GUI thread (workers/catalogue.py
does); nothing raises on a corrupt or foreign cache file: it is ignored and replaced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, load_bundled, parse_catalogue
from get3w_desktop.core.files import write_atomically
from get3w_desktop.core.pacing import paced

log = logging.getLogger(__name__)

CACHE_VERSION = 1
#: The cache's folder under the app's cache folder (storage/paths.py `AppPaths.cache`).
CACHE_SUBDIR = "models"
#: Retired entries kept in a cache file (oldest dropped first).
MAX_RETIRED = 2000


@dataclasses.dataclass(frozen=True)
class CatalogueDiff:
    """What a refresh changed in the offered list (model ids, in list order)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def summary(self) -> str:
        """A quiet sentence for a status bar: "3 new models; 1 no longer offered"."""
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} new model{'s' if len(self.added) != 1 else ''}")
        if self.removed:
            parts.append(f"{len(self.removed)} no longer offered")
        return "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class Resolved:
    model: ModelInfo
    offered: bool  # False: the server stopped listing it (shown read-only, "no longer offered")


@dataclasses.dataclass(frozen=True)
class LiveCatalogue:
    """The offered models and the retired ones, from one source."""

    offered: Catalogue
    retired: Catalogue
    origin: str  # "bundled", "cache" or "server"
    fetched_at: float | None = None  # wall-clock time of the server answer behind it

    def resolve(self, model_id: str) -> Resolved | None:
        """The model for `model_id`, offered or not (None: never heard of)."""
        model = self.offered.get(model_id)
        if model is not None:
            return Resolved(model, True)
        model = self.retired.get(model_id)
        return Resolved(model, False) if model is not None else None

    def diff_from(self, before: LiveCatalogue | Catalogue) -> CatalogueDiff:
        old = before.offered if isinstance(before, LiveCatalogue) else before
        return CatalogueDiff(
            added=tuple(m.model_id for m in self.offered if m.model_id not in old),
            removed=tuple(m.model_id for m in old if m.model_id not in self.offered),
        )


def bundled_catalogue() -> LiveCatalogue:
    """The snapshot shipped with the app: everything offered."""
    return LiveCatalogue(load_bundled(), Catalogue([]), "bundled")


def merge_model(server: ModelInfo, bundled: ModelInfo | None) -> ModelInfo:
    """The server's model, with the gaps it leaves filled from the bundled entry."""
    if bundled is None:
        return server
    return dataclasses.replace(
        server,
        name=bundled.name if server.name in ("", server.model_id) else server.name,
        description=server.description or bundled.description,
        estimated_duration=server.estimated_duration or bundled.estimated_duration,
        base_price=server.base_price if server.base_price is not None else bundled.base_price,
    )


def build(
    server: Catalogue,
    *,
    bundled: Catalogue | None = None,
    previously: Iterable[ModelInfo] = (),
    origin: str = "server",
    fetched_at: float | None = None,
) -> LiveCatalogue:
    """The live catalogue from a server list; what the server no longer lists is retired."""
    base = bundled if bundled is not None else load_bundled()
    offered = Catalogue(merge_model(m, base.get(m.model_id)) for m in server)
    gone = [m for m in (*previously, *base) if m.model_id not in offered]
    return LiveCatalogue(offered, Catalogue(gone), origin, fetched_at)


# --- the cache on disk ---------------------------------------------------------------------


def normalise_base_url(base_url: str) -> str:
    return base_url.strip().rstrip("/").lower()


def cache_path(folder: Path, base_url: str) -> Path:
    """One file per base URL (a profile pointing elsewhere never sees another's list)."""
    digest = hashlib.sha256(normalise_base_url(base_url).encode()).hexdigest()[:24]
    return folder / f"models-{digest}.json"


def write_cache(
    folder: Path,
    base_url: str,
    entries: list[Any],
    retired: Iterable[Mapping[str, Any]] = (),
    fetched_at: float | None = None,
    pace: Callable[[], None] | None = None,
) -> Path:
    """Keep the server's raw list (and retired entries) for the next start. Raises OSError.

    The ~1 MB document is encoded a model at a time, calling `pace` after each (a
    `core.pacing.Pacer` on the loader's thread): `json.dumps` of the whole list held the
    interpreter lock ~16 ms in one piece, which the GUI thread waited behind (issue 16).
    The bytes are exactly `json.dumps(document)`'s."""
    keep = list(retired)[-MAX_RETIRED:]
    document = {
        "version": CACHE_VERSION,
        "base_url": normalise_base_url(base_url),
        "fetched_at": fetched_at if fetched_at is not None else time.time(),
    }
    folder.mkdir(parents=True, exist_ok=True)
    models = [_compact(entry) for entry in paced(entries, pace)]
    text = f'{_compact(document)[:-1]},"models":[{",".join(models)}],"retired":{_compact(keep)}}}'
    return write_atomically(cache_path(folder, base_url), text.encode("utf-8"))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_cache(folder: Path, base_url: str) -> dict[str, Any] | None:
    """The cached document for `base_url`, or None (missing, corrupt, another URL's)."""
    path = cache_path(folder, base_url)
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("ignoring the model cache %s: %s", path.name, exc)
        return None
    if (
        not isinstance(document, dict)
        or document.get("version") != CACHE_VERSION
        or document.get("base_url") != normalise_base_url(base_url)
        or not isinstance(document.get("models"), list)
    ):
        log.warning("ignoring the model cache %s: not one of ours", path.name)
        return None
    return document


def from_cache(
    folder: Path, base_url: str, bundled: Catalogue | None = None
) -> LiveCatalogue | None:
    """The catalogue as last fetched from `base_url` (None: nothing usable cached)."""
    document = read_cache(folder, base_url)
    if document is None:
        return None
    server, _problems = parse_catalogue(document["models"], source="remote")
    if len(server) == 0:
        return None
    raw_retired = document.get("retired")
    retired, _ = parse_catalogue(
        raw_retired if isinstance(raw_retired, list) else [], source="remote"
    )
    fetched = document.get("fetched_at")
    return build(
        server,
        bundled=bundled,
        previously=retired,
        origin="cache",
        fetched_at=float(fetched) if isinstance(fetched, int | float) else None,
    )


def current(folder: Path | None, base_url: str) -> LiveCatalogue:
    """The best list available without the network: the cache, else the bundled snapshot.

    This is what `get3w run` validates against:
    `current(app_paths().cache / CACHE_SUBDIR, base_url).resolve(model_id)`.
    """
    cached = from_cache(folder, base_url) if folder is not None else None
    return cached or bundled_catalogue()


@dataclasses.dataclass(frozen=True)
class Refresh:
    """The outcome of one refresh: the new catalogue and what changed."""

    catalogue: LiveCatalogue
    diff: CatalogueDiff
    problems: tuple[str, ...]


def refresh(
    folder: Path | None,
    base_url: str,
    data: Any,
    before: LiveCatalogue,
    pace: Callable[[], None] | None = None,
) -> Refresh | None:
    """Parse a `/api/v3/models` answer (`data`, the envelope's or the bare list), merge it,
    and cache it (`pace`: see `write_cache`); None when it holds no usable model (the list
    shown stays as it was)."""
    server, problems = parse_catalogue(data, source="remote")
    if len(server) == 0:
        return None
    now = time.time()
    previously = (*before.offered, *before.retired)  # what was shown may now be retired
    catalogue = build(server, previously=previously, origin="server", fetched_at=now)
    if folder is not None:
        raw = data.get("models", data.get("data")) if isinstance(data, Mapping) else data
        raw = raw if isinstance(raw, list) else []
        retired_ids = {m.model_id for m in catalogue.retired}
        old = read_cache(folder, base_url)
        previous = [e for e in _entries(old) if e.get("model_id") in retired_ids]
        try:
            write_cache(folder, base_url, raw, previous, now, pace)
        except OSError as exc:  # a cache that cannot be written costs a slower next start
            log.warning("could not cache the model list: %s", exc)
    return Refresh(catalogue, catalogue.diff_from(before), tuple(problems))


def _entries(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if document is None:
        return []
    found: list[Any] = []
    for key in ("retired", "models"):
        part = document.get(key)
        found += part if isinstance(part, list) else []
    return [e for e in found if isinstance(e, Mapping)]
