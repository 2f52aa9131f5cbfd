"""What a model answers with, from its type: the kind of each entry of a task's `outputs`.

The 25 types of the real model list (SOURCES.md beside models.json) map to six kinds:

- `image`, `video`, `audio`: media files, each output a URL;
- `text`: captioners, LLMs, speech-to-text and moderation answer with the text itself in
  `outputs` (strings that are not URLs);
- `3d`: `.glb` scenes; `file`: anything else kept as it is (a trainer's LoRA weights).

A few types hold models of two kinds (an "upscaler" for images and one for video); those are
told apart by the model's inputs and id, never by the server's file names. The lifecycle and
the viewer still check the bytes: this says what to expect, not what arrived.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

IMAGE, VIDEO, AUDIO, TEXT, MODEL_3D, FILE = "image", "video", "audio", "text", "3d", "file"
KINDS: tuple[str, ...] = (IMAGE, VIDEO, AUDIO, TEXT, MODEL_3D, FILE)
#: Kinds whose outputs are URLs of files to download (text arrives inline).
FILE_KINDS: frozenset[str] = frozenset({IMAGE, VIDEO, AUDIO, MODEL_3D, FILE})

TYPE_KINDS: dict[str, str] = {
    "text-to-image": IMAGE,
    "image-to-image": IMAGE,
    "image-effects": IMAGE,
    "image-edit": IMAGE,  # the name older bundled catalogues used for image-to-image
    "lora-support": IMAGE,
    "upscaler": IMAGE,
    "ai-remover": IMAGE,
    "portrait-transfer": IMAGE,
    "text-to-video": VIDEO,
    "image-to-video": VIDEO,
    "video-to-video": VIDEO,
    "video-effects": VIDEO,
    "video-extend": VIDEO,
    "digital-human": VIDEO,
    "motion-control": VIDEO,
    "video-dubbing": VIDEO,
    "text-to-audio": AUDIO,
    "audio-to-audio": AUDIO,
    "image-to-text": TEXT,
    "video-to-text": TEXT,
    "speech-to-text": TEXT,
    "llm": TEXT,
    "content-moderation": TEXT,
    "image-to-3d": MODEL_3D,
    "text-to-3d": MODEL_3D,
    "training": FILE,
}
#: Types that hold image models and video models alike: a video input or id decides.
_MIXED_IMAGE_OR_VIDEO = frozenset({"lora-support", "upscaler", "ai-remover", "portrait-transfer"})
_VIDEO_WORDS = re.compile(r"(^|[/_.-])(video|t2v|i2v|v2v|vsr|flashvsr|animate)([/_.-]|$)")
_VIDEO_INPUTS = frozenset({"video", "video_url", "videos", "source_video", "mask_video"})

#: The extension a downloaded output gets when its bytes name none (text is saved as .txt).
DEFAULT_EXTENSION: dict[str, str] = {
    IMAGE: "png", VIDEO: "mp4", AUDIO: "wav", TEXT: "txt", MODEL_3D: "glb", FILE: "bin",
}  # fmt: skip


def output_kind_for(model_type: str, model_id: str = "", inputs: Iterable[str] = ()) -> str:
    """The kind of output a model of `model_type` (with `model_id` and input names) gives."""
    lowered = model_type.strip().lower()
    kind = TYPE_KINDS.get(lowered)
    if kind is None:
        return _guess(lowered)
    if lowered in _MIXED_IMAGE_OR_VIDEO and _is_video_model(model_id, inputs):
        return VIDEO
    if lowered == "video-dubbing" and "video-to-audio" in model_id.lower():
        return AUDIO
    return kind


def _is_video_model(model_id: str, inputs: Iterable[str]) -> bool:
    if any(name in _VIDEO_INPUTS for name in inputs):
        return True
    return any(_VIDEO_WORDS.search(part) for part in model_id.lower().split("/"))


def _guess(lowered: str) -> str:
    """A type the list did not have yet: read it as `<input>-to-<output>`."""
    produced = lowered.split("-to-")[-1]
    if "3d" in produced:
        return MODEL_3D
    if "video" in produced:
        return VIDEO
    if produced.endswith(("audio", "speech", "music")) or "text-to-speech" in lowered:
        return AUDIO
    if produced == "text" or lowered.endswith(("caption", "captioner")):
        return TEXT
    return IMAGE


def outputs_are_urls(kind: str) -> bool:
    """Whether a completed task's `outputs` hold addresses to download (False: inline text)."""
    return kind in FILE_KINDS
