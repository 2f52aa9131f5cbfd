"""Which models can take an output as input ("Use as input", "Edit with…", "Animate with…").

Plain Python over the catalogue, so it can be tested without a window. An output's kind
("image", "video", "audio") is decided by the caller from the file's bytes; here a model is a
target when one of its shown media inputs takes that kind. Models that make something from
text (`text-to-*`) are offered only when the kind is one of their *required* inputs: their
optional media fields are references or masks, not the thing being worked on, so a picture
is never offered to an ordinary text-to-image model.

Targets are grouped by what the model makes from the output, so a menu can say "Edit
with…" for image to image and "Animate with…" for image to video.

A text output (a caption, a transcript, an answer) feeds the prompt of the models that
make something from text (`text-to-*`): "Make an image with…", "Make a video with…".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from get3w_desktop.core.catalogue import ModelInfo, ParamKind, ParamSpec

#: The kinds an output can have that a media field can take.
FEEDABLE_KINDS = ("image", "video", "audio")

#: Types whose models give back the kind they were given (a remover, an upscaler, a face
#: swap, a LoRA runner): an image upscaler makes an image, a video one a video.
_SAME_AS_GIVEN = frozenset({"ai-remover", "lora-support", "portrait-transfer", "upscaler"})

#: Menu groups, in the order they are offered.
GROUPS = ("edit", "animate", "image", "video", "sound", "describe", "3d", "train", "other")


@dataclasses.dataclass(frozen=True)
class FeedTarget:
    """A model that can take the output, and the fields of it that can."""

    model: ModelInfo
    fields: tuple[ParamSpec, ...]
    group: str


def media_fields(model: ModelInfo, kind: str) -> tuple[ParamSpec, ...]:
    """The shown media inputs of `model` that take `kind`, in form order."""
    return tuple(
        p
        for p in model.params
        if p.kind in (ParamKind.MEDIA, ParamKind.MEDIA_LIST)
        and (p.media_kind or "image") == kind
        and not p.hidden
        and not p.disabled
    )


def makes(model: ModelInfo, given: str) -> str:
    """What `model` makes when given a `given` input (its catalogue output kind, which
    core/output_kinds reads from the type, the inputs and the id)."""
    if model.type.lower() in _SAME_AS_GIVEN:
        return given
    return model.output_kind


def group_of(given: str, made: str) -> str:
    """The menu group of a model that turns `given` into `made`."""
    if made == given:
        return "edit"
    if given == "image" and made == "video":
        return "animate"
    if made == "image":
        return "image"
    if made == "video":
        return "video"
    if made == "audio":
        return "sound"
    if made == "text":
        return "describe"
    if made == "3d":
        return "3d"
    if made in ("file", "weights"):
        return "train"
    return "other"


def target_for(model: ModelInfo, kind: str) -> FeedTarget | None:
    """`model` as a target for an output of `kind`, or None when it cannot take one."""
    if kind not in FEEDABLE_KINDS:
        return None
    fields = media_fields(model, kind)
    if not fields:
        return None
    if model.type.lower().startswith("text-to-") and not any(f.required for f in fields):
        return None
    return FeedTarget(model, fields, group_of(kind, makes(model, kind)))


def targets_for(
    catalogue: Iterable[ModelInfo], kind: str, *, exclude: str | None = None
) -> list[FeedTarget]:
    """Every model that can take an output of `kind` (but `exclude`), by group then name."""
    found = [
        target
        for model in catalogue
        if model.model_id != exclude and (target := target_for(model, kind)) is not None
    ]
    order = {group: position for position, group in enumerate(GROUPS)}
    found.sort(key=lambda t: (order[t.group], t.model.name.lower(), t.model.model_id))
    return found


def grouped(targets: Iterable[FeedTarget]) -> list[tuple[str, list[FeedTarget]]]:
    """`targets` split by group, groups in `GROUPS` order, empty groups left out."""
    by_group: dict[str, list[FeedTarget]] = {}
    for target in targets:
        by_group.setdefault(target.group, []).append(target)
    return [(group, by_group[group]) for group in GROUPS if group in by_group]


def prompt_field(model: ModelInfo) -> ParamSpec | None:
    """The shown prompt of `model`, if it has one."""
    return next(
        (p for p in model.params if p.kind is ParamKind.PROMPT and not p.hidden and not p.disabled),
        None,
    )


def text_targets(catalogue: Iterable[ModelInfo], *, exclude: str | None = None) -> list[FeedTarget]:
    """The models that make something from a prompt (`text-to-*`), by group then name."""
    found: list[FeedTarget] = []
    for model in catalogue:
        if model.model_id == exclude or not model.type.lower().startswith("text-to-"):
            continue
        prompt = prompt_field(model)
        if prompt is not None:
            found.append(FeedTarget(model, (prompt,), group_of("text", makes(model, "text"))))
    order = {group: position for position, group in enumerate(GROUPS)}
    found.sort(key=lambda t: (order[t.group], t.model.name.lower(), t.model.model_id))
    return found


def provider_of(model: ModelInfo) -> str:
    """The publisher part of a model id ("bytedance" of "bytedance/seedream-v4.5")."""
    return model.model_id.split("/", 1)[0] if "/" in model.model_id else model.model_id


def preferred(
    targets: Iterable[FeedTarget], model_ids: Iterable[str], limit: int = 6
) -> list[FeedTarget]:
    """The targets among `model_ids` (favourites, then recently used), in that order."""
    by_id = {target.model.model_id: target for target in targets}
    chosen = [by_id[i] for i in dict.fromkeys(model_ids) if i in by_id]
    return chosen[:limit]
