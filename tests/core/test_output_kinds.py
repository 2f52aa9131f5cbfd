"""What each of the 25 real model types answers with (core/output_kinds.py)."""

from __future__ import annotations

import collections

import pytest

from get3w_desktop.core.catalogue import load_bundled
from get3w_desktop.core.output_kinds import (
    DEFAULT_EXTENSION,
    KINDS,
    TYPE_KINDS,
    output_kind_for,
    outputs_are_urls,
)


def test_every_real_type_has_a_kind() -> None:
    types = {m.type for m in load_bundled()}
    assert len(types) == 25 and types <= set(TYPE_KINDS)
    assert set(TYPE_KINDS.values()) == set(KINDS) == set(DEFAULT_EXTENSION)


@pytest.mark.parametrize(
    ("model_type", "kind"),
    [("image-to-text", "text"), ("video-to-text", "text"), ("speech-to-text", "text"),
     ("llm", "text"), ("content-moderation", "text"), ("image-to-3d", "3d"),
     ("text-to-3d", "3d"), ("training", "file"), ("text-to-audio", "audio"),
     ("audio-to-audio", "audio"), ("digital-human", "video"), ("video-effects", "video"),
     ("image-effects", "image"), ("text-to-image", "image"), ("Image-To-Video ", "video")],
)  # fmt: skip
def test_types_map_to_kinds(model_type: str, kind: str) -> None:
    assert output_kind_for(model_type) == kind


@pytest.mark.parametrize(
    ("model_id", "kind"),
    [("wavespeed-ai/flux-dev-lora", "image"), ("wavespeed-ai/wan-2.1/t2v-480p-lora", "video"),
     ("wavespeed-ai/wan-2.2/i2v-480p-lora", "video"), ("wavespeed-ai/image-upscaler", "image"),
     ("wavespeed-ai/flashvsr", "video"), ("runwayml/upscale-v1", "video"),
     ("bria/remove-background", "image"), ("wavespeed-ai/video-eraser", "video"),
     ("wavespeed-ai/image-face-swap", "image"), ("akool/video-face-swap", "video"),
     ("kwaivgi/kling-video-to-audio", "audio"), ("elevenlabs/dubbing", "video"),
     ("wavespeed-ai/flux-dev-lora-trainer", "file"), ("minimax/speech-02-hd", "audio")],
)  # fmt: skip
def test_mixed_types_are_told_apart_by_inputs_and_id(model_id: str, kind: str) -> None:
    model = load_bundled().get(model_id)
    assert model is not None and model.output_kind == kind


def test_the_real_list_in_kinds() -> None:
    counts = collections.Counter(m.output_kind for m in load_bundled())
    # SOURCES.md: 28 text models (5 types), 18 3D (2 types), 11 trainers
    assert (counts["text"], counts["3d"], counts["file"]) == (28, 18, 11)
    assert counts["video"] > counts["image"] > counts["audio"] > 0


def test_unknown_types_are_read_as_input_to_output() -> None:
    assert output_kind_for("sketch-to-3d") == "3d"
    assert output_kind_for("audio-to-video") == "video"
    assert output_kind_for("text-to-music") == "audio"
    assert output_kind_for("audio-to-text") == "text"
    assert output_kind_for("something-new") == "image"
    assert not outputs_are_urls("text") and outputs_are_urls("3d") and outputs_are_urls("file")
