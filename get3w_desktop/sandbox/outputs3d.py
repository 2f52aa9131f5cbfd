"""A small, valid glTF 2.0 binary (`.glb`): what the sandbox's 3D models answer with.

One coloured mesh (a cube, or a pyramid when the prompt asks for one) with positions,
normals and indices, written by hand: the format is a 12-byte header, a JSON chunk and a
binary chunk, each padded to four bytes (Khronos glTF 2.0 spec, section "GLB File Format").
Any glTF viewer opens it; the colour follows the prompt so two results differ.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

GLB_MAGIC = b"glTF"
_JSON_CHUNK = 0x4E4F534A  # "JSON"
_BIN_CHUNK = 0x004E4942  # "BIN\0"
_FLOAT, _USHORT = 5126, 5123
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963

# A unit cube, one quad per face so that each face has its own normal.
_FACES = (
    ((0, 0, 1), ((-1, -1, 1), (1, -1, 1), (1, 1, 1), (-1, 1, 1))),
    ((0, 0, -1), ((1, -1, -1), (-1, -1, -1), (-1, 1, -1), (1, 1, -1))),
    ((1, 0, 0), ((1, -1, 1), (1, -1, -1), (1, 1, -1), (1, 1, 1))),
    ((-1, 0, 0), ((-1, -1, -1), (-1, -1, 1), (-1, 1, 1), (-1, 1, -1))),
    ((0, 1, 0), ((-1, 1, 1), (1, 1, 1), (1, 1, -1), (-1, 1, -1))),
    ((0, -1, 0), ((-1, -1, -1), (1, -1, -1), (1, -1, 1), (-1, -1, 1))),
)
_PYRAMID = (
    ((0.0, 0.447, 0.894), ((-1, -1, 1), (1, -1, 1), (0, 1, 0))),
    ((0.894, 0.447, 0.0), ((1, -1, 1), (1, -1, -1), (0, 1, 0))),
    ((0.0, 0.447, -0.894), ((1, -1, -1), (-1, -1, -1), (0, 1, 0))),
    ((-0.894, 0.447, 0.0), ((-1, -1, -1), (-1, -1, 1), (0, 1, 0))),
)


def _mesh(prompt: str) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]], list[int]]:
    positions: list[tuple[float, ...]] = []
    normals: list[tuple[float, ...]] = []
    indices: list[int] = []
    if "pyramid" in prompt.lower():
        for normal, corners in _PYRAMID:
            start = len(positions)
            positions += [tuple(float(c) for c in corner) for corner in corners]
            normals += [normal] * 3
            indices += [start, start + 1, start + 2]
        positions.append((1.0, -1.0, 1.0))  # the base, as two triangles
        positions += [(-1.0, -1.0, 1.0), (-1.0, -1.0, -1.0), (1.0, -1.0, -1.0)]
        normals += [(0.0, -1.0, 0.0)] * 4
        base = len(positions) - 4
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        return positions, normals, indices
    for face_normal, quad in _FACES:
        start = len(positions)
        positions += [tuple(float(c) for c in corner) for corner in quad]
        normals += [tuple(float(n) for n in face_normal)] * 4
        indices += [start, start + 1, start + 2, start, start + 2, start + 3]
    return positions, normals, indices


def _pad(data: bytes, filler: bytes) -> bytes:
    return data + filler * (-len(data) % 4)


def render_glb(prompt: str, seed: int = 0) -> bytes:
    """A valid `.glb` whose colour and shape follow the prompt (deterministic)."""
    positions, normals, indices = _mesh(prompt)
    digest = hashlib.sha256(f"{prompt}\x00{seed}".encode()).digest()
    colour = [0.25 + 0.7 * b / 255 for b in digest[:3]] + [1.0]
    pos_bytes = b"".join(struct.pack("<3f", *p) for p in positions)
    nor_bytes = b"".join(struct.pack("<3f", *n) for n in normals)
    idx_bytes = _pad(struct.pack(f"<{len(indices)}H", *indices), b"\0")
    binary = pos_bytes + nor_bytes + idx_bytes
    lows = [min(p[axis] for p in positions) for axis in range(3)]
    highs = [max(p[axis] for p in positions) for axis in range(3)]
    gltf = {
        "asset": {"version": "2.0", "generator": "Get3W sandbox"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "result"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2,
                                    "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": colour, "metallicFactor": 0.1,
                                                "roughnessFactor": 0.7}}],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos_bytes), "target": _ARRAY_BUFFER},
            {"buffer": 0, "byteOffset": len(pos_bytes), "byteLength": len(nor_bytes),
             "target": _ARRAY_BUFFER},
            {"buffer": 0, "byteOffset": len(pos_bytes) + len(nor_bytes),
             "byteLength": 2 * len(indices), "target": _ELEMENT_ARRAY_BUFFER},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": _FLOAT, "count": len(positions), "type": "VEC3",
             "min": lows, "max": highs},
            {"bufferView": 1, "componentType": _FLOAT, "count": len(normals), "type": "VEC3"},
            {"bufferView": 2, "componentType": _USHORT, "count": len(indices), "type": "SCALAR"},
        ],
    }  # fmt: skip
    json_bytes = _pad(json.dumps(gltf, separators=(",", ":")).encode(), b" ")
    total = 12 + 8 + len(json_bytes) + 8 + len(binary)
    return b"".join([
        GLB_MAGIC, struct.pack("<II", 2, total),
        struct.pack("<II", len(json_bytes), _JSON_CHUNK), json_bytes,
        struct.pack("<II", len(binary), _BIN_CHUNK), binary,
    ])  # fmt: skip


def read_glb(data: bytes) -> dict[str, Any]:
    """The JSON chunk of a `.glb`, after checking the container; ValueError if it is not one."""
    if len(data) < 20 or data[:4] != GLB_MAGIC:
        raise ValueError("not a glTF binary")
    version, total = struct.unpack_from("<II", data, 4)
    if version != 2 or total != len(data):
        raise ValueError(f"glTF version {version}, length {total} for {len(data)} bytes")
    offset, chunks = 12, {}
    while offset < total:
        if offset + 8 > total:
            raise ValueError("a truncated chunk header")
        length, kind = struct.unpack_from("<II", data, offset)
        if length % 4 or offset + 8 + length > total:
            raise ValueError("a chunk runs past the end or is not aligned")
        chunks[kind] = data[offset + 8 : offset + 8 + length]
        offset += 8 + length
    if _JSON_CHUNK not in chunks:
        raise ValueError("no JSON chunk")
    document = json.loads(chunks[_JSON_CHUNK])
    if not isinstance(document, dict):
        raise ValueError("the JSON chunk is not an object")
    buffers = document.get("buffers", [])
    if buffers and len(chunks.get(_BIN_CHUNK, b"")) < int(buffers[0].get("byteLength", 0)):
        raise ValueError("the binary chunk is shorter than the buffer it holds")
    return document
