"""Which models an output can feed: over the bundled catalogue and the real 794 models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from get3w_desktop.core.catalogue import Catalogue, ParamKind, load_bundled, parse_catalogue
from get3w_desktop.core.feeding import (
    GROUPS,
    group_of,
    grouped,
    makes,
    media_fields,
    preferred,
    provider_of,
    target_for,
    targets_for,
    text_targets,
)

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "catalogue" / "models.json"


@pytest.fixture(scope="module")
def real() -> Catalogue:
    assert REAL.is_file(), f"the real catalogue should be beside the clone: {REAL}"
    catalogue, problems = parse_catalogue(json.loads(REAL.read_text("utf-8")), source="real")
    assert problems == []
    return catalogue


def test_an_image_offers_edit_and_image_to_video_models_never_text_to_image() -> None:
    catalogue = load_bundled()
    targets = targets_for(catalogue, "image")
    ids = {t.model.model_id: t for t in targets}
    assert set(ids) == {
        "google/nano-banana-pro/edit",
        "bytedance/seedream-v4.5/edit",
        "kwaivgi/kling-v2.1-i2v-pro",
        "google/veo3.1-fast/image-to-video",
    }
    # flux-dev is text-to-image with an optional reference image: not a place for a result
    assert "wavespeed-ai/flux-dev" not in ids
    assert all(t.model.type != "text-to-image" for t in targets)
    assert ids["google/nano-banana-pro/edit"].group == "edit"
    assert ids["kwaivgi/kling-v2.1-i2v-pro"].group == "animate"
    veo = ids["google/veo3.1-fast/image-to-video"]
    assert [f.name for f in veo.fields] == ["image", "last_image"]
    assert [g for g, _ in grouped(targets)] == ["edit", "animate"]


def test_the_current_model_can_be_left_out() -> None:
    targets = targets_for(load_bundled(), "image", exclude="google/nano-banana-pro/edit")
    assert "google/nano-banana-pro/edit" not in {t.model.model_id for t in targets}
    assert len(targets) == 3


def test_a_video_is_offered_only_to_video_inputs(real: Catalogue) -> None:
    assert targets_for(load_bundled(), "video") == []  # no bundled model takes a video
    targets = targets_for(real, "video")
    assert len(targets) > 50
    for target in targets:
        assert target.fields
        assert all(f.media_kind == "video" for f in target.fields), target.model.model_id
        assert all(f.kind in (ParamKind.MEDIA, ParamKind.MEDIA_LIST) for f in target.fields)
    types = {t.model.type for t in targets}
    assert {"video-to-video", "video-to-text", "upscaler"} <= types
    assert "text-to-video" not in types and "image-to-image" not in types
    groups = dict(grouped(targets))
    assert all(t.model.type != "video-to-text" for t in groups["edit"])
    assert {t.model.type for t in groups["describe"]} >= {"video-to-text"}


def test_an_image_over_the_real_catalogue(real: Catalogue) -> None:
    targets = targets_for(real, "image")
    groups = dict(grouped(targets))
    assert {"edit", "animate", "describe", "3d", "train"} <= set(groups)
    assert {t.model.type for t in groups["animate"]} >= {"image-to-video"}
    assert {t.model.type for t in groups["3d"]} == {"image-to-3d"}
    for target in targets:
        if target.model.type.startswith("text-to-"):  # only when the image is required
            assert any(f.required for f in target.fields), target.model.model_id
    ordinary = [m for m in real if m.type == "text-to-image" and not media_fields(m, "image")]
    assert ordinary and all(target_for(m, "image") is None for m in ordinary)
    # ordered by group, then name
    order = [GROUPS.index(t.group) for t in targets]
    assert order == sorted(order)


def test_sound_goes_to_talking_heads_and_transcribers(real: Catalogue) -> None:
    groups = dict(grouped(targets_for(real, "audio")))
    assert {t.model.type for t in groups["video"]} >= {"digital-human"}
    assert {t.model.type for t in groups["describe"]} == {"speech-to-text"}
    assert all(t.model.type == "audio-to-audio" or t.model.type.startswith("text-to")
               for t in groups["edit"])  # fmt: skip


def test_texts_and_3d_models_feed_no_media_field(real: Catalogue) -> None:
    for kind in ("text", "3d", "other", "weights"):
        assert targets_for(real, kind) == []


def test_what_a_model_makes() -> None:
    assert makes("image-to-video", "image") == "video"
    assert makes("upscaler", "video") == "video"
    assert makes("upscaler", "image") == "image"
    assert makes("image-to-3d", "image") == "3d"
    assert makes("some-new-type", "audio") == "audio"
    assert makes("sketch-to-speech", "image") == "audio"
    assert group_of("image", "video") == "animate"
    assert group_of("audio", "video") == "video"
    assert group_of("video", "text") == "describe"
    assert group_of("image", "image") == "edit"
    assert group_of("image", "weights") == "train"
    model = load_bundled().get("bytedance/seedream-v4.5/edit")
    assert model is not None and provider_of(model) == "bytedance"


def test_preferred_models_keep_their_order_and_skip_what_cannot_take_it() -> None:
    targets = targets_for(load_bundled(), "image")
    wanted = ["wavespeed-ai/flux-dev", "kwaivgi/kling-v2.1-i2v-pro", "google/nano-banana-pro/edit"]
    chosen = preferred(targets, wanted)
    assert [t.model.model_id for t in chosen] == [
        "kwaivgi/kling-v2.1-i2v-pro",
        "google/nano-banana-pro/edit",
    ]
    assert preferred(targets, [t.model.model_id for t in targets], limit=2) == targets[:2]


def test_a_text_feeds_the_prompts_of_models_that_start_from_text(real: Catalogue) -> None:
    targets = text_targets(load_bundled())
    assert {t.model.type for t in targets} == {"text-to-image", "text-to-video", "text-to-audio"}
    assert [g for g, _ in grouped(targets)] == ["image", "video", "sound"]
    speech = next(t for t in targets if t.model.model_id == "minimax/speech-02-hd")
    assert [f.name for f in speech.fields] == ["text"] and speech.group == "sound"
    assert all(f.kind is ParamKind.PROMPT for t in targets for f in t.fields)
    groups = dict(grouped(text_targets(real)))
    assert set(groups) == {"image", "video", "sound", "3d"}
    assert all(t.model.type.startswith("text-to-") for ts in groups.values() for t in ts)
    nano = "google/nano-banana-pro/text-to-image"
    assert nano not in {t.model.model_id for t in text_targets(load_bundled(), exclude=nano)}
