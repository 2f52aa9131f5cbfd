"""Outputs for the kinds beyond pictures, sounds and clips, and each model's typical time.

- text (captioners, LLMs, speech-to-text, moderation): the text itself goes in `outputs`,
  as the real service does; it is plausible for the type and follows the inputs;
- 3d: a small valid `.glb` (outputs3d.py);
- file (trainers): a small LoRA weights file in the safetensors layout (an 8-byte header
  length, a JSON header, then the tensors' bytes).

Everything is deterministic for a task's parameters, like the other sandbox outputs.
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.core.output_kinds import DEFAULT_EXTENSION
from get3w_desktop.sandbox.outputs3d import render_glb

if TYPE_CHECKING:
    from get3w_desktop.sandbox.state import SandboxTask

#: Seconds a model of each kind typically takes, when the catalogue gives no estimate.
TYPICAL_SECONDS = {"image": 10.0, "video": 60.0, "audio": 12.0, "text": 4.0, "3d": 40.0,
                   "file": 300.0}  # fmt: skip
#: The extension a sandbox output of each kind is served with (images follow output_format).
EXTENSIONS = {**DEFAULT_EXTENSION, "file": "safetensors"}
CONTENT_TYPES = {"3d": "model/gltf-binary", "file": "application/octet-stream",
                 "text": "text/plain; charset=utf-8"}  # fmt: skip

_SUBJECTS = ("a red fox", "a lighthouse at dusk", "two people talking", "a bowl of fruit",
             "a city street in the rain", "a mountain lake", "a cat on a windowsill",
             "a product on a white table")  # fmt: skip
_SETTINGS = ("in soft morning light", "under a cloudy sky", "in a warm interior",
             "against a plain background", "with shallow depth of field")  # fmt: skip


def typical_seconds(model: ModelInfo) -> float:
    """The model's estimate, else the typical time of what it makes."""
    return model.estimated_duration or TYPICAL_SECONDS.get(model.output_kind, 10.0)


def _rng(params: Mapping[str, Any], salt: str) -> random.Random:
    blob = json.dumps(params, sort_keys=True, default=str)
    return random.Random(hashlib.sha256(f"{salt}\x00{blob}".encode()).digest())


def _said(params: Mapping[str, Any]) -> str:
    for key in ("prompt", "text", "question", "query", "instruction", "system_prompt"):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def text_output(model: ModelInfo, params: Mapping[str, Any], index: int = 0) -> str:
    """The text a text model answers with (never a URL)."""
    rng = _rng(params, f"{model.model_id}:{index}")
    said = _said(params)
    kind = model.type.lower()
    subject, setting = rng.choice(_SUBJECTS), rng.choice(_SETTINGS)
    if kind == "content-moderation":
        flagged = "[flag]" in said.lower()
        scores = {c: round(rng.uniform(0.0, 0.04), 3) for c in
                  ("sexual", "violence", "harassment", "hate", "self_harm")}  # fmt: skip
        if flagged:
            scores["violence"] = 0.91
        return json.dumps({"flagged": flagged, "categories": scores}, sort_keys=True)
    if kind == "speech-to-text":
        return (f"Hello and welcome. Today we look at {subject} {setting}. "
                "Thank you for listening.")  # fmt: skip
    if kind == "video-to-text":
        return (f"The video shows {subject} {setting}. The camera moves slowly from left to "
                "right; nothing else changes in the scene.")  # fmt: skip
    if kind == "llm":
        asked = said[:200] or "nothing in particular"
        return (f"You asked: “{asked}”. This is the sandbox answering: a real model would "
                f"reply here. Something to think about: {subject} {setting}.")  # fmt: skip
    caption = f"A photograph of {subject} {setting}."
    return f"{caption} {said[:120]}".strip() if said and "caption" not in said.lower() else caption


def render_weights(model: ModelInfo, params: Mapping[str, Any]) -> bytes:
    """A small LoRA in the safetensors layout, its rank and trigger word from the request."""
    rank = params.get("lora_rank")
    rank = rank if isinstance(rank, int) and not isinstance(rank, bool) and 1 <= rank <= 64 else 8
    width = 16
    rng = _rng(params, model.model_id)
    tensors = {"lora_down.weight": (rank, width), "lora_up.weight": (width, rank)}
    header: dict[str, Any] = {
        "__metadata__": {
            "format": "pt",
            "trained_by": "Get3W sandbox",
            "base_model": model.model_id,
            "trigger_word": str(params.get("trigger_word") or ""),
        }
    }
    data = b""
    for name, shape in tensors.items():
        count = shape[0] * shape[1]
        values = struct.pack(f"<{count}f", *(rng.gauss(0.0, 0.02) for _ in range(count)))
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [len(data), len(data) + len(values)]}  # fmt: skip
        data += values
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the format pads its header to 8 bytes
    return struct.pack("<Q", len(head)) + head + data


def render_other(task: SandboxTask, index: int) -> tuple[bytes, str]:
    """(bytes, media type) of output `index` of a 3D, trainer or text task."""
    kind, params = task.model.output_kind, task.params
    if kind == "3d":
        seed = params.get("seed")
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else task.image_seed
        prompt = _said(params) or str(params.get("image") or "")
        return render_glb(prompt, seed + index), CONTENT_TYPES["3d"]
    if kind == "file":
        return render_weights(task.model, params), CONTENT_TYPES["file"]
    return text_output(task.model, params, index).encode(), CONTENT_TYPES["text"]


def read_safetensors_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a safetensors file, after checking its layout (ValueError if not)."""
    if len(data) < 8:
        raise ValueError("too short for a safetensors file")
    (length,) = struct.unpack_from("<Q", data)
    if 8 + length > len(data):
        raise ValueError("the header runs past the end")
    header = json.loads(data[8 : 8 + length])
    if not isinstance(header, dict):
        raise ValueError("the header is not an object")
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"),
              default=0)  # fmt: skip
    if 8 + length + end != len(data):
        raise ValueError("the tensors do not fill the file")
    return header
