"""Generate resources/catalogue.json: the real model list, with Get3W's facts kept.

The source is a real `GET /api/v3/models` answer (../shared/catalogue/models.json, 794
models; SOURCES.md there says where it comes from). Every model is copied as published.
The thirteen models that API.md documents are curated here (CURATED): their names,
descriptions, typical durations, Get3W's `channel` tier and exactly the parameters API.md
lists, with the published type and price. The curated models come first, so a fresh
window opens on a documented model.

One model per line keeps the file small (about 1 MB) and its diffs readable.
Run: .venv/bin/python scripts/build_catalogue.py [--source PATH]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "catalogue.json"
#: The real model list (read-only, shared by every checkout).
SOURCE = ROOT.parent / "shared" / "catalogue" / "models.json"

# WaveSpeed's documented system voices for minimax/speech-02-hd.
VOICES = [
    "Wise_Woman",
    "Friendly_Person",
    "Inspirational_girl",
    "Deep_Voice_Man",
    "Calm_Woman",
    "Casual_Guy",
    "Lively_Girl",
    "Patient_Man",
    "Young_Knight",
    "Determined_Man",
    "Lovely_Girl",
    "Decent_Boy",
    "Imposing_Manner",
    "Elegant_Man",
    "Abbess",
    "Sweet_Girl_2",
    "Exuberant_Girl",
]
ASPECTS = ["1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]


def prompt(
    title: str = "Prompt", placeholder: str = "Describe what you want to see…"
) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "description": "What to generate, in plain words.",
        "x-placeholder": placeholder,
    }


def enum(values: list[Any], default: Any, title: str, description: str) -> dict[str, Any]:
    kind = "integer" if all(isinstance(v, int) for v in values) else "string"
    return {
        "type": kind,
        "title": title,
        "description": description,
        "enum": values,
        "default": default,
        "x-ui-component": "select",
    }


def media(kind: str, title: str, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "uri",
        "title": title,
        "description": description,
        "x-ui-component": "uploader",
        "x-accept": f"{kind}/*",
    }


def media_list(kind: str, low: int, high: int, title: str, description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "format": "uri"},
        "minItems": low,
        "maxItems": high,
        "title": title,
        "description": description,
        "x-ui-component": "uploader",
        "x-accept": f"{kind}/*",
    }


def number(
    kind: str,
    low: float,
    high: float,
    default: float,
    title: str,
    description: str,
    step: float | None = None,
    slider: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": kind,
        "title": title,
        "description": description,
        "minimum": low,
        "maximum": high,
        "default": default,
    }
    if step is not None:
        spec["step"] = step
    if slider:
        spec["x-ui-component"] = "slider"
    return spec


def boolean(default: bool, title: str, description: str) -> dict[str, Any]:
    return {"type": "boolean", "title": title, "description": description, "default": default}


def seed() -> dict[str, Any]:
    return {
        "type": "integer",
        "title": "Seed",
        "minimum": -1,
        "maximum": 2147483647,
        "default": -1,
        "description": "The same seed and inputs give the same result; -1 = random.",
    }


def size(low: int, high: int, default: str) -> dict[str, Any]:
    return {
        "type": "string",
        "title": "Size",
        "default": default,
        "x-size-min": low,
        "x-size-max": high,
        "description": f"Width*height in pixels, {low}–{high} a side.",
    }


def negative() -> dict[str, Any]:
    return {
        "type": "string",
        "title": "Negative prompt",
        "description": "What to keep out of the result.",
        "x-placeholder": "blurry, text…",
    }


CHANNEL = {
    "type": "string",
    "title": "Channel",
    "enum": ["economy", "stable", "official"],
    "default": "stable",
    "x-ui-component": "select",
    "description": "Get3W service tier: economy (cheapest), stable, or official.",
}


def model(
    model_id: str,
    name: str,
    kind: str,
    description: str,
    price: float,
    seconds: float,
    source: str,
    props: dict[str, dict[str, Any]],
    required: list[str],
) -> dict[str, Any]:
    props = {**props, "channel": CHANNEL}
    order: list[str] = [k for k in ("prompt", "text") if k in props]
    order += [k for k in required if k not in order]
    order += [k for k in props if k not in order and k != "channel"] + ["channel"]
    return {
        "model_id": model_id,
        "name": name,
        "description": description,
        "type": kind,
        "base_price": price,
        "estimated_duration": seconds,
        "x-source": source,
        "api_schema": {
            "api_schemas": [
                {
                    "type": "model_run",
                    "request_schema": {
                        "type": "object",
                        "properties": props,
                        "required": required,
                        "x-order-properties": order,
                    },
                }
            ]
        },
    }


def nano(extra_aspects: list[str] | None = None) -> dict[str, dict[str, Any]]:
    return {
        "prompt": prompt(),
        "aspect_ratio": enum(
            ASPECTS + (extra_aspects or []), "1:1", "Aspect ratio", "The shape of the image."
        ),
        "resolution": enum(
            ["1k", "2k", "4k"],
            "1k",
            "Resolution",
            "About 1024, 2048 or 4096 pixels on the long side.",
        ),
        "output_format": enum(["png", "jpeg"], "png", "Format", "The image file format."),
    }


def video_t2v() -> dict[str, dict[str, Any]]:
    return {
        "prompt": prompt(placeholder="Describe the scene, the motion and the camera…"),
        "aspect_ratio": enum(["16:9", "9:16"], "16:9", "Aspect ratio", "The shape of the video."),
        "duration": enum([4, 6, 8], 8, "Duration (s)", "Length of the video in seconds."),
        "resolution": enum(["720p", "1080p", "4k"], "1080p", "Resolution", "Video resolution."),
        "generate_audio": boolean(True, "Generate audio", "Add a matching soundtrack."),
        "negative_prompt": negative(),
        "seed": seed(),
    }


CURATED = [
    model(
        "google/nano-banana-pro/text-to-image",
        "Nano Banana Pro",
        "text-to-image",
        "Google's image model with sharp detail and accurate text rendering.",
        0.14,
        20,
        "G1",
        nano(),
        ["prompt"],
    ),
    model(
        "google/nano-banana-pro/edit",
        "Nano Banana Pro Edit",
        "image-edit",
        "Edit or combine up to 14 images with a written instruction.",
        0.14,
        22,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the change…"),
            "images": media_list("image", 1, 14, "Images", "The images to edit or combine."),
            **{k: v for k, v in nano().items() if k != "prompt"},
        },
        ["images", "prompt"],
    ),
    model(
        "google/nano-banana-2/text-to-image",
        "Nano Banana 2",
        "text-to-image",
        "Fast Google image model with extra-wide and extra-tall formats.",
        0.08,
        12,
        "WS",
        nano(["1:4", "4:1", "1:8", "8:1"]),
        ["prompt"],
    ),
    model(
        "bytedance/seedream-v4.5",
        "Seedream 4.5",
        "text-to-image",
        "ByteDance's high-resolution image model, up to 4096 pixels a side.",
        0.03,
        15,
        "WS",
        {"prompt": prompt(), "size": size(1024, 4096, "2048*2048")},
        ["prompt"],
    ),
    model(
        "bytedance/seedream-v4.5/edit",
        "Seedream 4.5 Edit",
        "image-edit",
        "Edit up to 10 reference images with Seedream 4.5.",
        0.03,
        18,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the change…"),
            "images": media_list("image", 1, 10, "Images", "The images to edit."),
            "size": size(1024, 4096, "2048*2048"),
        },
        ["images", "prompt"],
    ),
    model(
        "wavespeed-ai/flux-dev",
        "FLUX.1 [dev]",
        "text-to-image",
        "Open-weight FLUX model; optional image-to-image and inpainting.",
        0.012,
        8,
        "WS",
        {
            "prompt": prompt(),
            "image": media("image", "Start image", "Optional: an image to start from."),
            "mask_image": media("image", "Mask", "Optional: white areas are repainted."),
            "strength": number(
                "number",
                0,
                1,
                0.8,
                "Strength",
                "How far to move away from the start image.",
                0.01,
                True,
            ),
            "size": size(256, 1536, "1024*1024"),
            "num_inference_steps": number(
                "integer", 1, 50, 28, "Steps", "More steps: more detail, slower.", 1, True
            ),
            "seed": seed(),
            "guidance_scale": number(
                "number", 0, 10, 3.5, "Guidance", "How closely to follow the prompt.", 0.1, True
            ),
            "num_images": number("integer", 1, 4, 1, "Images", "How many images to make."),
            "output_format": enum(["jpeg", "png"], "jpeg", "Format", "The image file format."),
            "enable_safety_checker": boolean(True, "Safety checker", "Filter unsafe results."),
        },
        ["prompt"],
    ),
    model(
        "google/veo3.1-fast/text-to-video",
        "Veo 3.1 Fast",
        "text-to-video",
        "Google's fast video model with native sound.",
        1.2,
        90,
        "WS",
        video_t2v(),
        ["prompt"],
    ),
    model(
        "google/veo3.1-fast/image-to-video",
        "Veo 3.1 Fast · image to video",
        "image-to-video",
        "Animate a still image with Veo 3.1 Fast.",
        1.2,
        95,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the motion…"),
            "image": media("image", "First frame", "The image the video starts from."),
            "last_image": media("image", "Last frame", "Optional: the image it ends on."),
            **{k: v for k, v in video_t2v().items() if k != "prompt"},
        },
        ["image", "prompt"],
    ),
    model(
        "bytedance/seedance-v1.5-pro/text-to-video",
        "Seedance 1.5 Pro",
        "text-to-video",
        "ByteDance's cinematic video model with audio.",
        0.26,
        60,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the scene and the motion…"),
            "aspect_ratio": enum(
                ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"],
                "16:9",
                "Aspect ratio",
                "The shape of the video.",
            ),
            "duration": number("integer", 4, 12, 5, "Duration (s)", "Length in seconds.", 1, True),
            "resolution": enum(
                ["480p", "720p", "1080p"], "720p", "Resolution", "Video resolution."
            ),
            "generate_audio": boolean(True, "Generate audio", "Add a matching soundtrack."),
            "camera_fixed": boolean(False, "Fixed camera", "Keep the camera still."),
            "seed": seed(),
        },
        ["prompt"],
    ),
    model(
        "alibaba/wan-2.6/text-to-video",
        "Wan 2.6",
        "text-to-video",
        "Alibaba's video model with multi-shot stories and your own audio.",
        0.5,
        120,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the scene and the motion…"),
            "negative_prompt": negative(),
            "audio": media("audio", "Audio", "Optional: a soundtrack to follow."),
            "size": enum(
                ["1280*720", "720*1280", "1920*1080", "1080*1920"],
                "1280*720",
                "Size",
                "Width*height of the video.",
            ),
            "duration": enum([5, 10, 15], 5, "Duration (s)", "Length in seconds."),
            "shot_type": enum(["single", "multi"], "single", "Shots", "One shot or several."),
            "enable_prompt_expansion": boolean(
                False, "Expand prompt", "Let the model elaborate on the prompt."
            ),
            "seed": seed(),
        },
        ["prompt"],
    ),
    model(
        "kwaivgi/kling-v2.1-i2v-pro",
        "Kling 2.1 Pro · image to video",
        "image-to-video",
        "Kuaishou's image-to-video model with smooth, realistic motion.",
        0.45,
        150,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the motion…"),
            "image": media("image", "Image", "The image to animate."),
            "negative_prompt": negative(),
            "guidance_scale": number(
                "number", 0, 1, 0.5, "Guidance", "How closely to follow the prompt.", 0.05, True
            ),
            "duration": enum([5, 10], 5, "Duration (s)", "Length in seconds."),
        },
        ["image", "prompt"],
    ),
    model(
        "openai/sora-2/text-to-video",
        "Sora 2",
        "text-to-video",
        "OpenAI's video model with synchronised sound.",
        0.4,
        180,
        "WS",
        {
            "prompt": prompt(placeholder="Describe the scene, the motion and the sound…"),
            "duration": enum([4, 8, 12], 4, "Duration (s)", "Length in seconds."),
            "size": enum(["720*1280", "1280*720"], "1280*720", "Size", "Width*height."),
        },
        ["prompt"],
    ),
    model(
        "minimax/speech-02-hd",
        "MiniMax Speech 02 HD",
        "text-to-audio",
        "Natural, high-definition text-to-speech with 17 ready-made voices.",
        0.05,
        10,
        "WS",
        {
            "text": {
                "type": "string",
                "title": "Text",
                "maxLength": 10000,
                "description": (
                    "What the voice says (up to 10,000 characters); "
                    "<#0.5#> inserts a pause in seconds."
                ),
                "x-placeholder": "Type the words to speak…",
            },
            "voice_id": {
                "type": "string",
                "title": "Voice",
                "description": "One of MiniMax's system voices.",
                "enum": VOICES,
                "default": "Friendly_Person",
                "x-ui-component": "select",
            },
            "speed": number(
                "number", 0.5, 2.0, 1.0, "Speed", "Speaking rate; 1 is normal.", 0.1, True
            ),
            "volume": number(
                "number", 0.1, 10.0, 1.0, "Volume", "Loudness; 1 is normal.", 0.1, True
            ),
            "pitch": number(
                "integer", -12, 12, 0, "Pitch", "Shift the voice up or down, in semitones.", 1, True
            ),
            "emotion": {
                "type": "string",
                "title": "Emotion",
                "description": "The mood of the delivery.",
                "enum": ["happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral"],
                "default": "happy",
                "x-ui-component": "select",
            },
            "english_normalization": boolean(
                False,
                "Read numbers in English",
                "Better reading of numbers and dates in English text (a little slower).",
            ),
        },
        ["text", "voice_id"],
    ),
]


NOTE = (
    "A snapshot of the real model list for when the API serves none. The first models are "
    "curated from Get3W's documentation: prices (USD per run; speech per 1000 characters) and "
    "estimated_duration (seconds) are estimates, not quotes. x-source: G1 = Get3W docs, WS = "
    "WaveSpeed docs (a real model id and its documented parameters), WS-list = a real "
    "WaveSpeed /api/v3/models answer, copied as published."
)


def curate(real: dict[str, Any], curated: dict[str, Any]) -> dict[str, Any]:
    """The curated entry with the published type and price.

    Its schema stays the documented one (every text in it is translated, see ui/texts.py);
    the published extras (bitrate, API-only switches, ...) arrive with the server's list,
    which replaces the bundled entry as soon as it is fetched."""
    return {**curated, "type": real["type"], "base_price": real["base_price"]}


def published(real: dict[str, Any]) -> dict[str, Any]:
    """A listed model as the live answer carries it (the request schema untouched)."""
    return {
        "model_id": real["model_id"],
        "name": real["name"],
        "type": real["type"],
        "base_price": real["base_price"],
        "x-source": "WS-list",
        "api_schema": {
            "api_schemas": [{"type": "model_run", "request_schema": real["request_schema"]}]
        },
    }


def build(source: Path = SOURCE) -> list[dict[str, Any]]:
    """Every model of `source`, curated ones first (a curated model the list lacks is kept)."""
    listed = json.loads(source.read_text(encoding="utf-8"))["models"]
    by_id = {m["model_id"]: m for m in listed}
    curated_ids = {m["model_id"] for m in CURATED}
    models = [curate(by_id[m["model_id"]], m) if m["model_id"] in by_id else m for m in CURATED]
    models += [published(m) for m in listed if m["model_id"] not in curated_ids]
    return models


def render(models: list[dict[str, Any]]) -> str:
    """The file's text: a small header, then one compact model per line."""
    lines = [json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in models]
    head = json.dumps(NOTE, ensure_ascii=False)
    return '{"version":1,"note":' + head + ',"models":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=SOURCE, help="the real model list")
    args = parser.parse_args()
    models = build(args.source)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(render(models), encoding="utf-8")
    print(f"wrote {OUT} ({len(models)} models, {OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
