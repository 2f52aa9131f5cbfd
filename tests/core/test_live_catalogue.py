"""The live model list: cache per base URL, merge with the bundle, diff, retired models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core import live_catalogue as live
from get3w_desktop.core.catalogue import (
    Catalogue,
    apply_defaults,
    check_params,
    load_bundled,
    parse_catalogue,
    parse_model,
    validate_params,
)
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer

NANO = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"
FRAMEPACK = "wavespeed-ai/framepack"
URL = "https://api.example.com"


def entry(model_id: str, **extra: Any) -> dict[str, Any]:
    return {"model_id": model_id, "type": "text-to-image",
            "request_schema": {"properties": {"prompt": {"type": "string"}}}, **extra}  # fmt: skip


def test_before_any_fetch_the_bundle_is_offered_whole(tmp_path: Path) -> None:
    shown = live.current(tmp_path, URL)
    assert shown.origin == "bundled" and len(shown.offered) == 794 and len(shown.retired) == 0
    resolved = shown.resolve(NANO)
    assert resolved is not None and resolved.offered
    assert shown.resolve("no/such-model") is None
    assert live.current(None, URL).origin == "bundled"


def test_the_server_wins_and_the_bundle_fills_gaps() -> None:
    server, _ = parse_catalogue(
        [entry(NANO, name=NANO, base_price=0.2), entry("new/model", name="New", base_price=None)],
        source="remote",
    )
    built = live.build(server)
    nano = built.offered.get(NANO)
    bundled_nano = load_bundled().get(NANO)
    assert nano is not None and bundled_nano is not None
    assert nano.base_price == 0.2 and nano.source == "remote"  # the server's price and schema
    assert [p.name for p in nano.params] == ["prompt", "channel"]
    assert nano.name == "Nano Banana Pro"  # the server only repeated the id
    assert nano.description == bundled_nano.description
    assert nano.estimated_duration == bundled_nano.estimated_duration
    assert [m.model_id for m in built.offered] == [NANO, "new/model"]
    # every bundled model the server does not list is retired, not lost
    assert len(built.retired) == 793
    flux = built.resolve(FLUX)
    assert flux is not None and not flux.offered and flux.model.model_id == FLUX
    assert built.resolve("new/model") == live.Resolved(built.offered.models[1], True)


def test_the_diff_names_what_came_and_went() -> None:
    before = live.build(parse_catalogue([entry("a/1"), entry("a/2")], source="r")[0])
    after = live.build(parse_catalogue([entry("a/2"), entry("a/3"), entry("a/4")],
                                            source="r")[0])  # fmt: skip
    diff = after.diff_from(before)
    assert (diff.added, diff.removed) == (("a/3", "a/4"), ("a/1",))
    assert diff.summary() == "2 new models; 1 no longer offered"
    assert live.CatalogueDiff(added=("x",)).summary() == "1 new model"
    assert not after.diff_from(after) and after.diff_from(after).summary() == ""


def test_the_cache_round_trips_per_base_url_and_keeps_retired_models(tmp_path: Path) -> None:
    first = [entry("a/1", name="One"), entry("a/2")]
    outcome = live.refresh(tmp_path, URL, {"models": first}, live.bundled_catalogue())
    assert outcome is not None and outcome.catalogue.origin == "server"
    assert outcome.diff.added == ("a/1", "a/2") and len(outcome.diff.removed) == 794
    cached = live.from_cache(tmp_path, URL + "/")  # the same URL, written differently
    assert cached is not None and cached.origin == "cache"
    assert [m.model_id for m in cached.offered] == ["a/1", "a/2"]
    assert cached.fetched_at == outcome.catalogue.fetched_at
    assert live.from_cache(tmp_path, "https://elsewhere.example") is None  # another profile
    # a later list without a/1: it is retired, and still resolvable after a restart
    again = live.refresh(tmp_path, URL, [entry("a/2")], cached)
    assert again is not None and again.diff == live.CatalogueDiff(removed=("a/1",))
    restarted = live.current(tmp_path, URL)
    gone = restarted.resolve("a/1")
    assert gone is not None and not gone.offered and gone.model.name == "One"
    assert [m.model_id for m in restarted.offered] == ["a/2"]


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[]", json.dumps({"version": 99, "base_url": URL, "models": []}).encode(),
     json.dumps({"version": 1, "base_url": "https://other", "models": [entry("a/1")]}).encode(),
     json.dumps({"version": 1, "base_url": URL.lower(), "models": "nope"}).encode(),
     json.dumps({"version": 1, "base_url": URL.lower(), "models": [5, {"x": 1}]}).encode()],
)  # fmt: skip
def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path: Path, content: bytes) -> None:
    live.cache_path(tmp_path, URL).write_bytes(content)
    assert live.from_cache(tmp_path, URL) is None
    assert live.current(tmp_path, URL).origin == "bundled"


def test_an_empty_answer_changes_nothing_and_a_cache_that_cannot_be_written_is_survived(
    tmp_path: Path,
) -> None:
    shown = live.bundled_catalogue()
    assert live.refresh(tmp_path, URL, [], shown) is None
    assert live.refresh(tmp_path, URL, {"junk": 1}, shown) is None
    assert not list(tmp_path.iterdir())
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    outcome = live.refresh(blocked, URL, [entry("a/1")], shown)
    assert outcome is not None and [m.model_id for m in outcome.catalogue.offered] == ["a/1"]


def test_a_sandbox_list_is_fetched_cached_and_diffed_over_http(tmp_path: Path) -> None:
    bundled = load_bundled()
    subset = Catalogue([m for m in bundled if m.model_id != FRAMEPACK])
    with (
        SandboxServer(SandboxConfig(), catalogue=subset) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
    ):
        data = client.model_list_data()
        outcome = live.refresh(tmp_path, server.base_url, data, live.bundled_catalogue())
    assert outcome is not None and outcome.problems == ()
    assert outcome.diff == live.CatalogueDiff(removed=(FRAMEPACK,))
    assert len(outcome.catalogue.offered) == 793
    framepack = live.current(tmp_path, server.base_url).resolve(FRAMEPACK)
    assert framepack is not None and not framepack.offered
    # the schemas survive the trip: the same validation as the bundled model
    remote_nano = outcome.catalogue.offered.get(NANO)
    assert remote_nano is not None and remote_nano.schema == bundled.get(NANO).schema  # type: ignore[union-attr]


def test_merge_keeps_a_remote_name_and_price() -> None:
    remote = parse_model({**entry(NANO), "name": "Remote", "base_price": 0.5}, source="remote")
    merged = live.merge_model(remote, load_bundled().get(NANO))
    assert (merged.name, merged.base_price, merged.source) == ("Remote", 0.5, "remote")
    assert live.merge_model(remote, None) is remote


def test_get3w_run_checks_against_the_cached_schema_not_the_bundled_one(tmp_path: Path) -> None:
    """A server that narrowed a model's choices: after one refresh, the cached schema rules."""
    bundled = load_bundled()
    nano = bundled.get(NANO)
    assert nano is not None
    schema = json.loads(json.dumps(nano.schema))
    schema["properties"]["resolution"]["enum"] = ["1k", "2k"]
    narrowed = parse_model({"model_id": NANO, "type": nano.type, "request_schema": schema},
                           source="remote")  # fmt: skip
    request = {"prompt": "a fox", "resolution": "4k"}
    assert validate_params(nano, request) == []
    with (
        SandboxServer(SandboxConfig(), catalogue=Catalogue([narrowed])) as server,
        Get3WClient(server.base_url, SANDBOX_API_KEY) as client,
    ):
        assert live.refresh(tmp_path, server.base_url, client.model_list_data(),
                            live.bundled_catalogue()) is not None  # fmt: skip
    folder, url = tmp_path, server.base_url
    resolved = live.current(folder, url).resolve(NANO)  # the one line get3w run needs
    assert resolved is not None and resolved.offered
    with pytest.raises(InvalidParametersError, match="resolution must be one of 1k, 2k"):
        check_params(resolved.model, apply_defaults(resolved.model, request))
    other = live.current(tmp_path, "https://elsewhere.example").resolve(NANO)  # another profile
    assert other is not None and validate_params(other.model, request) == []


def test_the_cache_is_written_a_model_at_a_time_as_one_json_document(tmp_path: Path) -> None:
    """The loader's thread hands the interpreter lock over between models (`pace`), and
    the file holds exactly what one `json.dumps` of the document writes."""
    entries = [entry(NANO, name="Nano 中文"), entry(FLUX), {"model_id": "x", "odd": [1, None]}]
    retired = [entry(FRAMEPACK)]
    paces: list[int] = []
    path = live.write_cache(tmp_path, URL, entries, retired, 1234.5, lambda: paces.append(1))
    document = {"version": live.CACHE_VERSION, "base_url": live.normalise_base_url(URL),
                "fetched_at": 1234.5, "models": entries, "retired": retired}  # fmt: skip
    whole = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert path.read_bytes() == whole.encode("utf-8")
    assert len(paces) == len(entries)
    assert live.read_cache(tmp_path, URL) == document
