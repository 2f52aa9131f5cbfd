"""Outputs on the separate output host: real pictures, sounds and videos, as served."""

from __future__ import annotations

import hashlib
import io
import struct
import wave
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from get3w_desktop.core.catalogue import load_bundled, parse_size
from get3w_desktop.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from get3w_desktop.sandbox.images import render_image
from tests.sandbox.support import AUTH, ManualClock

BANANA = "google/nano-banana-pro/text-to-image"
FLUX = "wavespeed-ai/flux-dev"
SEEDREAM = "bytedance/seedream-v4.5"
VEO = "google/veo3.1-fast/text-to-video"
SEEDANCE = "bytedance/seedance-v1.5-pro/text-to-video"
SPEECH = "minimax/speech-02-hd"


class Harness:
    def __init__(self, server: SandboxServer, clock: ManualClock, http: requests.Session) -> None:
        self.server, self.clock, self.http = server, clock, http

    def submit(self, model: str, **params: Any) -> str:
        reply = self.http.post(f"{self.server.base_url}/v1/{model}", json=params, timeout=10)
        assert reply.status_code == 200, reply.text
        task_id: str = reply.json()["id"]
        return task_id

    def task(self, task_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.http.get(
            f"{self.server.base_url}/v1/requests/{task_id}", timeout=10
        ).json()
        return data

    def complete(self, model: str, **params: Any) -> dict[str, Any]:
        task_id = self.submit(model, **params)
        self.clock.advance(1.0)
        task = self.task(task_id)
        assert task["status"] == "completed"
        return task

    def outputs(self, model: str, **params: Any) -> list[requests.Response]:
        """Download every output without credentials; checks they are what was announced."""
        task = self.complete(model, **params)
        replies = [requests.get(url, timeout=30) for url in task["outputs"]]
        assert all(r.status_code == 200 for r in replies)
        for reply in replies:
            assert int(reply.headers["Content-Length"]) == len(reply.content)
        served = [hashlib.sha256(r.content).hexdigest() for r in replies]
        assert served == self.server.output_checksums(task["id"])
        return replies


@pytest.fixture
def h() -> Iterator[Harness]:
    clock = ManualClock()
    config = SandboxConfig(
        clock=clock,
        duration_fn=lambda _m, _p: 1.0,
        render_scale=0.25,
        concurrency_limit=100,
        keys={SANDBOX_API_KEY: 1000.0},
    )
    with SandboxServer(config) as server, requests.Session() as http:
        http.headers.update(AUTH)
        yield Harness(server, clock, http)


def picture(reply: requests.Response) -> Image.Image:
    image = Image.open(io.BytesIO(reply.content))
    image.load()
    return image


# -- pictures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "size", "fmt", "media_type", "ext"),
    [
        ({"aspect_ratio": "16:9", "resolution": "1k"}, (256, 144), "PNG", "image/png", "png"),
        (
            {"aspect_ratio": "9:16", "resolution": "2k", "output_format": "jpeg"},
            (288, 512),
            "JPEG",
            "image/jpeg",
            "jpg",
        ),
        ({"aspect_ratio": "21:9", "resolution": "4k"}, (1024, 439), "PNG", "image/png", "png"),
        ({}, (256, 256), "PNG", "image/png", "png"),  # defaults: 1:1, 1k, png
    ],
)
def test_pictures_honour_aspect_ratio_resolution_and_format(
    h: Harness, params: dict[str, str], size: tuple[int, int], fmt: str, media_type: str, ext: str
) -> None:
    (reply,) = h.outputs(BANANA, prompt="a lighthouse", **params)
    assert reply.url.endswith(f"/0.{ext}")
    assert reply.headers["Content-Type"] == media_type
    image = picture(reply)
    assert image.format == fmt
    assert image.size == size


def test_size_parameter_and_model_defaults(h: Harness) -> None:
    (seedream,) = h.outputs(SEEDREAM, prompt="a dune", size="1536*1024")
    assert picture(seedream).size == (384, 256)
    # Absent parameters take the catalogue's defaults (seedream: a size, flux: a format).
    seedream_model, flux_model = load_bundled().get(SEEDREAM), load_bundled().get(FLUX)
    assert seedream_model is not None and flux_model is not None
    default_size = parse_size(str(seedream_model.defaults()["size"]))
    assert default_size is not None
    (default,) = h.outputs(SEEDREAM, prompt="a dune")
    assert picture(default).size == (default_size[0] // 4, default_size[1] // 4)
    default_format = str(flux_model.defaults()["output_format"]).upper()
    flux = h.outputs(FLUX, prompt="a field", num_images=2)
    assert [picture(r).format for r in flux] == [default_format] * 2
    assert flux[0].content != flux[1].content


def test_same_prompt_and_seed_give_the_same_bytes_anything_else_differs(h: Harness) -> None:
    (first,) = h.outputs(FLUX, prompt="a red fox", seed=42)
    (again,) = h.outputs(FLUX, prompt="a red fox", seed=42)
    (other_prompt,) = h.outputs(FLUX, prompt="a blue whale", seed=42)
    (other_seed,) = h.outputs(FLUX, prompt="a red fox", seed=43)
    (random_a,) = h.outputs(FLUX, prompt="a red fox", seed=-1)
    (random_b,) = h.outputs(FLUX, prompt="a red fox", seed=-1)
    assert first.content == again.content
    contents = {r.content for r in (first, other_prompt, other_seed, random_a, random_b)}
    assert len(contents) == 5
    # Visibly different, not just different bytes: the mean colours are apart.
    means = [picture(r).resize((1, 1)).getpixel((0, 0)) for r in (first, other_prompt)]
    assert means[0] != means[1]


def test_random_seeds_are_reproducible_under_the_config_seed() -> None:
    def two_random_pictures(seed: int) -> list[bytes]:
        clock = ManualClock()
        config = SandboxConfig(
            clock=clock, seed=seed, duration_fn=lambda _m, _p: 1.0, render_scale=0.1
        )
        with SandboxServer(config) as server, requests.Session() as http:
            http.headers.update(AUTH)
            harness = Harness(server, clock, http)
            return [harness.outputs(FLUX, prompt="same", seed=-1)[0].content for _ in range(2)]

    first = two_random_pictures(7)
    assert first == two_random_pictures(7)
    assert first[0] != first[1]
    assert first != two_random_pictures(8)


def test_webp_is_encoded_when_asked() -> None:
    data, media_type = render_image("a bay", 1, (64, 40), "webp")
    assert media_type == "image/webp"
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("WEBP", (64, 40))


# -- video and audio ---------------------------------------------------------------


def mp4_boxes(data: bytes) -> list[bytes]:
    """The top-level box types of an MP4 file."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        assert size >= 8, "a broken box"
        boxes.append(kind)
        offset += size
    assert offset == len(data)
    return boxes


def test_videos_are_mp4_clips_by_aspect_ratio_with_or_without_sound(h: Harness) -> None:
    (wide,) = h.outputs(VEO, prompt="waves")
    (tall,) = h.outputs(VEO, prompt="waves", aspect_ratio="9:16")
    (silent,) = h.outputs(VEO, prompt="waves", generate_audio=False)
    (cinema,) = h.outputs(SEEDANCE, prompt="waves", aspect_ratio="21:9")
    for reply in (wide, tall, silent, cinema):
        assert reply.url.endswith("/0.mp4")
        assert reply.headers["Content-Type"] == "video/mp4"
        assert reply.content[4:8] == b"ftyp"
        boxes = mp4_boxes(reply.content)
        assert b"moov" in boxes and b"mdat" in boxes
        assert 4_000 < len(reply.content) < 100_000
    assert len({wide.content, tall.content, silent.content, cinema.content}) == 4
    assert b"mp4a" in wide.content and b"avc1" in wide.content  # AAC sound, H.264 picture
    assert b"mp4a" not in silent.content and b"avc1" in silent.content


def test_audio_is_a_wav_melody_that_depends_on_the_text(h: Harness) -> None:
    (hello,) = h.outputs(SPEECH, text="Hello from the sandbox", voice_id="Calm_Woman")
    (other,) = h.outputs(SPEECH, text="Something else entirely", voice_id="Calm_Woman")
    assert hello.headers["Content-Type"] == "audio/wav"
    assert hello.url.endswith("/0.wav")
    with wave.open(io.BytesIO(hello.content)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert 1.5 < wav.getnframes() / wav.getframerate() < 6
        frames = wav.readframes(wav.getnframes())
    assert max(abs(s) for (s,) in struct.iter_unpack("<h", frames)) > 3000  # not silence
    assert hello.content != other.content


# -- the output host ---------------------------------------------------------------


def test_outputs_exist_only_once_completed_and_only_on_the_output_host(h: Harness) -> None:
    task_id = h.submit(BANANA, prompt="soon")
    early = requests.get(f"{h.server.output_base_url}/outputs/{task_id}/0.png", timeout=10)
    assert early.status_code == 404
    h.clock.advance(1.0)
    url = h.task(task_id)["outputs"][0]
    assert url.startswith(h.server.output_base_url)
    api_copy = url.replace(h.server.output_base_url, h.server.base_url)
    assert h.http.get(api_copy, timeout=10).status_code == 404
    wrong_ext = url.replace(".png", ".jpg")
    assert requests.get(wrong_ext, timeout=10).status_code == 404
    assert requests.get(url.replace("/0.png", "/1.png"), timeout=10).status_code == 404


def test_output_host_records_authorization_headers_and_answers_anyway(h: Harness) -> None:
    task = h.complete(BANANA, prompt="leak test")
    assert requests.get(task["outputs"][0], timeout=10).status_code == 200
    assert h.server.stats.output_auth_headers == []
    leaked = requests.get(task["outputs"][0], headers=AUTH, timeout=10)
    assert leaked.status_code == 200
    assert h.server.stats.output_auth_headers == [AUTH["Authorization"]]
    assert h.server.stats.output_requests == 2


def test_range_and_head_requests(h: Harness) -> None:
    (full,) = h.outputs(BANANA, prompt="ranges")
    url = full.url
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(full.content)
    part = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=10)
    assert part.status_code == 206
    assert part.content == full.content[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(full.content)}"
    tail = requests.get(url, headers={"Range": "bytes=-5"}, timeout=10)
    assert tail.content == full.content[-5:]
    beyond = requests.get(url, headers={"Range": f"bytes={len(full.content)}-"}, timeout=10)
    assert beyond.status_code == 416


def test_redirect_outputs_sends_a_302_to_the_real_file_on_the_same_host() -> None:
    clock = ManualClock()
    config = SandboxConfig(
        clock=clock,
        duration_fn=lambda _m, _p: 1.0,
        render_scale=0.1,
        faults=FaultConfig(redirect_outputs=True),
    )
    with SandboxServer(config) as server, requests.Session() as http:
        http.headers.update(AUTH)
        task = Harness(server, clock, http).complete(BANANA, prompt="moved")
        first = requests.get(task["outputs"][0], allow_redirects=False, timeout=10)
        assert first.status_code == 302
        location = first.headers["Location"]
        assert location.startswith(server.output_base_url + "/files/")
        followed = requests.get(task["outputs"][0], timeout=10)
        assert followed.url == location
        assert (
            hashlib.sha256(followed.content).hexdigest() == server.output_checksums(task["id"])[0]
        )


def test_redirect_to_another_host_serves_the_file_there() -> None:
    clock = ManualClock()
    with SandboxServer(SandboxConfig(render_scale=0.1)) as cdn:
        config = SandboxConfig(
            clock=clock,
            duration_fn=lambda _m, _p: 1.0,
            render_scale=0.1,
            faults=FaultConfig(redirect_to=cdn.output_base_url),
        )
        with SandboxServer(config) as server, requests.Session() as http:
            http.headers.update(AUTH)
            task = Harness(server, clock, http).complete(BANANA, prompt="elsewhere")
            first = requests.get(task["outputs"][0], allow_redirects=False, timeout=10)
            assert first.status_code == 302
            assert first.headers["Location"].startswith(cdn.output_base_url + "/files/")
            followed = requests.get(task["outputs"][0], timeout=10)
            assert followed.status_code == 200
            assert [hashlib.sha256(followed.content).hexdigest()] == server.output_checksums(
                task["id"]
            )
            assert cdn.stats.output_requests == 1
            assert cdn.stats.output_auth_headers == []
