"""Which models an output can feed, over the bundled catalogue (the real 794 models)."""

from __future__ import annotations

import pytest

from get3w_desktop.core.catalogue import Catalogue, ParamKind, load_bundled
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

EDIT = "google/nano-banana-pro/edit"
KLING = "kwaivgi/kling-v2.1-i2v-pro"
VEO_I2V = "google/veo3.1-fast/image-to-video"
FLUX = "wavespeed-ai/flux-dev"  # text-to-image with an optional reference image


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    bundled = load_bundled()
    assert len(bundled) > 700  # the real list
    return bundled


def test_an_image_offers_edit_and_image_to_video_models_never_text_to_image(
    catalogue: Catalogue,
) -> None:
    targets = targets_for(catalogue, "image")
    ids = {t.model.model_id: t for t in targets}
    assert ids[EDIT].group == "edit" and [f.name for f in ids[EDIT].fields] == ["images"]
    assert ids[KLING].group == "animate"
    assert [f.name for f in ids[VEO_I2V].fields] == ["image", "last_image"]
    assert FLUX not in ids  # an optional reference is not a place for a result
    assert {t.model.type for t in grouped(targets)[0][1]} >= {"image-to-image", "upscaler"}
    assert {t.model.type for t in dict(grouped(targets))["animate"]} >= {"image-to-video"}
    # the only text-to-image models offered are those that cannot run without an image
    for target in targets:
        if target.model.type.startswith("text-to-"):
            assert any(f.required for f in target.fields), target.model.model_id
    ordinary = [m for m in catalogue if m.type == "text-to-image" and media_fields(m, "image")]
    assert any(target_for(m, "image") is None for m in ordinary)
    plain = [m for m in catalogue if m.type == "text-to-image" and not media_fields(m, "image")]
    assert len(plain) > 50 and all(target_for(m, "image") is None for m in plain)
    assert [g for g, _ in grouped(targets)] == ["edit", "animate", "describe", "3d", "train"]
    order = [GROUPS.index(t.group) for t in targets]
    assert order == sorted(order)


def test_the_current_model_can_be_left_out(catalogue: Catalogue) -> None:
    every = targets_for(catalogue, "image")
    others = targets_for(catalogue, "image", exclude=EDIT)
    assert EDIT not in {t.model.model_id for t in others}
    assert len(others) == len(every) - 1


def test_a_video_is_offered_only_to_video_inputs(catalogue: Catalogue) -> None:
    targets = targets_for(catalogue, "video")
    assert len(targets) > 50
    for target in targets:
        assert target.fields
        assert all(f.media_kind == "video" for f in target.fields), target.model.model_id
        assert all(f.kind in (ParamKind.MEDIA, ParamKind.MEDIA_LIST) for f in target.fields)
    types = {t.model.type for t in targets}
    assert {"video-to-video", "video-to-text", "upscaler", "video-dubbing"} <= types
    assert "text-to-video" not in types and "image-to-image" not in types
    groups = dict(grouped(targets))
    assert {t.model.type for t in groups["edit"]} >= {"video-to-video", "video-extend"}
    assert all(t.model.type != "video-to-text" for t in groups["edit"])
    assert {t.model.type for t in groups["describe"]} >= {"video-to-text"}
    assert all(t.model.output_kind == "audio" for t in groups["sound"])  # video-to-audio


def test_sound_goes_to_talking_heads_and_transcribers(catalogue: Catalogue) -> None:
    groups = dict(grouped(targets_for(catalogue, "audio")))
    assert {t.model.type for t in groups["video"]} >= {"digital-human"}
    assert {t.model.type for t in groups["describe"]} == {"speech-to-text"}
    assert all(t.model.output_kind == "audio" for t in groups["edit"])


def test_texts_and_3d_models_feed_no_media_field(catalogue: Catalogue) -> None:
    for kind in ("text", "3d", "file", "other"):
        assert targets_for(catalogue, kind) == []


def test_a_text_feeds_the_prompts_of_models_that_start_from_text(catalogue: Catalogue) -> None:
    targets = text_targets(catalogue)
    groups = dict(grouped(targets))
    assert list(groups) == ["image", "video", "sound", "3d"]
    assert all(t.model.type.startswith("text-to-") for t in targets)
    assert all(len(t.fields) == 1 and t.fields[0].kind is ParamKind.PROMPT for t in targets)
    speech = next(t for t in targets if t.model.model_id == "minimax/speech-02-hd")
    assert [f.name for f in speech.fields] == ["text"] and speech.group == "sound"
    nano = "google/nano-banana-pro/text-to-image"
    assert nano in {t.model.model_id for t in groups["image"]}
    assert nano not in {t.model.model_id for t in text_targets(catalogue, exclude=nano)}


def test_what_a_model_makes(catalogue: Catalogue) -> None:
    kling = catalogue.get(KLING)
    assert kling is not None and makes(kling, "image") == "video"
    upscalers = [m for m in catalogue if m.type == "upscaler"]
    assert {makes(m, "video") for m in upscalers} == {"video"}  # gives back what it got
    assert {makes(m, "image") for m in upscalers} == {"image"}
    assert group_of("image", "video") == "animate"
    assert group_of("audio", "video") == "video"
    assert group_of("video", "text") == "describe"
    assert group_of("image", "image") == "edit"
    assert group_of("text", "image") == "image"
    assert group_of("image", "file") == "train"
    assert group_of("image", "3d") == "3d"
    seedream = catalogue.get("bytedance/seedream-v4.5/edit")
    assert seedream is not None and provider_of(seedream) == "bytedance"


def test_preferred_models_keep_their_order_and_skip_what_cannot_take_it(
    catalogue: Catalogue,
) -> None:
    targets = targets_for(catalogue, "image")
    chosen = preferred(targets, [FLUX, KLING, EDIT, KLING])
    assert [t.model.model_id for t in chosen] == [KLING, EDIT]
    assert preferred(targets, [t.model.model_id for t in targets], limit=2) == targets[:2]
